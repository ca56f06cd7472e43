package cn.govgate.payments;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.identity.PersonalDataCipher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path by which a channel's word that an order was paid changes the order, whether it came
 * as a callback or from the reconciler: one transaction, the order locked, marked paid at most
 * once, the outbox row written with it. Outcomes (metric {@code govgate.payments{channel, outcome}}
 * and the audit log):
 *
 * <ul>
 *   <li>{@code paid}: the order was pending and amount, app and payer match — paid, delivery
 *       queued;
 *   <li>{@code duplicate}: the same trade told again — nothing changes;
 *   <li>{@code amount_mismatch}, {@code payer_mismatch}, {@code paid_after_close}: money arrived
 *       that does not fit the order — the order goes to {@code needs_review}, nothing is delivered
 *       to the department, the channel is acknowledged (retrying would not change the facts; the
 *       event is durably kept for the refund);
 *   <li>{@code second_payment}: another trade for an order already paid — kept for review (refund);
 *   <li>{@code unknown_order}, {@code app_mismatch}: kept and acknowledged, nothing changes.
 * </ul>
 */
final class PaymentEvents {
  private static final Logger log = LoggerFactory.getLogger(PaymentEvents.class);
  static final String PAYER_PURPOSE = "payment_orders.payer";

  private final PaymentStore store;
  private final PersonalDataCipher cipher;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;

  PaymentEvents(
      PaymentStore store,
      PersonalDataCipher cipher,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.store = store;
    this.cipher = cipher;
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
  }

  /** The blind index under which a payer's channel user id is kept with the order. */
  String payerIndex(String channelUserId) {
    return cipher.blindIndex(PAYER_PURPOSE, channelUserId);
  }

  /** Applies a verified PAID statement; completes once it is durably recorded, with the outcome. */
  Future<String> applyPaid(PaymentEvent event, String source, String requestId) {
    List<String> payerIndexes =
        event.payerUserId() == null
            ? null
            : cipher.blindIndexes(PAYER_PURPOSE, event.payerUserId());
    return store
        .applyPaid(event, source, payerIndexes, clock.instant())
        .map(
            applied -> {
              String outcome = applied.outcome();
              count(event.channel().wireName(), outcome);
              PaymentOrder o = applied.before();
              JsonObject details =
                  new JsonObject()
                      .put("orderId", event.orderId())
                      .put("source", source)
                      .put("outcome", outcome)
                      .put("amountFen", event.amountFen());
              if (o != null)
                details.put("billType", o.billType().wireName()).put("region", o.region());
              boolean fits = outcome.equals("paid") || outcome.equals("duplicate");
              audit.record(
                  fits
                      ? AuditEvent.success(
                          "channel",
                          event.channel().wireName(),
                          "payment.paid",
                          o == null ? null : o.citizenKey(),
                          requestId,
                          details)
                      : AuditEvent.failure(
                          "channel",
                          event.channel().wireName(),
                          "payment.paid",
                          o == null ? null : o.citizenKey(),
                          requestId,
                          details));
              if (!fits) log.warn("payment {} from {}: {}", event.orderId(), source, outcome);
              return outcome;
            });
  }

  /** Counts one outcome of the payment flow for a channel. */
  void count(String channel, String outcome) {
    Counter.builder("govgate.payments")
        .description("Payment events by channel and outcome")
        .tag("channel", channel)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
