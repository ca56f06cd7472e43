package cn.govgate.payments;

import cn.govgate.channel.spi.Channel;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A payment order as stored.
 *
 * @param orderId the gateway order id, the channel's {@code out_trade_no}
 * @param payerIdentityKey the channel identity that ordered (the only one who may read it)
 * @param citizenKey the payer's citizen key, null for an unbound payer of a household bill
 * @param requestHash what the order was for, to tell a repeated request from a different one with
 *     the same key
 * @param payerIndex blind index of the payer's channel user id
 * @param billRef the decision number or the utility bill reference
 * @param department the department that confirmed the bill
 * @param status pending, paid, delivered, closed or needs_review
 * @param statusReason why an order was closed or needs review, null otherwise
 * @param clientParams what the mini-program needs to pay, null until the channel prepay succeeded
 */
record PaymentOrder(
    String orderId,
    String payerIdentityKey,
    String citizenKey,
    String requestHash,
    Channel channel,
    String appId,
    String payerIndex,
    BillType billType,
    String region,
    String billRef,
    String department,
    long amountFen,
    String description,
    String status,
    String statusReason,
    JsonObject clientParams,
    String channelTradeNo,
    Long paidAmountFen,
    Instant paidAt,
    String receiptNo,
    Instant deliveredAt,
    Instant createdAt,
    Instant expiresAt) {

  static final String PENDING = "pending";
  static final String PAID = "paid";
  static final String DELIVERED = "delivered";
  static final String CLOSED = "closed";
  static final String NEEDS_REVIEW = "needs_review";

  /** The order as the payer sees it (contract schema {@code Payment}). */
  JsonObject toJson() {
    JsonObject out =
        new JsonObject()
            .put("orderId", orderId)
            .put("billType", billType.wireName())
            .put("region", region)
            .put(billType == BillType.TRAFFIC_FINE ? "decisionNumber" : "billRef", billRef)
            .put("amountFen", amountFen)
            .put("status", status)
            .put("channel", channel.wireName())
            .put("createdAt", createdAt.toString())
            .put("expiresAt", expiresAt.toString());
    if (statusReason != null) out.put("statusReason", statusReason);
    if (PENDING.equals(status) && clientParams != null)
      out.put("clientParams", clientParams.copy());
    if (paidAt != null) out.put("paidAt", paidAt.toString());
    if (receiptNo != null) {
      out.put(
          "receipt",
          new JsonObject()
              .put("receiptNo", receiptNo)
              .put("department", department)
              .put("deliveredAt", deliveredAt.toString()));
    }
    return out;
  }
}
