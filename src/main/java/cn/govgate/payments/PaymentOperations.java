package cn.govgate.payments;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.Payments.RefundRequest;
import cn.govgate.channel.spi.Payments.RefundResult;
import cn.govgate.config.PaymentsConfig;
import cn.govgate.error.ApiException;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with an order in {@code needs_review} ({@code POST
 * /admin/v1/payments/{orderId}/resolve}): refund it through its channel, or book it to its
 * department (delivered by the outbox like any paid order), each with a reason, audited. Refunds
 * are asked once under their refund id, then followed until the channel says how they ended: the
 * answer to the refund call, its notification (WeChat Pay {@code REFUND.*}, Alipay's refund {@code
 * trade_status_sync}) or the reconciler's query; whichever comes first applies it, the others
 * change nothing.
 */
final class PaymentOperations {
  private static final Logger log = LoggerFactory.getLogger(PaymentOperations.class);
  private static final int MAX_REASON = 200;

  private final RefundStore refunds;
  private final PaymentStore store;
  private final PaymentEvents events;
  private final Map<Channel, ChannelAdapter> adapters;
  private final Function<Channel, String> refundNotifyUrls;
  private final PaymentsConfig config;
  private final AuditLog audit;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();

  PaymentOperations(
      RefundStore refunds,
      PaymentStore store,
      PaymentEvents events,
      Map<Channel, ChannelAdapter> adapters,
      Function<Channel, String> refundNotifyUrls,
      PaymentsConfig config,
      AuditLog audit,
      Clock clock) {
    this.refunds = refunds;
    this.store = store;
    this.events = events;
    this.adapters = adapters;
    this.refundNotifyUrls = refundNotifyUrls;
    this.config = config;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * {@code GET /payments?status=needs_review}, {@code POST /payments/:orderId/resolve} for the
   * operator only.
   */
  void mountAdmin(Router router, Function<RoutingContext, Future<String>> authorizeOperator) {
    router
        .get("/payments")
        .handler(
            ctx ->
                authorizeOperator
                    .apply(ctx)
                    .compose(
                        actor -> {
                          String status = ctx.queryParams().get("status");
                          if (status != null && !PaymentOrder.NEEDS_REVIEW.equals(status)) {
                            throw ApiException.invalidFields(
                                new JsonObject().put("status", "needs_review"));
                          }
                          return refunds.inReview(100);
                        })
                    .onSuccess(list -> json(ctx, 200, new JsonObject().put("payments", list)))
                    .onFailure(ctx::fail));
    router
        .post("/payments/:orderId/resolve")
        .handler(
            ctx ->
                authorizeOperator
                    .apply(ctx)
                    .compose(actor -> resolve(ctx, actor))
                    .onSuccess(view -> json(ctx, 200, view))
                    .onFailure(ctx::fail));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body.toBuffer());
  }

