package cn.govgate.payments;

import static cn.govgate.payments.PaymentStore.ts;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.Payments.RefundResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of resolving orders in {@code needs_review} and of refunds. One refund row per order,
 * keyed at the channel by its {@code refund_id}; every change locks the rows it reads, so a refund
 * is applied once however many notifications, queries and retries tell of it.
 */
final class RefundStore {

  private final Pool pool;

  RefundStore(Pool pool) {
    this.pool = pool;
  }

  /** A refund to ask the channel for (again) or about. */
  record Due(
      String orderId,
      String refundId,
      long amountFen,
      long paidFen,
      String status,
      Channel channel,
      String appId) {}

  /**
   * Moves an order in {@code needs_review} to {@code refunding} with a refund of what the payer
   * paid; a refund the channel refused for good before is asked again under the next refund id.
   * Fails 404/409.
   */
  Future<Due> startRefund(String orderId, String actor, String reason, Instant now) {
    return pool.withTransaction(
        conn ->
            inReview(conn, orderId)
                .compose(
                    o -> {
                      long paid = o.paidAmountFen() == null ? 0 : o.paidAmountFen();
                      if (paid <= 0) return Future.failedFuture(OperationErrors.nothingToRefund());
                      return conn.preparedQuery(
                              "SELECT refund_id FROM payment_refunds WHERE order_id = $1 FOR UPDATE")
                          .execute(Tuple.of(orderId))
                          .compose(
                              rows -> {
                                int attempt =
                                    rows.size() == 0
                                        ? 1
                                        : nextNumber(rows.iterator().next().getString("refund_id"));
                                String refundId = orderId + "R" + attempt;
                                return conn.preparedQuery(
                                        "INSERT INTO payment_refunds (order_id, refund_id, amount_fen, status, "
                                            + "next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, 'requested', $4, $4, $4) "
                                            + "ON CONFLICT (order_id) DO UPDATE SET refund_id = $2, amount_fen = $3, status = 'requested', "
                                            + "attempts = 0, last_error = NULL, channel_refund_ref = NULL, next_attempt_at = $4, updated_at = $4 "
                                            + "WHERE payment_refunds.status = 'failed'")
                                    .execute(Tuple.of(orderId, refundId, paid, ts(now)))
                                    .compose(
                                        v ->
                                            resolve(
                                                conn,
                                                orderId,
                                                "refunding",
                                                "refund",
                                                actor,
                                                reason,
                                                now))
                                    .map(
                                        v ->
                                            new Due(
                                                orderId,
                                                refundId,
                                                paid,
                                                paid,
                                                "requested",
                                                o.channel(),
                                                o.appId()));
                              });
                    }));
  }

  /**
   * Books an order in {@code needs_review} to its department: it is {@code paid} again and its
   * delivery is queued (the outbox sends what the payer paid). Fails 404/409.
   */
  Future<PaymentOrder> book(String orderId, String actor, String reason, Instant now) {
    return pool.withTransaction(
        conn ->
            inReview(conn, orderId)
                .compose(
                    o -> {
                      if (o.paidAmountFen() == null || o.paidAmountFen() <= 0) {
                        return Future.failedFuture(OperationErrors.nothingToBook());
                      }
                      return resolve(conn, orderId, "paid", "book", actor, reason, now)
                          .compose(
                              v ->
                                  conn.preparedQuery(
                                          "INSERT INTO payment_outbox (order_id, next_attempt_at, created_at) "
                                              + "VALUES ($1, $2, $2) ON CONFLICT (order_id) DO UPDATE SET done_at = NULL, attempts = 0, "
                                              + "last_error = NULL, next_attempt_at = $2")
                                      .execute(Tuple.of(orderId, ts(now))))
                          .map(o);
                    }));
  }

