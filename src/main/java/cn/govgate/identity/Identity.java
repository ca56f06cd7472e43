package cn.govgate.identity;

import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.config.CryptoConfig;
import cn.govgate.config.IdentityConfig;
import cn.govgate.http.Routes;
import cn.govgate.http.Surface;
import cn.govgate.store.Database;
import cn.govgate.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Map;

/**
 * The identity concern as the composition root sees it: built once per gateway from configuration,
 * the channel adapters, the database and the audit log; contributes the citizen routes ({@code
 * /v1/sessions}, {@code /v1/me}, {@code /v1/identity/*}) and {@code /.well-known/jwks.json}; and
 * hands other concerns what they need to guard their routes ({@link #sessions()}, {@link #gate()}),
 * resolve citizens ({@link #directory()}) and sign documents ({@link #signingKeys()}).
 *
 * <pre>{@code
 * Sessions sessions = identity.sessions();                 // thread-safe, shared by every event loop
 * router.get("/social-security/contributions")
 *     .handler(sessions.authenticate())
 *     .handler(identity.gate().require(Level.L3, Duration.ofMinutes(30)))
 *     .handler(ctx -> identity.directory().resolve(Session.of(ctx).citizenKey())...);
 * }</pre>
 */
public final class Identity {
  private final IdentityConfig config;
  private final SessionTokens tokens;
  private final Revocations revocations;
  private final CitizenDirectory directory;
  private final SigningKeys signingKeys;
  private final AssuranceGate gate;
  private final IdentityRoutes routes;
  private final PersonalDataCipher cipher;
  private final IdentityStore store;
  private final Sessions sessions;

  private Identity(
      IdentityConfig config,
      SessionTokens tokens,
      Revocations revocations,
      CitizenDirectory directory,
      SigningKeys signingKeys,
      AssuranceGate gate,
      IdentityRoutes routes,
      PersonalDataCipher cipher,
      IdentityStore store,
      Tracing tracing) {
    this.store = store;
    this.config = config;
    this.tokens = tokens;
    this.revocations = revocations;
    this.directory = directory;
    this.signingKeys = signingKeys;
    this.gate = gate;
    this.routes = routes;
    this.cipher = cipher;
    this.sessions = Sessions.create(tokens, revocations, tracing);
  }

  /** Parses keys, loads the revocation list and subscribes to revocations. */
  public static Future<Identity> start(
      Vertx vertx,
      Database db,
      IdentityConfig config,
      CryptoConfig crypto,
      Map<Channel, ChannelAdapter> adapters,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock,
      Tracing tracing) {
    SigningKeys signing;
    try {
      signing = SigningKeys.fromPem(config.signingKeysPem());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("signing.keys: " + e.getMessage()));
    }
    PersonalDataCipher cipher =
        PersonalDataCipher.create(
            config.dataKeys(), config.sm4DataKeys(), config.blindIndexKey(), crypto);
    SessionTokens tokens = SessionTokens.create(config, clock);
    IdentityStore store = new IdentityStore(db.pool());
    CitizenDirectory directory = new CitizenDirectory(store, cipher, clock);
    return Revocations.start(vertx, db.pool(), db.connectOptions(), clock, config.revocationPoll())
        .map(
            revocations ->
                new Identity(
                    config,
                    tokens,
                    revocations,
                    directory,
                    signing,
                    AssuranceGate.create(clock),
                    new IdentityRoutes(
                        config,
                        Map.copyOf(adapters),
                        store,
                        cipher,
                        tokens,
                        revocations,
                        directory,
                        audit,
                        meters,
                        clock),
                    cipher,
                    store,
                    tracing));
  }

  /**
   * The channel user id (Alipay user id, WeChat openid) of a channel identity, decrypted in memory:
   * what a payment prepay names as the payer. Fails with 404 {@code identity.not_found} when the
   * identity is gone.
   */
  public Future<String> channelSubject(String identityKey) {
    return store
        .identity(identityKey)
        .compose(
            identity ->
                identity == null
                    ? Future.failedFuture(cn.govgate.error.ErrorCode.IDENTITY_NOT_FOUND.error())
                    : Future.succeededFuture(
                        cipher.open(IdentityRoutes.SUBJECT_PURPOSE, identity.subjectEnc())));
  }

  /** Adds the citizen routes. */
  public void mount(Routes all) {
    all.add(Surface.CITIZEN, (vertx, router) -> mountCitizen(sessions, router));
    // /.well-known/jwks.json is served by the proofs concern from the same keys (see Gateway).
  }

  private void mountCitizen(Sessions sessions, Router router) {
    router.post("/sessions").handler(routes::login);
    router.delete("/sessions/current").handler(sessions.authenticate()).handler(routes::logout);
    router.get("/me").handler(sessions.authenticate()).handler(routes::me);
    router
        .post("/identity/verifications")
        .handler(sessions.authenticate())
        .handler(routes::startVerification);
    router
        .post("/identity/verifications/:id/complete")
        .handler(sessions.authenticate())
        .handler(routes::completeVerification);
    router.delete("/identity/binding").handler(sessions.authenticate()).handler(routes::unbind);
  }

  /** The session guard of every citizen route. */
  public Sessions sessions() {
    return sessions;
  }

  /**
   * The assurance gate: {@code gate().require(Level.L3, freshness)} after {@code authenticate()}.
   */
  public AssuranceGate gate() {
    return gate;
  }

  /** The default L3 freshness window ({@code identity.faceFreshness}). */
  public java.time.Duration faceFreshness() {
    return config.faceFreshness();
  }

  public CitizenDirectory directory() {
    return directory;
  }

  public SigningKeys signingKeys() {
    return signingKeys;
  }

  public SessionTokens tokens() {
    return tokens;
  }

  public Revocations revocations() {
    return revocations;
  }

  /** The personal-data cipher (for re-encryption and other concerns' encrypted columns). */
  public PersonalDataCipher cipher() {
    return cipher;
  }

  public Future<Void> close() {
    return revocations.close();
  }
}
