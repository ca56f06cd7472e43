package cn.govgate.app;

import cn.govgate.audit.AuditLog;
import cn.govgate.certificates.LocalProofKeys;
import cn.govgate.certificates.ProofKeys;
import cn.govgate.certificates.ProofRoutes;
import cn.govgate.certificates.Proofs;
import cn.govgate.channel.alipay.AlipayAdapter;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.wechat.WechatAdapter;
import cn.govgate.config.ChannelsConfig;
import cn.govgate.demo.DemoChannels;
import cn.govgate.demo.DemoDepartments;
import cn.govgate.registry.AdminApi;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.registry.Registry;
import cn.govgate.identity.Identity;
import cn.govgate.identity.Level;
import cn.govgate.ratings.RatingRoutes;
import cn.govgate.ratings.RatingStats;
import cn.govgate.ratings.Ratings;
import cn.govgate.ratings.Rectifications;
import cn.govgate.services.Catalogue;
import cn.govgate.services.CatalogueRoutes;
import cn.govgate.services.CitizenServiceRoutes;
import cn.govgate.services.VehicleLookupLimit;
import cn.govgate.services.Interactions;
import cn.govgate.payments.PaymentSystem;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
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
 * The composition root: config → Vert.x (with Micrometer) → PostgreSQL + migrations → channel adapters (or, in
 * demo mode, the in-process channel simulators) → the concerns (identity…) →
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
  private final Parts parts;
  private final String deploymentId;
  private final int port;
  private final int opsPort;
  private final Path manifest;

  private Gateway(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry, Database database,
      Parts parts, String deploymentId, int port, int opsPort, Path manifest) {
    this.audit = parts.audit;
    this.parts = parts;
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
    return start(config, null, Clock.systemUTC());
  }

  /**
   * As {@link #start(GovgateConfig)}, with the clock that drives department breakers, signatures and the
   * last-known-good cache (tests move it instead of sleeping).
   */
  public static Future<Gateway> start(GovgateConfig config, Clock clock) {
    return start(config, null, clock);
  }

  /**
   * Starts everything; {@code seams} replaces what the service concerns get from identity and the registry
   * (tests of those concerns in isolation), null wires them to the real ones.
   */
  public static Future<Gateway> start(GovgateConfig config, Seams seams) {
    return start(config, seams, seams == null ? Clock.systemUTC() : seams.clock());
  }

  private static Future<Gateway> start(GovgateConfig config, Seams seams, Clock clock) {
    PrometheusMeterRegistry registry = newRegistry();
    Vertx vertx = newVertx(registry);
    String instanceId = UUID.randomUUID().toString();
    return Database.start(vertx, config.db(), config.dataDir())
        .compose(db -> recordStart(db, instanceId).map(db))
        .compose(db -> deploy(config, seams, clock, vertx, registry, db))
        .onFailure(e -> vertx.close());
  }

  private static Future<Gateway> deploy(GovgateConfig config, Seams given, Clock clock, Vertx vertx,
      PrometheusMeterRegistry registry, Database db) {
    AuditLog audit = AuditLog.create(vertx, db.pool(), config.audit().hmacKey(), registry);
    Registry departmentRegistry = Registry.create(vertx, db.pool(), db.connectOptions(), config.registry(), registry,
        clock);
    CircuitBreakerRegistry breakers = channelBreakers(registry);
    boolean simulate = config.demo() && !config.channels().any();
    Future<DemoChannels> demoChannels = simulate
        ? DemoChannels.start(vertx, config.dataDir(), "http://127.0.0.1:" + config.http().port(),
            config.demoCitizens())
        : Future.succeededFuture(null);
    Parts parts = new Parts(audit, departmentRegistry);
    parts.admin = AdminApi.create(departmentRegistry, audit, config.admin().bootstrapKey());
    return demoChannels
        .compose(demo -> {
          parts.demo = demo;
          ChannelsConfig channels = demo != null ? demo.config() : config.channels();
          parts.adapters = adapters(vertx, channels, breakers, registry);
          return Identity.start(vertx, db, config.identity(), parts.adapters, audit, registry, Clock.systemUTC());
        })
        .compose(identity -> {
          parts.identity = identity;
          return departmentRegistry.start().compose(v -> DepartmentClient.create(departmentRegistry));
        })
        .compose(departments -> {
          parts.departments = departments;
          Seams seams = given != null
              ? given
              : WiredSeams.create(parts.identity, departmentRegistry, departments, parts.admin, clock,
                  "SM2".equals(config.certificates().algorithm()));
          // Key files and the catalogue resource are read once, off the event loop.
          return vertx.executeBlocking(() -> {
            parts.seams = seams;
            parts.seamsWired = given == null;
            parts.proofKeys = seams.proofKeys() != null
                ? seams.proofKeys()
                : LocalProofKeys.load(config.certificates(), config.dataDir());
            parts.catalogue = Catalogue.load(seams.offered());
            return parts;
          }, false);
        })
        .compose(p -> serve(config, vertx, registry, db, parts))
        .onFailure(e -> parts.close(vertx).eventually(() -> db.close(vertx)));
  }

  /** What deploy built, so that a failure half-way or {@link #stop()} can undo it. */
  private static final class Parts {
    final AuditLog audit;
    final Registry departmentRegistry;
    AdminApi admin;
    DepartmentClient departments;
    DemoChannels demo;
    DemoDepartments demoDepartments;
    Map<Channel, ChannelAdapter> adapters = Map.of();
    Identity identity;
    Seams seams;
    boolean seamsWired;
    ProofKeys proofKeys;
    Catalogue catalogue;
    Interactions interactions;
    PaymentSystem payments;
    // The gateway's base URL once it listens (port 0 in tests): payment callback URLs are built from it.
    final java.util.concurrent.atomic.AtomicReference<String> baseUrl =
        new java.util.concurrent.atomic.AtomicReference<>();

    Parts(AuditLog audit, Registry departmentRegistry) {
      this.audit = audit;
      this.departmentRegistry = departmentRegistry;
    }

    Future<Void> close(Vertx vertx) {
      Future<Void> f = (payments == null ? Future.<Void>succeededFuture() : payments.close())
          .eventually(() -> interactions == null ? Future.<Void>succeededFuture() : interactions.close())
          .eventually(departmentRegistry::close)
          .eventually(() -> demoDepartments == null ? Future.succeededFuture() : demoDepartments.close())
          .eventually(() -> identity == null ? Future.succeededFuture() : identity.close());
      return f.eventually(() -> {
        adapters.values().forEach(a -> {
          if (a instanceof AlipayAdapter alipay) alipay.close();
        });
        return demo == null ? Future.succeededFuture() : demo.close();
      });
    }
  }

  private static Future<Gateway> serve(GovgateConfig config, Vertx vertx, PrometheusMeterRegistry registry,
      Database db, Parts parts) {
    Readiness readiness = new Readiness()
        .add("database", () -> db.migrated() ? db.ping() : Future.failedFuture("migrations not done"))
        .add("registry", () -> parts.departmentRegistry.loaded()
            ? Future.succeededFuture() : Future.failedFuture("registry not loaded"));
    Routes routes = new Routes();
    parts.identity.mount(routes);
    if (parts.seamsWired) {
      // The admin API first: its guard authenticates every /admin/v1/departments* request, including the
      // rectification and revocation routes of other concerns, which then ask it who the caller is.
      routes.add(Surface.ADMIN, parts.admin::mount);
      addServiceRoutes(routes, config, db, parts, vertx, registry);
    } else {
      // Seams given (a concern tested in isolation): its department access decides on its own routes.
      addServiceRoutes(routes, config, db, parts, vertx, registry);
      routes.add(Surface.ADMIN, parts.admin::mount);
    }
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
          Gateway gateway = new Gateway(config, vertx, registry, db, parts, id, port, opsPort, manifest);
          parts.baseUrl.set(gateway.baseUrl());
          if (parts.payments != null) parts.payments.start();
          if (manifest == null) return Future.succeededFuture(gateway);
          // The demo departments register through the admin API, like any department would.
          return DemoDepartments.start(vertx, gateway.baseUrl(), config.admin().bootstrapKey(),
              config.demoCitizens())
              .compose(demoDepartments -> {
                parts.demoDepartments = demoDepartments;
                return vertx.executeBlocking(() -> {
                  JsonObject content = DemoManifest.base(config, gateway.baseUrl(), gateway.opsUrl(), db);
                  if (parts.demo != null) content.put("channels", parts.demo.manifest(gateway.baseUrl()));
                  content.put("admin", new JsonObject()
                          .put("baseUrl", gateway.baseUrl() + "/admin/v1")
                          .put("bootstrapKeyFile", String.valueOf(config.admin().bootstrapKeyFile())))
                      .put("departments", demoDepartments.manifest());
                  DemoManifest.write(manifest, content);
                  return gateway;
                }, false);
              });
        });
  }

  private static void addServiceRoutes(Routes routes, GovgateConfig config, Database db, Parts parts, Vertx owner,
      PrometheusMeterRegistry meters) {
    Seams seams = parts.seams;
    Identity identity = parts.identity;
    Interactions interactions = Interactions.create(owner, db.pool(), seams.clock());
    parts.interactions = interactions;
    Ratings ratings = Ratings.create(db.pool(), interactions, config.ratings(), seams.clock());
    RatingRoutes ratingRoutes = new RatingRoutes(ratings, Rectifications.create(db.pool(), seams.clock()),
        RatingStats.create(db.pool(), seams.clock()), seams.callers(), seams.departmentAccess(), seams.offered(),
        parts.audit);
    ProofRoutes proofRoutes = new ProofRoutes(Proofs.create(db.pool(), parts.proofKeys, seams.clock()),
        parts.proofKeys, seams.proofSource(), interactions, seams.callers(), seams.departmentAccess(),
        seams.offered(), parts.audit);
    CitizenServiceRoutes citizenServices = parts.seamsWired
        ? CitizenServiceRoutes.create(parts.departments, identity.directory(), interactions, seams.callers(),
            seams.offered(), VehicleLookupLimit.create(db.pool(), seams.clock(),
                config.services().vehicleLookupLimit(), config.services().vehicleLookupWindow()), parts.audit)
        : null;
    PaymentSystem payments = parts.seamsWired
        ? PaymentSystem.create(owner, db.pool(), config.payments(), parts.adapters,
            parts.departments, identity, parts.audit, meters, seams.clock(),
            parts.baseUrl::get)
        : null;
    parts.payments = payments;
    if (payments != null) routes.add(Surface.CALLBACKS, (vertx, router) -> payments.mountCallbacks(router));
    routes.add(Surface.CITIZEN, (vertx, router) -> {
      var sessions = identity.sessions();
      if (payments != null) payments.mountCitizen(router, sessions.authenticate());
      if (citizenServices != null) {
        // The four service families: session, assurance level (L3 with the configured face freshness), then
        // the department. Mounted before the optional-session catch-all below, which they do not need.
        citizenServices.mount(router, sessions.authenticate(), level -> identity.gate().require(level,
            level == Level.L3 ? identity.faceFreshness() : null));
      }
      if (parts.seamsWired) {
        // L3 with fresh face for issuing proofs; the proofs routes check the level again themselves.
        router.post("/housing-fund/proofs").handler(sessions.authenticate())
            .handler(identity.gate().require(Level.L3, identity.faceFreshness()));
      }
      // The remaining service routes take a session when one is presented (ratings and statistics also work
      // anonymously at L1).
      router.route().handler(sessions.authenticateOptional());
      CatalogueRoutes.mount(router, parts.catalogue);
      ratingRoutes.mountCitizen(router);
      proofRoutes.mountCitizen(router);
    });
    routes.add(Surface.ADMIN, (vertx, router) -> {
      ratingRoutes.mountAdmin(router);
      proofRoutes.mountAdmin(router);
    });
    routes.add(Surface.PUBLIC, (vertx, router) -> proofRoutes.mountPublic(router));
  }

  /** One breaker registry for every channel API: opens at 50 % failures over the last 20 calls (≥ 5). */
  static CircuitBreakerRegistry channelBreakers(PrometheusMeterRegistry registry) {
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(5)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(30))
        .permittedNumberOfCallsInHalfOpenState(2)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .build());
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    return breakers;
  }

  private static Map<Channel, ChannelAdapter> adapters(Vertx vertx, ChannelsConfig channels,
      CircuitBreakerRegistry breakers, PrometheusMeterRegistry registry) {
    Map<Channel, ChannelAdapter> adapters = new EnumMap<>(Channel.class);
    if (channels.alipay() != null) {
      adapters.put(Channel.ALIPAY, AlipayAdapter.create(vertx, channels.alipay(), breakers, registry));
    }
    if (channels.wechat() != null) {
      adapters.put(Channel.WECHAT, WechatAdapter.create(vertx, channels.wechat(), breakers, registry));
    }
    return adapters;
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
        .with(new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(false)
            // Tests lower this (surefire sets the property) so that the blocked-thread checker is loud.
            .setMaxEventLoopExecuteTime(Long.getLong("govgate.maxEventLoopExecuteTimeMs", 2000))
            .setMaxEventLoopExecuteTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS))
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
        .eventually(() -> parts.close(vertx))
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

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The identity concern: session guard, assurance gate, citizen directory, signing keys. */
  public Identity identity() {
    return parts.identity;
  }

  /** The department client: route lookup, guarded signed calls, stale fallback. */
  public DepartmentClient departments() {
    return parts.departments;
  }

  /** This instance's department registry (route table, guards). */
  public Registry departmentRegistry() {
    return parts.departmentRegistry;
  }

  /** The in-process department simulators of the demo, null outside demo mode. */
  public DemoDepartments demoDepartments() {
    return parts.demoDepartments;
  }

  /** Service interactions (every service answer carries one; ratings refer to them). */
  public Interactions interactions() {
    return parts.interactions;
  }

  /** The channel adapters in use, by channel. */
  public Map<Channel, ChannelAdapter> channels() {
    return parts.adapters;
  }

  /** The payments concern, null when the service concerns run on test seams. */
  public PaymentSystem payments() {
    return parts.payments;
  }

  /** The in-process channel simulators of the demo, null when real channels are configured. */
  public DemoChannels demoChannels() {
    return parts.demo;
  }

  public GovgateConfig config() {
    return config;
  }

  /** The demo manifest path, null outside demo mode. */
  public Path manifest() {
    return manifest;
  }
}
