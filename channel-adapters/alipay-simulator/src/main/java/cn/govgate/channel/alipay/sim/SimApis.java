package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.sim.SimState.AuthCode;
import cn.govgate.channel.alipay.sim.SimState.Certification;
import cn.govgate.channel.alipay.sim.SimState.Order;
import cn.govgate.channel.alipay.sim.SimState.SimApp;
import cn.govgate.channel.alipay.sim.SimState.Token;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The simulated business APIs behind {@code gateway.do}, called once the protocol checks passed. */
final class SimApis {

  private final SimState state;
  private final SimKnobs knobs;
  private final Clock clock;

  SimApis(SimState state, SimKnobs knobs, Clock clock) {
    this.state = state;
    this.knobs = knobs;
    this.clock = clock;
  }

  SimReply dispatch(String method, Map<String, String> p, SimApp app) {
    JsonObject biz;
    try {
      biz = p.containsKey("biz_content") ? new JsonObject(p.get("biz_content")) : new JsonObject();
    } catch (DecodeException e) {
      return SimReply.gatewayError("40002", "Invalid Arguments", "isv.invalid-parameter", "biz_content 非法");
    }
    return switch (method) {
      case "alipay.system.oauth.token" -> oauthToken(p, app);
      case "alipay.user.info.share" -> userInfoShare(p, app);
      case "alipay.user.certify.open.initialize" -> certifyInitialize(biz, app);
      case "alipay.user.certify.open.query" -> certifyQuery(biz, app);
      case "alipay.trade.create" -> tradeCreate(biz, p, app);
      case "alipay.trade.query" -> tradeQuery(biz, app);
      default -> SimReply.gatewayError("40002", "Invalid Arguments", "isv.invalid-method", "不存在的方法名");
    };
  }

  private SimReply oauthToken(Map<String, String> p, SimApp app) {
    String grant = p.getOrDefault("grant_type", "");
    if (!grant.equals("authorization_code")) {
      return SimReply.gatewayError("40002", "Invalid Arguments", "isv.grant-type-invalid", "不支持的grantType");
    }
    AuthCode code = state.authCodes.remove(p.getOrDefault("code", ""));
    if (code == null || !code.appId().equals(app.appId()) || clock.instant().isAfter(code.expiresAt())) {
      return SimReply.gatewayError("40002", "Invalid Arguments", "isv.code-invalid", "授权码code无效");
    }
    String accessToken = "authusrB" + SimState.randomHex(16) + "X01";
    state.tokens.put(accessToken, new Token(app.appId(), code.userId()));
    JsonObject inner = new JsonObject();
    if (knobs.oauthCodeMsg) inner.put("code", "10000").put("msg", "Success");
    inner.put("access_token", accessToken)
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
      return SimReply.error(AlipayWire.responseNode("alipay.user.info.share"), "20001", "Insufficient Token Permissions",
          "aop.invalid-auth-token", "无效的访问令牌");
    }
    SimUser user = state.users.get(token.userId());
    JsonObject fields = new JsonObject();
    if (knobs.openIdMode) fields.put("open_id", openId(app.appId(), user.userId()));
    else fields.put("user_id", user.userId());
    fields.put("user_type", "2").put("user_status", "T");
    if (knobs.shareRealName) {
      fields.put("is_certified", user.certified() ? "T" : "F");
      if (user.hasIdentity()) fields.put("user_name", user.name()).put("cert_type", "0").put("cert_no", user.idNumber());
    }
    return SimReply.ok("alipay.user.info.share", fields);
  }

  private SimReply certifyInitialize(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.initialize";
    JsonObject identity = jsonField(biz, "identity_param");
    JsonObject merchant = jsonField(biz, "merchant_config");
    String outer = biz.getString("outer_order_no", "");
    if (outer.isEmpty() || !"FACE".equals(biz.getString("biz_code")) && !"SMART_FACE".equals(biz.getString("biz_code"))
        || identity == null || merchant == null) {
      return SimReply.business(method, "INVALID_PARAMETER", "参数有误");
    }
    String name = identity.getString("cert_name", "");
    String certNo = identity.getString("cert_no", "").toUpperCase(Locale.ROOT);
    if (name.isEmpty() || certNo.isEmpty() || !"IDENTITY_CARD".equals(identity.getString("cert_type"))) {
      return SimReply.business(method, "INVALID_PARAMETER", "身份信息参数有误");
    }
    String certifyId = SimState.randomHex(16);
    state.certifications.put(certifyId,
        new Certification(app.appId(), outer, name, certNo, merchant.getString("return_url")));
    return SimReply.ok(method, new JsonObject().put("certify_id", certifyId));
  }

  private SimReply certifyQuery(JsonObject biz, SimApp app) {
    String method = "alipay.user.certify.open.query";
    Certification c = state.certifications.get(biz.getString("certify_id", ""));
    if (c == null || !c.appId.equals(app.appId())) return SimReply.business(method, "CERTIFY_ID_EXPIRED", "认证已失效");
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
    return SimReply.ok(method, fields);
  }

  private SimReply tradeCreate(JsonObject biz, Map<String, String> p, SimApp app) {
    String method = "alipay.trade.create";
    String outTradeNo = biz.getString("out_trade_no", "");
    String amount = String.valueOf(biz.getValue("total_amount", ""));
    String subject = biz.getString("subject", "");
    String buyerId = biz.getString("buyer_id", biz.getString("buyer_open_id", ""));
    if (!outTradeNo.matches("[0-9A-Za-z_-]{1,64}") || subject.isEmpty() || buyerId.isEmpty() || !validAmount(amount)) {
      return SimReply.business(method, "ACQ.INVALID_PARAMETER", "参数无效");
    }
    if (!knobs.openIdMode && !state.users.containsKey(buyerId)) {
      return SimReply.business(method, "ACQ.BUYER_NOT_EXIST", "买家不存在");
    }
    String key = app.appId() + "/" + outTradeNo;
    Order existing = state.orders.get(key);
    if (existing != null) {
      if (AlipayWire.fen(existing.totalAmount) != AlipayWire.fen(amount) || !existing.buyerId.equals(buyerId)) {
        return SimReply.business(method, "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
      }
      if (existing.paidAt != null) return SimReply.business(method, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
      return SimReply.ok(method, new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", existing.tradeNo));
    }
    Instant now = clock.instant();
    String tradeNo = AlipayWire.timestamp(now).substring(0, 10).replace("-", "") + "2200" + SimState.randomDigits(16);
    state.orders.put(key, new Order(app.appId(), outTradeNo, tradeNo, AlipayWire.yuan(AlipayWire.fen(amount)), subject,
        buyerId, p.get("notify_url"), now));
    return SimReply.ok(method, new JsonObject().put("out_trade_no", outTradeNo).put("trade_no", tradeNo));
  }

  private SimReply tradeQuery(JsonObject biz, SimApp app) {
    String method = "alipay.trade.query";
    String outTradeNo = biz.getString("out_trade_no", "");
    String tradeNo = biz.getString("trade_no", "");
    Order o = state.orders.values().stream()
        .filter(x -> x.appId.equals(app.appId()) && (x.outTradeNo.equals(outTradeNo) || x.tradeNo.equals(tradeNo)))
        .findFirst().orElse(null);
    if (o == null) return SimReply.business(method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
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
    return SimReply.ok(method, fields);
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
