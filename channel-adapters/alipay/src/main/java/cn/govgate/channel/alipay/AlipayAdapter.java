package cn.govgate.channel.alipay;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.spi.RealName;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Alipay {@link ChannelAdapter} over the classic {@code gateway.do}: {@code
 * alipay.system.oauth.token} + {@code alipay.user.info.share} for login, {@code
 * alipay.user.certify.open.*} for face verification, {@code alipay.trade.create}/{@code .query} and
 * RSA2/SM2 notifications for payments. Never blocks; one circuit breaker per API ({@code
 * channel.alipay.<api_with_underscores>}); timer {@code govgate.channel.calls}.
 */
public final class AlipayAdapter implements ChannelAdapter {

  static final String OAUTH_TOKEN = "alipay.system.oauth.token";
  static final String USER_INFO_SHARE = "alipay.user.info.share";
  static final String CERTIFY_INITIALIZE = "alipay.user.certify.open.initialize";
  static final String CERTIFY = "alipay.user.certify.open.certify";
  static final String CERTIFY_QUERY = "alipay.user.certify.open.query";
  static final String TRADE_CREATE = "alipay.trade.create";
  static final String TRADE_QUERY = "alipay.trade.query";
  static final String TRADE_REFUND = "alipay.trade.refund";
  static final String REFUND_QUERY = "alipay.trade.fastpay.refund.query";

  /**
   * {@code sub_code}s of a 40004 to a refund that are final (§8.1): the refund will never happen
   * with these parameters. Any other failure ({@code ACQ.SYSTEM_ERROR}, a balance too low, a
   * timeout) leaves the outcome open: retry with the same {@code out_request_no}.
   */
  static final Set<String> REFUND_REFUSED =
      Set.of(
          "ACQ.TRADE_NOT_EXIST",
          "ACQ.TRADE_HAS_FINISHED",
          "ACQ.TRADE_STATUS_ERROR",
          "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
          "ACQ.REASON_TRADE_REFUND_FEE_ERR",
          "ACQ.DISCORDANT_REPEAT_REQUEST",
          "ACQ.REASON_TRADE_BEEN_FREEZEN",
          "ACQ.INVALID_PARAMETER");

  static final String NOTIFY = "notify";
  static final String TEMPLATE_MESSAGE = "alipay.open.app.mini.templatemessage.send";

  /**
   * {@code sub_code}s of a 40004 to a subscription send that mean the user has no subscription
   * (grant) for the template. The real codes are not documented (§11.3 ❓); the simulator answers
   * the first by default. Any other 40004 is a refused message (REJECTED), never retried either.
   */
  static final Set<String> SUBSCRIPTION_REFUSED =
      Set.of("USER_NOT_SUBSCRIBED", "USER_SUBSCRIBE_INVALID", "SUBSCRIBE_QUOTA_EXHAUSTED");

  private static final String CERTIFY_EXPIRED = "CERTIFY_ID_EXPIRED";
  private static final String NOT_EXIST = "ACQ.TRADE_NOT_EXIST";
  private static final Pattern USER_ID = Pattern.compile("2088\\d{12}");

  private static final CallbackReply ACK = new CallbackReply(200, "text/plain", "success");
  private static final CallbackReply REJECT = new CallbackReply(200, "text/plain", "fail");

  private final Map<String, AlipayGateway.KeyedApp> apps;
  private final AlipayGateway gateway;

  private AlipayAdapter(Map<String, AlipayGateway.KeyedApp> apps, AlipayGateway gateway) {
    this.apps = apps;
    this.gateway = gateway;
  }

  /** Creates the adapter; parses every key now, so a bad key fails here, not on the first call. */
  public static AlipayAdapter create(
      Vertx vertx, AlipayConfig config, CircuitBreakerRegistry breakers, MeterRegistry meters) {
    return create(vertx, config, breakers, meters, Clock.systemUTC());
  }

