package cn.govgate.channel.wechat.sim;

import cn.govgate.channel.wechat.WechatCrypto;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local WeChat platform: the mini-program server API and WeChat Pay v3 on one 127.0.0.1 port,
 * with its own RSA-2048 platform key generated at start. Start with {@link #start}, configure apps,
 * merchants and users from Java or {@code /__sim/}, and point the adapter's {@code apiBaseUrl} and
 * {@code payBaseUrl} at {@link #baseUrl()}.
 */
public final class WechatSimulator {

  private static final Logger LOG = LoggerFactory.getLogger(WechatSimulator.class);

  private final Vertx vertx;
  private final WechatSimulatorOptions options;
  private final SimKnobs knobs = new SimKnobs();
  private final PrivateKey platformPrivateKey;
  private final String platformPublicKey;
  private final String platformSerial;
  private final SimMiniProgram mini;
  private final SimPay pay;
  private final SimSubscribe subscribe;
  private final WebClient client;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private HttpServer server;

  private WechatSimulator(Vertx vertx, WechatSimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    KeyPair pair = generateKeyPair();
    this.platformPrivateKey = pair.getPrivate();
    this.platformPublicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    this.platformSerial = options.publicKeyIdSerial() ? "PUB_KEY_ID_" + digits(28) : hexSerial();
    this.mini = new SimMiniProgram(this);
    this.client = WebClient.create(vertx);
    this.pay = new SimPay(this, client);
    this.subscribe = new SimSubscribe(this);
  }

  /** Starts the simulator on 127.0.0.1 ({@code options.port()}, 0 for a free port). */
  public static Future<WechatSimulator> start(Vertx vertx, WechatSimulatorOptions options) {
    WechatSimulator sim = new WechatSimulator(vertx, options);
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(1 << 20));
    sim.mini.mount(router);
    sim.pay.mount(router);
    sim.subscribe.mount(router);
    new SimControl(sim).mount(router);
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

  /** Stops listening. */
  public Future<Void> close() {
    client.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>}: the base URL for both the mini-program API and WeChat Pay. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** The platform public key, SPKI DER in Base64, for the merchant configuration. */
  public String platformPublicKey() {
    return platformPublicKey;
  }

  /**
   * What the simulator sends in {@code Wechatpay-Serial}: {@code PUB_KEY_ID_…} or a certificate
   * serial.
   */
  public String platformSerial() {
    return platformSerial;
  }

  public SimKnobs knobs() {
    return knobs;
  }

  /** How many requests reached one API, whatever the knobs made of them. */
  public int calls(String api) {
    AtomicInteger n = calls.get(api);
    return n == null ? 0 : n.get();
  }

  public WechatSimulator registerApp(String appId, String appSecret) {
    mini.apps.put(appId, appSecret);
    return this;
  }

  public WechatSimulator registerMerchant(
      String mchId, String merchantPublicKeyBase64, String merchantSerialNo, String apiV3Key) {
    pay.merchants.put(
        mchId,
        new SimPay.Merchant(
            mchId,
            WechatCrypto.parsePublicKey(merchantPublicKeyBase64),
            merchantSerialNo,
            apiV3Key));
    return this;
  }

  public WechatSimulator addUser(SimUser user) {
    mini.users.put(user.openid(), user);
    return this;
  }

  /**
   * A single-use {@code wx.login} code for the user in the app, valid for {@link
   * SimKnobs#authCodeTtl()}.
   */
  public String issueAuthCode(String appId, String openid) {
    return mini.issueAuthCode(appId, openid);
  }

  /**
   * The session key of the user's last login in the app (for building {@code encryptedData}), or
   * null.
   */
  public String sessionKey(String appId, String openid) {
    return mini.sessionKeys.get(SimMiniProgram.membership(appId, openid));
  }

  /**
   * The user with {@code actualOpenid} performs the face check of {@code verifyId}: 10000 if they
   * are the user the check was started for and their true identity is the submitted one, 10003 for
   * another identity, 10004 when someone else's WeChat performs it.
   */
  public int performFace(String verifyId, String actualOpenid) {
    return mini.performFace(verifyId, actualOpenid);
  }

  /**
   * The legacy {@code wx.startFacialRecognitionVerify} with name and ID: returns the opaque {@code
   * verifyResult}; {@code identify_ret} is 0 only if the user's true identity is the one given.
   */
  public String performLegacyFace(String appId, String openid, String name, String idNumber) {
    return mini.performLegacyFace(appId, openid, name, idNumber);
  }

  /**
   * Registers a subscribe-message template of an app with its keywords (e.g. {@code thing1}, {@code
   * amount2}); a long-term template allows repeated sends once accepted.
   */
  public WechatSimulator registerTemplate(
      String appId, String templateId, java.util.List<String> keywords, boolean longTerm) {
    subscribe.registerTemplate(appId, templateId, keywords, longTerm);
    return this;
  }

  /**
   * The user answers {@code wx.requestSubscribeMessage} in the app: template id → {@code accept} /
   * {@code reject}; returns the success callback's object ({@code errMsg} plus one answer per
   * template, {@code filter} for an unknown template).
   */
  public JsonObject requestSubscribeMessage(
      String appId, String openid, Map<String, String> choices) {
    return subscribe.request(appId, openid, choices);
  }

  io.vertx.core.json.JsonArray subscribeDeliveredJson() {
    return subscribe.deliveredJson();
  }

  /** The subscribe messages the platform accepted, oldest first. */
  public java.util.List<SimSubscribeMessage> subscribeMessages() {
    return subscribe.delivered();
  }

  /** Drops every access token, so the next call with one gets errcode 40001. */
  public void revokeAccessTokens() {
    mini.revokeTokens();
  }

  /**
   * Pays an order and delivers its notification to the order's {@code notify_url}; completes when
   * acknowledged (200, or 204 if allowed), fails when the retries run out.
   */
  public Future<Void> payOrder(String outTradeNo) {
    return pay.payOrder(outTradeNo);
  }

  /** How many notification attempts were made for an order. */
  public int notificationAttempts(String outTradeNo) {
    AtomicInteger n = pay.notifyAttempts.get(outTradeNo);
    return n == null ? 0 : n.get();
  }

  /** The refunds of an order (out_refund_no → fen) the simulator accepted. */
  public Map<String, Long> refunds(String outTradeNo) {
    Map<String, Long> out = new java.util.TreeMap<>();
    pay.refunds.values().stream()
        .filter(r -> r.outTradeNo().equals(outTradeNo))
        .forEach(r -> out.put(r.outRefundNo(), r.refund()));
    return out;
  }

  /** How many refund notification attempts were made for a refund. */
  public int refundNotificationAttempts(String outRefundNo) {
    AtomicInteger n = pay.notifyAttempts.get("refund:" + outRefundNo);
    return n == null ? 0 : n.get();
  }

  /** The state of an order as {@code trade_state}, or null when unknown. */
  public String orderState(String outTradeNo) {
    SimPay.Order order = pay.orders.get(outTradeNo);
    return order == null ? null : order.state();
  }

  Vertx vertx() {
    return vertx;
  }

  WechatSimulatorOptions options() {
    return options;
  }

  SimMiniProgram mini() {
    return mini;
  }

  Instant now() {
    return options.clock().instant();
  }

  /** Applies outage, latency and forced or random errors, then runs the handler. */
  void gate(RoutingContext ctx, String api, boolean payApi, Handler<RoutingContext> handler) {
    calls.computeIfAbsent(api, k -> new AtomicInteger()).incrementAndGet();
    if (knobs.outage()) {
      ctx.response().setStatusCode(503).end();
      return;
    }
    long delay = knobs.latency().toMillis();
    if (delay > 0) vertx.setTimer(delay, id -> answer(ctx, api, payApi, handler));
    else answer(ctx, api, payApi, handler);
  }

  private void answer(
      RoutingContext ctx, String api, boolean payApi, Handler<RoutingContext> handler) {
    String forced = knobs.forcedError(api);
    boolean busy = forced == null && ThreadLocalRandom.current().nextDouble() < knobs.errorRate();
    if (forced == null && !busy) {
      handler.handle(ctx);
    } else if (payApi) {
      String code = busy ? "SYSTEM_ERROR" : forced;
      int status =
          switch (code) {
            case "SYSTEM_ERROR", "BANK_ERROR" -> 500;
            case "FREQUENCY_LIMITED" -> 429;
            case "SIGN_ERROR" -> 401;
            case "ORDER_NOT_EXIST" -> 404;
            default -> 400;
          };
      json(ctx, status, new JsonObject().put("code", code).put("message", "simulated " + code));
    } else {
      int code = busy ? -1 : Integer.parseInt(forced);
      json(ctx, 200, SimMiniProgram.errcode(code, code == -1 ? "system error" : "simulated error"));
    }
  }

  JsonObject jsonBody(RoutingContext ctx) {
    try {
      return ctx.body() == null || ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }

  /** A 2xx WeChat Pay answer, signed with the platform key over the exact body (§7.2). */
  void signedJson(RoutingContext ctx, int status, String body) {
    var response = ctx.response().setStatusCode(status);
    platformSignatureHeaders(body).forEach(response::putHeader);
    response
        .putHeader("Request-ID", "08" + digits(20))
        .putHeader("Content-Type", "application/json")
        .end(body);
  }

  /** {@code Wechatpay-Timestamp/Nonce/Signature/Serial} over {@code timestamp\nnonce\nbody\n}. */
  Map<String, String> platformSignatureHeaders(String body) {
    String timestamp = Long.toString(now().getEpochSecond());
    String nonce = WechatCrypto.nonce(32);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Wechatpay-Timestamp", timestamp);
    headers.put("Wechatpay-Nonce", nonce);
    headers.put(
        "Wechatpay-Signature",
        WechatCrypto.sign(
            platformPrivateKey, WechatCrypto.responseMessage(timestamp, nonce, body)));
    headers.put("Wechatpay-Serial", platformSerial);
    return headers;
  }

  private static KeyPair generateKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
  }

  private static String digits(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) sb.append(ThreadLocalRandom.current().nextInt(10));
    return sb.toString();
  }

  private static String hexSerial() {
    byte[] bytes = new byte[20];
    ThreadLocalRandom.current().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT);
  }

  /**
   * Runs the simulator alone: {@code java … WechatSimulator [port]}; prints the base URL and
   * platform key.
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
    Vertx vertx = Vertx.vertx();
    start(vertx, WechatSimulatorOptions.defaults().withPort(port))
        .onSuccess(
            sim -> {
              // Command-line output, not logging: the operator needs these even without a logging
              // backend.
              System.out.println(
                  "WeChat simulator on " + sim.baseUrl() + " (control API under /__sim/)");
              System.out.println("platform serial " + sim.platformSerial());
              System.out.println("platform public key " + sim.platformPublicKey());
            })
        .onFailure(
            e -> {
              LOG.error("WeChat simulator failed to start", e);
              vertx.close();
            });
  }
}
