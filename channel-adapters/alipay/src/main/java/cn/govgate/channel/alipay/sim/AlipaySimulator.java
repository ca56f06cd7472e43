package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayCrypto;
import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.SignType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Alipay platform: {@code gateway.do} for oauth.token, user.info.share, certify (initialize, page,
 * query), trade.create and trade.query, with Alipay's checks (app id, required parameters, timestamp,
 * RSA2/SM2 signature over the merged query and form parameters) and signed answers (§1.6 simulator rule);
 * signed trade notifications with retries; and test/demo controls in Java and under {@code /__sim/}.
 */
public final class AlipaySimulator {

  private static final Logger LOG = LoggerFactory.getLogger(AlipaySimulator.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One registered app: how it signs and how the simulator signs back. */
  private record SimApp(String appId, SignType type, AlipayCrypto.Verifier verifier, AlipayCrypto.Signer platformSigner) {}

  private record AuthCode(String appId, String userId, Instant expiresAt) {}

  private record Token(String appId, String userId) {}

  /** A certification started by initialize; {@code passed} null until performed. */
  private static final class Certification {
    final String appId;
    final String outerOrderNo;
    final String certName;
    final String certNo;
    final String returnUrl;
    volatile Boolean passed;

    Certification(String appId, String outerOrderNo, String certName, String certNo, String returnUrl) {
      this.appId = appId;
      this.outerOrderNo = outerOrderNo;
      this.certName = certName;
      this.certNo = certNo;
      this.returnUrl = returnUrl;
    }
  }

  /** A trade created by trade.create. */
  private static final class Order {
    final String appId;
    final String outTradeNo;
    final String tradeNo;
    final String totalAmount;
    final String subject;
    final String buyerId;
    final String notifyUrl;
    final Instant createdAt;
    volatile String status = "WAIT_BUYER_PAY";
    volatile Instant paidAt;
    volatile Map<String, String> lastNotification;
    final AtomicInteger deliveries = new AtomicInteger();
    volatile boolean acknowledged;

    Order(String appId, String outTradeNo, String tradeNo, String totalAmount, String subject, String buyerId,
        String notifyUrl, Instant createdAt) {
      this.appId = appId;
      this.outTradeNo = outTradeNo;
      this.tradeNo = tradeNo;
      this.totalAmount = totalAmount;
      this.subject = subject;
      this.buyerId = buyerId;
      this.notifyUrl = notifyUrl;
      this.createdAt = createdAt;
    }
  }

  private final Vertx vertx;
  private final AlipaySimulatorOptions options;
  private final SimKnobs knobs;
  private final AlipayCrypto.KeyPairBase64 rsaKeys = AlipayCrypto.generate(SignType.RSA2);
  private final AlipayCrypto.KeyPairBase64 sm2Keys = AlipayCrypto.generate(SignType.SM2);
  private final AlipayCrypto.Signer rsaSigner = AlipayCrypto.signer(SignType.RSA2, rsaKeys.privateKey(), null);
  private final Map<String, SimApp> apps = new ConcurrentHashMap<>();
  private final Map<String, SimUser> users = new ConcurrentHashMap<>();
  private final Map<String, AuthCode> authCodes = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Certification> certifications = new ConcurrentHashMap<>();
  private final Map<String, Order> orders = new ConcurrentHashMap<>();
  private final List<Consumer<Map<String, String>>> requestListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final WebClient client;
  private HttpServer server;

  private AlipaySimulator(Vertx vertx, AlipaySimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.knobs = new SimKnobs(options.authCodeTtl(), options.notifyRetryDelays());
    this.client = WebClient.create(vertx);
  }

  /** Generates the platform keys and listens on 127.0.0.1 at {@code options.port()} (0 = any free port). */
  public static Future<AlipaySimulator> start(Vertx vertx, AlipaySimulatorOptions options) {
    AlipaySimulator sim = new AlipaySimulator(vertx, options);
    Router router = Router.router(vertx);
    router.route("/__sim/*").handler(BodyHandler.create().setBodyLimit(1 << 16));
    router.route("/gateway.do").handler(sim::gateway);
    SimControlRoutes.mount(router, sim);
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(options.port(), "127.0.0.1")
        .map(server -> {
          sim.server = server;
          return sim;
        });
  }

  /** Stops listening. Pending notification retries are dropped. */
  public Future<Void> close() {
    client.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/gateway.do}. */
  public String gatewayUrl() {
    return "http://127.0.0.1:" + port() + "/gateway.do";
  }

  /** The platform's RSA-2048 public key (SPKI, Base64): the "Alipay public key" of RSA2 apps. */
  public String platformPublicKey() {
    return rsaKeys.publicKey();
  }

  /** The platform's SM2 public key (SPKI, Base64): the "Alipay public key" of SM2 apps. */
  public String platformSm2PublicKey() {
    return sm2Keys.publicKey();
  }

  /** The behaviour switches; change them at any time. */
  public SimKnobs knobs() {
    return knobs;
  }

  /** Every accepted or rejected gateway request's merged parameters, as received (for interop tests). */
  public void onRequest(Consumer<Map<String, String>> listener) {
    requestListeners.add(listener);
  }

  // ---- control ----

  /**
   * Registers an app and its public key.
   *
   * @param sm2UserId the SM2 user id for SM2 apps; null = {@link AlipayCrypto#DEFAULT_SM2_USER_ID}
   */
  public void registerApp(String appId, SignType type, String appPublicKeyBase64, String sm2UserId) {
    AlipayCrypto.Signer platform = type == SignType.SM2
        ? AlipayCrypto.signer(SignType.SM2, sm2Keys.privateKey(), sm2UserId)
        : rsaSigner;
    apps.put(appId, new SimApp(appId, type, AlipayCrypto.verifier(type, appPublicKeyBase64, sm2UserId), platform));
  }

  public void addUser(SimUser user) {
    users.put(user.userId(), user);
  }

  /** Issues a single-use auth code for the user and app, valid for the auth-code TTL knob. */
  public String issueAuthCode(String appId, String userId) {
    if (!users.containsKey(userId)) throw new IllegalArgumentException("unknown simulated user");
    String code = randomHex(16);
    authCodes.put(code, new AuthCode(appId, userId, options.clock().instant().plus(knobs.authCodeTtl)));
    return code;
  }

  /**
   * "The user does the face check": passes only when {@code actualUserId}'s real identity held here equals the
   * identity the gateway submitted (unless the forced-outcome knob says otherwise).
   *
   * @return whether it passed
   */
  public boolean performFace(String certifyId, String actualUserId) {
    Certification c = certifications.get(certifyId);
    if (c == null) throw new IllegalArgumentException("unknown certify id");
    SimUser user = users.get(actualUserId);
    boolean passed = knobs.forcedFaceOutcome != null
        ? knobs.forcedFaceOutcome
        : user != null && user.hasIdentity() && user.name().equals(c.certName) && user.idNumber().equals(c.certNo);
    c.passed = passed;
    return passed;
  }

  /** "The user pays": marks the first order with this out_trade_no paid and starts delivering its notification. */
  public Future<String> payOrder(String outTradeNo) {
    Order order = orders.values().stream().filter(o -> o.outTradeNo.equals(outTradeNo)).findFirst().orElse(null);
    if (order == null) return Future.failedFuture(new IllegalArgumentException("unknown out_trade_no"));
    if (order.paidAt == null) {
      order.paidAt = options.clock().instant();
      order.status = "TRADE_SUCCESS";
      order.lastNotification = notification(order);
      vertx.runOnContext(v -> deliver(order, 0));
    }
    return Future.succeededFuture(order.tradeNo);
  }

  /** How many times the notification of an order was POSTed so far. */
  public int notificationAttempts(String outTradeNo) {
    Order o = findOrder(outTradeNo);
    return o == null ? 0 : o.deliveries.get();
  }

  /** Whether the order's notification was answered exactly {@code success}. */
  public boolean notificationAcknowledged(String outTradeNo) {
    Order o = findOrder(outTradeNo);
    return o != null && o.acknowledged;
  }

  /** The decoded parameters of the order's last notification, null before payment. */
  public Map<String, String> lastNotification(String outTradeNo) {
    Order o = findOrder(outTradeNo);
    return o == null ? null : o.lastNotification;
  }

  private Order findOrder(String outTradeNo) {
    return orders.values().stream().filter(o -> o.outTradeNo.equals(outTradeNo)).findFirst().orElse(null);
  }

  // ---- gateway ----

  private void gateway(RoutingContext ctx) {
    ctx.request().body().onComplete(ar -> {
      if (ar.failed()) {
        ctx.response().setStatusCode(400).end("bad request");
        return;
      }
      Map<String, String> params;
      try {
        params = new LinkedHashMap<>(AlipayWire.parseForm(ctx.request().query()));
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
          // §1.1: clients split parameters differently between query and body, so merge both.
          AlipayWire.parseForm(ar.result().toString(StandardCharsets.UTF_8)).forEach(params::putIfAbsent);
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
      ctx.response().setStatusCode(knobs.httpStatus).putHeader("Content-Type", "text/html;charset=utf-8")
          .end("<html><body>Service Unavailable</body></html>");
      return;
    }
    String method = params.getOrDefault("method", "");
    SimApp app = apps.get(params.getOrDefault("app_id", ""));
    Reply reply = checkProtocol(params, app);
    if (reply == null) reply = platformErrors(method);
    if (reply == null) {
      if (method.equals("alipay.user.certify.open.certify") && ctx.request().method().name().equals("GET")) {
        certifyPage(ctx, params);
        return;
      }
      reply = dispatch(method, params, app);
    }
    writeSigned(ctx, reply, app);
  }

  /** An answer: the node it goes under and its inner object. */
  private record Reply(String node, JsonObject inner) {
    static Reply ok(String method, JsonObject fields) {
      JsonObject inner = new JsonObject().put("code", "10000").put("msg", "Success");
      fields.forEach(e -> inner.put(e.getKey(), e.getValue()));
      return new Reply(AlipayWire.responseNode(method), inner);
    }

    static Reply error(String node, String code, String msg, String subCode, String subMsg) {
      return new Reply(node, new JsonObject().put("code", code).put("msg", msg).put("sub_code", subCode)
          .put("sub_msg", subMsg));
    }

    static Reply gatewayError(String code, String msg, String subCode, String subMsg) {
      return error("error_response", code, msg, subCode, subMsg);
    }

    static Reply business(String method, String subCode, String subMsg) {
      return error(AlipayWire.responseNode(method), "40004", "Business Failed", subCode, subMsg);
    }
  }

  private Reply checkProtocol(Map<String, String> p, SimApp app) {
    for (String[] required : new String[][] {
        {"method", "isv.missing-method"}, {"app_id", "isv.missing-app-id"}, {"sign_type", "isv.missing-signature-type"},
        {"sign", "isv.missing-signature"}, {"timestamp", "isv.missing-timestamp"}, {"version", "isv.missing-version"}}) {
      if (p.getOrDefault(required[0], "").isEmpty()) {
        return Reply.gatewayError("40001", "Missing Required Arguments", required[1], "缺少必选参数");
      }
    }
    if (app == null) return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数");
    if (!app.type().name().equals(p.get("sign_type"))) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型");
    }
    Instant ts = AlipayWire.parseTimestamp(p.get("timestamp"));
    if (ts == null) return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数");
    Duration tolerance = knobs.timestampSkewTolerance;
    if (tolerance != null && Duration.between(ts, options.clock().instant()).abs().compareTo(tolerance) > 0) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-timestamp", "非法的时间戳参数");
    }
    String content = AlipayWire.requestSignContent(p);
    if (!app.verifier().verify(content, p.get("sign"))) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-signature",
          "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：" + content);
    }
    return null;
  }

  private Reply platformErrors(String method) {
    SimKnobs.ForcedError forced = knobs.forcedErrors.get(method);
    String node = method.equals("alipay.system.oauth.token") ? "error_response" : AlipayWire.responseNode(method);
    if (forced != null) return Reply.error(node, forced.code(), forced.msg(), forced.subCode(), forced.subMsg());
    if (knobs.errorRate > 0 && ThreadLocalRandom.current().nextDouble() < knobs.errorRate) {
      return Reply.error(node, "20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙");
    }
    return null;
  }

  private Reply dispatch(String method, Map<String, String> p, SimApp app) {
    JsonObject biz;
    try {
      biz = p.containsKey("biz_content") ? new JsonObject(p.get("biz_content")) : new JsonObject();
    } catch (DecodeException e) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-parameter", "biz_content 非法");
    }
    return switch (method) {
      case "alipay.system.oauth.token" -> oauthToken(p, app);
      case "alipay.user.info.share" -> userInfoShare(p, app);
      case "alipay.user.certify.open.initialize" -> certifyInitialize(biz, app);
      case "alipay.user.certify.open.query" -> certifyQuery(biz, app);
      case "alipay.trade.create" -> tradeCreate(biz, p, app);
      case "alipay.trade.query" -> tradeQuery(biz, app);
      default -> Reply.gatewayError("40002", "Invalid Arguments", "isv.invalid-method", "不存在的方法名");
    };
  }

  private Reply oauthToken(Map<String, String> p, SimApp app) {
    String grant = p.getOrDefault("grant_type", "");
    if (!grant.equals("authorization_code")) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.grant-type-invalid", "不支持的grantType");
    }
    AuthCode code = authCodes.remove(p.getOrDefault("code", ""));
    if (code == null || !code.appId().equals(app.appId()) || options.clock().instant().isAfter(code.expiresAt())) {
      return Reply.gatewayError("40002", "Invalid Arguments", "isv.code-invalid", "授权码code无效");
    }
    String accessToken = "authusrB" + randomHex(16) + "X01";
    tokens.put(accessToken, new Token(app.appId(), code.userId()));
    JsonObject inner = new JsonObject();
    if (knobs.oauthCodeMsg) inner.put("code", "10000").put("msg", "Success");
    inner.put("access_token", accessToken)
        .put("auth_start", AlipayWire.timestamp(options.clock().instant()))
        .put("expires_in", 1296000)
        .put("re_expires_in", 2592000)
        .put("refresh_token", "authusrB" + randomHex(16) + "X01");
    if (knobs.openIdMode) inner.put("open_id", openId(app.appId(), code.userId()));
    else inner.put("user_id", code.userId());
    return new Reply(AlipayWire.responseNode("alipay.system.oauth.token"), inner);
  }

  private Reply userInfoShare(Map<String, String> p, SimApp app) {
    Token token = tokens.get(p.getOrDefault("auth_token", ""));
    if (token == null || !token.appId().equals(app.appId())) {
      return Reply.error(AlipayWire.responseNode("alipay.user.info.share"), "20001", "Insufficient Token Permissions",
          "aop.invalid-auth-token", "无效的访问令牌");
    }
    SimUser user = users.get(token.userId());
    JsonObject fields = new JsonObject();
    if (knobs.openIdMode) fields.put("open_id", openId(app.appId(), user.userId()));
    else fields.put("user_id", user.userId());
    fields.put("user_type", "2").put("user_status", "T");
    if (knobs.shareRealName) {
      fields.put("is_certified", user.certified() ? "T" : "F");
      if (user.hasIdentity()) fields.put("user_name", user.name()).put("cert_type", "0").put("cert_no", user.idNumber());
    }
    return Reply.ok("alipay.user.info.share", fields);
  }

  private Reply certifyInitialize(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.initialize";
    JsonObject identity = jsonField(biz, "identity_param");
    JsonObject merchant = jsonField(biz, "merchant_config");
    String outer = biz.getString("outer_order_no", "");
    if (outer.isEmpty() || !"FACE".equals(biz.getString("biz_code")) && !"SMART_FACE".equals(biz.getString("biz_code"))
        || identity == null || merchant == null) {
      return Reply.business(method, "INVALID_PARAMETER", "参数有误");
    }
    String name = identity.getString("cert_name", "");
    String certNo = identity.getString("cert_no", "").toUpperCase(Locale.ROOT);
    if (name.isEmpty() || certNo.isEmpty() || !"IDENTITY_CARD".equals(identity.getString("cert_type"))) {
      return Reply.business(method, "INVALID_PARAMETER", "身份信息参数有误");
    }
    String certifyId = randomHex(16);
    certifications.put(certifyId, new Certification(app.appId(), outer, name, certNo, merchant.getString("return_url")));
    return Reply.ok(method, new JsonObject().put("certify_id", certifyId));
  }

  private Reply certifyQuery(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.query";
    Certification c = certifications.get(biz.getString("certify_id", ""));
    if (c == null || !c.appId.equals(app.appId())) return Reply.business(method, "CERTIFY_ID_EXPIRED", "认证已失效");
    JsonObject fields = new JsonObject();
    Boolean passed = c.passed;
    String value = passed == null ? (knobs.pendingEncoding == SimKnobs.PendingEncoding.F ? "F" : null)
        : (passed ? "T" : "F");
    if (value != null) {
      fields.put("passed", knobs.passedEncoding == SimKnobs.PassedEncoding.ARRAY ? new JsonArray().add(value) : value);
    }
    fields.put("identity_info", knobs.identityInfoPopulated
        ? new JsonObject().put("cert_name", c.certName).put("cert_no", c.certNo).encode() : "{}");
    fields.put("material_info", "{}");
    if (Boolean.FALSE.equals(passed)) fields.put("fail_reason", "Z1147");
    return Reply.ok(method, fields);
  }

  private Reply tradeCreate(JsonObject biz, Map<String, String> p, SimApp app) {
    String method = "alipay.trade.create";
    String outTradeNo = biz.getString("out_trade_no", "");
    String amount = String.valueOf(biz.getValue("total_amount", ""));
    String subject = biz.getString("subject", "");
    String buyerId = biz.getString("buyer_id", biz.getString("buyer_open_id", ""));
    if (!outTradeNo.matches("[0-9A-Za-z_-]{1,64}") || subject.isEmpty() || buyerId.isEmpty() || !validAmount(amount)) {
      return Reply.business(method, "ACQ.INVALID_PARAMETER", "参数无效");
    }
    if (!knobs.openIdMode && !users.containsKey(buyerId)) return Reply.business(method, "ACQ.BUYER_NOT_EXIST", "买家不存在");
    String key = app.appId() + "/" + outTradeNo;
    Order existing = orders.get(key);
    if (existing != null) {
      if (AlipayWire.fen(existing.totalAmount) != AlipayWire.fen(amount) || !existing.buyerId.equals(buyerId)) {
        return Reply.business(method, "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
      }
      if (existing.paidAt != null) return Reply.business(method, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
      return Reply.ok(method, new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", existing.tradeNo));
    }
    Instant now = options.clock().instant();
    String tradeNo = AlipayWire.timestamp(now).substring(0, 10).replace("-", "") + "2200" + randomDigits(16);
    orders.put(key, new Order(app.appId(), outTradeNo, tradeNo, AlipayWire.yuan(AlipayWire.fen(amount)), subject,
        buyerId, p.get("notify_url"), now));
    return Reply.ok(method, new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", tradeNo));
  }

  private Reply tradeQuery(JsonObject biz, SimApp app) {
    String method = "alipay.trade.query";
    String outTradeNo = biz.getString("out_trade_no", "");
    String tradeNo = biz.getString("trade_no", "");
    Order o = orders.values().stream()
        .filter(x -> x.appId.equals(app.appId()) && (x.outTradeNo.equals(outTradeNo) || x.tradeNo.equals(tradeNo)))
        .findFirst().orElse(null);
    if (o == null) return Reply.business(method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
    JsonObject fields = new JsonObject()
        .put("trade_no", o.tradeNo)
        .put("out_trade_no", o.outTradeNo)
        .put("buyer_logon_id", "use***@example.com")
        .put("trade_status", o.status)
        .put("total_amount", o.totalAmount)
        .put(knobs.openIdMode ? "buyer_open_id" : "buyer_user_id", o.buyerId);
    if (o.paidAt != null) {
      fields.put("buyer_pay_amount", o.totalAmount).put("receipt_amount", o.totalAmount)
          .put("send_pay_date", AlipayWire.timestamp(o.paidAt));
    }
    return Reply.ok(method, fields);
  }

  private void certifyPage(RoutingContext ctx, Map<String, String> params) {
    JsonObject biz;
    try {
      biz = new JsonObject(params.getOrDefault("biz_content", "{}"));
    } catch (DecodeException e) {
      biz = new JsonObject();
    }
    Certification c = certifications.get(biz.getString("certify_id", ""));
    if (c == null || !c.appId.equals(params.get("app_id"))) {
      ctx.response().setStatusCode(200).putHeader("Content-Type", "text/html;charset=utf-8")
          .end("<html><body><h1>认证已失效</h1></body></html>");
      return;
    }
    String back = c.returnUrl == null || c.returnUrl.isEmpty() ? "" : "<a href=\"" + escape(c.returnUrl) + "\">返回商户</a>";
    ctx.response().putHeader("Content-Type", "text/html;charset=utf-8")
        .end("<html><head><title>刷脸认证</title></head><body><h1>Simulated Alipay face check</h1>"
            + "<p>certify_id " + escape(biz.getString("certify_id")) + "</p>"
            + "<p>Use POST /__sim/face/perform to run the check.</p>" + back + "</body></html>");
  }

  private void writeSigned(RoutingContext ctx, Reply reply, SimApp app) {
    String inner = reply.inner().encode();
    AlipayCrypto.Signer signer = app == null ? rsaSigner : app.platformSigner();
    String sign = signer.sign(inner);
    String body = switch (knobs.mangling) {
      case NONE -> envelope(reply.node(), inner, sign);
      case TAMPERED_CONTENT -> envelope(reply.node(), inner.substring(0, inner.length() - 1) + ",\"x\":\"1\"}", sign);
      case TRUNCATED -> envelope(reply.node(), inner, sign).substring(0, reply.node().length() + 4 + inner.length() / 2);
      case DUPLICATE_NODE -> "{\"" + reply.node() + "\":" + inner + ",\"sign\":\"" + sign + "\",\""
          + reply.node() + "\":{\"code\":\"10000\"}}";
      case UNSIGNED -> "{\"" + reply.node() + "\":" + inner + "}";
      case NOT_JSON -> "<html><body>502 Bad Gateway</body></html>";
    };
    ctx.response().putHeader("Content-Type", "application/json;charset=utf-8").end(body);
  }

  private static String envelope(String node, String inner, String sign) {
    return "{\"" + node + "\":" + inner + ",\"sign\":\"" + sign + "\"}";
  }

  // ---- notifications ----

  private Map<String, String> notification(Order o) {
    SimApp app = apps.get(o.appId);
    Instant now = options.clock().instant();
    Map<String, String> n = new LinkedHashMap<>();
    n.put("gmt_create", AlipayWire.timestamp(o.createdAt));
    n.put("charset", "utf-8");
    n.put("seller_email", "gov***@example.com");
    n.put("subject", o.subject);
    n.put(knobs.openIdMode ? "buyer_open_id" : "buyer_id", o.buyerId);
    n.put("invoice_amount", o.totalAmount);
    n.put("notify_id", AlipayWire.timestamp(now).substring(0, 10).replace("-", "") + "0022" + randomDigits(26));
    n.put("fund_bill_list", new JsonArray().add(new JsonObject().put("amount", o.totalAmount)
        .put("fundChannel", "ALIPAYACCOUNT")).encode());
    n.put("notify_type", "trade_status_sync");
    n.put("trade_status", o.status);
    n.put("receipt_amount", o.totalAmount);
    n.put("buyer_pay_amount", o.totalAmount);
    n.put("app_id", o.appId);
    n.put("sign_type", app.type().name());
    n.put("seller_id", "2088531891668739");
    n.put("gmt_payment", AlipayWire.timestamp(o.paidAt));
    n.put("notify_time", AlipayWire.timestamp(now));
    n.put("version", "1.0");
    n.put("out_trade_no", o.outTradeNo);
    n.put("total_amount", o.totalAmount);
    n.put("trade_no", o.tradeNo);
    n.put("auth_app_id", o.appId);
    n.put("buyer_logon_id", "use***@example.com");
    n.put("point_amount", "0.00");
    n.put("sign", app.platformSigner().sign(AlipayWire.notificationSignContent(n)));
    return n;
  }

  private void deliver(Order o, int attempt) {
    if (o.notifyUrl == null || o.notifyUrl.isEmpty()) return;
    o.deliveries.incrementAndGet();
    client.postAbs(o.notifyUrl)
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .timeout(15_000)
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer(AlipayWire.formEncode(o.lastNotification)))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 200 && "success".equals(ar.result().bodyAsString())) {
            o.acknowledged = true;
            return;
          }
          List<Duration> delays = knobs.notifyRetryDelays;
          if (attempt < delays.size()) {
            LOG.debug("notification not acknowledged, retry {} in {}", attempt + 1, delays.get(attempt));
            vertx.setTimer(Math.max(1, delays.get(attempt).toMillis()), id -> deliver(o, attempt + 1));
          }
        });
  }

  // ---- helpers ----

  private static JsonObject jsonField(JsonObject biz, String key) {
    Object v = biz.getValue(key);
    if (v instanceof JsonObject o) return o;
    if (v instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (DecodeException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean validAmount(String amount) {
    if (!amount.matches("\\d{1,9}(\\.\\d{1,2})?")) return false;
    long fen = AlipayWire.fen(amount);
    return fen >= 1 && fen <= 10_000_000_000L;
  }

  private static String openId(String appId, String userId) {
    return "0" + Integer.toHexString(Objects.hash(appId, userId)) + userId.substring(4);
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String randomDigits(int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) s.append(RANDOM.nextInt(10));
    return s.toString();
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Runs the simulator alone: {@code java ... AlipaySimulator [port]}; prints its URL and public keys. */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Vertx vertx = Vertx.vertx();
    start(vertx, AlipaySimulatorOptions.defaults().withPort(port))
        .onSuccess(sim -> {
          System.out.println("Alipay simulator at " + sim.gatewayUrl());
          System.out.println("platform RSA2 public key: " + sim.platformPublicKey());
          System.out.println("platform SM2 public key: " + sim.platformSm2PublicKey());
          System.out.println("control API: http://127.0.0.1:" + sim.port() + "/__sim/");
        })
        .onFailure(e -> {
          System.err.println("simulator failed to start: " + e);
          vertx.close();
        });
  }
}
