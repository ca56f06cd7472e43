package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.SignType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The simulator's JSON control API for the demo, mounted under {@code /__sim/}: {@code POST apps,
 * users, auth-codes, face/perform, orders/pay, refunds/settle, knobs}; {@code GET keys, knobs}.
 */
final class SimControlRoutes {

  private SimControlRoutes() {}

  static void mount(Router router, AlipaySimulator sim) {
    router
        .get("/__sim/keys")
        .respond(
            ctx ->
                Future.succeededFuture(
                    new JsonObject()
                        .put("gatewayUrl", sim.gatewayUrl())
                        .put("platformPublicKey", sim.platformPublicKey())
                        .put("platformSm2PublicKey", sim.platformSm2PublicKey())));
    router
        .post("/__sim/apps")
        .respond(
            json(
                body -> {
                  sim.registerApp(
                      body.getString("appId"),
                      SignType.valueOf(body.getString("signType", "RSA2")),
                      body.getString("publicKey"),
                      body.getString("sm2UserId"));
                  return new JsonObject().put("registered", body.getString("appId"));
                }));
    router
        .post("/__sim/users")
        .respond(
            json(
                body -> {
                  sim.addUser(
                      new SimUser(
                          body.getString("userId"),
                          body.getString("name"),
                          body.getString("idNumber"),
                          body.getBoolean("certified", body.getString("name") != null)));
                  return new JsonObject().put("added", true);
                }));
    router
        .post("/__sim/auth-codes")
        .respond(
            json(
                body ->
                    new JsonObject()
                        .put(
                            "authCode",
                            sim.issueAuthCode(body.getString("appId"), body.getString("userId")))));
    router
        .post("/__sim/face/perform")
        .respond(
            json(
                body ->
                    new JsonObject()
                        .put(
                            "passed",
                            sim.performFace(
                                body.getString("certifyId"), body.getString("userId")))));
    router
        .post("/__sim/orders/pay")
        .respond(
            ctx ->
                body(ctx)
                    .compose(body -> sim.payOrder(body.getString("outTradeNo")))
                    .map(tradeNo -> new JsonObject().put("tradeNo", tradeNo)));
    router
        .post("/__sim/refunds/settle")
        .respond(
            json(
                body ->
                    new JsonObject()
                        .put(
                            "settled",
                            sim.settleRefund(
                                body.getString("outTradeNo"), body.getString("outRequestNo")))));
    router
        .post("/__sim/subscribe/templates")
        .respond(
            json(
                body -> {
                  List<String> keywords = new ArrayList<>();
                  body.getJsonArray("keywords").forEach(k -> keywords.add(k.toString()));
                  sim.registerTemplate(
                      body.getString("appId"),
                      body.getString("templateId"),
                      keywords,
                      body.getBoolean("longTerm", false));
                  return new JsonObject().put("registered", body.getString("templateId"));
                }));
    router
        .post("/__sim/subscribe/request")
        .respond(
            json(
                body -> {
                  java.util.Map<String, String> choices = new java.util.LinkedHashMap<>();
                  body.getJsonObject("choices")
                      .forEach(e -> choices.put(e.getKey(), String.valueOf(e.getValue())));
                  return sim.requestSubscribeMessage(
                      body.getString("appId"), body.getString("userId"), choices);
                }));
    router
        .get("/__sim/subscribe/messages")
        .respond(
            ctx -> {
              JsonArray messages = new JsonArray();
              sim.subscriptionMessages()
                  .forEach(
                      m ->
                          messages.add(
                              new JsonObject()
                                  .put("appId", m.appId())
                                  .put("recipient", m.recipient())
                                  .put("templateId", m.templateId())
                                  .put("page", m.page())
                                  .put("data", m.data())
                                  .put("at", m.at().toString())));
              return Future.succeededFuture(new JsonObject().put("messages", messages));
            });
    router.get("/__sim/knobs").respond(ctx -> Future.succeededFuture(describe(sim.knobs())));
    router
        .post("/__sim/knobs")
        .respond(
            json(
                body -> {
                  apply(sim.knobs(), body);
                  return describe(sim.knobs());
                }));
    router
        .route("/__sim/*")
        .failureHandler(
            ctx ->
                ctx.response()
                    .setStatusCode(400)
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put(
                                "error",
                                String.valueOf(
                                    ctx.failure() == null
                                        ? "bad request"
                                        : ctx.failure().getMessage()))
                            .encode()));
  }

  private static Function<RoutingContext, Future<JsonObject>> json(
      Function<JsonObject, JsonObject> action) {
    return ctx -> body(ctx).map(action);
  }

  private static Future<JsonObject> body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      return Future.succeededFuture(body == null ? new JsonObject() : body);
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("body is not a JSON object"));
    }
  }

  private static void apply(SimKnobs k, JsonObject b) {
    if (b.containsKey("latencyMillis")) k.latency(Duration.ofMillis(b.getLong("latencyMillis")));
    if (b.containsKey("errorRate")) k.errorRate(b.getDouble("errorRate"));
    if (b.containsKey("httpStatus")) k.httpStatus(b.getInteger("httpStatus"));
    if (b.containsKey("mangling")) k.mangling(SimKnobs.Mangling.valueOf(b.getString("mangling")));
    if (b.containsKey("passedEncoding"))
      k.passedEncoding(SimKnobs.PassedEncoding.valueOf(b.getString("passedEncoding")));
    if (b.containsKey("pendingEncoding")) {
      k.pendingEncoding(SimKnobs.PendingEncoding.valueOf(b.getString("pendingEncoding")));
    }
    if (b.containsKey("oauthCodeMsg")) k.oauthCodeMsg(b.getBoolean("oauthCodeMsg"));
    if (b.containsKey("openIdMode")) k.openIdMode(b.getBoolean("openIdMode"));
    if (b.containsKey("shareRealName")) k.shareRealName(b.getBoolean("shareRealName"));
    if (b.containsKey("identityInfoPopulated"))
      k.identityInfoPopulated(b.getBoolean("identityInfoPopulated"));
    if (b.containsKey("forcedFaceOutcome")) k.forcedFaceOutcome(b.getBoolean("forcedFaceOutcome"));
    if (b.containsKey("timestampSkewSeconds")) {
      Long s = b.getLong("timestampSkewSeconds");
      k.timestampSkewTolerance(s == null ? null : Duration.ofSeconds(s));
    }
    if (b.containsKey("authCodeTtlSeconds"))
      k.authCodeTtl(Duration.ofSeconds(b.getLong("authCodeTtlSeconds")));
    if (b.containsKey("subscriptionRefusedSubCode"))
      k.subscriptionRefusedSubCode(b.getString("subscriptionRefusedSubCode"));
    if (b.containsKey("refundNotifications"))
      k.refundNotifications(b.getBoolean("refundNotifications"));
    if (b.containsKey("refundsProcessing")) k.refundsProcessing(b.getBoolean("refundsProcessing"));
    if (b.containsKey("notifyRetryDelaysMillis")) {
      List<Duration> delays = new ArrayList<>();
      b.getJsonArray("notifyRetryDelaysMillis")
          .forEach(v -> delays.add(Duration.ofMillis(((Number) v).longValue())));
      k.notifyRetryDelays(delays);
    }
    if (b.containsKey("forcedErrors")) {
      k.clearForcedErrors();
      JsonObject errors = b.getJsonObject("forcedErrors");
      errors
          .fieldNames()
          .forEach(
              method -> {
                JsonObject e = errors.getJsonObject(method);
                k.forceError(
                    method,
                    new SimKnobs.ForcedError(
                        e.getString("code"),
                        e.getString("msg", "Business Failed"),
                        e.getString("subCode"),
                        e.getString("subMsg", "")));
              });
    }
  }

  private static JsonObject describe(SimKnobs k) {
    JsonObject forced = new JsonObject();
    k.forcedErrors.forEach(
        (method, e) ->
            forced.put(
                method,
                new JsonObject()
                    .put("code", e.code())
                    .put("msg", e.msg())
                    .put("subCode", e.subCode())
                    .put("subMsg", e.subMsg())));
    JsonArray delays = new JsonArray();
    k.notifyRetryDelays.forEach(d -> delays.add(d.toMillis()));
    return new JsonObject()
        .put("latencyMillis", k.latency.toMillis())
        .put("errorRate", k.errorRate)
        .put("httpStatus", k.httpStatus)
        .put("mangling", k.mangling.name())
        .put("passedEncoding", k.passedEncoding.name())
        .put("pendingEncoding", k.pendingEncoding.name())
        .put("oauthCodeMsg", k.oauthCodeMsg)
        .put("openIdMode", k.openIdMode)
        .put("shareRealName", k.shareRealName)
        .put("identityInfoPopulated", k.identityInfoPopulated)
        .put("forcedFaceOutcome", k.forcedFaceOutcome)
        .put(
            "timestampSkewSeconds",
            k.timestampSkewTolerance == null ? null : k.timestampSkewTolerance.toSeconds())
        .put("authCodeTtlSeconds", k.authCodeTtl.toSeconds())
        .put("subscriptionRefusedSubCode", k.subscriptionRefusedSubCode)
        .put("refundNotifications", k.refundNotifications)
        .put("refundsProcessing", k.refundsProcessing)
        .put("notifyRetryDelaysMillis", delays)
        .put("forcedErrors", forced);
  }
}
