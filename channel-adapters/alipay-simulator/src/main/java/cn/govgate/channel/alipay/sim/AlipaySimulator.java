package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayCrypto;
import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.alipay.sim.SimState.AuthCode;
import cn.govgate.channel.alipay.sim.SimState.Certification;
import cn.govgate.channel.alipay.sim.SimState.Order;
import cn.govgate.channel.alipay.sim.SimState.SimApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A local Alipay platform: {@code gateway.do} for oauth.token, user.info.share, certify
 * (initialize, page, query), trade.create and trade.query, with Alipay's checks (app id, required
 * parameters, timestamp, RSA2/SM2 signature over the merged query and form parameters) and signed
 * answers (§1.6 simulator rule); signed trade notifications with retries; and test/demo controls in
 * Java and under {@code /__sim/}.
 */
public final class AlipaySimulator {

  private final Vertx vertx;
  private final AlipaySimulatorOptions options;
  private final SimKnobs knobs;
  private final AlipayCrypto.KeyPairBase64 rsaKeys = AlipayCrypto.generate(SignType.RSA2);
  private final AlipayCrypto.KeyPairBase64 sm2Keys = AlipayCrypto.generate(SignType.SM2);
  private final AlipayCrypto.Signer rsaSigner =
      AlipayCrypto.signer(SignType.RSA2, rsaKeys.privateKey(), null);
  private final SimState state = new SimState();
  private final List<Consumer<Map<String, String>>> requestListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SimApis apis;
  private final SimNotifier notifier;
  private HttpServer server;

  private AlipaySimulator(Vertx vertx, AlipaySimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.knobs = new SimKnobs(options.authCodeTtl(), options.notifyRetryDelays());
    this.notifier = new SimNotifier(vertx, state, knobs, options.clock());
    this.apis = new SimApis(state, knobs, options.clock(), notifier, vertx);
  }

  /**
   * Generates the platform keys and listens on 127.0.0.1 at {@code options.port()} (0 = any free
   * port).
   */
  public static Future<AlipaySimulator> start(Vertx vertx, AlipaySimulatorOptions options) {
    AlipaySimulator sim = new AlipaySimulator(vertx, options);
    Router router = Router.router(vertx);
    router.route("/__sim/*").handler(BodyHandler.create(false).setBodyLimit(1 << 16));
    router.route("/gateway.do").handler(sim::gateway);
    SimControlRoutes.mount(router, sim);
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(options.port(), "127.0.0.1")
        .map(
            server -> {
              sim.server = server;
              return sim;
            });
  }

  /** Stops listening. Pending notification retries are dropped. */
  public Future<Void> close() {
    notifier.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/gateway.do}. */
  public String gatewayUrl() {
    return "http://127.0.0.1:" + port() + "/gateway.do";
  }

  /**
   * The platform's RSA-2048 public key (SPKI, Base64): the "Alipay public key" of RSA2 state.apps.
   */
  public String platformPublicKey() {
    return rsaKeys.publicKey();
  }

  /** The platform's SM2 public key (SPKI, Base64): the "Alipay public key" of SM2 state.apps. */
  public String platformSm2PublicKey() {
    return sm2Keys.publicKey();
  }

  /** The behaviour switches; change them at any time. */
  public SimKnobs knobs() {
    return knobs;
  }

  /**
   * Every accepted or rejected gateway request's merged parameters, as received (for interop
   * tests).
   */
  public void onRequest(Consumer<Map<String, String>> listener) {
    requestListeners.add(listener);
  }

  // ---- control ----

  /**
   * Registers an app and its public key.
   *
   * @param sm2UserId the SM2 user id for SM2 apps; null = {@link AlipayCrypto#DEFAULT_SM2_USER_ID}
   */
  public void registerApp(
      String appId, SignType type, String appPublicKeyBase64, String sm2UserId) {
    AlipayCrypto.Signer platform =
        type == SignType.SM2
            ? AlipayCrypto.signer(SignType.SM2, sm2Keys.privateKey(), sm2UserId)
            : rsaSigner;
    state.apps.put(
        appId,
        new SimApp(
            appId, type, AlipayCrypto.verifier(type, appPublicKeyBase64, sm2UserId), platform));
  }

  public void addUser(SimUser user) {
    state.users.put(user.userId(), user);
  }

  /** Issues a single-use auth code for the user and app, valid for the auth-code TTL knob. */
  public String issueAuthCode(String appId, String userId) {
    if (!state.users.containsKey(userId))
      throw new IllegalArgumentException("unknown simulated user");
    String code = SimState.randomHex(16);
    state.authCodes.put(
        code, new AuthCode(appId, userId, options.clock().instant().plus(knobs.authCodeTtl)));
    return code;
  }