  /**
   * As {@link #create(Vertx, AlipayConfig, CircuitBreakerRegistry, MeterRegistry)}, with the clock
   * for timestamps.
   */
  public static AlipayAdapter create(
      Vertx vertx,
      AlipayConfig config,
      CircuitBreakerRegistry breakers,
      MeterRegistry meters,
      Clock clock) {
    Map<String, AlipayGateway.KeyedApp> apps = new LinkedHashMap<>();
    config.apps().forEach(app -> apps.put(app.appId(), AlipayGateway.KeyedApp.of(app)));
    return new AlipayAdapter(
        Collections.unmodifiableMap(apps),
        new AlipayGateway(vertx, config, breakers, meters, clock));
  }

  @Override
  public Channel channel() {
    return Channel.ALIPAY;
  }

  @Override
  public Set<String> appIds() {
    return apps.keySet();
  }

  /** Closes the HTTP client. */
  public void close() {
    gateway.close();
  }

  // ---- login ----

  @Override
  public Future<ChannelSubject> exchangeCode(String appId, String authCode) {
    if (authCode == null || authCode.isBlank()) {
      return Future.failedFuture(
          AlipayErrors.of(
              OAUTH_TOKEN, Kind.INVALID_AUTH_CODE, Fault.CITIZEN, null, "empty auth code"));
    }
    return app(appId, OAUTH_TOKEN)
        .compose(
            app ->
                gateway
                    .call(
                        app,
                        GatewayCall.of(OAUTH_TOKEN)
                            .application("grant_type", "authorization_code")
                            .application("code", authCode))
                    .compose(token -> withRealName(app, token)));
  }

  private Future<ChannelSubject> withRealName(AlipayGateway.KeyedApp app, JsonObject token) {
    String userId = firstNonEmpty(string(token, "user_id"), string(token, "open_id"));
    String accessToken = string(token, "access_token");
    if (userId == null || accessToken == null) {
      return Future.failedFuture(
          AlipayErrors.malformed(OAUTH_TOKEN, "oauth.token answer without user or token"));
    }
    String unionId = string(token, "union_id");
    return gateway
        .call(app, GatewayCall.of(USER_INFO_SHARE).protocol("auth_token", accessToken))
        .map(AlipayAdapter::realName)
        .recover(
            e ->
                e instanceof ChannelException ce && AlipayErrors.isAuthOrPermission(ce)
                    ? Future.succeededFuture(null)
                    : Future.failedFuture(e))
        .map(
            realName ->
                new ChannelSubject(
                    Channel.ALIPAY, app.app().appId(), userId, unionId, realName, accessToken));
  }

  private static RealName realName(JsonObject info) {
    String certified = string(info, "is_certified");
    String name = string(info, "user_name");
    String certNo = string(info, "cert_no");
    if (certified == null && name == null && certNo == null) return null;
    return new RealName(
        "T".equals(certified), name, certNo == null ? null : certNo.toUpperCase(Locale.ROOT));
  }

  // ---- face ----

  @Override
  public Future<FaceStart> startFace(FaceRequest request) {
    return app(request.appId(), CERTIFY_INITIALIZE)
        .compose(
            app -> {
              JsonObject biz =
                  new JsonObject()
                      .put("outer_order_no", request.outSeqNo())
                      .put("biz_code", "FACE")
                      .put(
                          "identity_param",
                          new JsonObject()
                              .put("identity_type", "CERT_INFO")
                              .put("cert_type", "IDENTITY_CARD")
                              .put("cert_name", request.name())
                              .put("cert_no", request.idNumber().toUpperCase(Locale.ROOT)))
                      .put(
                          "merchant_config",
                          new JsonObject()
                              .put(
                                  "return_url",
                                  request.returnUrl() == null ? "" : request.returnUrl()));
              return gateway
                  .call(
                      app,
                      GatewayCall.of(CERTIFY_INITIALIZE).application("biz_content", biz.encode()))
                  .compose(
                      answer -> {
                        String certifyId = string(answer, "certify_id");
                        if (certifyId == null) {
                          return Future.failedFuture(
                              AlipayErrors.malformed(
                                  CERTIFY_INITIALIZE, "initialize without certify_id"));
                        }
                        String url =
                            gateway.pageUrl(
                                app,
                                GatewayCall.of(CERTIFY)
                                    .application(
                                        "biz_content",
                                        new JsonObject().put("certify_id", certifyId).encode()));
                        return Future.succeededFuture(
                            new FaceStart(
                                certifyId,
                                Map.of("certifyId", certifyId, "certifyUrl", url),
                                null));
                      });
            });
  }