  private static Future<PaymentOrder> inReview(SqlConnection conn, String orderId) {
    return conn.preparedQuery(
            "SELECT " + PaymentStore.COLS + " FROM payment_orders WHERE order_id = $1 FOR UPDATE")
        .execute(Tuple.of(orderId))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.failedFuture(OperationErrors.notFound());
              PaymentOrder o = PaymentStore.order(rows.iterator().next());
              return PaymentOrder.NEEDS_REVIEW.equals(o.status())
                  ? Future.succeededFuture(o)
                  : Future.failedFuture(OperationErrors.notInReview(o.status()));
            });
  }

  private static Future<Void> resolve(
      SqlConnection conn,
      String orderId,
      String status,
      String resolution,
      String actor,
      String reason,
      Instant now) {
    return conn.preparedQuery(
            "UPDATE payment_orders SET status = $2, resolution = $3, resolution_reason = $4, "
                + "resolved_by = $5, resolved_at = $6, updated_at = $6 WHERE order_id = $1 AND status = 'needs_review'")
        .execute(Tuple.from(new Object[] {orderId, status, resolution, reason, actor, ts(now)}))
        .mapEmpty();
  }

  private static int nextNumber(String refundId) {
    return Integer.parseInt(refundId.substring(refundId.lastIndexOf('R') + 1)) + 1;
  }

  /**
   * Applies the channel's word on a refund, once: SUCCESS refunds the order, FAILED sends it back
   * to review, PROCESSING waits until {@code retryAt}, NOT_FOUND asks again at {@code retryAt}.
   * Answers the outcome: {@code refunded}, {@code refund_failed}, {@code refund_processing}, {@code
   * refund_not_found}, {@code duplicate}, {@code unknown_refund}.
   */
  Future<String> apply(RefundResult r, Instant now, Instant retryAt) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "SELECT order_id, status FROM payment_refunds WHERE refund_id = $1 FOR UPDATE")
                .execute(Tuple.of(r.refundId()))
                .compose(
                    rows -> {
                      if (rows.size() == 0) return Future.succeededFuture("unknown_refund");
                      Row row = rows.iterator().next();
                      if (!row.getString("order_id").equals(r.orderId()))
                        return Future.succeededFuture("unknown_refund");
                      String status = row.getString("status");
                      if ("succeeded".equals(status) || "failed".equals(status))
                        return Future.succeededFuture("duplicate");
                      return switch (r.status()) {
                        case SUCCESS ->
                            conn.preparedQuery(
                                    "UPDATE payment_refunds SET status = 'succeeded', refunded_at = $2, "
                                        + "channel_refund_ref = coalesce($3, channel_refund_ref), updated_at = $4 WHERE refund_id = $1")
                                .execute(
                                    Tuple.of(
                                        r.refundId(),
                                        ts(r.refundedAt() != null ? r.refundedAt() : now),
                                        r.channelRefundRef(),
                                        ts(now)))
                                .compose(v -> orderTo(conn, r.orderId(), "refunded", null, now))
                                .map("refunded");
                        case FAILED ->
                            conn.preparedQuery(
                                    "UPDATE payment_refunds SET status = 'failed', updated_at = $2 "
                                        + "WHERE refund_id = $1")
                                .execute(Tuple.of(r.refundId(), ts(now)))
                                .compose(
                                    v ->
                                        orderTo(
                                            conn,
                                            r.orderId(),
                                            "needs_review",
                                            "refund_failed",
                                            now))
                                .map("refund_failed");
                        case PROCESSING ->
                            retryAt(conn, r, "processing", retryAt, now).map("refund_processing");
                        case NOT_FOUND ->
                            retryAt(conn, r, "requested", retryAt, now).map("refund_not_found");
                      };
                    }));
  }

  private static Future<Void> orderTo(
      SqlConnection conn, String orderId, String status, String reason, Instant now) {
    return conn.preparedQuery(
            "UPDATE payment_orders SET status = $2, status_reason = coalesce($3, status_reason), "
                + "updated_at = $4 WHERE order_id = $1 AND status = 'refunding'")
        .execute(Tuple.of(orderId, status, reason, ts(now)))
        .mapEmpty();
  }

  private static Future<Void> retryAt(
      SqlConnection conn, RefundResult r, String status, Instant at, Instant now) {
    return conn.preparedQuery(
            "UPDATE payment_refunds SET status = $2, next_attempt_at = $3, "
                + "channel_refund_ref = coalesce($4, channel_refund_ref), updated_at = $5 WHERE refund_id = $1")
        .execute(Tuple.of(r.refundId(), status, ts(at), r.channelRefundRef(), ts(now)))
        .mapEmpty();
  }

  /** A call to the channel failed (timeout, platform error): asked again at {@code retryAt}. */
  Future<Void> failed(String refundId, String error, Instant retryAt) {
    return pool.preparedQuery(
            "UPDATE payment_refunds SET last_error = $2, next_attempt_at = $3 WHERE refund_id = $1 "
                + "AND status IN ('requested', 'processing')")
        .execute(Tuple.of(refundId, error, ts(retryAt)))
        .mapEmpty();
  }

  /**
   * Claims due refunds (SKIP LOCKED, across instances); their next attempt moves to {@code next}.
   */
  Future<List<Due>> claimDue(Instant now, Instant next, int limit) {
    return pool.preparedQuery(
            "UPDATE payment_refunds r SET attempts = r.attempts + 1, next_attempt_at = $2 "
                + "FROM payment_orders p WHERE p.order_id = r.order_id AND r.order_id IN (SELECT order_id "
                + "FROM payment_refunds WHERE status IN ('requested', 'processing') AND next_attempt_at <= $1 "
                + "ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING r.order_id, r.refund_id, "
                + "r.amount_fen, p.paid_amount_fen, r.status, p.channel, p.app_id")
        .execute(Tuple.of(ts(now), ts(next), limit))
        .map(
            rows -> {
              List<Due> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(
                    new Due(
                        r.getString("order_id"),
                        r.getString("refund_id"),
                        r.getLong("amount_fen"),
                        r.getLong("paid_amount_fen"),
                        r.getString("status"),
                        Channel.fromWire(r.getString("channel")),
                        r.getString("app_id")));
              }
              return out;
            });
  }

  /** Orders waiting for an operator, oldest first, with why. */
  Future<JsonArray> inReview(int limit) {
    return pool.preparedQuery(
            "SELECT "
                + PaymentStore.COLS
                + " FROM payment_orders WHERE status = 'needs_review' "
                + "ORDER BY updated_at LIMIT $1")
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              rows.forEach(r -> out.add(operatorView(PaymentStore.order(r), null)));
              return out;
            });
  }

  /** The refund of an order as the operator sees it, null when none. */
  Future<JsonObject> refundOf(String orderId) {
    return pool.preparedQuery(
            "SELECT refund_id, amount_fen, status, refunded_at FROM payment_refunds "
                + "WHERE order_id = $1")
        .execute(Tuple.of(orderId))
        .map(
            rows -> {
              if (rows.size() == 0) return null;
              Row r = rows.iterator().next();
              JsonObject refund =
                  new JsonObject()
                      .put("refundId", r.getString("refund_id"))
                      .put("amountFen", r.getLong("amount_fen"))
                      .put("status", r.getString("status"));
              if (r.getOffsetDateTime("refunded_at") != null) {
                refund.put("refundedAt", r.getOffsetDateTime("refunded_at").toInstant().toString());
              }
              return refund;
            });
  }

  /** An order as the operator sees it (schema {@code PaymentReview} of the admin API). */
  static JsonObject operatorView(PaymentOrder o, JsonObject refund) {
    JsonObject json =
        new JsonObject()
            .put("orderId", o.orderId())
            .put("status", o.status())
            .put("channel", o.channel().wireName())
            .put("billType", o.billType().wireName())
            .put("region", o.region())
            .put("department", o.department())
            .put("amountFen", o.amountFen())
            .put("createdAt", o.createdAt().toString());
    if (o.statusReason() != null) json.put("statusReason", o.statusReason());
    if (o.paidAmountFen() != null) json.put("paidAmountFen", o.paidAmountFen());
    if (o.paidAt() != null) json.put("paidAt", o.paidAt().toString());
    if (refund != null) json.put("refund", refund);
    return json;
  }
}
