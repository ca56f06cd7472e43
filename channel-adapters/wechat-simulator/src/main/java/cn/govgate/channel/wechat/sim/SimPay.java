package cn.govgate.channel.wechat.sim;

import cn.govgate.channel.wechat.WechatCrypto;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated WeChat Pay v3 (§7): verifies the merchant's {@code Authorization} exactly as §7.1,
 * serves JSAPI prepay, order query and close with signed answers, and delivers encrypted
 * notifications with retries.
 */
final class SimPay {

  private static final String SCHEMA = "WECHATPAY2-SHA256-RSA2048";
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final long WINDOW_SECONDS = 300;

  record Merchant(String mchId, PublicKey publicKey, String serialNo, String apiV3Key) {}

  record Order(
      String appId,
      String mchId,
      String outTradeNo,
      String description,
      long total,
      String openid,
      String notifyUrl,
      String prepayId,
      String state,
      String transactionId,
      String successTime) {

    Order with(String newState, String newTransactionId, String newSuccessTime) {
      return new Order(
          appId,
          mchId,
          outTradeNo,
          description,
          total,
          openid,
          notifyUrl,
          prepayId,
          newState,
          newTransactionId,
          newSuccessTime);
    }
  }

  final Map<String, Merchant> merchants = new ConcurrentHashMap<>();
  final Map<String, Order> orders = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> notifyAttempts = new ConcurrentHashMap<>();

  private final WechatSimulator sim;
  private final WebClient notifier;

  SimPay(WechatSimulator sim, WebClient notifier) {
    this.sim = sim;
    this.notifier = notifier;
  }

  /**
   * A refund (§9.1) of an order; {@code status} PROCESSING until the simulator finishes it, then
   * SUCCESS.
   */
  record Refund(
      String refundId,
      String outRefundNo,
      String outTradeNo,
      String transactionId,
      long refund,
      long total,
      String notifyUrl,
      String createTime,
      String status,
      String successTime) {

    Refund succeeded(String time) {
      return new Refund(
          refundId,
          outRefundNo,
          outTradeNo,
          transactionId,
          refund,
          total,
          notifyUrl,
          createTime,
          "SUCCESS",
          time);
    }
  }

  final Map<String, Refund> refunds = new ConcurrentHashMap<>();

  void mount(Router router) {
    signed(router.post("/v3/refund/domestic/refunds"), "pay_refund", this::refund);
    signed(router.get("/v3/refund/domestic/refunds/:no"), "pay_refund_query", this::refundQuery);
    signed(router.post("/v3/pay/transactions/jsapi"), "pay_jsapi", this::jsapi);
    signed(router.get("/v3/pay/transactions/out-trade-no/:no"), "pay_query", this::query);
    signed(router.post("/v3/pay/transactions/out-trade-no/:no/close"), "pay_close", this::close);
  }

  /**
   * A WeChat Pay API route: counted and subject to the knobs ({@link WechatSimulator#gate}), then
   * the request's signature checked ({@link #authenticate}, 401 when it fails) before {@code
   * handler} runs with the merchant who signed it.
   */
  private void signed(Route route, String api, BiConsumer<RoutingContext, Merchant> handler) {
    route.handler(
        ctx ->
            sim.gate(
                ctx,
                api,
                true,
                c -> {
                  Merchant merchant = authenticate(c);
                  if (merchant != null) handler.accept(c, merchant);
                }));
  }

