package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.sim.SimState.AuthCode;
import cn.govgate.channel.alipay.sim.SimState.Certification;
import cn.govgate.channel.alipay.sim.SimState.Order;
import cn.govgate.channel.alipay.sim.SimState.SimApp;
import cn.govgate.channel.alipay.sim.SimState.Token;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The simulated business APIs behind {@code gateway.do}, called once the protocol checks passed.
 */
final class SimApis {

  private final SimState state;
  private final SimKnobs knobs;
  private final Clock clock;
  private final SimNotifier notifier;
  private final Vertx vertx;

  SimApis(SimState state, SimKnobs knobs, Clock clock, SimNotifier notifier, Vertx vertx) {
    this.state = state;
    this.knobs = knobs;
    this.clock = clock;
    this.notifier = notifier;
    this.vertx = vertx;
  }

  SimReply dispatch(String method, Map<String, String> p, SimApp app) {
    JsonObject biz;
    try {
      biz = p.containsKey("biz_content") ? new JsonObject(p.get("biz_content")) : new JsonObject();
    } catch (DecodeException e) {
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.invalid-parameter", "biz_content 非法");
    }
    return switch (method) {
      case "alipay.system.oauth.token" -> oauthToken(p, app);
      case "alipay.user.info.share" -> userInfoShare(p, app);
      case "alipay.user.certify.open.initialize" -> certifyInitialize(biz, app);
      case "alipay.user.certify.open.query" -> certifyQuery(biz, app);
      case "alipay.trade.create" -> tradeCreate(biz, p, app);
      case "alipay.trade.query" -> tradeQuery(biz, app);
      case "alipay.trade.refund" -> tradeRefund(biz, app);
      case "alipay.trade.fastpay.refund.query" -> refundQuery(biz, app);
      case "alipay.open.app.mini.templatemessage.send" -> templateMessage(p, app);
      default ->
          SimReply.gatewayError("40002", "Invalid Arguments", "isv.invalid-method", "不存在的方法名");
    };
  }

  private SimReply oauthToken(Map<String, String> p, SimApp app) {
    String grant = p.getOrDefault("grant_type", "");
    if (!grant.equals("authorization_code")) {
      return SimReply.gatewayError(
          "40002", "Invalid Arguments", "isv.grant-type-invalid", "不支持的grantType");
    }
    AuthCode code = state.authCodes.remove(p.getOrDefault("code", ""));
    if (code == null
        || !code.appId().equals(app.appId())
        || clock.instant().isAfter(code.expiresAt())) {
      return SimReply.gatewayError("40002", "Invalid Arguments", "isv.code-invalid", "授权码code无效");
    }
    String accessToken = "authusrB" + SimState.randomHex(16) + "X01";
    state.tokens.put(accessToken, new Token(app.appId(), code.userId()));
    JsonObject inner = new JsonObject();
    if (knobs.oauthCodeMsg) inner.put("code", "10000").put("msg", "Success");
    inner
        .put("access_token", accessToken)
        .put("auth_start", AlipayWire.timestamp(clock.instant()))
        .put("expires_in", 1296000)
        .put("re_expires_in", 2592000)
        .put("refresh_token", "authusrB" + SimState.randomHex(16) + "X01");
    if (knobs.openIdMode) inner.put("open_id", openId(app.appId(), code.userId()));
    else inner.put("user_id", code.userId());
    return new SimReply(AlipayWire.responseNode("alipay.system.oauth.token"), inner);
  }

  private SimReply userInfoShare(Map<String, String> p, SimApp app) {
    Token token = state.tokens.get(p.getOrDefault("auth_token", ""));
    if (token == null || !token.appId().equals(app.appId())) {
      return SimReply.error(
          AlipayWire.responseNode("alipay.user.info.share"),
          "20001",
          "Insufficient Token Permissions",
          "aop.invalid-auth-token",
          "无效的访问令牌");
    }
    SimUser user = state.users.get(token.userId());
    JsonObject fields = new JsonObject();
    if (knobs.openIdMode) fields.put("open_id", openId(app.appId(), user.userId()));
    else fields.put("user_id", user.userId());
    fields.put("user_type", "2").put("user_status", "T");
    if (knobs.shareRealName) {
      fields.put("is_certified", user.certified() ? "T" : "F");
      if (user.hasIdentity())
        fields.put("user_name", user.name()).put("cert_type", "0").put("cert_no", user.idNumber());
    }
    return SimReply.ok("alipay.user.info.share", fields);
  }

