package cn.govgate.partners;

import cn.govgate.error.ApiException;
import cn.govgate.http.AnswerSigner;
import cn.govgate.http.JsonBody;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admits one signed partner request, in this order (cheapest and least revealing first; nothing
 * reaches the database before the signature verified): header present and well-formed → app known
 * and active, key known, not revoked, of the header's algorithm → timestamp within ±{@value
 * #WINDOW_SECONDS} s → signature over the canonical request → scope granted → only documented
 * parameters and body fields, a {@code consentId} named (unless the endpoint reaches no citizen) →
 * one PostgreSQL statement: nonce unused by the app (any instance), quota of the second and the
 * day, the consent → consent live, this partner's, covering the scope. Every answer of {@code
 * /open/v1} is signed ({@link #signAnswers}) and counted in {@code
 * govgate_partner_requests_total{partner, outcome}} (partner: a registered app id or {@code
 * unknown}; outcome: {@code ok} or an error code of the catalogue).
 */
final class PartnerGate {
  static final int WINDOW_SECONDS = 300;
  private static final String NONCE = "govgate.partner.nonce";
  private static final String ALGORITHM = "govgate.partner.algorithm";
  private static final String APP = "govgate.partner.app";

  private final PartnerDirectory directory;
  private final PartnerStore store;
  private final QuotaLeases quotas;
  private final AnswerKeys answerKeys;
  private final Provider rsa;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  PartnerGate(
      PartnerDirectory directory,
      PartnerStore store,
      AnswerKeys answerKeys,
      Provider rsa,
      MeterRegistry meters,
      Clock clock) {
    this.directory = directory;
    this.store = store;
    this.quotas = new QuotaLeases(store);
    this.answerKeys = answerKeys;
    this.rsa = rsa;
    this.meters = meters;
    this.clock = clock;
  }

  /**
   * First handler of every {@code /open/v1} request: its answer, whatever it is, will be signed and
   * counted.
   */
  void signAnswers(RoutingContext ctx) {
    AnswerSigner.install(ctx, this::sign);
    ctx.next();
  }

  private void sign(RoutingContext ctx, int status, String errorCode, Buffer body) {
    SignatureAlgorithm algorithm = ctx.get(ALGORITHM);
    if (algorithm == null)
      algorithm = SignatureHeader.schemeOf(ctx.request().getHeader("Authorization"));
    AnswerKeys.GatewayKey key =
        answerKeys.of(algorithm == null ? SignatureAlgorithm.RSA2 : algorithm);
    String nonce = ctx.get(NONCE);
    long now = clock.instant().getEpochSecond();
    byte[] signature =
        key.signer()
            .sign(
                CanonicalRequest.answer(status, nonce, now, body.getBytes())
                    .getBytes(StandardCharsets.UTF_8));
    ctx.response()
        .putHeader(
            "X-Govgate-Signature",
            key.algorithm().scheme()
                + " keyid=\""
                + key.keyId()
                + "\",timestamp=\""
                + now
                + "\",nonce=\""
                + (nonce == null ? "" : nonce)
                + "\",signature=\""
                + Base64.getEncoder().encodeToString(signature)
                + "\"");
    String app = ctx.get(APP);
    count(app == null ? "unknown" : app, errorCode == null ? "ok" : errorCode);
  }

  private void count(String partner, String outcome) {
    counters
        .computeIfAbsent(
            partner + " " + outcome,
            k ->
                Counter.builder("govgate_partner_requests")
                    .description(
                        "Partner API answers by partner (registered app id or unknown) and outcome (ok or error code)")
                    .tag("partner", partner)
                    .tag("outcome", outcome)
                    .register(meters))
        .increment();
  }

  /** Where an endpoint takes the consent that names the citizen. */
  enum ConsentIn {
    /** the {@code consentId} query parameter (GET) */
    QUERY,
    /** the {@code consentId} field of the JSON body (POST) */
    BODY,
    /** no consent: the endpoint reaches no citizen's records ({@code POST /proofs/verify}) */
    NONE
  }

  /**
   * The guard of one GET endpoint reading personal data: {@code scope} is what the partner must
   * have been granted and the consent must cover; {@code params} are the documented query
   * parameters ({@code consentId} included).
   */
  Handler<RoutingContext> require(String scope, Set<String> params) {
    return require(scope, params, Set.of(), ConsentIn.QUERY);
  }

  /**
   * The guard of one endpoint: {@code params} are the documented query parameters, {@code
   * bodyFields} the documented fields of its JSON body (a body is read only when there are some),
   * {@code consent} where the consent is named.
   */
  Handler<RoutingContext> require(
      String scope, Set<String> params, Set<String> bodyFields, ConsentIn consent) {
    return ctx -> {
      try {
        admit(ctx, scope, params, bodyFields, consent);
      } catch (ApiException e) {
        ctx.fail(e);
      }
    };
  }

  private void admit(
      RoutingContext ctx,
      String scope,
      Set<String> params,
      Set<String> bodyFields,
      ConsentIn consentIn) {
    String header = ctx.request().getHeader("Authorization");
    if (!SignatureHeader.present(header)) throw PartnerErrors.signatureMissing();
    SignatureHeader h = SignatureHeader.parse(header);
    ctx.put(ALGORITHM, h.algorithm());
    ctx.put(NONCE, h.nonce());
    Partner partner = directory.find(h.appId());
    if (partner != null) ctx.put(APP, partner.appId());
    if (partner == null || !partner.active()) throw PartnerErrors.unknownApp();
    Partner.Key key = partner.keys().get(h.keyId());
    if (key == null) throw PartnerErrors.unknownApp();
    if (key.revoked()) throw PartnerErrors.keyRevoked();
    if (key.algorithm() != h.algorithm()) throw PartnerErrors.algorithmMismatch();
    Instant now = clock.instant();
    if (Math.abs(now.getEpochSecond() - h.timestamp()) > WINDOW_SECONDS) {
      throw PartnerErrors.timestampOutOfWindow(now.getEpochSecond());
    }
    byte[] canonical =
        CanonicalRequest.of(ctx, h.timestamp(), h.nonce()).getBytes(StandardCharsets.UTF_8);
    if (!key.algorithm().verify(rsa, key.publicKey(), key.sm2UserId(), canonical, h.signature())) {
      throw PartnerErrors.signatureInvalid();
    }
    if (!partner.scopes().contains(scope)) throw PartnerErrors.scopeDenied(scope);
    checkParams(ctx, params);
    if (!bodyFields.isEmpty()) checkBody(JsonBody.required(ctx), bodyFields);
    String consentId =
        switch (consentIn) {
          case QUERY -> ctx.request().getParam("consentId");
          case BODY -> JsonBody.required(ctx).getString("consentId");
          case NONE -> null;
        };
    if (consentIn != ConsentIn.NONE && (consentId == null || consentId.isEmpty())) {
      throw PartnerErrors.consentRequired();
    }
    long second = now.getEpochSecond();
    long day = beijingDay(second);
    store
        .admit(
            partner.appId(),
            h.nonce(),
            Instant.ofEpochSecond(h.timestamp() + WINDOW_SECONDS + 1),
            consentId)
        .compose(
            a -> {
              if (!a.freshNonce()) return Future.failedFuture(PartnerErrors.nonceReplayed());
              return withinQuota(partner, second, day).map(a);
            })
        .onFailure(ctx::fail)
        .onSuccess(
            a -> {
              try {
                ctx.put(PartnerCall.KEY, admitted(a, partner, scope, consentId, now));
                ctx.next();
              } catch (ApiException e) {
                ctx.fail(e);
              }
            });
  }

  /**
   * The second's quota, then (only if it held) the day's, from this instance's leases; fails with
   * {@code partner.quota_exceeded}.
   */
  private Future<Void> withinQuota(Partner partner, long second, long day) {
    int perSecond = partner.quotaPerSecond();
    return quotas
        .take(partner.appId(), 's', second, perSecond, perSecond)
        .compose(
            inSecond -> {
              if (!inSecond) return Future.failedFuture(PartnerErrors.quotaExceeded("second", 1));
              return quotas.take(partner.appId(), 'd', day, partner.quotaPerDay(), perSecond);
            })
        .compose(
            inDay -> {
              if (inDay) return Future.succeededFuture();
              long nextDay = (day + 1) * 86_400 - 8 * 3_600;
              return Future.failedFuture(
                  PartnerErrors.quotaExceeded("day", (int) Math.max(1, nextDay - second)));
            });
  }

  /**
   * Only documented body fields; {@code consentId}, when documented, a string (it is all that names
   * the citizen).
   */
  private static void checkBody(JsonObject body, Set<String> fields) {
    JsonObject errors = new JsonObject();
    for (String name : body.fieldNames()) {
      if (!fields.contains(name)) {
        errors.put(
            name.length() > 64 ? name.substring(0, 64) : name, "not a field of this endpoint");
      }
    }
    Object consentId = body.getValue("consentId");
    if (consentId != null && !(consentId instanceof String)) {
      errors.put("consentId", "a consent id (string)");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
  }

  private static PartnerCall admitted(
      PartnerStore.Admission a, Partner partner, String scope, String consentId, Instant now) {
    // An endpoint that reaches no citizen's records names no consent.
    if (consentId == null) return new PartnerCall(partner.appId(), null, null);
    PartnerStore.Consent c = a.consent();
    if (c == null) throw PartnerErrors.consentNotGranted();
    if (c.revoked()) throw PartnerErrors.consentRevoked();
    if (!c.expiresAt().isAfter(now)) throw PartnerErrors.consentExpired();
    if (!c.scopes().contains(scope)) throw PartnerErrors.consentScopeNotCovered(scope);
    return new PartnerCall(partner.appId(), consentId, c.citizenKey());
  }

  /**
   * Only documented parameters, each once: nothing else can select a citizen or change an answer.
   */
  private static void checkParams(RoutingContext ctx, Set<String> params) {
    JsonObject errors = new JsonObject();
    for (String name : ctx.queryParams().names()) {
      if (!params.contains(name)) {
        errors.put(
            name.length() > 64 ? name.substring(0, 64) : name, "not a parameter of this endpoint");
      } else if (ctx.queryParams().getAll(name).size() > 1) {
        errors.put(name, "given more than once");
      }
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
  }

  static long beijingDay(long epochSecond) {
    return Math.floorDiv(epochSecond + 8 * 3_600, 86_400);
  }
}
