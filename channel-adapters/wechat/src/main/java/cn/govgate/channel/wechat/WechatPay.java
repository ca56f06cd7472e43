package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.Prepay;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * WeChat Pay v3 for mini-programs (§7.3, §7.4): JSAPI prepay with paySign, order query, callback
 * verification.
 */
final class WechatPay {

  private static final String NOTIFY = "pay_notify";

  private final PayClient client;
  private final PaySignatures signatures;
  private final Set<String> appIds;
  private final Clock clock;

  WechatPay(PayClient client, PaySignatures signatures, Set<String> appIds, Clock clock) {
    this.client = client;
    this.signatures = signatures;
    this.appIds = appIds;
    this.clock = clock;
  }

  private String mchId() {
    return signatures.merchant().mchId();
  }

  Future<Prepay> prepay(PrepayRequest request, String defaultNotifyUrl) {
    String api = "pay_jsapi";
    if (!appIds.contains(request.appId())) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (request.orderId() == null || request.payerUserId() == null || request.amountFen() <= 0) {
      return Future.failedFuture(
          WechatErrors.integration(api, Kind.REJECTED, "prepay lacks order, payer or amount"));
    }
    JsonObject body =
        new JsonObject()
            .put("appid", request.appId())
            .put("mchid", mchId())
            .put("description", request.description())
            .put("out_trade_no", request.orderId())
            .put("notify_url", request.notifyUrl() != null ? request.notifyUrl() : defaultNotifyUrl)
            .put(
                "amount", new JsonObject().put("total", request.amountFen()).put("currency", "CNY"))
            .put("payer", new JsonObject().put("openid", request.payerUserId()));
    if (request.expiresAt() != null)
      body.put("time_expire", WechatAdapter.rfc3339(request.expiresAt()));
    return client.call(
        api,
        HttpMethod.POST,
        "/v3/pay/transactions/jsapi",
        body.encode(),
        Set.of(),
        response -> {
          String prepayId = response.body() == null ? null : response.body().getString("prepay_id");
          if (prepayId == null || prepayId.isEmpty())
            throw WechatErrors.malformed(api, "prepay answer lacks prepay_id");
          return new Prepay(prepayId, requestPaymentParams(request.appId(), prepayId));
        });
  }

  /** The {@code wx.requestPayment} parameters (§7.3), signed with the merchant key. */
  private Map<String, String> requestPaymentParams(String appId, String prepayId) {
    String timeStamp = Long.toString(clock.instant().getEpochSecond());
    String nonceStr = WechatCrypto.nonce(32);
    String pkg = "prepay_id=" + prepayId;
    String paySign =
        signatures.signWithMerchantKey(
            WechatCrypto.paySignMessage(appId, timeStamp, nonceStr, pkg));
    return WechatAdapter.params(
        "appId",
        appId,
        "timeStamp",
        timeStamp,
        "nonceStr",
        nonceStr,
        "package",
        pkg,
        "signType",
        "RSA",
        "paySign",
        paySign);
  }

  Future<PaymentEvent> queryOrder(String appId, String orderId) {
    String api = "pay_query";
    if (!appIds.contains(appId)) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (orderId == null)
      return Future.failedFuture(WechatErrors.integration(api, Kind.REJECTED, "no order id"));
    String url =
        "/v3/pay/transactions/out-trade-no/"
            + WechatAdapter.enc(orderId)
            + "?mchid="
            + WechatAdapter.enc(mchId());
    return client.call(
        api,
        HttpMethod.GET,
        url,
        null,
        Set.of("ORDER_NOT_EXIST"),
        response -> {
          if (response.body() == null) {
            return new PaymentEvent(
                Channel.WECHAT, appId, orderId, null, PaymentStatus.NOT_FOUND, 0, null, null, null);
          }
          PaymentEvent event = Transactions.toEvent(api, response.body(), appIds, mchId(), null);
          if (!event.orderId().equals(orderId) || !event.appId().equals(appId)) {
            throw WechatErrors.integration(
                api, Kind.APP_ID_MISMATCH, "answer is about another order or app");
          }
          return event;
        });
  }

  /**
   * Verifies the raw callback (signature by serial, 5-minute window), decrypts and maps it; never
   * re-serializes.
   */
  Future<PaymentEvent> verifyCallback(CallbackRequest request) {
    try {
      return Future.succeededFuture(verifyNow(request));
    } catch (ChannelException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      // Whatever else a hostile body provokes (wrong JSON types, missing fields) is a malformed
      // callback.
      return Future.failedFuture(
          WechatErrors.malformed(NOTIFY, "malformed callback: " + e.getClass().getSimpleName()));
    }
  }

  private PaymentEvent verifyNow(CallbackRequest request) {
    String body = request.body();
    if (body == null || body.isEmpty()) throw WechatErrors.malformed(NOTIFY, "empty callback body");
    if (request.contentType() != null
        && !request.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw WechatErrors.malformed(NOTIFY, "callback is not application/json");
    }
    Map<String, String> headers = new HashMap<>();
    request.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    String signatureType = headers.get("wechatpay-signature-type");
    if (signatureType != null && !PaySignatures.SCHEMA.equals(signatureType)) {
      throw WechatErrors.signature(NOTIFY, "unsupported Wechatpay-Signature-Type");
    }
    signatures.verifyPlatformSignature(NOTIFY, headers, body);
    JsonObject envelope;
    try {
      envelope = new JsonObject(body);
    } catch (RuntimeException e) {
      throw WechatErrors.malformed(NOTIFY, "callback body is not a JSON object");
    }
    String eventId = envelope.getString("id");
    JsonObject resource = envelope.getJsonObject("resource");
    if (eventId == null || resource == null)
      throw WechatErrors.malformed(NOTIFY, "callback lacks id or resource");
    if (!"AEAD_AES_256_GCM".equals(resource.getString("algorithm"))) {
      throw WechatErrors.malformed(NOTIFY, "unsupported resource algorithm");
    }
    return Transactions.toEvent(
        NOTIFY, new JsonObject(decrypt(resource)), appIds, mchId(), eventId);
  }

  private String decrypt(JsonObject resource) {
    String nonce = resource.getString("nonce");
    String ciphertext = resource.getString("ciphertext");
    if (nonce == null || ciphertext == null)
      throw WechatErrors.malformed(NOTIFY, "resource lacks nonce/ciphertext");
    try {
      return WechatCrypto.decryptAesGcm(
          signatures.merchant().apiV3Key(),
          nonce,
          resource.getString("associated_data", ""),
          ciphertext);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw WechatErrors.signature(NOTIFY, "resource does not decrypt with the APIv3 key");
    }
  }
}
