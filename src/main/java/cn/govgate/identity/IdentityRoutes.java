package cn.govgate.identity;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.FaceVerification.FaceResult;
import cn.govgate.channel.spi.FaceVerification.FaceStart;
import cn.govgate.channel.spi.RealName;
import cn.govgate.config.IdentityConfig;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.IdentityStore.BindOutcome;
import cn.govgate.identity.IdentityStore.ChannelIdentity;
import cn.govgate.identity.IdentityStore.NewCitizen;
import cn.govgate.identity.IdentityStore.Verification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The identity flows behind the citizen API: login, logout, {@code /me}, verification start and
 * completion, unbinding. Handlers fail the context with {@link ApiException}s; every outcome is
 * audited without plaintext personal data.
 */
final class IdentityRoutes {
  static final String SUBJECT_PURPOSE = "channel_identities.subject";
  static final String CLAIM_PURPOSE = "identity_verifications.claim";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DEFAULT_FACE_VALIDITY = Duration.ofMinutes(30);
  private static final int MAX_NAME = 64;

  private final IdentityConfig config;
  private final Map<Channel, ChannelAdapter> adapters;
  private final IdentityStore store;
  private final PersonalDataCipher cipher;
  private final SessionTokens tokens;
  private final Revocations revocations;
  private final CitizenDirectory directory;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;

  IdentityRoutes(
      IdentityConfig config,
      Map<Channel, ChannelAdapter> adapters,
      IdentityStore store,
      PersonalDataCipher cipher,
      SessionTokens tokens,
      Revocations revocations,
      CitizenDirectory directory,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.config = config;
    this.adapters = adapters;
    this.store = store;
    this.cipher = cipher;
    this.tokens = tokens;
    this.revocations = revocations;
    this.directory = directory;
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
  }

  // ---- POST /v1/sessions ----

  void login(RoutingContext ctx) {
    JsonObject body = JsonBody.optional(ctx);
    String channelName = body.getValue("channel") instanceof String s ? s : null;
    String appId = body.getValue("appId") instanceof String s ? s : null;
    String authCode = body.getValue("authCode") instanceof String s ? s : null;
    JsonObject fields = new JsonObject();
    if (channelName == null) fields.put("channel", "required");
    if (appId == null || appId.isBlank()) fields.put("appId", "required");
    if (authCode == null || authCode.isBlank() || authCode.length() > 512)
      fields.put("authCode", "required");
    if (!fields.isEmpty()) {
      ctx.fail(ApiException.invalidFields(fields));
      return;
    }
    Channel channel = Channel.fromWire(channelName);
    ChannelAdapter adapter = channel == null ? null : adapters.get(channel);
    if (adapter == null) {
      ctx.fail(
          ErrorCode.SESSION_UNKNOWN_CHANNEL
              .error()
              .withDetails(new JsonObject().put("channel", channelName)));
      return;
    }
    if (!adapter.appIds().contains(appId)) {
      ctx.fail(
          ErrorCode.SESSION_UNKNOWN_APP
              .error()
              .withDetails(new JsonObject().put("channel", channel.wireName())));
      return;
    }
    String requestId = RequestIds.of(ctx);
    adapter
        .exchangeCode(appId, authCode)
        .recover(e -> Future.failedFuture(channelFailure(e, ErrorCode.SESSION_INVALID_AUTH_CODE)))
        .compose(subject -> upsert(subject))
        .onSuccess(
            identity -> {
              Instant now = clock.instant();
              SessionTokens.Issued issued = tokens.issue(grant(identity, now));
              count("govgate.identity.logins", channel, "success");
              audit.record(
                  AuditEvent.success(
                      "channel_user",
                      identity.identityKey(),
                      "identity.login",
                      identity.citizenKey(),
                      requestId,
                      new JsonObject()
                          .put("channel", channel.wireName())
                          .put("level", issued.session().level().name())));
              respond(ctx, 201, sessionBody(issued));
            })
        .onFailure(
            e -> {
              count("govgate.identity.logins", channel, "failure");
              audit.record(
                  AuditEvent.failure(
                      "channel_user",
                      null,
                      "identity.login",
                      null,
                      requestId,
                      new JsonObject().put("channel", channel.wireName()).put("code", code(e))));
              ctx.fail(e);
            });
  }

