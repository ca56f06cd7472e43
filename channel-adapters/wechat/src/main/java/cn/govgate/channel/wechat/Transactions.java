package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Maps a WeChat Pay {@code Transaction} (§7.4) to a {@link PaymentEvent}, checking it belongs to
 * us.
 */
final class Transactions {

  private Transactions() {}

  static PaymentEvent toEvent(
      String api, JsonObject tx, Set<String> appIds, String mchId, String eventId) {
    String appId = tx.getString("appid");
    if (appId == null || !appIds.contains(appId)) {
      throw WechatErrors.integration(
          api, Kind.APP_ID_MISMATCH, "transaction appid is not one of ours");
    }
    if (!mchId.equals(tx.getString("mchid"))) {
      throw WechatErrors.integration(api, Kind.APP_ID_MISMATCH, "transaction mchid is not ours");
    }
    String orderId = tx.getString("out_trade_no");
    String state = tx.getString("trade_state");
    if (orderId == null || state == null) {
      throw WechatErrors.malformed(api, "transaction lacks out_trade_no/trade_state");
    }
    JsonObject amount = tx.getJsonObject("amount", new JsonObject());
    PaymentStatus status = status(state);
    long paid =
        amount.getLong(
            status == PaymentStatus.PAID ? "payer_total" : "total", amount.getLong("total", 0L));
    JsonObject payer = tx.getJsonObject("payer");
    return new PaymentEvent(
        Channel.WECHAT,
        appId,
        orderId,
        tx.getString("transaction_id"),
        status,
        paid,
        payer == null ? null : payer.getString("openid"),
        status == PaymentStatus.PAID ? time(api, tx.getString("success_time")) : null,
        eventId);
  }

  static PaymentStatus status(String tradeState) {
    return switch (tradeState) {
      case "SUCCESS" -> PaymentStatus.PAID;
      case "REFUND" -> PaymentStatus.REFUNDED;
      case "CLOSED", "REVOKED", "PAYERROR" -> PaymentStatus.CLOSED;
      default -> PaymentStatus.PENDING;
    };
  }

  private static Instant time(String api, String rfc3339) {
    if (rfc3339 == null) return null;
    try {
      return OffsetDateTime.parse(rfc3339).toInstant();
    } catch (DateTimeParseException e) {
      throw WechatErrors.malformed(api, "success_time is not RFC 3339");
    }
  }
}
