package cn.govgate.payments;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.config.PaymentsConfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the channel about orders pending longer than {@code payments.reconcileAfter}: a lost or
 * refused callback, or a gateway that crashed before acknowledging one. PAID goes through {@link
 * PaymentEvents} exactly as a callback would; CLOSED closes the order; NOT_FOUND closes it once it
 * has expired (the prepay never reached the channel); REFUNDED sends it to review; PENDING waits
 * for the next check. An order is only ever closed on the channel's word, so a late payment can
 * never meet a closed order unnoticed (that would be {@code paid_after_close}, kept for review).
 */
final class PaymentReconciler {
  private static final Logger log = LoggerFactory.getLogger(PaymentReconciler.class);

  private final PaymentStore store;
  private final PaymentEvents events;
  private final PaymentOperations operations;
  private final Map<Channel, ChannelAdapter> adapters;
  private final PaymentsConfig config;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicBoolean running =
      new java.util.concurrent.atomic.AtomicBoolean();

  PaymentReconciler(
      PaymentStore store,
      PaymentEvents events,
      PaymentOperations operations,
      Map<Channel, ChannelAdapter> adapters,
      PaymentsConfig config,
      Clock clock) {
    this.store = store;
    this.events = events;
    this.operations = operations;
    this.adapters = adapters;
    this.config = config;
    this.clock = clock;
  }

  /**
   * One round over pending orders, then one over refunds still open; completes with the pending
   * orders checked.
   */
  Future<Integer> runOnce() {
    return runPending().compose(n -> operations.runOnce().otherwiseEmpty().map(n));
  }

  /** One round over pending orders; rounds never overlap on one instance. */
  private Future<Integer> runPending() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return store
        .claimStuck(
            now.minus(config.reconcileAfter()),
            now,
            now.plus(config.reconcileInterval()),
            config.reconcileBatch())
        .compose(batch -> Future.join(batch.stream().map(this::check).toList()).map(batch.size()))
        .onComplete(
            ar -> {
              running.set(false);
              if (ar.failed()) log.warn("reconciliation round failed: {}", ar.cause().toString());
            });
  }

  private Future<Void> check(PaymentStore.Stuck order) {
    ChannelAdapter adapter = adapters.get(order.channel());
    if (adapter == null) return Future.succeededFuture();
    return adapter
        .queryOrder(order.appId(), order.orderId())
        .compose(state -> apply(order, state))
        .recover(
            e -> {
              // The channel could not answer: the order is asked about again at its next check.
              events.count(order.channel().wireName(), "reconcile_failed");
              return Future.succeededFuture();
            });
  }

  private Future<Void> apply(PaymentStore.Stuck order, PaymentEvent state) {
    Instant now = clock.instant();
    return switch (state.status()) {
      case PAID -> events.applyPaid(state, "reconciler", "reconcile-" + order.orderId()).mapEmpty();
      case CLOSED -> closed(order, "channel_closed", now);
      case NOT_FOUND ->
          now.isAfter(order.expiresAt())
              ? closed(order, "not_at_channel", now)
              : Future.succeededFuture();
      case REFUNDED -> store.flag(order.orderId(), "refunded", now).mapEmpty();
      case PENDING -> Future.succeededFuture();
    };
  }

  private Future<Void> closed(PaymentStore.Stuck order, String reason, Instant now) {
    return store
        .close(order.orderId(), reason, now)
        .map(
            done -> {
              if (done) events.count(order.channel().wireName(), "closed");
              return null;
            });
  }
}