  private Future<ChannelIdentity> upsert(ChannelSubject subject) {
    List<String> subjectIndexes =
        cipher.blindIndexes(
            "subject:" + subject.channel().wireName() + ":" + subject.appId(), subject.userId());
    String realIndex = null;
    String realName = null;
    RealName rn = subject.realName();
    if (rn != null
        && rn.certified()
        && rn.name() != null
        && !rn.name().isBlank()
        && rn.idNumber() != null
        && IdNumber.validate(rn.idNumber()).valid()) {
      realIndex = cipher.idIndex(rn.idNumber());
      realName = cipher.nameMac(rn.name());
    }
    return store.upsertIdentity(
        randomKey("ci_"),
        subject.channel(),
        subject.appId(),
        subjectIndexes,
        () -> cipher.seal(SUBJECT_PURPOSE, subject.userId()),
        cipher.currentKeyRef(),
        realIndex,
        realName);
  }

  private SessionTokens.Grant grant(ChannelIdentity identity, Instant authTime) {
    Level level = identity.citizenKey() == null ? Level.L1 : identity.level();
    Instant face = level == Level.L3 ? identity.verifiedAt() : null;
    return new SessionTokens.Grant(
        identity.identityKey(),
        identity.citizenKey(),
        level,
        identity.channel(),
        identity.appId(),
        authTime,
        face);
  }

  // ---- DELETE /v1/sessions/current ----

  void logout(RoutingContext ctx) {
    Session s = Session.of(ctx);
    revocations
        .revoke(s.jti(), s.expiresAt())
        .onSuccess(
            v -> {
              audit.record(
                  AuditEvent.success(
                      "channel_user",
                      s.identityKey(),
                      "identity.logout",
                      s.citizenKey(),
                      RequestIds.of(ctx),
                      new JsonObject().put("channel", s.channel().wireName())));
              ctx.response().setStatusCode(204).end();
            })
        .onFailure(ctx::fail);
  }

  // ---- GET /v1/me ----

  void me(RoutingContext ctx) {
    Session s = Session.of(ctx);
    JsonObject out =
        new JsonObject()
            .put("level", s.level().name())
            .put("bound", s.bound())
            .put("channel", s.channel().wireName());
    if (s.faceTime() != null) out.put("faceTime", s.faceTime().toString());
    if (!s.bound()) {
      respond(ctx, 200, out);
      return;
    }
    directory
        .resolve(s.citizenKey())
        .onSuccess(
            c ->
                respond(
                    ctx,
                    200,
                    out.put("name", Masking.maskName(c.name()))
                        .put("idNumber", IdNumber.mask(c.idNumber()))))
        .onFailure(ctx::fail);
  }

  // ---- POST /v1/identity/verifications ----

  void startVerification(RoutingContext ctx) {
    Session s = Session.of(ctx);
    String requestId = RequestIds.of(ctx);
    JsonObject body = JsonBody.optional(ctx);
    String name = body.getValue("name") instanceof String n ? n.strip() : null;
    String rawId = body.getValue("idNumber") instanceof String i ? i : null;
    if (name == null || name.isEmpty() || name.length() > MAX_NAME || rawId == null) {
      JsonObject fields = new JsonObject();
      if (name == null || name.isEmpty() || name.length() > MAX_NAME)
        fields.put("name", "required, 1-64 characters");
      if (rawId == null) fields.put("idNumber", "required");
      ctx.fail(ApiException.invalidFields(fields));
      return;
    }
    IdNumber.Validation validation = IdNumber.validate(rawId);
    if (!validation.valid()) {
      auditVerification(
          s,
          requestId,
          "identity.verification.start",
          "failure",
          new JsonObject().put("reason", "invalid_id_number." + validation.reason()));
      ctx.fail(
          ErrorCode.IDENTITY_INVALID_ID_NUMBER
              .error()
              .withDetails(new JsonObject().put("reason", validation.reason())));
      return;
    }
    String idNumber = validation.normalized();
    List<String> claimedIndexes = cipher.idIndexes(idNumber);
    String claimedIndex = claimedIndexes.get(0);
    ChannelAdapter adapter = adapters.get(s.channel());
    if (adapter == null) {
      ctx.fail(ErrorCode.SESSION_UNKNOWN_CHANNEL.error());
      return;
    }
    Instant now = clock.instant();
    store
        .identity(s.identityKey())
        .compose(
            identity -> {
              if (identity == null) {
                return Future.failedFuture(ErrorCode.AUTH_INVALID_TOKEN.error());
              }
              Verification v =
                  new Verification(
                      randomKey("vf_"),
                      identity.identityKey(),
                      identity.channel(),
                      identity.appId(),
                      HexFormat.of().formatHex(randomBytes(16)),
                      claimedIndex,
                      cipher.seal(
                          CLAIM_PURPOSE,
                          new JsonObject().put("name", name).put("idNumber", idNumber).encode()),
                      null,
                      "starting",
                      now,
                      null,
                      null);
              return store
                  .reserveAttempt(
                      v,
                      claimedIndexes,
                      cipher.currentKeyRef(),
                      now.minus(config.verificationWindow()),
                      config.verificationLimit())
                  .compose(
                      refused ->
                          refused == null
                              ? Future.succeededFuture()
                              : tooMany(s, refused, now, requestId))
                  .compose(x -> realNameShortcut(s, identity, name, idNumber, now, requestId))
                  .compose(
                      l2 -> {
                        String userId = cipher.open(SUBJECT_PURPOSE, identity.subjectEnc());
                        FaceRequest request =
                            new FaceRequest(
                                identity.appId(), userId, name, idNumber, v.outSeqNo(), null);
                        return adapter
                            .startFace(request)
                            .recover(
                                e ->
                                    store
                                        .markStartFailed(v.id(), code(e))
                                        .transform(
                                            ar ->
                                                Future.failedFuture(
                                                    channelFailure(
                                                        e, ErrorCode.IDENTITY_FACE_REJECTED))))
                            .compose(
                                start -> {
                                  Instant expires =
                                      start.expiresAt() != null
                                          ? start.expiresAt()
                                          : now.plus(DEFAULT_FACE_VALIDITY);
                                  return store
                                      .markStarted(v.id(), start.reference(), expires)
                                      .map(x -> startBody(v, start, expires, l2));
                                });
                      });
            })
        .onSuccess(
            out -> {
              count("govgate.identity.verifications", s.channel(), "started");
              auditVerification(
                  s,
                  requestId,
                  "identity.verification.start",
                  "success",
                  new JsonObject().put("verificationId", out.getString("verificationId")));
              respond(ctx, 201, out);
            })
        .onFailure(
            e -> {
              if (!(e instanceof ApiException api
                  && api.errorCode() == ErrorCode.IDENTITY_TOO_MANY_ATTEMPTS)) {
                auditVerification(
                    s,
                    requestId,
                    "identity.verification.start",
                    "failure",
                    new JsonObject().put("code", code(e)));
              }
              ctx.fail(e);
            });
  }

