package cn.govgate.app;

import cn.govgate.audit.AuditLog;
import cn.govgate.certificates.LocalProofKeys;
import cn.govgate.certificates.ProofKeys;
import cn.govgate.certificates.ProofRoutes;
import cn.govgate.certificates.Proofs;
import cn.govgate.ratings.RatingRoutes;
import cn.govgate.ratings.RatingStats;
import cn.govgate.ratings.Ratings;
import cn.govgate.ratings.Rectifications;
import cn.govgate.services.Catalogue;
import cn.govgate.services.CatalogueRoutes;
import cn.govgate.services.Interactions;
import cn.govgate.config.GovgateConfig;
import cn.govgate.demo.DemoManifest;
import cn.govgate.http.Readiness;
import cn.govgate.http.Routes;
import cn.govgate.http.ServerVerticle;
import cn.govgate.http.Surface;
import cn.govgate.store.Database;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: config → Vert.x (with Micrometer) → PostgreSQL + migrations → the concerns →
 * server verticles (one per event loop) → demo manifest. {@link #stop()} undoes it in reverse, letting
 * in-flight requests finish within the grace period.
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  public static final String VERSION = "0.1.0";

  private final GovgateConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Database database;
  private final AuditLog audit;
  private final String deploymentId;
  private final int port;
  private final int opsPort;
  private final Path manifest;
  private final Interactions interactions;

  private Gateway(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry, Database database,
      AuditLog audit, String deploymentId, int port, int opsPort, Path manifest, Interactions interactions) {
    this.interactions = interactions;
    this.audit = audit;
    this.config = config;
    this.vertx = vertx;
    this.registry = registry;
    this.database = database;
    this.deploymentId = deploymentId;
    this.port = port;
    this.opsPort = opsPort;
    this.manifest = manifest;
  }

  /** Starts everything; the Future fails with a short reason when something cannot start. */
  public static Future<Gateway> start(GovgateConfig config) {
    return start(config, Seams.unwired());
  }

  /** Starts everything with the given seams to identity and the registry. */
  public static Future<Gateway> start(GovgateConfig config, Seams seams) {
    PrometheusMeterRegistry registry = newRegistry();
    Vertx vertx = newVertx(registry);
    String instanceId = UUID.randomUUID().toString();
    return Database.start(vertx, config.db(), config.dataDir())
        .compose(db -> recordStart(db, instanceId).map(db))
        .compose(db -> deploy(config, seams, vertx, registry, db))
        .onFailure(e -> vertx.close());
  }

  private static Future<Gateway> deploy(GovgateConfig config, Seams seams, Vertx vertx,
      PrometheusMeterRegistry registry, Database db) {
    AuditLog audit = AuditLog.create(vertx, db.pool(), config.audit().hmacKey(), registry);
    Readiness readiness = new Readiness()
        .add("database", () -> db.migrated() ? db.ping() : Future.failedFuture("migrations not done"));
    Routes routes = new Routes();
    Interactions interactions = Interactions.create(db.pool(), seams.clock());
    // Key files and the catalogue resource are read once, off the event loop.
    return vertx.executeBlocking(() -> new Loaded(seams.proofKeys() != null
            ? seams.proofKeys()
            : LocalProofKeys.load(config.certificates(), config.dataDir()), Catalogue.load(seams.offered())), false)
        .compose(loaded -> {
          addServiceRoutes(routes, config, seams, db, audit, interactions, loaded);
          return deployServers(config, vertx, registry, db, audit, readiness, routes, interactions);
        })
        .onFailure(e -> db.close(vertx));
  }

  private record Loaded(ProofKeys proofKeys, Catalogue catalogue) {}

  private static void addServiceRoutes(Routes routes, GovgateConfig config, Seams seams, Database db, AuditLog audit,
      Interactions interactions, Loaded loaded) {
    Ratings ratings = Ratings.create(db.pool(), interactions, config.ratings(), seams.clock());
    RatingRoutes ratingRoutes = new RatingRoutes(ratings, Rectifications.create(db.pool(), seams.clock()),
        RatingStats.create(db.pool(), seams.clock()), seams.callers(), seams.departmentAccess(), seams.offered(),
        audit);
    ProofRoutes proofRoutes = new ProofRoutes(Proofs.create(db.pool(), loaded.proofKeys(), seams.clock()),
        loaded.proofKeys(), seams.proofSource(), interactions, seams.callers(), seams.departmentAccess(),
        seams.offered(), audit);
    routes.add(Surface.CITIZEN, (vertx, router) -> {
      CatalogueRoutes.mount(router, loaded.catalogue());
      ratingRoutes.mountCitizen(router);
      proofRoutes.mountCitizen(router);
    });
    routes.add(Surface.ADMIN, (vertx, router) -> {
      ratingRoutes.mountAdmin(router);
      proofRoutes.mountAdmin(router);
    });
    routes.add(Surface.PUBLIC, (vertx, router) -> proofRoutes.mountPublic(router));
  }

  private static Future<Gateway> deployServers(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry,
      Database db, AuditLog audit, Readiness readiness, Routes routes, Interactions interactions) {
    List<ServerVerticle> servers = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          ServerVerticle v = new ServerVerticle(config.http(), routes, readiness, registry);
          servers.add(v);
          return v;
        }, new DeploymentOptions().setInstances(config.http().instances()))
        .compose(id -> {
          int port = servers.get(0).actualPort();
          int opsPort = servers.get(0).actualOpsPort();
          Path manifest = config.demo() ? config.dataDir().resolve("demo-manifest.json") : null;
          Gateway gateway = new Gateway(config, vertx, registry, db, audit, id, port, opsPort, manifest,
              interactions);
          if (manifest == null) return Future.succeededFuture(gateway);
          return vertx.executeBlocking(() -> {
            DemoManifest.write(manifest, DemoManifest.base(config, gateway.baseUrl(), gateway.opsUrl(), db));
            return gateway;
          }, false);
        });
  }

  private static Future<Void> recordStart(Database db, String instanceId) {
    return db.pool()
        .preparedQuery("INSERT INTO gateway_starts (instance_id, version) VALUES ($1, $2)")
        .execute(Tuple.of(instanceId, VERSION))
        .compose(v -> db.pool().query("SELECT audit_ensure_partitions(3)").execute())
        .mapEmpty();
  }

  /** A Prometheus registry with the JVM and process metrics bound. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x joins a sub-router's template to its mount point with ">" ("/v1/>/proofs/:serial"); show the
    // template as clients see it. The value stays a template, never a raw path.
    registry.config().meterFilter(MeterFilter.replaceTagValues("route", r -> r.replace("/>/", "/")));
    // Latency buckets for HTTP server requests, so dashboards and alerts can read p99 per route.
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals("vertx.http.server.response.time")) return config;
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue(Duration.ofMillis(1).toNanos() * 1.0)
            .maximumExpectedValue(Duration.ofSeconds(30).toNanos() * 1.0)
            .build()
            .merge(config);
      }
    });
    bindJvmMetrics(registry);
    return registry;
  }

  /**
   * A Vert.x instance reporting to {@code registry}: HTTP server requests by route template (never the raw
   * path), method and status; client, pool and event-bus metrics.
   */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(false))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  private static void bindJvmMetrics(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the pool and database. */
  public Future<Void> stop() {
    log.info("shutting down: draining in-flight requests for up to {} ms", config.http().shutdownGrace().toMillis());
    Promise<Void> closed = Promise.promise();
    vertx.undeploy(deploymentId)
        .eventually(audit::close)
        .eventually(() -> database.close(vertx))
        .onComplete(ar -> {
          // Closing Vert.x from one of its own event loops would deliver the completion to a loop that has
          // stopped; close it from a thread of its own.
          Thread closer = new Thread(() -> vertx.close().onComplete(done -> {
            log.info("shutdown complete");
            closed.complete();
          }), "govgate-close");
          closer.start();
        });
    return closed.future();
  }

  public int port() {
    return port;
  }

  public int opsPort() {
    return opsPort;
  }

  public String baseUrl() {
    return "http://" + displayHost() + ":" + port;
  }

  public String opsUrl() {
    return "http://" + displayHost() + ":" + opsPort;
  }

  private String displayHost() {
    String host = config.http().host();
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Database database() {
    return database;
  }

  public AuditLog audit() {
    return audit;
  }

  /** Where service answers record their interactions (the {@code interactionId} a rating refers to). */
  public Interactions interactions() {
    return interactions;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public GovgateConfig config() {
    return config;
  }

  /** The demo manifest path, null outside demo mode. */
  public Path manifest() {
    return manifest;
  }
}