  @Override
  public Future<FaceResult> queryFace(FaceRequest request, String reference) {
    return app(request.appId(), CERTIFY_QUERY)
        .compose(
            app ->
                gateway
                    .call(
                        app,
                        GatewayCall.of(CERTIFY_QUERY)
                            .application(
                                "biz_content",
                                new JsonObject().put("certify_id", reference).encode()),
                        Set.of(CERTIFY_EXPIRED))
                    .map(
                        answer ->
                            CERTIFY_EXPIRED.equals(answer.getString("sub_code"))
                                ? new FaceResult(
                                    Outcome.FAILED,
                                    CERTIFY_EXPIRED,
                                    "certification expired or unknown")
                                : bound(request, faceResult(answer), answer)));
  }

  /**
   * When Alipay echoes the verified identity in {@code identity_info} (❓ usually "{}"), a pass only
   * counts for exactly the identity this request names: a certify id started for someone else must
   * not pass here.
   */
  private static FaceResult bound(FaceRequest request, FaceResult result, JsonObject answer) {
    if (result.outcome() != Outcome.PASSED) return result;
    JsonObject identity;
    try {
      String raw = string(answer, "identity_info");
      identity = raw == null ? new JsonObject() : new JsonObject(raw);
    } catch (RuntimeException e) {
      return result;
    }
    String certNo = identity.getString("cert_no");
    String certName = identity.getString("cert_name");
    boolean mismatch =
        certNo != null && !certNo.equalsIgnoreCase(request.idNumber())
            || certName != null && !certName.equals(request.name());
    return mismatch
        ? new FaceResult(
            Outcome.FAILED, result.channelCode(), "identity_info differs from the request")
        : result;
  }

  private static FaceResult faceResult(JsonObject answer) {
    Object raw = answer.getValue("passed");
    String passed =
        raw instanceof JsonArray a
            ? (a.isEmpty() ? null : String.valueOf(a.getValue(0)))
            : (String) raw;
    String reason = string(answer, "fail_reason");
    if ("T".equals(passed)) return new FaceResult(Outcome.PASSED, "passed=T", null);
    if ("F".equals(passed)) return new FaceResult(Outcome.FAILED, "passed=F", reason);
    if (passed == null || passed.isEmpty())
      return new FaceResult(Outcome.PENDING, "passed=", reason);
    throw AlipayErrors.malformed(CERTIFY_QUERY, "unknown passed value");
  }

  // ---- payments ----

  @Override
  public Future<Prepay> prepay(PrepayRequest request) {
    if (request.amountFen() <= 0) {
      return Future.failedFuture(new IllegalArgumentException("amount must be positive"));
    }
    return app(request.appId(), TRADE_CREATE)
        .compose(
            app -> {
              // user_id mode gives 2088 + 12 digits; anything else is an open_id (open_id mode,
              // §4.1).
              String buyerKey =
                  USER_ID.matcher(request.payerUserId()).matches() ? "buyer_id" : "buyer_open_id";
              JsonObject biz =
                  new JsonObject()
                      .put("out_trade_no", request.orderId())
                      .put("total_amount", AlipayWire.yuan(request.amountFen()))
                      .put("subject", request.description())
                      .put(buyerKey, request.payerUserId());
              if (request.expiresAt() != null)
                biz.put("time_expire", AlipayWire.timestamp(request.expiresAt()));
              String notifyUrl = firstNonEmpty(request.notifyUrl(), app.app().notifyUrl());
              return gateway
                  .call(
                      app,
                      GatewayCall.of(TRADE_CREATE)
                          .protocol("notify_url", notifyUrl)
                          .application("biz_content", biz.encode()))
                  .compose(
                      answer -> {
                        String tradeNo = string(answer, "trade_no");
                        if (tradeNo == null)
                          return Future.failedFuture(
                              AlipayErrors.malformed(TRADE_CREATE, "no trade_no"));
                        return Future.succeededFuture(
                            new Prepay(tradeNo, Map.of("tradeNO", tradeNo)));
                      });
            });
  }

