package cn.govgate.app;

import cn.govgate.audit.AuditLog;
import cn.govgate.audit.AuditRetention;
import cn.govgate.calendar.WorkingCalendar;
import cn.govgate.cases.MyCases;
import cn.govgate.cases.MyCasesRoutes;
import cn.govgate.certificates.HousingFundProofSource;
import cn.govgate.certificates.LocalProofKeys;
import cn.govgate.certificates.ProofKey;
import cn.govgate.certificates.ProofKeys;
import cn.govgate.certificates.ProofRoutes;
import cn.govgate.certificates.Proofs;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.complaints.ComplaintRoutes;
import cn.govgate.complaints.Complaints;
import cn.govgate.complaints.OverdueWatch;
import cn.govgate.config.GovgateConfig;
import cn.govgate.http.Readiness;
import cn.govgate.http.Routes;
import cn.govgate.http.ServedRoute;
import cn.govgate.http.ServerVerticle;
import cn.govgate.http.Surface;
import cn.govgate.identity.Identity;
import cn.govgate.identity.Level;
import cn.govgate.partners.Partners;
import cn.govgate.payments.PaymentSystem;
import cn.govgate.ratings.RatingRoutes;
import cn.govgate.ratings.RatingStats;
import cn.govgate.ratings.Ratings;
import cn.govgate.ratings.Rectifications;
import cn.govgate.registry.AdminApi;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.registry.Registry;
import cn.govgate.reminders.ReminderRoutes;
import cn.govgate.reminders.Reminders;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.Catalogue;
import cn.govgate.services.CatalogueRoutes;
import cn.govgate.services.CitizenServiceRoutes;
import cn.govgate.services.Interactions;
import cn.govgate.services.OfferedServices;
import cn.govgate.services.VehicleLookupLimit;
import cn.govgate.store.Database;
import cn.govgate.supervision.CallLedger;
import cn.govgate.supervision.ServiceLevelRoutes;
import cn.govgate.supervision.ServiceLevels;
import cn.govgate.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root, read top to bottom in {@link #start(GovgateConfig, Clock, Map)}: metrics
 * and Vert.x → PostgreSQL (migrated) → audit, registry and admin API, channel adapters → identity →
 * department client → the service concerns (interactions, catalogue, citizen services, ratings,
 * proofs, payments) → one server verticle per event loop. Each concern builds itself from its
 * configuration and what it depends on; everything started is closed in reverse on {@link #stop()}
 * or when start-up fails half-way.
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  public static final String VERSION = "0.1.0";

  private final GovgateConfig config;
  private final Vertx vertx;
  private final PrometheusMeterRegistry meters;
  private final Database database;
  private final Concerns concerns;
  private final Shutdown shutdown;
  private final int port;
  private final int opsPort;
  private final List<ServedRoute> routes;
  private final Tracing tracing;

  /** Everything the gateway wired, for the accessors tests and embedding programs use. */
  private record Concerns(
      AuditLog audit,
      Registry registry,
      DepartmentClient departments,
      Map<Channel, ChannelAdapter> channels,
      Identity identity,
      Interactions interactions,
      PaymentSystem payments,
      Complaints complaints,
      OverdueWatch overdue,
      CallLedger ledger,
      ServiceLevels serviceLevels,
      Reminders reminders,
      Partners partners) {}

  private Gateway(
      GovgateConfig config,
      Vertx vertx,
      PrometheusMeterRegistry meters,
      Database database,
      Concerns concerns,
      Shutdown shutdown,
      int port,
      int opsPort,
      List<ServedRoute> routes,
      Tracing tracing) {
    this.tracing = tracing;
    this.config = config;
    this.vertx = vertx;
    this.meters = meters;
    this.database = database;
    this.concerns = concerns;
    this.shutdown = shutdown;
    this.port = port;
    this.opsPort = opsPort;
    this.routes = routes;
  }

  /**
   * Starts everything on the system clock; the Future fails with a short reason when something
   * cannot start.
   */
  public static Future<Gateway> start(GovgateConfig config) {
    return start(config, Clock.systemUTC(), Map.of());
  }

  /**
   * As {@link #start(GovgateConfig)}, with the clock of department breakers and signatures, the
   * last-known-good cache, ratings, proofs and payments (tests move it instead of sleeping).
   * Session tokens always use the system clock.
   */
  public static Future<Gateway> start(GovgateConfig config, Clock clock) {
    return start(config, clock, Map.of());
  }

  /**
   * As {@link #start(GovgateConfig, Clock)}, with further readiness checks of an embedding program:
   * {@code /health/ready} answers 200 only when they pass too (the demo's: departments registered,
   * manifest written). A check fails its Future with a short, non-personal reason while not ready.
   */
  public static Future<Gateway> start(
      GovgateConfig config, Clock clock, Map<String, Supplier<Future<Void>>> readyWhen) {
    return start(config, clock, readyWhen, Tracing.create(config.tracing()));
  }

  /**
   * As {@link #start(GovgateConfig, Clock, Map)}, with the tracing of an embedding program (e.g.
   * {@link Tracing#exportingTo} its own exporter) instead of the one {@code tracing.*} configures.
   * The gateway closes it on {@link #stop()}, after Vert.x, so the last spans are exported.
   */
  public static Future<Gateway> start(
      GovgateConfig config,
      Clock clock,
      Map<String, Supplier<Future<Void>>> readyWhen,
      Tracing tracing) {
    PrometheusMeterRegistry meters = Metrics.newRegistry();
    Vertx vertx = Metrics.newVertx(meters, tracing);
    Shutdown shutdown = new Shutdown();
    return Database.start(vertx, config.db())
        .map(db -> shutdown.add(db, Database::close))
        .compose(db -> recordStart(db).map(db))
        .compose(db -> wire(config, clock, vertx, meters, db, shutdown, readyWhen, tracing))
        .recover(
            e ->
                shutdown
                    .run()
                    .eventually(vertx::close)
                    .eventually(tracing::close)
                    .transform(ar -> Future.failedFuture(e)));
  }

  private static Future<Gateway> wire(
      GovgateConfig config,
      Clock clock,
      Vertx vertx,
      PrometheusMeterRegistry meters,
      Database db,
      Shutdown shutdown,
      Map<String, Supplier<Future<Void>>> readyWhen,
      Tracing tracing) {
    // Audit records carry the gateway's clock, so that their monthly partition is the one the
    // retention job keeps.
    AuditLog audit =
        shutdown.add(
            AuditLog.create(
                vertx,
                db.pool(),
                config.audit().hmacKey(),
                config.crypto().auditChain(),
                meters,
                clock),
            AuditLog::close);
    AuditRetention retention =
        AuditRetention.create(
            vertx, db.pool(), config.audit().retentionMonths(), config.audit().archiveDir(), clock);
    long retentionTimer =
        vertx.setPeriodic(
            0, config.audit().maintenanceInterval().toMillis(), id -> retention.runOnce());
    shutdown.add(
        retention,
        r -> {
          vertx.cancelTimer(retentionTimer);
          return Future.succeededFuture();
        });
    Registry registry =
        shutdown.add(
            Registry.create(
                vertx,
                db.pool(),
                db.connectOptions(),
                config.registry(),
                config.crypto(),
                meters,
                clock),
            Registry::close);
    AdminApi admin = AdminApi.create(registry, audit, config.admin().bootstrapKey());
    Map<Channel, ChannelAdapter> channels =
        shutdown.add(Channels.create(vertx, config.channels(), meters), Channels::close);
    OfferedServices offered = OfferedServices.routedBy(registry);
    CallLedger ledger =
        shutdown.add(
            CallLedger.create(vertx, db.pool(), clock, config.serviceLevels().flushInterval()),
            CallLedger::close);
    return Identity.start(
            vertx,
            db,
            config.identity(),
            config.crypto(),
            channels,
            audit,
            meters,
            Clock.systemUTC(),
            tracing)
        .map(identity -> shutdown.add(identity, Identity::close))
        .compose(
            identity ->
                Partners.start(
                        vertx,
                        db.pool(),
                        db.connectOptions(),
                        config.partners(),
                        config.dataDir(),
                        meters,
                        clock)
                    .map(partners -> shutdown.add(partners, Partners::close))
                    .compose(
                        partners ->
                            registry
                                .start()
                                .compose(v -> DepartmentClient.create(registry, ledger, tracing))
                                // Key files and the catalogue resource are read once, off the event
                                // loop.
                                .compose(
                                    departments ->
                                        vertx
                                            .executeBlocking(
                                                () ->
                                                    new Loaded(
                                                        proofKeys(config, identity),
                                                        Catalogue.load(offered),
                                                        WorkingCalendar.load(
                                                            config.complaints().calendarFiles())),
                                                false)
                                            .compose(
                                                loaded -> {
                                                  AtomicReference<String> baseUrl =
                                                      new AtomicReference<>();
                                                  Interactions interactions =
                                                      shutdown.add(
                                                          Interactions.create(
                                                              vertx, db.pool(), clock),
                                                          Interactions::close);
                                                  PaymentSystem payments =
                                                      shutdown.add(
                                                          PaymentSystem.create(
                                                              vertx,
                                                              db.pool(),
                                                              config.payments(),
                                                              channels,
                                                              departments,
                                                              identity,
                                                              audit,
                                                              meters,
                                                              clock,
                                                              baseUrl::get),
                                                          PaymentSystem::close);
                                                  Reminders reminders =
                                                      shutdown.add(
                                                          Reminders.create(
                                                              vertx,
                                                              db.pool(),
                                                              config.reminders(),
                                                              channels,
                                                              departments,
                                                              identity,
                                                              audit,
                                                              meters,
                                                              clock),
                                                          Reminders::close);
                                                  Complaints complaints =
                                                      Complaints.create(
                                                          db.pool(),
                                                          identity.cipher(),
                                                          loaded.calendar(),
                                                          config.complaints(),
                                                          offered,
                                                          interactions,
                                                          registry.store(),
                                                          reminders,
                                                          meters,
                                                          clock);
                                                  OverdueWatch overdue =
                                                      shutdown.add(
                                                          OverdueWatch.create(
                                                              vertx,
                                                              complaints,
                                                              loaded.calendar(),
                                                              audit,
                                                              meters,
                                                              clock,
                                                              config
                                                                  .complaints()
                                                                  .overdueInterval()),
                                                          OverdueWatch::close);
                                                  ServiceLevels serviceLevels =
                                                      shutdown.add(
                                                          ServiceLevels.create(
                                                              vertx,
                                                              db.pool(),
                                                              config.serviceLevels(),
                                                              meters,
                                                              clock),
                                                          ServiceLevels::close);
                                                  Concerns concerns =
                                                      new Concerns(
                                                          audit,
                                                          registry,
                                                          departments,
                                                          channels,
                                                          identity,
                                                          interactions,
                                                          payments,
                                                          complaints,
                                                          overdue,
                                                          ledger,
                                                          serviceLevels,
                                                          reminders,
                                                          partners);
                                                  Routes routes =
                                                      routes(
                                                          config, clock, db, admin, offered, loaded,
                                                          concerns);
                                                  Readiness readiness =
                                                      new Readiness()
                                                          .add(
                                                              "database",
                                                              () ->
                                                                  db.migrated()
                                                                      ? db.ping()
                                                                      : Future.failedFuture(
                                                                          "migrations not done"))
                                                          .add(
                                                              "registry",
                                                              () ->
                                                                  registry.loaded()
                                                                      ? Future.succeededFuture()
                                                                      : Future.failedFuture(
                                                                          "registry not loaded"));
                                                  readyWhen.forEach(readiness::add);
                                                  return serve(
                                                          config, vertx, meters, db, routes,
                                                          readiness, shutdown, tracing)
                                                      .map(
                                                          gateway -> {
                                                            baseUrl.set(gateway.baseUrl());
                                                            payments.start();
                                                            overdue.start();
                                                            serviceLevels.start();
                                                            reminders.start();
                                                            return new Gateway(
                                                                config,
                                                                vertx,
                                                                meters,
                                                                db,
                                                                concerns,
                                                                shutdown,
                                                                gateway.port,
                                                                gateway.opsPort,
                                                                gateway.routes,
                                                                tracing);
                                                          });
                                                }))));
  }

  private record Loaded(ProofKeys proofKeys, Catalogue catalogue, WorkingCalendar calendar) {}

  /**
   * Proofs are signed with the identity's ES256 keys, or with the SM2 key of {@code
   * certificates.*}; under SM2 the ES256 keys stay published for verification, so proofs issued
   * before a switch to the shangmi profile still verify — and under ES256 the SM2 key of an earlier
   * shangmi period stays published (while it is configured or its generated file is there), so
   * proofs issued before a switch back still verify until they expire.
   */
  private static ProofKeys proofKeys(GovgateConfig config, Identity identity) {
    LocalProofKeys es256 = LocalProofKeys.fromSigningKeys(identity.signingKeys());
    if (!"SM2".equals(config.certificates().algorithm())) {
      List<ProofKey> sm2 = LocalProofKeys.earlierSm2(config.certificates(), config.dataDir());
      if (sm2.isEmpty()) return es256;
      List<ProofKey> verifying =
          new ArrayList<>(es256.verificationKeys().subList(1, es256.verificationKeys().size()));
      verifying.addAll(sm2);
      return LocalProofKeys.of(es256.current(), verifying);
    }
    return LocalProofKeys.of(
        LocalProofKeys.load(config.certificates(), config.dataDir()).current(),
        es256.verificationKeys());
  }

  /** What each concern mounts on each surface, in the order the routers must see them. */
  private static Routes routes(
      GovgateConfig config,
      Clock clock,
      Database db,
      AdminApi admin,
      OfferedServices offered,
      Loaded loaded,
      Concerns c) {
    Identity identity = c.identity();
    CallerResolver callers = CallerResolver.fromSession();
    RatingRoutes ratings =
        new RatingRoutes(
            Ratings.create(db.pool(), c.interactions(), config.ratings(), clock),
            Rectifications.create(db.pool(), clock),
            RatingStats.create(db.pool(), clock),
            callers,
            admin::authorizeDepartment,
            offered,
            c.audit());
    ProofRoutes proofs =
        new ProofRoutes(
            Proofs.create(db.pool(), loaded.proofKeys(), clock),
            loaded.proofKeys(),
            HousingFundProofSource.fromDepartment(
                identity.directory(), c.departments(), c.registry().store()),
            c.interactions(),
            callers,
            admin::authorizeDepartment,
            offered,
            c.audit());
    ReminderRoutes reminders = new ReminderRoutes(c.reminders(), offered, c.audit());
    ServiceLevelRoutes serviceLevels = new ServiceLevelRoutes(c.serviceLevels(), offered, clock);
    ComplaintRoutes complaints =
        new ComplaintRoutes(c.complaints(), callers, admin::authorizeDepartment, c.audit());
    MyCasesRoutes myCases = new MyCasesRoutes(MyCases.create(db.pool(), clock), c.audit());
    CitizenServiceRoutes citizenServices =
        CitizenServiceRoutes.create(
            c.departments(),
            identity.directory(),
            c.interactions(),
            callers,
            offered,
            VehicleLookupLimit.create(
                db.pool(),
                clock,
                config.services().vehicleLookupLimit(),
                config.services().vehicleLookupWindow()),
            c.audit());

    Routes routes = new Routes();
    identity.mount(routes);
    // The admin API first: its guard authenticates every /admin/v1/departments* request, including
    // the
    // rectification and revocation routes of other concerns, which then ask it who the caller is.
    routes.add(Surface.ADMIN, admin::mount);
    routes.add(Surface.CALLBACKS, (vertx, router) -> c.payments().mountCallbacks(router));
    routes.add(
        Surface.CITIZEN,
        (vertx, router) -> {
          var sessions = identity.sessions();
          c.payments().mountCitizen(router, sessions.authenticate());
          complaints.mountCitizen(
              router, sessions.authenticate(), identity.gate().require(Level.L2, null));
          reminders.mountCitizen(
              router, sessions.authenticate(), identity.gate().require(Level.L2, null));
          // 我的办件 at any level: an unbound session sees what its own channel identity did.
          myCases.mountCitizen(router, sessions.authenticate());
          // The four service families: session, assurance level (L3 with the configured face
          // freshness), then the
          // department. Mounted before the optional-session catch-all below, which they do not
          // need.
          citizenServices.mount(
              router,
              sessions.authenticate(),
              level ->
                  identity
                      .gate()
                      .require(level, level == Level.L3 ? identity.faceFreshness() : null));
          // L3 with fresh face for issuing proofs; the proofs routes check the level again
          // themselves.
          router
              .post("/housing-fund/proofs")
              .handler(sessions.authenticate())
              .handler(identity.gate().require(Level.L3, identity.faceFreshness()));
          // The remaining service routes take a session when one is presented (ratings and
          // statistics also work
          // anonymously at L1).
          router.route().handler(sessions.authenticateOptional());
          CatalogueRoutes.mount(router, loaded.catalogue());
          ratings.mountCitizen(router);
          proofs.mountCitizen(router);
          serviceLevels.mountCitizen(router);
        });
    routes.add(
        Surface.ADMIN,
        (vertx, router) -> {
          ratings.mountAdmin(router);
          proofs.mountAdmin(router);
          complaints.mountAdmin(router);
          c.payments().mountAdmin(router, admin::authorizeOperator);
        });
    routes.add(Surface.PUBLIC, (vertx, router) -> proofs.mountPublic(router));
    // Partner platforms read through the same service layer, under a citizen's consent.
    c.partners()
        .mount(routes, identity, citizenServices, proofs, c.audit(), admin::authorizeOperator);
    return routes;
  }

  private static Future<ListeningGateway> serve(
      GovgateConfig config,
      Vertx vertx,
      PrometheusMeterRegistry meters,
      Database db,
      Routes routes,
      Readiness readiness,
      Shutdown shutdown,
      Tracing tracing) {
    List<ServerVerticle> servers = new CopyOnWriteArrayList<>();
    return vertx
        .deployVerticle(
            () -> {
              ServerVerticle v =
                  new ServerVerticle(config.http(), routes, readiness, meters, tracing);
              servers.add(v);
              return v;
            },
            new DeploymentOptions().setInstances(config.http().instances()))
        .map(
            id -> {
              // Undeploying first stops accepting and lets in-flight requests finish within the
              // grace period.
              shutdown.add(id, vertx::undeploy);
              return new ListeningGateway(
                  servers.get(0).actualPort(),
                  servers.get(0).actualOpsPort(),
                  servers.get(0).served(),
                  config);
            });
  }

  /** The ports the server verticles listen on (port 0 in tests: the ones the system picked). */
  private record ListeningGateway(
      int port, int opsPort, List<ServedRoute> routes, GovgateConfig config) {
    String baseUrl() {
      return "http://" + displayHost(config) + ":" + port;
    }
  }

  private static Future<Void> recordStart(Database db) {
    return db.pool()
        .preparedQuery("INSERT INTO gateway_starts (instance_id, version) VALUES ($1, $2)")
        .execute(Tuple.of(UUID.randomUUID().toString(), VERSION))
        .compose(v -> db.pool().query("SELECT audit_ensure_partitions(3)").execute())
        .mapEmpty();
  }

  /**
   * Stops accepting, lets in-flight requests finish (up to the grace period), closes every concern
   * and the pool.
   */
  public Future<Void> stop() {
    log.info(
        "shutting down: draining in-flight requests for up to {} ms",
        config.http().shutdownGrace().toMillis());
    Promise<Void> closed = Promise.promise();
    shutdown
        .run()
        .onComplete(
            ar -> {
              // Closing Vert.x from one of its own event loops would deliver the completion to a
              // loop that has stopped;
              // close it from a thread of its own.
              Thread closer =
                  new Thread(
                      () ->
                          vertx
                              .close()
                              .eventually(tracing::close)
                              .onComplete(
                                  done -> {
                                    log.info("shutdown complete");
                                    closed.complete();
                                  }),
                      "govgate-close");
              closer.start();
            });
    return closed.future();
  }

  public int port() {
    return port;
  }

  /** Every route the gateway answers (method and path template), as its routers hold them. */
  public List<ServedRoute> routes() {
    return routes;
  }

  public int opsPort() {
    return opsPort;
  }

  public String baseUrl() {
    return "http://" + displayHost(config) + ":" + port;
  }

  public String opsUrl() {
    return "http://" + displayHost(config) + ":" + opsPort;
  }

  private static String displayHost(GovgateConfig config) {
    String host = config.http().host();
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
  }

  public GovgateConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This gateway's tracing ({@link Tracing#OFF} unless {@code tracing.enabled} or given). */
  public Tracing tracing() {
    return tracing;
  }

  public PrometheusMeterRegistry registry() {
    return meters;
  }

  public Database database() {
    return database;
  }

  public AuditLog audit() {
    return concerns.audit();
  }

  /** The identity concern: session guard, assurance gate, citizen directory, signing keys. */
  public Identity identity() {
    return concerns.identity();
  }

  /** This instance's department registry (route table, guards). */
  public Registry departmentRegistry() {
    return concerns.registry();
  }

  /** The department client: route lookup, guarded signed calls, stale fallback. */
  public DepartmentClient departments() {
    return concerns.departments();
  }

  /** Service interactions (every service answer carries one; ratings refer to them). */
  public Interactions interactions() {
    return concerns.interactions();
  }

  /** The channel adapters of the configured channels. */
  public Map<Channel, ChannelAdapter> channels() {
    return concerns.channels();
  }

  /** The payments concern: orders, channel callbacks, outbox delivery, reconciliation. */
  public PaymentSystem payments() {
    return concerns.payments();
  }

  /** Consultations and complaints (政务互动). */
  public Complaints complaints() {
    return concerns.complaints();
  }

  /**
   * This instance's ledger of department calls (flushed to PostgreSQL every minute and on stop).
   */
  public CallLedger callLedger() {
    return concerns.ledger();
  }

  /** The published service levels (效能监察), their rollup and gauges. */
  public ServiceLevels serviceLevels() {
    return concerns.serviceLevels();
  }

  /**
   * Proactive reminders: subscriptions, the finding and sending rounds (tests run them by hand).
   */
  public Reminders reminders() {
    return concerns.reminders();
  }

  /** Partner platforms: directory, consents, nonce purge (tests run it by hand). */
  public Partners partners() {
    return concerns.partners();
  }

  /**
   * The round that marks unanswered consultations and complaints overdue (tests run it by hand).
   */
  public OverdueWatch overdueWatch() {
    return concerns.overdue();
  }
}
