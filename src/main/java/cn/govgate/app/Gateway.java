package cn.govgate.app;

import cn.govgate.audit.AuditLog;
import cn.govgate.config.GovgateConfig;
import cn.govgate.demo.DemoManifest;
import cn.govgate.http.Readiness;
import cn.govgate.http.Routes;
import cn.govgate.http.ServerVerticle;
import cn.govgate.http.Surface;
import cn.govgate.registry.AdminApi;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.registry.Registry;
import cn.govgate.store.Database;
import cn.govgate.demo.DemoDepartments;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
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
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Clock;
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
  private final Registry departmentRegistry;
  private final DepartmentClient departments;
  private volatile DemoDepartments demoDepartments;

  private Gateway(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry, Database database,
      AuditLog audit, String deploymentId, int port, int opsPort, Path manifest, Registry departmentRegistry,
      DepartmentClient departments) {
    this.audit = audit;
    this.departmentRegistry = departmentRegistry;
    this.departments = departments;
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
    return start(config, Clock.systemUTC());
  }

  /**
   * As {@link #start(GovgateConfig)}, with the clock that drives department breakers, signatures and the
   * last-known-good cache (tests move it instead of sleeping).
   */
  public static Future<Gateway> start(GovgateConfig config, Clock clock) {
    PrometheusMeterRegistry registry = newRegistry();
    Vertx vertx = newVertx(registry);
    String instanceId = UUID.randomUUID().toString();
    return Database.start(vertx, config.db(), config.dataDir())
        .compose(db -> recordStart(db, instanceId).map(db))
        .compose(db -> deploy(config, vertx, registry, db, clock))
        .onFailure(e -> vertx.close());
  }

  private static Future<Gateway> deploy(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry,
      Database db, Clock clock) {
    AuditLog audit = AuditLog.create(vertx, db.pool(), config.audit().hmacKey(), registry);
    Registry departmentRegistry = Registry.create(vertx, db.pool(), db.connectOptions(), config.registry(), registry,
        clock);
    Readiness readiness = new Readiness()
        .add("database", () -> db.migrated() ? db.ping() : Future.failedFuture("migrations not done"))
        .add("registry", () -> departmentRegistry.loaded()
            ? Future.succeededFuture() : Future.failedFuture("registry not loaded"));
    Routes routes = new Routes();
    AdminApi admin = AdminApi.create(departmentRegistry, audit, config.admin().bootstrapKey());
    routes.add(Surface.ADMIN, admin::mount);
    List<ServerVerticle> servers = new CopyOnWriteArrayList<>();
    List<DepartmentClient> client = new CopyOnWriteArrayList<>();
    return departmentRegistry.start()
        .compose(v -> DepartmentClient.create(departmentRegistry))
        .onSuccess(client::add)
        .compose(started -> vertx.deployVerticle(() -> {
          ServerVerticle v = new ServerVerticle(config.http(), routes, readiness, registry);
          servers.add(v);
          return v;
        }, new DeploymentOptions().setInstances(config.http().instances())))
        .compose(id -> {
          int port = servers.get(0).actualPort();
          int opsPort = servers.get(0).actualOpsPort();
          Path manifest = config.demo() ? config.dataDir().resolve("demo-manifest.json") : null;
          Gateway gateway = new Gateway(config, vertx, registry, db, audit, id, port, opsPort, manifest,
              departmentRegistry, client.get(0));
          if (manifest == null) return Future.succeededFuture(gateway);
          // The demo departments register through the admin API, like any department would.
          return DemoDepartments.start(vertx, gateway.baseUrl(), config.admin().bootstrapKey())
              .compose(demo -> {
                gateway.demoDepartments = demo;
                return vertx.executeBlocking(() -> {
                  DemoManifest.write(manifest, DemoManifest.base(config, gateway.baseUrl(), gateway.opsUrl(), db)
                      .put("admin", new JsonObject()
                          .put("baseUrl", gateway.baseUrl() + "/admin/v1")
                          .put("bootstrapKeyFile", String.valueOf(config.admin().bootstrapKeyFile())))
                      .put("departments", demo.manifest()));
                  return gateway;
                }, false);
              });
        })
        .onFailure(e -> departmentRegistry.close().eventually(() -> db.close(vertx)));
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
        .eventually(departmentRegistry::close)
        .eventually(() -> demoDepartments == null ? Future.succeededFuture() : demoDepartments.close())
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

  /** The department registry of this instance. */
  public Registry departmentRegistry() {
    return departmentRegistry;
  }

  /** The client the services layer calls departments with. */
  public DepartmentClient departments() {
    return departments;
  }

  public AuditLog audit() {
    return audit;
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