  private SimReply certifyInitialize(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.initialize";
    JsonObject identity = jsonField(biz, "identity_param");
    JsonObject merchant = jsonField(biz, "merchant_config");
    String outer = biz.getString("outer_order_no", "");
    if (outer.isEmpty()
        || !"FACE".equals(biz.getString("biz_code"))
            && !"SMART_FACE".equals(biz.getString("biz_code"))
        || identity == null
        || merchant == null) {
      return SimReply.business(method, "INVALID_PARAMETER", "参数有误");
    }
    String name = identity.getString("cert_name", "");
    String certNo = identity.getString("cert_no", "").toUpperCase(Locale.ROOT);
    if (name.isEmpty()
        || certNo.isEmpty()
        || !"IDENTITY_CARD".equals(identity.getString("cert_type"))) {
      return SimReply.business(method, "INVALID_PARAMETER", "身份信息参数有误");
    }
    String certifyId = SimState.randomHex(16);
    state.certifications.put(
        certifyId,
        new Certification(app.appId(), outer, name, certNo, merchant.getString("return_url")));
    return SimReply.ok(method, new JsonObject().put("certify_id", certifyId));
  }

  private SimReply certifyQuery(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.query";
    Certification c = state.certifications.get(biz.getString("certify_id", ""));
    if (c == null || !c.appId.equals(app.appId()))
      return SimReply.business(method, "CERTIFY_ID_EXPIRED", "认证已失效");
    JsonObject fields = new JsonObject();
    Boolean passed = c.passed;
    String value =
        passed == null
            ? (knobs.pendingEncoding == SimKnobs.PendingEncoding.F ? "F" : null)
            : (passed ? "T" : "F");
    if (value != null) {
      fields.put(
          "passed",
          knobs.passedEncoding == SimKnobs.PassedEncoding.ARRAY
              ? new JsonArray().add(value)
              : value);
    }
    fields.put(
        "identity_info",
        knobs.identityInfoPopulated
            ? new JsonObject().put("cert_name", c.certName).put("cert_no", c.certNo).encode()
            : "{}");
    fields.put("material_info", "{}");
    if (Boolean.FALSE.equals(passed)) fields.put("fail_reason", "Z1147");
    return SimReply.ok(method, fields);
  }