  @Override
  public Future<PaymentEvent> queryOrder(String appId, String orderId) {
    return app(appId, TRADE_QUERY)
        .compose(
            app ->
                gateway
                    .call(
                        app,
                        GatewayCall.of(TRADE_QUERY)
                            .application(
                                "biz_content",
                                new JsonObject().put("out_trade_no", orderId).encode()),
                        Set.of(NOT_EXIST))
                    .map(
                        answer ->
                            NOT_EXIST.equals(answer.getString("sub_code"))
                                ? new PaymentEvent(
                                    Channel.ALIPAY,
                                    appId,
                                    orderId,
                                    null,
                                    PaymentStatus.NOT_FOUND,
                                    0,
                                    null,
                                    null,
                                    null)
                                : new PaymentEvent(
                                    Channel.ALIPAY,
                                    appId,
                                    orderId,
                                    string(answer, "trade_no"),
                                    status(TRADE_QUERY, string(answer, "trade_status")),
                                    amount(TRADE_QUERY, string(answer, "total_amount")),
                                    firstNonEmpty(
                                        string(answer, "buyer_user_id"),
                                        string(answer, "buyer_open_id")),
                                    AlipayWire.parseTimestamp(string(answer, "send_pay_date")),
                                    null)));
  }

  @Override
  public Future<PaymentEvent> verifyCallback(CallbackRequest request) {
    try {
      return Future.succeededFuture(verifyNotification(request));
    } catch (ChannelException e) {
      return Future.failedFuture(e);
    }
  }

  // ---- refunds ----

