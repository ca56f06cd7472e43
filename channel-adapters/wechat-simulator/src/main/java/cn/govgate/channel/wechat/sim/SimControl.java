package cn.govgate.channel.wechat.sim;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The simulator's control API under {@code /__sim/} (JSON), for the demo and manual testing. */
final class SimControl {

  private final WechatSimulator sim;

  SimControl(WechatSimulator sim) {
    this.sim = sim;
  }

  void mount(Router router) {
    router
        .get("/__sim/info")
        .handler(
            ctx ->
                sim.json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("baseUrl", sim.baseUrl())
                        .put("platformSerial", sim.platformSerial())
                        .put("platformPublicKey", sim.platformPublicKey())));
    router
        .post("/__sim/apps")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b -> {
                      sim.registerApp(b.getString("appId"), b.getString("appSecret"));
                      return new JsonObject();
                    }));
    router
        .post("/__sim/merchants")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b -> {
                      sim.registerMerchant(
                          b.getString("mchId"),
                          b.getString("merchantPublicKey"),
                          b.getString("merchantSerialNo"),
                          b.getString("apiV3Key"));
                      return new JsonObject();
                    }));
    router
        .post("/__sim/users")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b -> {
                      sim.addUser(
                          new SimUser(
                              b.getString("openid"),
                              b.getString("unionid"),
                              b.getString("name"),
                              b.getString("idNumber")));
                      return new JsonObject();
                    }));
    router
        .post("/__sim/auth-codes")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b ->
                        new JsonObject()
                            .put(
                                "code",
                                sim.issueAuthCode(b.getString("appId"), b.getString("openid")))));
    router
        .post("/__sim/face/perform")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b ->
                        new JsonObject()
                            .put(
                                "verifyRet",
                                sim.performFace(b.getString("verifyId"), b.getString("openid")))));
    router
        .post("/__sim/face/legacy")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b ->
                        new JsonObject()
                            .put(
                                "verifyResult",
                                sim.performLegacyFace(
                                    b.getString("appId"),
                                    b.getString("openid"),
                                    b.getString("name"),
                                    b.getString("idNumber")))));
    router
        .post("/__sim/subscribe/templates")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b -> {
                      java.util.List<String> keywords = new java.util.ArrayList<>();
                      b.getJsonArray("keywords").forEach(k -> keywords.add(k.toString()));
                      sim.registerTemplate(
                          b.getString("appId"),
                          b.getString("templateId"),
                          keywords,
                          b.getBoolean("longTerm", false));
                      return new JsonObject();
                    }));
    router
        .post("/__sim/subscribe/request")
        .handler(
            ctx ->
                withBody(
                    ctx,
                    b -> {
                      java.util.Map<String, String> choices = new java.util.LinkedHashMap<>();
                      b.getJsonObject("choices")
                          .forEach(e -> choices.put(e.getKey(), String.valueOf(e.getValue())));
                      return sim.requestSubscribeMessage(
                          b.getString("appId"), b.getString("openid"), choices);
                    }));
    router
        .get("/__sim/subscribe/messages")
        .handler(
            ctx ->
                sim.json(ctx, 200, new JsonObject().put("messages", sim.subscribeDeliveredJson())));
    router.post("/__sim/orders/:no/pay").handler(this::pay);
    router.get("/__sim/knobs").handler(ctx -> sim.json(ctx, 200, sim.knobs().toJson()));
    router.put("/__sim/knobs").handler(ctx -> withBody(ctx, b -> sim.knobs().update(b).toJson()));
  }

  private void pay(RoutingContext ctx) {
    String no = ctx.pathParam("no");
    if (sim.orderState(no) == null) {
      sim.json(ctx, 404, new JsonObject().put("error", "unknown order"));
      return;
    }
    // The notification is delivered in the background, with retries; the caller polls the order or
    // its server.
    sim.payOrder(no);
    sim.json(ctx, 202, new JsonObject().put("state", sim.orderState(no)));
  }

  private void withBody(
      RoutingContext ctx, java.util.function.Function<JsonObject, JsonObject> action) {
    JsonObject body = sim.jsonBody(ctx);
    if (body == null) {
      sim.json(ctx, 400, new JsonObject().put("error", "JSON body required"));
      return;
    }
    try {
      sim.json(ctx, 200, action.apply(body));
    } catch (RuntimeException e) {
      sim.json(ctx, 400, new JsonObject().put("error", String.valueOf(e.getMessage())));
    }
  }
}