  /**
   * "The user does the face check": passes only when {@code actualUserId}'s real identity held here
   * equals the identity the gateway submitted (unless the forced-outcome knob says otherwise).
   *
   * @return whether it passed
   */
  public boolean performFace(String certifyId, String actualUserId) {
    Certification c = state.certifications.get(certifyId);
    if (c == null) throw new IllegalArgumentException("unknown certify id");
    SimUser user = state.users.get(actualUserId);
    boolean passed =
        knobs.forcedFaceOutcome != null
            ? knobs.forcedFaceOutcome
            : user != null
                && user.hasIdentity()
                && user.name().equals(c.certName)
                && user.idNumber().equals(c.certNo);
    c.passed = passed;
    return passed;
  }

  /**
   * "The user pays": marks the first order with this out_trade_no paid and starts delivering its
   * notification.
   */
  public Future<String> payOrder(String outTradeNo) {
    Order order = state.findOrder(outTradeNo);
    if (order == null)
      return Future.failedFuture(new IllegalArgumentException("unknown out_trade_no"));
    synchronized (order) {
      if (order.paidAt != null) return Future.succeededFuture(order.tradeNo);
      order.paidAt = options.clock().instant();
      order.status = "TRADE_SUCCESS";
      order.lastNotification = notifier.notification(order);
    }
    vertx.runOnContext(v -> notifier.deliver(order, 0));
    return Future.succeededFuture(order.tradeNo);
  }

  /** Registers a subscription template of an app with its keywords ({@code keyword1}…). */
  public void registerTemplate(
      String appId, String templateId, List<String> keywords, boolean longTerm) {
    state.templates.put(
        appId + "/" + templateId,
        new SimState.Template(appId, templateId, List.copyOf(keywords), longTerm));
  }

  /**
   * The user answers {@code my.requestSubscribeMessage} (§11.2): template id → {@code accept} /
   * {@code reject}. Returns the success callback's object: {@code behavior}, {@code result} lists
   * and one answer per template.
   */
  public JsonObject requestSubscribeMessage(
      String appId, String userId, Map<String, String> choices) {
    if (choices.isEmpty() || choices.size() > 3)
      throw new IllegalArgumentException("1 to 3 entity ids");
    io.vertx.core.json.JsonArray subscribed = new io.vertx.core.json.JsonArray();
    io.vertx.core.json.JsonArray unsubscribed = new io.vertx.core.json.JsonArray();
    JsonObject answer = new JsonObject();
    synchronized (state) {
      choices.forEach(
          (templateId, choice) -> {
            SimState.Template t = state.templates.get(appId + "/" + templateId);
            String key = appId + "/" + userId + "/" + templateId;
            if (t != null && "accept".equals(choice)) {
              state.grants.put(
                  key, t.longTerm() ? Integer.MAX_VALUE : state.grants.getOrDefault(key, 0) + 1);
              subscribed.add(templateId);
              answer.put(templateId, "accept");
            } else {
              state.grants.remove(key);
              unsubscribed.add(templateId);
              answer.put(templateId, "reject");
            }
          });
    }
    return answer
        .put("behavior", "subscribe")
        .put("show", true)
        .put("keep", false)
        .put("refuse", false)
        .put(
            "result",
            new JsonObject()
                .put(
                    "subscribeEntityIds",
                    new io.vertx.core.json.JsonArray(List.copyOf(choices.keySet())))
                .put("subscribedEntityIds", subscribed)
                .put("unsubscribedEntityIds", unsubscribed)
                .put("currentSubscribedEntityIds", subscribed));
  }

  /** The subscription messages the platform accepted, oldest first. */
  public List<SimSubscriptionMessage> subscriptionMessages() {
    return List.copyOf(state.delivered);
  }

  /**
   * "The trade timed out": the platform closes an unpaid trade ({@code TRADE_CLOSED}); false when
   * paid or unknown.
   */
  public boolean closeOrder(String outTradeNo) {
    Order order = state.findOrder(outTradeNo);
    if (order == null) return false;
    synchronized (order) {
      if (order.paidAt != null) return false;
      order.status = "TRADE_CLOSED";
      return true;
    }
  }

  /** The refunds of an order by {@code out_request_no}, in fen (empty when none). */
  public Map<String, Long> refunds(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    if (o == null) return Map.of();
    synchronized (o) {
      return Map.copyOf(o.refunds);
    }
  }

