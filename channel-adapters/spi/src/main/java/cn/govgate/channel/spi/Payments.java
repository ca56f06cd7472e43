package cn.govgate.channel.spi;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.Map;

/**
 * Channel payments: prepay, signed callbacks and order queries. Amounts are in fen (1/100 yuan).
 */
public interface Payments {

  /**
   * Creates the channel order for a gateway order and returns what the mini-program needs to pay.
   */
  Future<Prepay> prepay(PrepayRequest request);

  /**
   * Verifies a payment callback exactly as the channel signed it (signature, time window, app id)
   * and, for WeChat, decrypts it. Fails with a {@link ChannelException} of fault {@link
   * ChannelException.Fault#INTEGRATION} when the signature or content is not acceptable; the caller
   * then answers {@link #refuseReply()}.
   */
  Future<PaymentEvent> verifyCallback(CallbackRequest request);

  /** The exact reply the channel expects once a callback has been durably handled. */
  CallbackReply acknowledgeReply();

  /**
   * A reply that makes the channel retry the callback later: ours was the failure (database,
   * department).
   */
  CallbackReply rejectReply();

  /**
   * The reply to a callback that did not verify (signature, time window, format): the sender's
   * fault, so never a 5xx status; a genuine channel retries it as after {@link #rejectReply()}.
   * Defaults to {@link #rejectReply()}.
   */
  default CallbackReply refuseReply() {
    return rejectReply();
  }

  /** Asks the channel for the current state of an order (used by reconciliation). */
  Future<PaymentEvent> queryOrder(String appId, String orderId);

  /**
   * Refunds a paid order (Alipay {@code alipay.trade.refund} §8.1, WeChat Pay {@code
   * /v3/refund/domestic/refunds} §9.1). Idempotent on {@link RefundRequest#refundId()}: the channel
   * refunds one refund id once, so a retry after a timeout must use the same id. A refund the
   * channel accepted but has not finished is {@link RefundStatus#PROCESSING}; its end comes from
   * {@link #queryRefund} or a refund notification.
   */
  Future<RefundResult> refund(RefundRequest request);

  /**
   * The state of a refund at the channel (§8.2, §9.2); {@link RefundStatus#NOT_FOUND} when it never
   * arrived.
   */
  Future<RefundResult> queryRefund(String appId, String orderId, String refundId);

  /**
   * Verifies a refund notification exactly as the channel signed it (WeChat Pay {@code REFUND.*}
   * §9.3, Alipay's {@code trade_status_sync} with {@code out_biz_no} §8.3); fails like {@link
   * #verifyCallback} when it is not one.
   */
  Future<RefundResult> verifyRefundCallback(CallbackRequest request);

  /**
   * @param appId the app the order was paid in
   * @param orderId the paid order ({@code out_trade_no})
   * @param refundId the refund's own id ({@code out_request_no} / {@code out_refund_no}), ≤ 64
   *     characters
   * @param refundFen the amount to refund, in fen, &gt; 0 and ≤ {@code totalFen}
   * @param totalFen what the payer paid for the order, in fen
   * @param reason shown to the payer, may be null
   * @param notifyUrl where the channel sends the refund notification (WeChat Pay), may be null
   */
  record RefundRequest(
      String appId,
      String orderId,
      String refundId,
      long refundFen,
      long totalFen,
      String reason,
      String notifyUrl) {}

  /** Where a refund stands at the channel. */
  enum RefundStatus {
    /** The money went back. */
    SUCCESS,
    /** Accepted, not finished yet. */
    PROCESSING,
    /** The channel gave up (WeChat {@code CLOSED}/{@code ABNORMAL}, Alipay {@code REFUND_FAIL}). */
    FAILED,
    /** The channel has no such refund. */
    NOT_FOUND
  }

  /**
   * A verified statement about a refund.
   *
   * @param channelRefundRef the channel's refund id (WeChat {@code refund_id}; Alipay {@code
   *     trade_no}), may be null
   * @param refundedAt when the money went back, null unless {@link RefundStatus#SUCCESS}
   */
  record RefundResult(
      Channel channel,
      String appId,
      String orderId,
      String refundId,
      RefundStatus status,
      long refundFen,
      String channelRefundRef,
      Instant refundedAt) {}

  /**
   * @param appId the app the payer logged in with
   * @param payerUserId the channel user key of the payer
   * @param orderId the gateway's order number ({@code out_trade_no}), unique, ≤ 32 characters
   * @param amountFen amount in fen, &gt; 0
   * @param description what is paid, shown to the citizen
   * @param notifyUrl where the channel sends its callback (HTTPS in production)
   * @param expiresAt when the order stops being payable, may be null
   */
  record PrepayRequest(
      String appId,
      String payerUserId,
      String orderId,
      long amountFen,
      String description,
      String notifyUrl,
      Instant expiresAt) {}

  /**
   * @param channelOrderRef the channel's reference (Alipay {@code trade_no}, WeChat {@code
   *     prepay_id})
   * @param clientParams what the mini-program passes to {@code my.tradePay} / {@code
   *     wx.requestPayment}
   */
  record Prepay(String channelOrderRef, Map<String, String> clientParams) {}

  /**
   * An incoming callback as received: the raw body, never re-serialized.
   *
   * @param headers request headers, names in lower case
   * @param contentType the request content type, may be null
   * @param body the raw body
   */
  record CallbackRequest(Map<String, String> headers, String contentType, String body) {}

  /** A reply to a callback: status, content type and body. */
  record CallbackReply(int status, String contentType, String body) {}

  /** Order state as the channel reports it. */
  enum PaymentStatus {
    /** Paid in full. */
    PAID,
    /** Not paid yet (created, waiting, user paying). */
    PENDING,
    /** Closed or cancelled without payment. */
    CLOSED,
    /** Paid, then (partly) refunded. */
    REFUNDED,
    /** The channel does not know the order. */
    NOT_FOUND
  }

  /**
   * A verified statement from the channel about an order.
   *
   * @param channel the channel
   * @param appId the app id the order belongs to
   * @param orderId the gateway's order number
   * @param channelTradeNo the channel's transaction number, null while not paid
   * @param status the state
   * @param amountFen the amount the payer paid (or the order total when not paid), in fen
   * @param payerUserId the channel user key of the payer, null if the channel does not say
   * @param paidAt when it was paid, null when not paid
   * @param eventId the channel's notification id (for de-duplication), null for a query
   */
  record PaymentEvent(
      Channel channel,
      String appId,
      String orderId,
      String channelTradeNo,
      PaymentStatus status,
      long amountFen,
      String payerUserId,
      Instant paidAt,
      String eventId) {}
}