  private SimReply tradeCreate(JsonObject biz, Map<String, String> p, SimApp app) {
    String method = "alipay.trade.create";
    String outTradeNo = biz.getString("out_trade_no", "");
    String amount = String.valueOf(biz.getValue("total_amount", ""));
    String subject = biz.getString("subject", "");
    String buyerId = biz.getString("buyer_id", biz.getString("buyer_open_id", ""));
    if (!outTradeNo.matches("[0-9A-Za-z_-]{1,64}")
        || subject.isEmpty()
        || buyerId.isEmpty()
        || !validAmount(amount)) {
      return SimReply.business(method, "ACQ.INVALID_PARAMETER", "参数无效");
    }
    if (!knobs.openIdMode && !state.users.containsKey(buyerId)) {
      return SimReply.business(method, "ACQ.BUYER_NOT_EXIST", "买家不存在");
    }
    String key = app.appId() + "/" + outTradeNo;
    Order existing = state.orders.get(key);
    if (existing != null) {
      if (AlipayWire.fen(existing.totalAmount) != AlipayWire.fen(amount)
          || !existing.buyerId.equals(buyerId)) {
        return SimReply.business(method, "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
      }
      if (existing.paidAt != null)
        return SimReply.business(method, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
      return SimReply.ok(
          method,
          new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", existing.tradeNo));
    }
    Instant now = clock.instant();
    String tradeNo =
        AlipayWire.timestamp(now).substring(0, 10).replace("-", "")
            + "2200"
            + SimState.randomDigits(16);
    state.orders.put(
        key,
        new Order(
            app.appId(),
            outTradeNo,
            tradeNo,
            AlipayWire.yuan(AlipayWire.fen(amount)),
            subject,
            buyerId,
            p.get("notify_url"),
            now));
    return SimReply.ok(
        method, new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", tradeNo));
  }

  private SimReply tradeQuery(JsonObject biz, SimApp app) {
    String method = "alipay.trade.query";
    String outTradeNo = biz.getString("out_trade_no", "");
    String tradeNo = biz.getString("trade_no", "");
    Order o =
        state.orders.values().stream()
            .filter(
                x ->
                    x.appId.equals(app.appId())
                        && (x.outTradeNo.equals(outTradeNo) || x.tradeNo.equals(tradeNo)))
            .findFirst()
            .orElse(null);
    if (o == null) return SimReply.business(method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
    JsonObject fields =
        new JsonObject()
            .put("trade_no", o.tradeNo)
            .put("out_trade_no", o.outTradeNo)
            .put("buyer_logon_id", "use***@example.com")
            .put("trade_status", o.status)
            .put("total_amount", o.totalAmount)
            .put(knobs.openIdMode ? "buyer_open_id" : "buyer_user_id", o.buyerId);
    if (o.paidAt != null) {
      fields
          .put("buyer_pay_amount", o.totalAmount)
          .put("receipt_amount", o.totalAmount)
          .put("send_pay_date", AlipayWire.timestamp(o.paidAt));
    }
    return SimReply.ok(method, fields);
  }

  private Order trade(JsonObject biz, SimApp app) {
    String outTradeNo = biz.getString("out_trade_no", "");
    String tradeNo = biz.getString("trade_no", "");
    return state.orders.values().stream()
        .filter(
            x ->
                x.appId.equals(app.appId())
                    && (x.outTradeNo.equals(outTradeNo) || x.tradeNo.equals(tradeNo)))
        .findFirst()
        .orElse(null);
  }

  /**
   * §8.1: a paid trade is refunded once per {@code out_request_no} (a replay with the same amount
   * answers {@code fund_change=N}, another amount {@code ACQ.DISCORDANT_REPEAT_REQUEST}); refunds
   * never exceed the total; a trade refunded in full is {@code TRADE_CLOSED}. A refund done is
   * notified (§8.3) unless the {@code refundNotifications} knob is off. With the {@code
   * refundsProcessing} knob a new refund is only accepted ({@code fund_change=N}) and done when
   * {@link #settleRefund} settles it.
   */
  private SimReply tradeRefund(JsonObject biz, SimApp app) {
    String method = "alipay.trade.refund";
    String amount = String.valueOf(biz.getValue("refund_amount", ""));
    if (!validAmount(amount)) return SimReply.business(method, "ACQ.INVALID_PARAMETER", "参数无效");
    Order o = trade(biz, app);
    if (o == null) return SimReply.business(method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
    long fen = AlipayWire.fen(amount);
    long total = AlipayWire.fen(o.totalAmount);
    synchronized (o) {
      if (o.paidAt == null) return SimReply.business(method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
      String requestNo = biz.getString("out_request_no", o.outTradeNo);
      long refunded = o.refunds.values().stream().mapToLong(Long::longValue).sum();
      long processing = o.refundsProcessing.values().stream().mapToLong(Long::longValue).sum();
      Long earlier = o.refunds.get(requestNo);
      if (earlier == null) earlier = o.refundsProcessing.get(requestNo);
      boolean replay = earlier != null;
      if (replay && earlier != fen) {
        return SimReply.business(method, "ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致");
      }
      if (!replay) {
        if (!biz.containsKey("out_request_no") && fen != total) {
          return SimReply.business(method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
        }
        if (refunded + processing + fen > total) {
          return SimReply.business(method, "ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效");
        }
        if (knobs.refundsProcessing) {
          o.refundsProcessing.put(requestNo, fen);
          return processingAnswer(method, o, refunded);
        }
        o.refunds.put(requestNo, fen);
        o.refundedAt = clock.instant();
        refunded += fen;
        if (refunded == total) o.status = "TRADE_CLOSED";
        if (knobs.refundNotifications) {
          Map<String, String> n = notifier.refundNotification(o, requestNo, refunded, o.refundedAt);
          vertx.runOnContext(v -> notifier.deliverRefund(o, requestNo, n));
        }
      } else if (o.refundsProcessing.containsKey(requestNo)) {
        return processingAnswer(method, o, refunded);
      }
      return SimReply.ok(
          method,
          new JsonObject()
              .put("trade_no", o.tradeNo)
              .put("out_trade_no", o.outTradeNo)
              .put("buyer_logon_id", "use***@example.com")
              .put("fund_change", replay ? "N" : "Y")
              .put("refund_fee", AlipayWire.yuan(refunded))
              .put("gmt_refund_pay", AlipayWire.timestamp(o.refundedAt)));
    }
  }

  /**
   * §8.1 for a refund accepted but not done: {@code 10000}, {@code fund_change=N}, {@code
   * refund_fee} the trade's refunded total so far, no {@code gmt_refund_pay}.
   */
  private static SimReply processingAnswer(String method, Order o, long refundedFen) {
    return SimReply.ok(
        method,
        new JsonObject()
            .put("trade_no", o.tradeNo)
            .put("out_trade_no", o.outTradeNo)
            .put("buyer_logon_id", "use***@example.com")
            .put("fund_change", "N")
            .put("refund_fee", AlipayWire.yuan(refundedFen)));
  }

  /**
   * Does a refund accepted as processing: it is refunded now (the trade {@code TRADE_CLOSED} once
   * refunded in full) and notified (§8.3) unless the {@code refundNotifications} knob is off.
   * Answers false when no such refund is processing.
   */
  boolean settleRefund(Order o, String requestNo) {
    synchronized (o) {
      Long fen = o.refundsProcessing.remove(requestNo);
      if (fen == null) return false;
      o.refunds.put(requestNo, fen);
      o.refundedAt = clock.instant();
      long refunded = o.refunds.values().stream().mapToLong(Long::longValue).sum();
      if (refunded == AlipayWire.fen(o.totalAmount)) o.status = "TRADE_CLOSED";
      if (knobs.refundNotifications) {
        Map<String, String> n = notifier.refundNotification(o, requestNo, refunded, o.refundedAt);
        vertx.runOnContext(v -> notifier.deliverRefund(o, requestNo, n));
      }
      return true;
    }
  }

  /**
   * §8.2: refund data present when the refund happened ({@code REFUND_SUCCESS}) or is still
   * processing ({@code REFUND_PROCESSING}), absent otherwise.
   */
  private SimReply refundQuery(JsonObject biz, SimApp app) {
    String method = "alipay.trade.fastpay.refund.query";
    Order o = trade(biz, app);
    if (o == null) return SimReply.business(method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
    o.refundQueries.incrementAndGet();
    String requestNo = biz.getString("out_request_no", "");
    if (requestNo.isEmpty()) return SimReply.business(method, "ACQ.INVALID_PARAMETER", "参数无效");
    JsonObject fields =
        new JsonObject()
            .put("trade_no", o.tradeNo)
            .put("out_trade_no", o.outTradeNo)
            .put("out_request_no", requestNo);
    synchronized (o) {
      Long fen = o.refunds.get(requestNo);
      if (fen != null) {
        fields
            .put("total_amount", o.totalAmount)
            .put("refund_amount", AlipayWire.yuan(fen))
            .put("refund_status", "REFUND_SUCCESS")
            .put("gmt_refund_pay", AlipayWire.timestamp(o.refundedAt));
      } else if (o.refundsProcessing.containsKey(requestNo)) {
        fields
            .put("total_amount", o.totalAmount)
            .put("refund_amount", AlipayWire.yuan(o.refundsProcessing.get(requestNo)))
            .put("refund_status", "REFUND_PROCESSING");
      }
    }
    return SimReply.ok(method, fields);
  }

  /**
   * §11.3: the recipient must be a user, the template one of the app's, {@code data} (JSON text, or
   * an object) must hold exactly the template's keywords with non-empty values, and the user must
   * hold a grant; each accepted one-time send spends one.
   */
  private SimReply templateMessage(Map<String, String> p, SimApp app) {
    String method = "alipay.open.app.mini.templatemessage.send";
    JsonObject biz;
    try {
      biz = new JsonObject(p.getOrDefault("biz_content", "{}"));
    } catch (DecodeException e) {
      return SimReply.business(method, "INVALID_PARAMETER", "参数有误");
    }
    String recipient = biz.getString("to_user_id", biz.getString("to_open_id", ""));
    if (recipient.isEmpty()
        || biz.containsKey("to_user_id") && !state.users.containsKey(recipient)) {
      return SimReply.business(method, "USER_NOT_EXIST", "用户不存在");
    }
    SimState.Template template =
        state.templates.get(app.appId() + "/" + biz.getString("user_template_id", ""));
    if (template == null) return SimReply.business(method, "TEMPLATE_NOT_EXIST", "模板不存在");
    JsonObject data = jsonField(biz, "data");
    if (data == null
        || !data.fieldNames().equals(new java.util.HashSet<>(template.keywords()))
        || data.stream()
            .anyMatch(
                e ->
                    !(e.getValue() instanceof JsonObject v)
                        || !(v.getValue("value") instanceof String s)
                        || s.isEmpty())) {
      return SimReply.business(method, "INVALID_PARAMETER", "消息内容与模板不符");
    }
    if (!state.spendGrant(
        app.appId() + "/" + recipient + "/" + template.templateId(), template.longTerm())) {
      return SimReply.business(method, knobs.subscriptionRefusedSubCode, "用户未订阅该消息");
    }
    state.delivered.add(
        new SimSubscriptionMessage(
            app.appId(),
            recipient,
            template.templateId(),
            biz.getString("page"),
            data.copy(),
            clock.instant()));
    return SimReply.ok(method, new JsonObject());
  }

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
}
