package cn.govgate.payments;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.config.PaymentsConfig;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.registry.DepartmentClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers paid orders to their departments until they acknowledge. Each round claims due rows
 * (SKIP LOCKED, with a lease, so several instances share the work and a crashed one's rows come
 * back), calls the department's payment operation (idempotent on orderId, so a repeat after a lost
 * answer is harmless), then marks the order delivered with the receipt, or schedules the next
 * attempt with exponential backoff. A department's final refusal (already paid under another order,
 * amount differs, bill unknown) sends the order to review instead. Metrics: {@code
 * govgate.payments.deliveries{outcome}}, gauges {@code govgate.payments.outbox.backlog} and {@code
 * govgate.payments.outbox.lag.seconds} (age of the oldest undelivered payment).
 */
final class PaymentOutbox {
  private static final Logger log = LoggerFactory.getLogger(PaymentOutbox.class);
  private static final Set<ErrorCode> FINAL =
      Set.of(
          ErrorCode.DEPARTMENT_ALREADY_PAID,
          ErrorCode.DEPARTMENT_AMOUNT_MISMATCH,
          ErrorCode.DEPARTMENT_NOT_PAYABLE,
          ErrorCode.DEPARTMENT_BILL_NOT_FOUND);

  private final PaymentStore store;
  private final DepartmentClient departments;
  private final PaymentsConfig config;
  private final MeterRegistry meters;
  private final AuditLog audit;
  private final Clock clock;
  private final AtomicLong backlog = new AtomicLong();
  private final AtomicLong lagSeconds = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean running =
      new java.util.concurrent.atomic.AtomicBoolean();

  PaymentOutbox(
      PaymentStore store,
      DepartmentClient departments,
      PaymentsConfig config,
      MeterRegistry meters,
      AuditLog audit,
      Clock clock) {
    this.audit = audit;
    this.store = store;
    this.departments = departments;
    this.config = config;
    this.meters = meters;
    this.clock = clock;
    Gauge.builder("govgate.payments.outbox.backlog", backlog, AtomicLong::get)
        .description("Paid orders not yet acknowledged by their department")
        .register(meters);
    Gauge.builder("govgate.payments.outbox.lag.seconds", lagSeconds, AtomicLong::get)
        .description(
            "Age of the oldest paid order not yet acknowledged by its department (0 when none waits)")
        .register(meters);
  }

  /** One round; rounds never overlap on one instance. */
  Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return store
        .claimDeliveries(now, now.plus(config.outboxLease()), config.outboxBatch())
        .compose(batch -> Future.join(batch.stream().map(this::deliver).toList()).map(batch.size()))
        .compose(
            n ->
                store
                    .backlog()
                    .map(
                        b -> {
                          backlog.set(b.count());
                          lagSeconds.set(
                              b.oldest() == null
                                  ? 0
                                  : Math.max(0, Duration.between(b.oldest(), now).toSeconds()));
                          return n;
                        }))
        .onComplete(
            ar -> {
              running.set(false);
              if (ar.failed()) log.warn("outbox round failed: {}", ar.cause().toString());
            });
  }

  private Future<Void> deliver(PaymentStore.Delivery d) {
    JsonObject query =
        new JsonObject()
            .put(d.billType().refField(), d.billRef())
            .put("orderId", d.orderId())
            .put("amountFen", d.amountFen())
            .put("channelTradeNo", d.channelTradeNo())
            .put("paidAt", d.paidAt().toString());
    // The department needs no personal data to book a payment: the order and the bill identify it.
    String requestId = "outbox-" + d.orderId();
    JsonObject details =
        new JsonObject()
            .put("orderId", d.orderId())
            .put("billType", d.billType().wireName())
            .put("region", d.region())
            .put("attempt", d.attempts());
    return departments
        .call(d.billType().paymentServiceType(), d.region(), null, query, requestId, false)
        .compose(
            answer -> {
              count("delivered");
              audit.record(
                  AuditEvent.success(
                      "gateway",
                      "payments.outbox",
                      "payment.delivered",
                      d.citizenKey(),
                      requestId,
                      details.copy().put("department", answer.department())));
              return store.delivered(
                  d.orderId(), answer.data().getString("receiptNo"), clock.instant());
            })
        .recover(
            e -> {
              ErrorCode error =
                  e instanceof ApiException a ? a.errorCode() : ErrorCode.GATEWAY_INTERNAL_ERROR;
              String code = error.wire();
              if (FINAL.contains(error)) {
                count("refused");
                log.warn("payment {} refused by the department: {}", d.orderId(), code);
                audit.record(
                    AuditEvent.failure(
                        "gateway",
                        "payments.outbox",
                        "payment.delivered",
                        d.citizenKey(),
                        requestId,
                        details.copy().put("code", code)));
                return store.deliveryRefused(d.orderId(), code, clock.instant());
              }
              count("retry");
              return store.deliveryFailed(
                  d.orderId(), code, clock.instant().plus(backoff(d.attempts())));
            });
  }

  /** base × 2^(attempts − 1), capped. */
  Duration backoff(int attempts) {
    Duration d = config.outboxBackoff();
    for (int i = 1; i < attempts && d.compareTo(config.outboxMaxBackoff()) < 0; i++)
      d = d.multipliedBy(2);
    return d.compareTo(config.outboxMaxBackoff()) > 0 ? config.outboxMaxBackoff() : d;
  }

  private void count(String outcome) {
    Counter.builder("govgate.payments.deliveries")
        .description("Deliveries of paid orders to departments")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  /** The rows of the last round still waiting, for readiness and tests. */
  long backlog() {
    return backlog.get();
  }
}
