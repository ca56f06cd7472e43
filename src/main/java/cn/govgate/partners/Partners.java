package cn.govgate.partners;

import cn.govgate.audit.AuditLog;
import cn.govgate.certificates.ProofRoutes;
import cn.govgate.config.PartnersConfig;
import cn.govgate.http.Routes;
import cn.govgate.http.Surface;
import cn.govgate.identity.Identity;
import cn.govgate.identity.Level;
import cn.govgate.services.CitizenServiceRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.security.Provider;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partner concern, as the composition root wires it: the directory of partners (LISTEN/NOTIFY),
 * the gateway's answer keys, the admission gate, and the routes it contributes — {@code /open/v1},
 * {@code /v1/consents}, {@code /admin/v1/partners}. Expired nonces and old usage counters are
 * purged every minute by each instance.
 */
public final class Partners {
  private static final Logger log = LoggerFactory.getLogger(Partners.class);
  private static final long PURGE_EVERY_MS = 60_000;

  private final Vertx vertx;
  private final PartnerStore store;
  private final PartnerDirectory directory;
  private final AnswerKeys keys;
  private final PartnerGate gate;
  private final Clock clock;
  private final long purgeTimer;

  private Partners(
      Vertx vertx,
      PartnerStore store,
      PartnerDirectory directory,
      AnswerKeys keys,
      Provider rsa,
      MeterRegistry meters,
      Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.directory = directory;
    this.keys = keys;
    this.clock = clock;
    this.gate = new PartnerGate(directory, store, keys, rsa, meters, clock);
    this.purgeTimer = vertx.setPeriodic(PURGE_EVERY_MS, id -> purge());
  }

  /**
   * Chooses the RSA2 provider ({@code partners.rsaProvider}), then loads the answer keys and the
   * directory (off the event loop: loading the native provider, file I/O, maybe key generation).
   *
   * @param clock the clock of signature windows, consents and quotas
   */
  public static Future<Partners> start(
      Vertx vertx,
      Pool pool,
      PgConnectOptions connect,
      PartnersConfig config,
      Path dataDir,
      MeterRegistry meters,
      Clock clock) {
    return vertx
        .executeBlocking(() -> RsaProviders.choose(config.rsaProvider()), false)
        .compose(
            rsa ->
                vertx
                    .executeBlocking(() -> AnswerKeys.load(config, dataDir, rsa), false)
                    .compose(
                        keys -> {
                          PartnerStore store = new PartnerStore(pool, rsa);
                          return PartnerDirectory.start(vertx, store, connect)
                              .map(
                                  directory ->
                                      new Partners(
                                          vertx, store, directory, keys, rsa, meters, clock));
                        }));
  }

  /**
   * Mounts the partner API, the consent routes and the operator's partner admin routes.
   *
   * @param services the citizen API's service layer, which partner reads go through
   * @param proofs the citizen API's proof routes, which partner proof issue and verify go through
   * @param operator the admin API's operator check
   */
  public void mount(
      Routes routes,
      Identity identity,
      CitizenServiceRoutes services,
      ProofRoutes proofs,
      AuditLog audit,
      Function<RoutingContext, Future<String>> operator) {
    OpenRoutes open = new OpenRoutes(gate, keys, services, proofs);
    ConsentRoutes consents = new ConsentRoutes(store, directory, audit, clock);
    PartnerAdminRoutes admin = new PartnerAdminRoutes(store, audit, operator);
    routes.add(Surface.PARTNER, (vertx, router) -> open.mount(router));
    routes.add(
        Surface.CITIZEN,
        (vertx, router) ->
            consents.mount(
                router,
                identity.sessions().authenticate(),
                identity.gate().require(Level.L3, identity.faceFreshness()),
                identity.gate().require(Level.L2, null)));
    routes.add(Surface.ADMIN, (vertx, router) -> admin.mount(router));
  }

  /** Deletes expired nonces and usage rows no quota reads any more (tests call it by hand). */
  public Future<Void> purge() {
    long second = clock.instant().getEpochSecond();
    return store
        .purge(clock.instant(), second, PartnerGate.beijingDay(second))
        .onFailure(e -> log.warn("partner nonce purge failed: {}", e.getMessage()));
  }

  /**
   * Reloads the directory now (the NOTIFY does it within a second; tests that need it at once call
   * this).
   */
  public Future<Void> reload() {
    return directory.reload();
  }

  public Future<Void> close() {
    vertx.cancelTimer(purgeTimer);
    return directory.close();
  }
}