  /**
   * The refunds of an order accepted as still processing (knob {@code refundsProcessing}) and not
   * settled yet, by {@code out_request_no}, in fen.
   */
  public Map<String, Long> refundsProcessing(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    if (o == null) return Map.of();
    synchronized (o) {
      return Map.copyOf(o.refundsProcessing);
    }
  }

  /**
   * Settles refund {@code refundId} ({@code out_request_no}) of an order that was accepted as still
   * processing: it is refunded now, the refund query answers {@code REFUND_SUCCESS}, and the refund
   * is notified (§8.3) unless the {@code refundNotifications} knob is off. False when no such
   * refund is processing.
   */
  public boolean settleRefund(String outTradeNo, String refundId) {
    Order o = state.findOrder(outTradeNo);
    return o != null && apis.settleRefund(o, refundId);
  }

  /** How many refund queries ({@code alipay.trade.fastpay.refund.query}) asked about an order. */
  public int refundQueries(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    return o == null ? 0 : o.refundQueries.get();
  }

  /**
   * The refund notification (§8.3) sent for refund {@code refundId} ({@code out_request_no}) of an
   * order, as signed; null when none was sent.
   */
  public Map<String, String> refundNotification(String outTradeNo, String refundId) {
    Order o = state.findOrder(outTradeNo);
    return o == null ? null : o.refundNotifications.get(refundId);
  }

  /** Whether the refund notification of {@code refundId} was answered exactly {@code success}. */
  public boolean refundNotificationAcknowledged(String outTradeNo, String refundId) {
    Order o = state.findOrder(outTradeNo);
    return o != null && o.refundsAcknowledged.contains(refundId);
  }

  /** How many times the notification of an order was POSTed so far. */
  public int notificationAttempts(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    return o == null ? 0 : o.deliveries.get();
  }

  /** Whether the order's notification was answered exactly {@code success}. */
  public boolean notificationAcknowledged(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    return o != null && o.acknowledged;
  }

  /** The decoded parameters of the order's last notification, null before payment. */
  public Map<String, String> lastNotification(String outTradeNo) {
    Order o = state.findOrder(outTradeNo);
    return o == null ? null : o.lastNotification;
  }

  // ---- gateway ----