  /**
   * {@code alipay.trade.refund} (§8.1) keyed by {@code out_request_no}: {@code fund_change=Y} is a
   * refund done; a {@code 10000} without it (a replay of an executed request, or a refund still
   * moving) is confirmed by §8.2.
   */
  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    if (request.refundFen() <= 0
        || request.refundFen() > request.totalFen()
        || request.refundId() == null) {
      return Future.failedFuture(new IllegalArgumentException("refund lacks id or amount"));
    }
    return app(request.appId(), TRADE_REFUND)
        .compose(
            app -> {
              JsonObject biz =
                  new JsonObject()
                      .put("out_trade_no", request.orderId())
                      .put("refund_amount", AlipayWire.yuan(request.refundFen()))
                      .put("out_request_no", request.refundId());
              if (request.reason() != null) biz.put("refund_reason", request.reason());
              return gateway
                  .call(
                      app,
                      GatewayCall.of(TRADE_REFUND).application("biz_content", biz.encode()),
                      REFUND_REFUSED)
                  .compose(
                      answer -> {
                        if (answer.getString("sub_code") != null) {
                          return Future.succeededFuture(
                              new RefundResult(
                                  Channel.ALIPAY,
                                  request.appId(),
                                  request.orderId(),
                                  request.refundId(),
                                  RefundStatus.FAILED,
                                  0,
                                  null,
                                  null));
                        }
                        if ("Y".equals(string(answer, "fund_change"))) {
                          return Future.succeededFuture(
                              new RefundResult(
                                  Channel.ALIPAY,
                                  request.appId(),
                                  request.orderId(),
                                  request.refundId(),
                                  RefundStatus.SUCCESS,
                                  request.refundFen(),
                                  string(answer, "trade_no"),
                                  AlipayWire.parseTimestamp(string(answer, "gmt_refund_pay"))));
                        }
                        return queryRefund(request.appId(), request.orderId(), request.refundId())
                            .map(
                                r ->
                                    r.status() == RefundStatus.NOT_FOUND
                                        ? new RefundResult(
                                            Channel.ALIPAY,
                                            request.appId(),
                                            request.orderId(),
                                            request.refundId(),
                                            RefundStatus.PROCESSING,
                                            0,
                                            null,
                                            null)
                                        : r);
                      });
            });
  }

  /**
   * {@code alipay.trade.fastpay.refund.query} (§8.2): refund data present = refunded, absent = not
   * refunded.
   */
  @Override
  public Future<RefundResult> queryRefund(String appId, String orderId, String refundId) {
    return app(appId, REFUND_QUERY)
        .compose(
            app ->
                gateway
                    .call(
                        app,
                        GatewayCall.of(REFUND_QUERY)
                            .application(
                                "biz_content",
                                new JsonObject()
                                    .put("out_trade_no", orderId)
                                    .put("out_request_no", refundId)
                                    .encode()),
                        Set.of(NOT_EXIST))
                    .map(
                        answer -> {
                          String refunded = string(answer, "refund_amount");
                          String state = string(answer, "refund_status");
                          RefundStatus status =
                              answer.getString("sub_code") != null || refunded == null
                                  ? RefundStatus.NOT_FOUND
                                  : state == null || "REFUND_SUCCESS".equals(state)
                                      ? RefundStatus.SUCCESS
                                      : "REFUND_PROCESSING".equals(state)
                                          ? RefundStatus.PROCESSING
                                          : RefundStatus.FAILED;
                          return new RefundResult(
                              Channel.ALIPAY,
                              appId,
                              orderId,
                              refundId,
                              status,
                              refunded == null ? 0 : amount(REFUND_QUERY, refunded),
                              string(answer, "trade_no"),
                              status == RefundStatus.SUCCESS
                                  ? AlipayWire.parseTimestamp(string(answer, "gmt_refund_pay"))
                                  : null);
                        }));
  }

  /**
   * A {@code trade_status_sync} about a refund (§8.3 ⚠️: it carries {@code out_biz_no}, the
   * refund's {@code out_request_no}, and {@code refund_fee}), verified like a payment notification.
   */
  @Override
  public Future<RefundResult> verifyRefundCallback(CallbackRequest request) {
    try {
      Map<String, String> params = verifiedParams(request);
      String refundId = params.get("out_biz_no");
      String orderId = params.get("out_trade_no");
      if (refundId == null || orderId == null)
        throw AlipayErrors.malformed(NOTIFY, "not a refund notification");
      return Future.succeededFuture(
          new RefundResult(
              Channel.ALIPAY,
              params.get("app_id"),
              orderId,
              refundId,
              RefundStatus.SUCCESS,
              params.get("refund_fee") == null ? 0 : amount(NOTIFY, params.get("refund_fee")),
              params.get("trade_no"),
              AlipayWire.parseTimestamp(params.get("gmt_refund"))));
    } catch (ChannelException e) {
      return Future.failedFuture(e);
    }
  }

  private PaymentEvent verifyNotification(CallbackRequest request) {
    Map<String, String> params = verifiedParams(request);
    String appId = params.get("app_id");
    String orderId = params.get("out_trade_no");
    if (orderId == null) throw AlipayErrors.malformed(NOTIFY, "notification without out_trade_no");
    if (params.get("out_biz_no") != null) {
      // A refund's notification (§8.3): trade_status is still TRADE_SUCCESS, but it is no new
      // payment.
      return new PaymentEvent(
          Channel.ALIPAY,
          appId,
          orderId,
          params.get("trade_no"),
          PaymentStatus.REFUNDED,
          amount(NOTIFY, params.get("total_amount")),
          null,
          null,
          params.get("notify_id"));
    }
    PaymentStatus status = status(NOTIFY, params.get("trade_status"));
    return new PaymentEvent(
        Channel.ALIPAY,
        appId,
        orderId,
        params.get("trade_no"),
        status,
        amount(NOTIFY, params.get("total_amount")),
        firstNonEmpty(params.get("buyer_id"), params.get("buyer_open_id")),
        status == PaymentStatus.PAID ? AlipayWire.parseTimestamp(params.get("gmt_payment")) : null,
        params.get("notify_id"));
  }

  /** The notification's parameters once its form, app and signature are checked. */
  private Map<String, String> verifiedParams(CallbackRequest request) {
    String type =
        request.contentType() == null ? "" : request.contentType().toLowerCase(Locale.ROOT);
    if (!type.isEmpty() && !type.startsWith("application/x-www-form-urlencoded")) {
      throw AlipayErrors.malformed(NOTIFY, "notification is not form-encoded");
    }
    Map<String, String> params;
    try {
      params = AlipayWire.parseForm(request.body());
    } catch (IllegalArgumentException e) {
      throw AlipayErrors.malformed(NOTIFY, "notification body is malformed");
    }
    String appId = params.get("app_id");
    AlipayGateway.KeyedApp app = appId == null ? null : apps.get(appId);
    if (app == null) {
      throw AlipayErrors.of(
          NOTIFY, Kind.UNKNOWN_APP, Fault.INTEGRATION, null, "notification for an unknown app");
    }
    String sign = params.get("sign");
    if (sign == null || !app.verifier().verify(AlipayWire.notificationSignContent(params), sign)) {
      throw AlipayErrors.of(
          NOTIFY,
          Kind.SIGNATURE_INVALID,
          Fault.INTEGRATION,
          null,
          "notification signature does not verify");
    }
    return params;
  }

  @Override
  public CallbackReply acknowledgeReply() {
    return ACK;
  }

  @Override
  public CallbackReply rejectReply() {
    return REJECT;
  }

  // ---- subscription messages ----

  /**
   * {@code alipay.open.app.mini.templatemessage.send} (§11.3): {@code to_user_id} for a {@code
   * 2088…} user id, {@code to_open_id} otherwise; {@code data} is JSON text of {@code {keyword:
   * {value}}}.
   */
  @Override
  public Future<Void> sendSubscriptionMessage(SubscriptionMessage message) {
    return app(message.appId(), TEMPLATE_MESSAGE)
        .compose(
            app -> {
              JsonObject data = new JsonObject();
              new java.util.TreeMap<>(message.data())
                  .forEach(
                      (k, v) ->
                          data.put(
                              k,
                              new JsonObject().put("value", v == null || v.isBlank() ? "-" : v)));
              JsonObject biz =
                  new JsonObject()
                      .put(
                          USER_ID.matcher(message.recipient()).matches()
                              ? "to_user_id"
                              : "to_open_id",
                          message.recipient())
                      .put("user_template_id", message.templateId())
                      .put("data", data.encode());
              if (message.page() != null && !message.page().isEmpty())
                biz.put("page", message.page());
              // A refusal is the user's choice, not a platform or integration fault: a result for
              // breaker and metrics.
              return gateway
                  .call(
                      app,
                      GatewayCall.of(TEMPLATE_MESSAGE).application("biz_content", biz.encode()),
                      SUBSCRIPTION_REFUSED)
                  .compose(
                      answer -> {
                        String sub = answer.getString("sub_code");
                        return sub == null
                            ? Future.<Void>succeededFuture()
                            : Future.<Void>failedFuture(
                                AlipayErrors.of(
                                    TEMPLATE_MESSAGE,
                                    Kind.USER_REFUSED,
                                    Fault.CITIZEN,
                                    sub,
                                    "Alipay " + TEMPLATE_MESSAGE + " answered 40004 " + sub));
                      });
            });
  }

  // ---- helpers ----

  private Future<AlipayGateway.KeyedApp> app(String appId, String api) {
    AlipayGateway.KeyedApp app = appId == null ? null : apps.get(appId);
    return app != null
        ? Future.succeededFuture(app)
        : Future.failedFuture(
            AlipayErrors.of(
                api,
                Kind.UNKNOWN_APP,
                Fault.INTEGRATION,
                null,
                "app id is not configured for Alipay"));
  }

  private static PaymentStatus status(String api, String tradeStatus) {
    if (tradeStatus == null) throw AlipayErrors.malformed(api, "no trade_status");
    return switch (tradeStatus) {
      case "TRADE_SUCCESS", "TRADE_FINISHED" -> PaymentStatus.PAID;
      case "WAIT_BUYER_PAY" -> PaymentStatus.PENDING;
      case "TRADE_CLOSED" -> PaymentStatus.CLOSED;
      default -> throw AlipayErrors.malformed(api, "unknown trade_status " + tradeStatus);
    };
  }

  private static long amount(String api, String yuan) {
    try {
      return AlipayWire.fen(yuan);
    } catch (RuntimeException e) {
      throw AlipayErrors.malformed(api, "amount is not a yuan amount");
    }
  }

  private static String string(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v == null) return null;
    String s = String.valueOf(v);
    return s.isEmpty() ? null : s;
  }

  private static String firstNonEmpty(String a, String b) {
    return a != null && !a.isEmpty() ? a : (b != null && !b.isEmpty() ? b : null);
  }
}