  private Future<Void> tooMany(Session s, IdentityStore.Attempts a, Instant now, String requestId) {
    Duration window = config.verificationWindow();
    int limit = config.verificationLimit();
    Instant oldest = null;
    if (a.byUser() >= limit) oldest = a.oldestByUser();
    if (a.byId() >= limit && (oldest == null || a.oldestById().isAfter(oldest)))
      oldest = a.oldestById();
    long retry = Math.max(1, Duration.between(now, oldest.plus(window)).toSeconds() + 1);
    count("govgate.identity.verifications", s.channel(), "rate_limited");
    audit.record(
        new AuditEvent(
            "channel_user",
            s.identityKey(),
            "identity.verification.start",
            s.citizenKey(),
            "denied",
            requestId,
            new JsonObject()
                .put("reason", a.byUser() >= limit ? "user_limit" : "id_number_limit")));
    return Future.failedFuture(
        new ApiException(
            ErrorCode.IDENTITY_TOO_MANY_ATTEMPTS,
            new JsonObject().put("limit", limit).put("window", window.toString()),
            (int) Math.min(retry, 86_400),
            null));
  }

  /**
   * Alipay's certified real name, when it equals the claim (blind index and name MAC, never
   * plaintext), binds an unbound channel identity at L2 right away; the face check then lifts it to
   * L3.
   */
  private Future<SessionTokens.Issued> realNameShortcut(
      Session s,
      ChannelIdentity identity,
      String name,
      String idNumber,
      Instant now,
      String requestId) {
    // Compared in the algorithm each stored MAC was made with: a profile switch does not break the
    // shortcut.
    if (identity.citizenKey() != null
        || !cipher.matches(PersonalDataCipher.ID_INDEX, idNumber, identity.realnameIndex())
        || !cipher.nameMatches(name, identity.realnameNameMac())) {
      return Future.succeededFuture(null);
    }
    return store
        .bindRealName(identity.identityKey(), newCitizen(idNumber, name), now)
        .map(
            bind -> {
              if (bind.outcome() != BindOutcome.BOUND) return null;
              audit.record(
                  AuditEvent.success(
                      "channel_user",
                      identity.identityKey(),
                      "identity.bind",
                      bind.citizenKey(),
                      requestId,
                      new JsonObject()
                          .put("level", "L2")
                          .put("channel", identity.channel().wireName())
                          .put("method", "channel_realname")));
              return tokens.issue(
                  new SessionTokens.Grant(
                      identity.identityKey(),
                      bind.citizenKey(),
                      Level.L2,
                      identity.channel(),
                      identity.appId(),
                      s.authTime(),
                      null));
            });
  }