  private void gateway(RoutingContext ctx) {
    ctx.request()
        .body()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.response().setStatusCode(400).end("bad request");
                return;
              }
              Map<String, String> params;
              try {
                params = new LinkedHashMap<>(AlipayWire.parseForm(ctx.request().query()));
                String type = ctx.request().getHeader("Content-Type");
                if (type != null
                    && type.toLowerCase(Locale.ROOT)
                        .startsWith("application/x-www-form-urlencoded")) {
                  // §1.1: clients split parameters differently between query and body, so merge
                  // both.
                  AlipayWire.parseForm(ar.result().toString(StandardCharsets.UTF_8))
                      .forEach(params::putIfAbsent);
                }
              } catch (IllegalArgumentException e) {
                ctx.response().setStatusCode(400).end("bad request");
                return;
              }
              requestListeners.forEach(l -> l.accept(Map.copyOf(params)));
              long latency = knobs.latency.toMillis();
              if (latency > 0) vertx.setTimer(latency, id -> answer(ctx, params));
              else answer(ctx, params);
            });
  }

  private void answer(RoutingContext ctx, Map<String, String> params) {
    if (knobs.httpStatus != 0) {
      ctx.response()
          .setStatusCode(knobs.httpStatus)
          .putHeader("Content-Type", "text/html;charset=utf-8")
          .end("<html><body>Service Unavailable</body></html>");
      return;
    }
    String method = params.getOrDefault("method", "");
    SimApp app = state.apps.get(params.getOrDefault("app_id", ""));
    SimReply reply = checkProtocol(params, app);
    if (reply == null) reply = platformErrors(method);
    if (reply == null) {
      if (method.equals("alipay.user.certify.open.certify")
          && ctx.request().method().name().equals("GET")) {
        certifyPage(ctx, params);
        return;
      }
      reply = apis.dispatch(method, params, app);
    }
    writeSigned(ctx, reply, app);
  }

  private SimReply checkProtocol(Map<String, String> p, SimApp app) {
    for (String[] required :
        new String[][] {
          {"method", "isv.missing-method"},
          {"app_id", "isv.missing-app-id"},
          {"sign_type", "isv.missing-signature-type"},
          {"sign", "isv.missing-signature"},
          {"timestamp", "isv.missing-timestamp"},
          {"version", "isv.missing-version"}
        }) {
      if (p.getOrDefault(required[0], "").isEmpty()) {
        return SimReply.gatewayError("40001", "Missing Required Arguments", required[1], "缺少必选参数");
      }
    }
    if (app == null)
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数");
    if (!app.type().name().equals(p.get("sign_type"))) {
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型");
    }
    Instant ts = AlipayWire.parseTimestamp(p.get("timestamp"));
    if (ts == null)
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数");
    Duration tolerance = knobs.timestampSkewTolerance;
    if (tolerance != null
        && Duration.between(ts, options.clock().instant()).abs().compareTo(tolerance) > 0) {
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数");
    }
    String content = AlipayWire.requestSignContent(p);
    if (!app.verifier().verify(content, p.get("sign"))) {
      return SimReply.gatewayError(
          "40002",
          "Invalid Arguments",
          "isv.invalid-signature",
          "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：" + content);
    }
    return null;
  }

  private SimReply platformErrors(String method) {
    SimKnobs.ForcedError forced = knobs.forcedErrors.get(method);
    String node =
        method.equals("alipay.system.oauth.token")
            ? "error_response"
            : AlipayWire.responseNode(method);
    if (forced != null)
      return SimReply.error(node, forced.code(), forced.msg(), forced.subCode(), forced.subMsg());
    if (knobs.errorRate > 0 && ThreadLocalRandom.current().nextDouble() < knobs.errorRate) {
      return SimReply.error(
          node, "20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙");
    }
    return null;
  }

  private void certifyPage(RoutingContext ctx, Map<String, String> params) {
    JsonObject biz;
    try {
      biz = new JsonObject(params.getOrDefault("biz_content", "{}"));
    } catch (DecodeException e) {
      biz = new JsonObject();
    }
    Certification c = state.certifications.get(biz.getString("certify_id", ""));
    if (c == null || !c.appId.equals(params.get("app_id"))) {
      ctx.response()
          .setStatusCode(200)
          .putHeader("Content-Type", "text/html;charset=utf-8")
          .end("<html><body><h1>认证已失效</h1></body></html>");
      return;
    }
    String back =
        c.returnUrl == null || c.returnUrl.isEmpty()
            ? ""
            : "<a href=\"" + escape(c.returnUrl) + "\">返回商户</a>";
    ctx.response()
        .putHeader("Content-Type", "text/html;charset=utf-8")
        .end(
            "<html><head><title>刷脸认证</title></head><body><h1>Simulated Alipay face check</h1>"
                + "<p>certify_id "
                + escape(biz.getString("certify_id"))
                + "</p>"
                + "<p>Use POST /__sim/face/perform to run the check.</p>"
                + back
                + "</body></html>");
  }

  private void writeSigned(RoutingContext ctx, SimReply reply, SimApp app) {
    String inner = reply.inner().encode();
    AlipayCrypto.Signer signer = app == null ? rsaSigner : app.platformSigner();
    String sign = signer.sign(inner);
    String body =
        switch (knobs.mangling) {
          case NONE -> envelope(reply.node(), inner, sign);
          case TAMPERED_CONTENT ->
              envelope(
                  reply.node(), inner.substring(0, inner.length() - 1) + ",\"x\":\"1\"}", sign);
          case TRUNCATED ->
              envelope(reply.node(), inner, sign)
                  .substring(0, reply.node().length() + 4 + inner.length() / 2);
          case DUPLICATE_NODE ->
              "{\""
                  + reply.node()
                  + "\":"
                  + inner
                  + ",\"sign\":\""
                  + sign
                  + "\",\""
                  + reply.node()
                  + "\":{\"code\":\"10000\"}}";
          case UNSIGNED -> "{\"" + reply.node() + "\":" + inner + "}";
          case NOT_JSON -> "<html><body>502 Bad Gateway</body></html>";
        };
    ctx.response().putHeader("Content-Type", "application/json;charset=utf-8").end(body);
  }

  private static String envelope(String node, String inner, String sign) {
    return "{\"" + node + "\":" + inner + ",\"sign\":\"" + sign + "\"}";
  }

  // ---- helpers ----

  private static String escape(String s) {
    return s == null
        ? ""
        : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /**
   * Runs the simulator alone: {@code java ... AlipaySimulator [port]}; prints its URL and public
   * keys.
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Vertx vertx = Vertx.vertx();
    start(vertx, AlipaySimulatorOptions.defaults().withPort(port))
        .onSuccess(
            sim -> {
              System.out.println("Alipay simulator at " + sim.gatewayUrl());
              System.out.println("platform RSA2 public key: " + sim.platformPublicKey());
              System.out.println("platform SM2 public key: " + sim.platformSm2PublicKey());
              System.out.println("control API: http://127.0.0.1:" + sim.port() + "/__sim/");
            })
        .onFailure(
            e -> {
              System.err.println("simulator failed to start: " + e);
              vertx.close();
            });
  }
}