  /**
   * Checks the {@code Authorization} header as WeChat Pay does; answers 401 and returns null when
   * it fails.
   */
  private Merchant authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String problem = null;
    Merchant merchant = null;
    if (header == null || !header.startsWith(SCHEMA + " ")) {
      problem = "Authorization header missing or not " + SCHEMA;
    } else {
      Map<String, String> p = new HashMap<>();
      Matcher m = PARAM.matcher(header.substring(SCHEMA.length() + 1));
      while (m.find()) p.put(m.group(1), m.group(2));
      merchant = p.get("mchid") == null ? null : merchants.get(p.get("mchid"));
      problem = check(ctx, merchant, p);
    }
    if (problem != null) {
      sim.json(ctx, 401, new JsonObject().put("code", "SIGN_ERROR").put("message", problem));
      return null;
    }
    return merchant;
  }

  private String check(RoutingContext ctx, Merchant merchant, Map<String, String> p) {
    if (merchant == null) return "商户号不存在 (unknown mchid)";
    if (!merchant.serialNo().equals(p.get("serial_no"))) return "证书序列号不匹配 (serial_no mismatch)";
    String timestamp = p.get("timestamp");
    String nonce = p.get("nonce_str");
    if (timestamp == null || nonce == null || nonce.isEmpty())
      return "timestamp or nonce_str missing";
    try {
      if (Math.abs(sim.now().getEpochSecond() - Long.parseLong(timestamp)) >= WINDOW_SECONDS) {
        return "timestamp outside 5 minutes";
      }
    } catch (NumberFormatException e) {
      return "timestamp not numeric";
    }
    String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
    String message =
        WechatCrypto.requestMessage(
            ctx.request().method().name(), ctx.request().uri(), timestamp, nonce, body);
    boolean valid = WechatCrypto.verify(merchant.publicKey(), message, p.get("signature"));
    return valid ? null : "签名错误 (bad signature)";
  }

  private void jsapi(RoutingContext ctx, Merchant merchant) {
    JsonObject body = sim.jsonBody(ctx);
    String problem = validatePrepay(merchant, body);
    if (problem != null) {
      sim.json(ctx, 400, new JsonObject().put("code", "PARAM_ERROR").put("message", problem));
      return;
    }
    String outTradeNo = body.getString("out_trade_no");
    Order existing = orders.get(outTradeNo);
    if (existing != null) {
      boolean same =
          existing.total() == body.getJsonObject("amount").getLong("total")
              && existing.appId().equals(body.getString("appid"));
      if (!same || !"NOTPAY".equals(existing.state())) {
        sim.json(
            ctx, 400, new JsonObject().put("code", "INVALID_REQUEST").put("message", "商户订单号重复"));
        return;
      }
      sim.signedJson(ctx, 200, new JsonObject().put("prepay_id", existing.prepayId()).encode());
      return;
    }
    String prepayId =
        "wx"
            + DateTimeFormatter.ofPattern("ddHHmmss")
                .withZone(ZoneOffset.ofHours(8))
                .format(sim.now())
            + WechatCrypto.nonce(24).toLowerCase(java.util.Locale.ROOT);
    orders.put(
        outTradeNo,
        new Order(
            body.getString("appid"),
            merchant.mchId(),
            outTradeNo,
            body.getString("description"),
            body.getJsonObject("amount").getLong("total"),
            body.getJsonObject("payer").getString("openid"),
            body.getString("notify_url"),
            prepayId,
            "NOTPAY",
            null,
            null));
    sim.signedJson(ctx, 200, new JsonObject().put("prepay_id", prepayId).encode());
  }

  private String validatePrepay(Merchant merchant, JsonObject body) {
    if (body == null) return "body is not JSON";
    if (!merchant.mchId().equals(body.getString("mchid"))) return "mchid does not match the signer";
    String appId = body.getString("appid");
    if (appId == null || !sim.mini().apps.containsKey(appId)) return "appid unknown";
    String outTradeNo = body.getString("out_trade_no");
    if (outTradeNo == null || outTradeNo.length() < 6 || outTradeNo.length() > 32)
      return "out_trade_no invalid";
    if (body.getString("description") == null) return "description missing";
    JsonObject amount = body.getJsonObject("amount");
    if (amount == null || !(amount.getValue("total") instanceof Number n) || n.longValue() <= 0) {
      return "amount invalid";
    }
    JsonObject payer = body.getJsonObject("payer");
    String openid = payer == null ? null : payer.getString("openid");
    if (openid == null
        || !sim.mini().memberships.containsKey(SimMiniProgram.membership(appId, openid))) {
      return "payer.openid is not a user of appid";
    }
    String notifyUrl = body.getString("notify_url");
    try {
      URI uri = URI.create(notifyUrl == null ? "" : notifyUrl);
      if (!uri.isAbsolute() || uri.getRawQuery() != null)
        return "notify_url must be absolute without query";
    } catch (IllegalArgumentException e) {
      return "notify_url invalid";
    }
    return null;
  }

  private Order ownOrder(RoutingContext ctx, Merchant merchant, String mchIdParam) {
    Order order = orders.get(ctx.pathParam("no"));
    if (mchIdParam == null || !merchant.mchId().equals(mchIdParam)) {
      sim.json(
          ctx,
          400,
          new JsonObject()
              .put("code", "PARAM_ERROR")
              .put("message", "mchid missing or not the signer"));
      return null;
    }
    if (order == null || !order.mchId().equals(merchant.mchId())) {
      sim.json(ctx, 404, new JsonObject().put("code", "ORDER_NOT_EXIST").put("message", "订单不存在"));
      return null;
    }
    return order;
  }

  private void query(RoutingContext ctx, Merchant merchant) {
    Order order = ownOrder(ctx, merchant, ctx.queryParams().get("mchid"));
    if (order == null) return;
    sim.signedJson(ctx, 200, transaction(order).encode());
  }

  private void close(RoutingContext ctx, Merchant merchant) {
    JsonObject body = sim.jsonBody(ctx);
    Order order = ownOrder(ctx, merchant, body == null ? null : body.getString("mchid"));
    if (order == null) return;
    if ("SUCCESS".equals(order.state())) {
      sim.json(ctx, 400, new JsonObject().put("code", "ORDERPAID").put("message", "订单已支付"));
      return;
    }
    orders.put(order.outTradeNo(), order.with("CLOSED", null, null));
    sim.signedJson(ctx, 204, "");
  }

  /**
   * §9.1: a paid order of the signer is refunded once per {@code out_refund_no} (the same number
   * again answers the same refund; another amount under it is {@code INVALID_REQUEST}); {@code
   * amount.total} must be what was paid and refunds never exceed it. The refund answers PROCESSING,
   * then succeeds on the next turn of the event loop and is notified (§9.3) when it has a {@code
   * notify_url} and the knob allows.
   */
  private void refund(RoutingContext ctx, Merchant merchant) {
    JsonObject body = sim.jsonBody(ctx);
    JsonObject amount = body == null ? null : body.getJsonObject("amount");
    String outRefundNo = body == null ? null : body.getString("out_refund_no");
    if (amount == null
        || !(amount.getValue("refund") instanceof Number refund)
        || refund.longValue() <= 0
        || !(amount.getValue("total") instanceof Number total)
        || !"CNY".equals(amount.getString("currency"))
        || outRefundNo == null
        || !outRefundNo.matches("[0-9A-Za-z_\\-|*@]{1,64}")) {
      sim.json(ctx, 400, new JsonObject().put("code", "PARAM_ERROR").put("message", "参数错误"));
      return;
    }
    Order order =
        body.getString("out_trade_no") == null ? null : orders.get(body.getString("out_trade_no"));
    if (order == null
        || !order.mchId().equals(merchant.mchId())
        || !"SUCCESS".equals(order.state()) && !"REFUND".equals(order.state())) {
      sim.json(
          ctx, 404, new JsonObject().put("code", "RESOURCE_NOT_EXISTS").put("message", "订单不存在"));
      return;
    }
    Refund answer;
    synchronized (this) {
      Refund earlier = refunds.get(outRefundNo);
      if (earlier != null) {
        if (earlier.refund() != refund.longValue()
            || !earlier.outTradeNo().equals(order.outTradeNo())) {
          sim.json(
              ctx, 400, new JsonObject().put("code", "INVALID_REQUEST").put("message", "退款单号重复"));
          return;
        }
        answer = earlier;
      } else {
        long refunded =
            refunds.values().stream()
                .filter(r -> r.outTradeNo().equals(order.outTradeNo()))
                .mapToLong(Refund::refund)
                .sum();
        if (total.longValue() != order.total() || refunded + refund.longValue() > order.total()) {
          sim.json(
              ctx, 400, new JsonObject().put("code", "INVALID_REQUEST").put("message", "退款金额不正确"));
          return;
        }
        answer =
            new Refund(
                "5030"
                    + String.format(
                        "%025d", ThreadLocalRandom.current().nextLong(0, Long.MAX_VALUE)),
                outRefundNo,
                order.outTradeNo(),
                order.transactionId(),
                refund.longValue(),
                order.total(),
                body.getString("notify_url"),
                rfc3339(),
                "PROCESSING",
                null);
        refunds.put(outRefundNo, answer);
        if (refunded + refund.longValue() == order.total())
          orders.put(
              order.outTradeNo(), order.with("REFUND", order.transactionId(), order.successTime()));
        sim.vertx().runOnContext(v -> finishRefund(outRefundNo));
      }
    }
    sim.signedJson(ctx, 200, refundJson(answer).encode());
  }

  private void finishRefund(String outRefundNo) {
    Refund done = refunds.computeIfPresent(outRefundNo, (k, r) -> r.succeeded(rfc3339()));
    if (done != null && done.notifyUrl() != null && sim.knobs().refundNotifications()) {
      deliverTo(done.notifyUrl(), "refund:" + outRefundNo, refundNotificationBody(done), 0);
    }
  }

  private void refundQuery(RoutingContext ctx, Merchant merchant) {
    Refund refund = refunds.get(ctx.pathParam("no"));
    Order order = refund == null ? null : orders.get(refund.outTradeNo());
    if (order == null || !order.mchId().equals(merchant.mchId())) {
      sim.json(
          ctx, 404, new JsonObject().put("code", "RESOURCE_NOT_EXISTS").put("message", "退款单不存在"));
      return;
    }
    sim.signedJson(ctx, 200, refundJson(refund).encode());
  }

  private String rfc3339() {
    return sim.now()
        .atOffset(ZoneOffset.ofHours(8))
        .truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  static JsonObject refundJson(Refund r) {
    JsonObject json =
        new JsonObject()
            .put("refund_id", r.refundId())
            .put("out_refund_no", r.outRefundNo())
            .put("transaction_id", r.transactionId())
            .put("out_trade_no", r.outTradeNo())
            .put("channel", "ORIGINAL")
            .put("user_received_account", "支付用户零钱")
            .put("create_time", r.createTime())
            .put("status", r.status())
            .put("funds_account", "AVAILABLE")
            .put(
                "amount",
                new JsonObject()
                    .put("total", r.total())
                    .put("refund", r.refund())
                    .put("payer_total", r.total())
                    .put("payer_refund", r.refund())
                    .put("settlement_total", r.total())
                    .put("settlement_refund", r.refund())
                    .put("discount_refund", 0)
                    .put("currency", "CNY")
                    .put("refund_fee", 0))
            .put("promotion_detail", new io.vertx.core.json.JsonArray());
    if (r.successTime() != null) json.put("success_time", r.successTime());
    return json;
  }

  /**
   * The §9.3 envelope: {@code REFUND.SUCCESS}, resource (fields of §9.3) encrypted with the APIv3
   * key.
   */
  String refundNotificationBody(Refund r) {
    Order order = orders.get(r.outTradeNo());
    Merchant merchant = merchants.get(order.mchId());
    JsonObject resource =
        new JsonObject()
            .put("mchid", order.mchId())
            .put("out_trade_no", r.outTradeNo())
            .put("transaction_id", r.transactionId())
            .put("out_refund_no", r.outRefundNo())
            .put("refund_id", r.refundId())
            .put("refund_status", r.status())
            .put("success_time", r.successTime())
            .put("user_received_account", "支付用户零钱")
            .put(
                "amount",
                new JsonObject()
                    .put("total", r.total())
                    .put("refund", r.refund())
                    .put("payer_total", r.total())
                    .put("payer_refund", r.refund()));
    String nonce = WechatCrypto.nonce(12);
    return new JsonObject()
        .put("id", "EV-" + java.util.UUID.randomUUID())
        .put("create_time", r.successTime())
        .put("resource_type", "encrypt-resource")
        .put("event_type", "REFUND.SUCCESS")
        .put("summary", "退款成功")
        .put(
            "resource",
            new JsonObject()
                .put("original_type", "refund")
                .put("algorithm", "AEAD_AES_256_GCM")
                .put(
                    "ciphertext",
                    WechatCrypto.encryptAesGcm(merchant.apiV3Key(), nonce, "", resource.encode()))
                .put("associated_data", "")
                .put("nonce", nonce))
        .encode();
  }

  static JsonObject transaction(Order order) {
    JsonObject amount = new JsonObject().put("total", order.total()).put("currency", "CNY");
    JsonObject tx =
        new JsonObject()
            .put("appid", order.appId())
            .put("mchid", order.mchId())
            .put("out_trade_no", order.outTradeNo())
            .put("trade_state", order.state())
            .put(
                "trade_state_desc",
                switch (order.state()) {
                  case "SUCCESS" -> "支付成功";
                  case "CLOSED" -> "已关闭";
                  case "REFUND" -> "转入退款";
                  default -> "未支付";
                });
    if (order.transactionId() != null) {
      tx.put("transaction_id", order.transactionId())
          .put("trade_type", "JSAPI")
          .put("bank_type", "OTHERS")
          .put("attach", "")
          .put("success_time", order.successTime())
          .put("payer", new JsonObject().put("openid", order.openid()));
      amount.put("payer_total", order.total()).put("payer_currency", "CNY");
    }
    return tx.put("amount", amount);
  }

  /** Marks the order paid and delivers the notification until acknowledged or retries run out. */
  Future<Void> payOrder(String outTradeNo) {
    Order order = orders.get(outTradeNo);
    if (order == null) return Future.failedFuture(new IllegalArgumentException("unknown order"));
    if (!"NOTPAY".equals(order.state()))
      return Future.failedFuture(new IllegalStateException("order not payable"));
    String successTime =
        sim.now()
            .atOffset(ZoneOffset.ofHours(8))
            .truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String transactionId =
        "4200" + String.format("%024d", ThreadLocalRandom.current().nextLong(0, Long.MAX_VALUE));
    Order paid = order.with("SUCCESS", transactionId, successTime);
    orders.put(outTradeNo, paid);
    return deliver(paid, notificationBody(paid), 0);
  }

  /** The §7.4 envelope for a paid order, resource encrypted with the merchant's APIv3 key. */
  String notificationBody(Order order) {
    Merchant merchant = merchants.get(order.mchId());
    String nonce = WechatCrypto.nonce(12);
    String ciphertext =
        WechatCrypto.encryptAesGcm(
            merchant.apiV3Key(), nonce, "transaction", transaction(order).encode());
    return new JsonObject()
        .put("id", "EV-" + java.util.UUID.randomUUID())
        .put("create_time", order.successTime())
        .put("resource_type", "encrypt-resource")
        .put("event_type", "TRANSACTION.SUCCESS")
        .put("summary", "支付成功")
        .put(
            "resource",
            new JsonObject()
                .put("original_type", "transaction")
                .put("algorithm", "AEAD_AES_256_GCM")
                .put("ciphertext", ciphertext)
                .put("associated_data", "transaction")
                .put("nonce", nonce))
        .encode();
  }

  private Future<Void> deliver(Order order, String body, int attempt) {
    return deliverTo(order.notifyUrl(), order.outTradeNo(), body, attempt);
  }

  /**
   * Delivers a signed notification until acknowledged or the retries run out; attempts counted
   * under {@code key}.
   */
  private Future<Void> deliverTo(String url, String key, String body, int attempt) {
    notifyAttempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    Map<String, String> headers = sim.platformSignatureHeaders(body);
    var request = notifier.postAbs(url).putHeader("Content-Type", "application/json");
    headers.forEach(request::putHeader);
    request.putHeader("Wechatpay-Signature-Type", SCHEMA);
    return request
        .sendBuffer(Buffer.buffer(body))
        .map(this::acknowledged)
        .otherwise(false)
        .compose(
            ok -> {
              if (ok) return Future.<Void>succeededFuture();
              List<Duration> delays = sim.options().notifyRetryDelays();
              if (attempt >= delays.size()) {
                return Future.failedFuture(
                    new IllegalStateException("notification not acknowledged"));
              }
              Promise<Void> retried = Promise.promise();
              sim.vertx()
                  .setTimer(
                      Math.max(1, delays.get(attempt).toMillis()),
                      id -> deliverTo(url, key, body, attempt + 1).onComplete(retried));
              return retried.future();
            });
  }

  private boolean acknowledged(HttpResponse<Buffer> response) {
    return response.statusCode() == 200
        || (response.statusCode() == 204 && sim.knobs().acceptNoContentAck());
  }
}