  private NewCitizen newCitizen(String idNumber, String name) {
    return new NewCitizen(
        randomKey("c_"),
        cipher.idIndexes(idNumber),
        cipher.seal(CitizenDirectory.ID_PURPOSE, idNumber),
        cipher.seal(CitizenDirectory.NAME_PURPOSE, name),
        cipher.currentKeyRef());
  }

  private static JsonObject startBody(
      Verification v, FaceStart start, Instant expires, SessionTokens.Issued l2) {
    JsonObject params = new JsonObject();
    start.clientParams().forEach(params::put);
    JsonObject out =
        new JsonObject()
            .put("verificationId", v.id())
            .put("channel", v.channel().wireName())
            .put("clientParams", params)
            .put("expiresAt", expires.toString());
    if (l2 != null) out.put("session", sessionBody(l2));
    return out;
  }

  // ---- POST /v1/identity/verifications/:id/complete ----

  void completeVerification(RoutingContext ctx) {
    Session s = Session.of(ctx);
    String requestId = RequestIds.of(ctx);
    String id = ctx.pathParam("id");
    store
        .verification(id)
        .compose(
            v -> {
              if (v == null || !v.identityKey().equals(s.identityKey())) {
                return Future.failedFuture(ErrorCode.IDENTITY_VERIFICATION_NOT_FOUND.error());
              }
              if (v.completedAt() != null) return Future.failedFuture(alreadyCompleted());
              if (!"started".equals(v.status())) {
                return Future.failedFuture(ErrorCode.IDENTITY_VERIFICATION_NOT_STARTED.error());
              }
              return store
                  .identity(v.identityKey())
                  .compose(
                      identity -> {
                        JsonObject claim =
                            new JsonObject(cipher.open(CLAIM_PURPOSE, v.claimedEnc()));
                        String name = claim.getString("name");
                        String idNumber = claim.getString("idNumber");
                        FaceRequest request =
                            new FaceRequest(
                                v.appId(),
                                cipher.open(SUBJECT_PURPOSE, identity.subjectEnc()),
                                name,
                                idNumber,
                                v.outSeqNo(),
                                null);
                        ChannelAdapter adapter = adapters.get(v.channel());
                        return adapter
                            .queryFace(request, v.channelRef())
                            .recover(
                                e ->
                                    Future.failedFuture(
                                        channelFailure(e, ErrorCode.IDENTITY_FACE_FAILED)))
                            .compose(
                                result ->
                                    settle(s, v, identity, result, name, idNumber, requestId));
                      });
            })
        .onSuccess(out -> respond(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> settle(
      Session s,
      Verification v,
      ChannelIdentity identity,
      FaceResult result,
      String name,
      String idNumber,
      String requestId) {
    Instant now = clock.instant();
    switch (result.outcome()) {
      case PENDING:
        return Future.failedFuture(
            ErrorCode.IDENTITY_VERIFICATION_PENDING.error().withRetryAfter(2));
      case FAILED:
        return store
            .completeFailed(v.id(), result.channelCode(), now)
            .compose(
                first -> {
                  if (!first) return Future.failedFuture(alreadyCompleted());
                  count("govgate.identity.verifications", v.channel(), "failed");
                  auditVerification(
                      s,
                      requestId,
                      "identity.verification.complete",
                      "failure",
                      new JsonObject()
                          .put("verificationId", v.id())
                          .put("channelCode", result.channelCode()));
                  return Future.failedFuture(ErrorCode.IDENTITY_FACE_FAILED.error());
                });
      default:
        return store
            .completePassed(v, result.channelCode(), newCitizen(idNumber, name), now)
            .compose(
                bind -> {
                  if (bind.outcome() == BindOutcome.ALREADY_COMPLETED)
                    return Future.failedFuture(alreadyCompleted());
                  if (bind.outcome() == BindOutcome.ALREADY_BOUND_TO_OTHER) {
                    count("govgate.identity.verifications", v.channel(), "refused");
                    audit.record(
                        new AuditEvent(
                            "channel_user",
                            identity.identityKey(),
                            "identity.bind",
                            identity.citizenKey(),
                            "denied",
                            requestId,
                            new JsonObject()
                                .put("reason", "already_bound")
                                .put("verificationId", v.id())));
                    return Future.failedFuture(ErrorCode.IDENTITY_ALREADY_BOUND.error());
                  }
                  count("govgate.identity.verifications", v.channel(), "passed");
                  audit.record(
                      AuditEvent.success(
                          "channel_user",
                          identity.identityKey(),
                          "identity.verification.complete",
                          bind.citizenKey(),
                          requestId,
                          new JsonObject().put("verificationId", v.id())));
                  audit.record(
                      AuditEvent.success(
                          "channel_user",
                          identity.identityKey(),
                          "identity.bind",
                          bind.citizenKey(),
                          requestId,
                          new JsonObject()
                              .put("level", "L3")
                              .put("channel", v.channel().wireName())
                              .put("method", "face")));
                  SessionTokens.Issued issued =
                      tokens.issue(
                          new SessionTokens.Grant(
                              identity.identityKey(),
                              bind.citizenKey(),
                              Level.L3,
                              v.channel(),
                              v.appId(),
                              s.authTime(),
                              now));
                  return Future.succeededFuture(sessionBody(issued));
                });
    }
  }

  private static ApiException alreadyCompleted() {
    return ErrorCode.IDENTITY_VERIFICATION_ALREADY_COMPLETED.error();
  }

  // ---- DELETE /v1/identity/binding ----

  void unbind(RoutingContext ctx) {
    Session s = Session.of(ctx);
    String requestId = RequestIds.of(ctx);
    store
        .unbind(s.identityKey())
        .compose(
            done -> {
              if (!done) {
                return Future.failedFuture(ErrorCode.IDENTITY_NOT_BOUND.error());
              }
              audit.record(
                  AuditEvent.success(
                      "channel_user",
                      s.identityKey(),
                      "identity.unbind",
                      s.citizenKey(),
                      requestId,
                      new JsonObject().put("channel", s.channel().wireName())));
              SessionTokens.Issued issued =
                  tokens.issue(
                      new SessionTokens.Grant(
                          s.identityKey(),
                          null,
                          Level.L1,
                          s.channel(),
                          s.appId(),
                          s.authTime(),
                          null));
              return revocations.revoke(s.jti(), s.expiresAt()).map(x -> sessionBody(issued));
            })
        .onSuccess(out -> respond(ctx, 200, out))
        .onFailure(ctx::fail);
  }

  // ---- helpers ----

  static JsonObject sessionBody(SessionTokens.Issued issued) {
    Session s = issued.session();
    JsonObject out =
        new JsonObject()
            .put("token", issued.token())
            .put("tokenType", "Bearer")
            .put("expiresAt", s.expiresAt().toString())
            .put("level", s.level().name())
            .put("bound", s.bound())
            .put("channel", s.channel().wireName());
    if (s.faceTime() != null) out.put("faceTime", s.faceTime().toString());
    return out;
  }

  /**
   * Maps a channel failure: the citizen's → {@code citizenCode}; platform → 503; integration → 502.
   */
  static Throwable channelFailure(Throwable e, ErrorCode citizenCode) {
    if (!(e instanceof ChannelException ce)) return e;
    JsonObject details = new JsonObject().put("channel", ce.channel().wireName());
    return switch (ce.fault()) {
      case CITIZEN -> citizenCode.error(details);
      case PLATFORM ->
          ErrorCode.CHANNEL_UNAVAILABLE
              .error(details)
              .withRetryAfter(ce.kind() == ChannelException.Kind.CIRCUIT_OPEN ? 30 : 5);
      case INTEGRATION -> ErrorCode.CHANNEL_INTEGRATION_ERROR.error(details);
    };
  }

  private static String code(Throwable e) {
    if (e instanceof ApiException api) return api.code();
    if (e instanceof ChannelException ce)
      return "channel." + ce.kind().name().toLowerCase(java.util.Locale.ROOT);
    return "internal";
  }

  private void auditVerification(
      Session s, String requestId, String action, String outcome, JsonObject details) {
    details.put("channel", s.channel().wireName());
    audit.record(
        new AuditEvent(
            "channel_user", s.identityKey(), action, s.citizenKey(), outcome, requestId, details));
  }

  /** Counters resolved once per (name, channel, outcome), not built per request. */
  private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();

  private void count(String name, Channel channel, String outcome) {
    counters
        .computeIfAbsent(
            name + '|' + channel.wireName() + '|' + outcome,
            k ->
                Counter.builder(name)
                    .description(
                        name.endsWith("logins")
                            ? "Channel logins, by channel and outcome"
                            : "Real-name and face verifications, by channel and outcome (started, passed, failed, rate_limited…)")
                    .tag("channel", channel.wireName())
                    .tag("outcome", outcome)
                    .register(meters))
        .increment();
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body.toBuffer());
  }

  static String randomKey(String prefix) {
    return prefix
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(18));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