  private Future<JsonObject> resolve(RoutingContext ctx, String actor) {
    JsonObject body = JsonBody.required(ctx);
    JsonObject errors = new JsonObject();
    String action = body.getValue("action") instanceof String s ? s : null;
    String reason = body.getValue("reason") instanceof String s ? s.strip() : null;
    if (!"refund".equals(action) && !"book".equals(action))
      errors.put("action", "one of refund, book");
    if (reason == null || reason.isEmpty() || reason.length() > MAX_REASON) {
      errors.put("reason", "required, 1 to " + MAX_REASON + " characters");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    String orderId = ctx.pathParam("orderId");
    String requestId = RequestIds.of(ctx);
    Instant now = clock.instant();
    Future<?> done =
        "refund".equals(action)
            ? refunds
                .startRefund(orderId, actor, reason, now)
                .compose(
                    due -> {
                      audited(actor, orderId, action, due.channel(), requestId);
                      // The operator's answer waits for the channel's first word; a failure here
                      // leaves the refund to the
                      // reconciler, under the same refund id.
                      return send(due, requestId).otherwiseEmpty();
                    })
            : refunds
                .book(orderId, actor, reason, now)
                .map(
                    o -> {
                      audited(actor, orderId, action, o.channel(), requestId);
                      events.count(o.channel().wireName(), "booked");
                      return o;
                    });
    return done.compose(v -> store.byId(orderId))
        .compose(o -> refunds.refundOf(orderId).map(refund -> RefundStore.operatorView(o, refund)));
  }

  private void audited(
      String actor, String orderId, String action, Channel channel, String requestId) {
    // The reason stays with the order (resolution_reason): free text may name people, the audit
    // details never do.
    audit.record(
        AuditEvent.success(
            "operator",
            actor,
            "payment.resolved",
            null,
            requestId,
            new JsonObject()
                .put("orderId", orderId)
                .put("action", action)
                .put("channel", channel.wireName())));
  }

  /** Asks the channel for the refund (again, under the same id) and applies its answer. */
  private Future<String> send(RefundStore.Due due, String requestId) {
    ChannelAdapter adapter = adapters.get(due.channel());
    if (adapter == null)
      return Future.failedFuture(new IllegalStateException("channel not configured"));
    RefundRequest request =
        new RefundRequest(
            due.appId(),
            due.orderId(),
            due.refundId(),
            due.amountFen(),
            due.paidFen(),
            "政务缴费退款",
            refundNotifyUrls.apply(due.channel()));
    return adapter
        .refund(request)
        .recover(
            e ->
                refunds
                    .failed(
                        due.refundId(),
                        e.getClass().getSimpleName(),
                        clock.instant().plus(config.reconcileInterval()))
                    .compose(v -> Future.failedFuture(e)))
        .compose(result -> apply(result, "refund", requestId));
  }

  /**
   * Applies a verified statement about a refund (answer, notification or query); completes with the
   * outcome.
   */
  Future<String> apply(RefundResult result, String source, String requestId) {
    Instant now = clock.instant();
    return refunds
        .apply(result, now, now.plus(config.reconcileInterval()))
        .map(
            outcome -> {
              if ("refunded".equals(outcome) || "refund_failed".equals(outcome)) {
                events.count(result.channel().wireName(), outcome);
                JsonObject details =
                    new JsonObject()
                        .put("orderId", result.orderId())
                        .put("refundId", result.refundId())
                        .put("source", source)
                        .put("outcome", outcome);
                audit.record(
                    "refunded".equals(outcome)
                        ? AuditEvent.success(
                            "channel",
                            result.channel().wireName(),
                            "payment.refund",
                            null,
                            requestId,
                            details)
                        : AuditEvent.failure(
                            "channel",
                            result.channel().wireName(),
                            "payment.refund",
                            null,
                            requestId,
                            details));
                if ("refund_failed".equals(outcome))
                  log.warn("refund {} failed at the channel", result.refundId());
              }
              return outcome;
            });
  }

  /**
   * One round of the refund reconciler: refunds never answered are asked again under their id,
   * refunds in progress are queried. Rounds never overlap on one instance; SKIP LOCKED shares them
   * across instances.
   */
  Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return refunds
        .claimDue(now, now.plus(config.reconcileInterval()), config.reconcileBatch())
        .compose(due -> Future.join(due.stream().map(this::follow).toList()).map(due.size()))
        .onComplete(
            ar -> {
              running.set(false);
              if (ar.failed()) log.warn("refund round failed: {}", ar.cause().toString());
            });
  }

  private Future<Void> follow(RefundStore.Due due) {
    ChannelAdapter adapter = adapters.get(due.channel());
    if (adapter == null) return Future.succeededFuture();
    Future<String> step =
        "requested".equals(due.status())
            ? send(due, "reconcile-" + due.refundId())
            : adapter
                .queryRefund(due.appId(), due.orderId(), due.refundId())
                .compose(r -> apply(r, "reconciler", "reconcile-" + due.refundId()));
    return step.<Void>mapEmpty()
        .recover(
            e -> {
              events.count(due.channel().wireName(), "reconcile_failed");
              return Future.succeededFuture();
            });
  }
}
