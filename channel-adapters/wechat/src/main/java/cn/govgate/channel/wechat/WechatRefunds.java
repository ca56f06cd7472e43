package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.RefundRequest;
import cn.govgate.channel.spi.Payments.RefundResult;
import cn.govgate.channel.spi.Payments.RefundStatus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * WeChat Pay v3 refunds (§9): {@code POST /v3/refund/domestic/refunds} (idempotent on {@code
 * out_refund_no}), the query by {@code out_refund_no}, and the encrypted {@code REFUND.*}
 * notification, verified like a payment one.
 */
final class WechatRefunds {

  private static final String REFUND = "pay_refund";
  private static final String QUERY = "pay_refund_query";
  private static final String NOTIFY = "pay_refund_notify";

  private final PayClient client;
  private final PaySignatures signatures;
  private final Set<String> appIds;

  WechatRefunds(PayClient client, PaySignatures signatures, Set<String> appIds) {
    this.client = client;
    this.signatures = signatures;
    this.appIds = appIds;
  }

  Future<RefundResult> refund(RefundRequest request) {
    if (!appIds.contains(request.appId()))
      return Future.failedFuture(WechatErrors.unknownApp(REFUND));
    if (request.refundFen() <= 0
        || request.refundFen() > request.totalFen()
        || request.refundId() == null) {
      return Future.failedFuture(
          WechatErrors.integration(REFUND, Kind.REJECTED, "refund lacks id or amount"));
    }
    JsonObject body =
        new JsonObject()
            .put("out_trade_no", request.orderId())
            .put("out_refund_no", request.refundId())
            .put(
                "amount",
                new JsonObject()
                    .put("refund", request.refundFen())
                    .put("total", request.totalFen())
                    .put("currency", "CNY"));
    if (request.reason() != null) body.put("reason", request.reason());
    if (request.notifyUrl() != null) body.put("notify_url", request.notifyUrl());
    return client.call(
        REFUND,
        HttpMethod.POST,
        "/v3/refund/domestic/refunds",
        body.encode(),
        Set.of(),
        response ->
            result(REFUND, request.appId(), requireBody(REFUND, response.body()), "status"));
  }

  Future<RefundResult> query(String appId, String orderId, String refundId) {
    if (!appIds.contains(appId)) return Future.failedFuture(WechatErrors.unknownApp(QUERY));
    return client.call(
        QUERY,
        HttpMethod.GET,
        "/v3/refund/domestic/refunds/" + WechatAdapter.enc(refundId),
        null,
        Set.of("RESOURCE_NOT_EXISTS"),
        response -> {
          if (response.body() == null) {
            return new RefundResult(
                Channel.WECHAT, appId, orderId, refundId, RefundStatus.NOT_FOUND, 0, null, null);
          }
          RefundResult r = result(QUERY, appId, response.body(), "status");
          if (!orderId.equals(r.orderId())) {
            throw WechatErrors.integration(
                QUERY, Kind.APP_ID_MISMATCH, "refund answer is about another order");
          }
          return r;
        });
  }

  Future<RefundResult> verifyCallback(CallbackRequest request) {
    try {
      return Future.succeededFuture(verifyNow(request));
    } catch (ChannelException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Future.failedFuture(
          WechatErrors.malformed(NOTIFY, "malformed callback: " + e.getClass().getSimpleName()));
    }
  }

  private RefundResult verifyNow(CallbackRequest request) {
    String body = request.body();
    if (body == null || body.isEmpty()) throw WechatErrors.malformed(NOTIFY, "empty callback body");
    if (request.contentType() != null
        && !request.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw WechatErrors.malformed(NOTIFY, "callback is not application/json");
    }
    Map<String, String> headers = new HashMap<>();
    request.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    signatures.verifyPlatformSignature(NOTIFY, headers, body);
    JsonObject envelope = new JsonObject(body);
    String eventType = envelope.getString("event_type", "");
    JsonObject resource = envelope.getJsonObject("resource");
    if (!eventType.startsWith("REFUND.") || resource == null) {
      throw WechatErrors.malformed(NOTIFY, "not a refund notification");
    }
    if (!"AEAD_AES_256_GCM".equals(resource.getString("algorithm"))) {
      throw WechatErrors.malformed(NOTIFY, "unsupported resource algorithm");
    }
    String plain;
    try {
      plain =
          WechatCrypto.decryptAesGcm(
              signatures.merchant().apiV3Key(),
              resource.getString("nonce"),
              resource.getString("associated_data", ""),
              resource.getString("ciphertext"));
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      throw WechatErrors.signature(NOTIFY, "resource does not decrypt with the APIv3 key");
    }
    JsonObject refund = new JsonObject(plain);
    String mchId = refund.getString("mchid");
    if (mchId != null && !mchId.equals(signatures.merchant().mchId())) {
      throw WechatErrors.integration(
          NOTIFY, Kind.APP_ID_MISMATCH, "refund notification for another merchant");
    }
    return result(NOTIFY, null, refund, "refund_status");
  }

  private static JsonObject requireBody(String api, JsonObject body) {
    if (body == null) throw WechatErrors.malformed(api, "refund answer without body");
    return body;
  }

  /**
   * The §9.1 {@code Refund} (field {@code status}) or §9.3 notification (field {@code
   * refund_status}).
   */
  private static RefundResult result(
      String api, String appId, JsonObject refund, String statusField) {
    String orderId = refund.getString("out_trade_no");
    String refundId = refund.getString("out_refund_no");
    String state = refund.getString(statusField);
    if (orderId == null || refundId == null || state == null) {
      throw WechatErrors.malformed(
          api, "refund lacks out_trade_no, out_refund_no or " + statusField);
    }
    RefundStatus status =
        switch (state) {
          case "SUCCESS" -> RefundStatus.SUCCESS;
          case "PROCESSING" -> RefundStatus.PROCESSING;
          case "CLOSED", "ABNORMAL" -> RefundStatus.FAILED;
          default -> throw WechatErrors.malformed(api, "unknown refund status " + state);
        };
    JsonObject amount = refund.getJsonObject("amount", new JsonObject());
    Instant at = null;
    if (status == RefundStatus.SUCCESS && refund.getString("success_time") != null) {
      try {
        at = OffsetDateTime.parse(refund.getString("success_time")).toInstant();
      } catch (DateTimeParseException e) {
        throw WechatErrors.malformed(api, "success_time is not RFC 3339");
      }
    }
    return new RefundResult(
        Channel.WECHAT,
        appId,
        orderId,
        refundId,
        status,
        amount.getLong("refund", 0L),
        refund.getString("refund_id"),
        at);
  }
}
