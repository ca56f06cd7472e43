package cn.govgate.payments;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SQL of payments. Every state change of an order is a conditional UPDATE, so that it happens
 * once.
 */
final class PaymentStore {
  static final String COLS =
      "order_id, payer_identity_key, citizen_key, request_hash, channel, app_id, "
          + "payer_index, bill_type, region, bill_ref, department, amount_fen, description, status, status_reason, "
          + "client_params, channel_trade_no, paid_amount_fen, paid_at, receipt_no, delivered_at, created_at, expires_at";

  private final Pool pool;

  PaymentStore(Pool pool) {
    this.pool = pool;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant();
  }

  static PaymentOrder order(Row r) {
    Object params = r.getValue("client_params");
    return new PaymentOrder(
        r.getString("order_id"),
        r.getString("payer_identity_key"),
        r.getString("citizen_key"),
        r.getString("request_hash"),
        Channel.fromWire(r.getString("channel")),
        r.getString("app_id"),
        r.getString("payer_index"),
        BillType.fromWire(r.getString("bill_type")),
        r.getString("region"),
        r.getString("bill_ref"),
        r.getString("department"),
        r.getLong("amount_fen"),
        r.getString("description"),
        r.getString("status"),
        r.getString("status_reason"),
        params instanceof JsonObject j
            ? j
            : params == null ? null : new JsonObject(params.toString()),
        r.getString("channel_trade_no"),
        r.getLong("paid_amount_fen"),
        instant(r, "paid_at"),
        r.getString("receipt_no"),
        instant(r, "delivered_at"),
        instant(r, "created_at"),
        instant(r, "expires_at"));
  }

  private static PaymentOrder first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : order(rows.iterator().next());
  }

  Future<PaymentOrder> byId(String orderId) {
    return pool.preparedQuery("SELECT " + COLS + " FROM payment_orders WHERE order_id = $1")
        .execute(Tuple.of(orderId))
        .map(PaymentStore::first);
  }

  Future<PaymentOrder> byIdempotencyKey(String payerIdentityKey, String idempotencyKey) {
    return pool.preparedQuery(
            "SELECT "
                + COLS
                + " FROM payment_orders WHERE payer_identity_key = $1 "
                + "AND idempotency_key = $2")
        .execute(Tuple.of(payerIdentityKey, idempotencyKey))
        .map(PaymentStore::first);
  }

  /**
   * Inserts the order unless the payer already used the idempotency key or the bill already has a
   * live order (both unique in the database); true when inserted.
   */
  Future<Boolean> insert(PaymentOrder o, String idempotencyKey) {
    return pool.preparedQuery(
            "INSERT INTO payment_orders (order_id, payer_identity_key, citizen_key, "
                + "idempotency_key, request_hash, channel, app_id, payer_index, bill_type, region, bill_ref, department, "
                + "amount_fen, description, status, created_at, expires_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,"
                + "$9,$10,$11,$12,$13,$14,'pending',$15,$16,$15) ON CONFLICT DO NOTHING")
        .execute(
            Tuple.from(
                new Object[] {
                  o.orderId(),
                  o.payerIdentityKey(),
                  o.citizenKey(),
                  idempotencyKey,
                  o.requestHash(),
                  o.channel().wireName(),
                  o.appId(),
                  o.payerIndex(),
                  o.billType().wireName(),
                  o.region(),
                  o.billRef(),
                  o.department(),
                  o.amountFen(),
                  o.description(),
                  ts(o.createdAt()),
                  ts(o.expiresAt())
                }))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Records the channel's answer to prepay on a still pending order. */
  Future<Void> prepared(
      String orderId, String channelOrderRef, JsonObject clientParams, Instant now) {
    return pool.preparedQuery(
            "UPDATE payment_orders SET channel_order_ref = $2, client_params = $3, "
                + "updated_at = $4 WHERE order_id = $1 AND status = 'pending'")
        .execute(Tuple.of(orderId, channelOrderRef, clientParams, ts(now)))
        .mapEmpty();
  }

  /** Closes a pending order (never a paid one); true when it was pending. */
  Future<Boolean> close(String orderId, String reason, Instant now) {
    return pool.preparedQuery(
            "UPDATE payment_orders SET status = 'closed', status_reason = $2, updated_at = $3 "
                + "WHERE order_id = $1 AND status = 'pending'")
        .execute(Tuple.of(orderId, reason, ts(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * What applying a channel statement did: the outcome and the order as it was before (null if
   * unknown).
   */
  record Applied(String outcome, PaymentOrder before) {}

  /**
   * Applies a verified PAID statement in one transaction: the order row is locked; a pending order
   * whose amount, app and payer match becomes paid and gets its outbox row; a pending order that
   * does not match, or a closed one that the channel says was paid, goes to needs_review (the money
   * is kept track of, nothing is delivered); anything already paid stays as it is. The statement
   * itself is always kept in payment_events.
   */
  Future<Applied> applyPaid(
      PaymentEvent e, String source, List<String> eventPayerIndexes, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "SELECT " + COLS + " FROM payment_orders WHERE order_id = $1 FOR UPDATE")
                .execute(Tuple.of(e.orderId()))
                .compose(
                    rows -> {
                      PaymentOrder o = first(rows);
                      // A channel that does not name the payer (null) cannot contradict the order.
                      // The payer's index in either
                      // blind-index algorithm matches: an order made before a profile switch keeps
                      // its payer.
                      Boolean payerMatches =
                          o == null || eventPayerIndexes == null
                              ? null
                              : eventPayerIndexes.contains(o.payerIndex());
                      String outcome = decide(o, e, payerMatches);
                      Future<?> change =
                          switch (outcome) {
                            case "paid" -> markPaid(conn, o, e, now);
                            // A closed order whose bill has a live order again cannot go to
                            // needs_review (one live order per
                            // bill): it stays closed with the reason, the statement kept below, for
                            // the same review.
                            case "amount_mismatch", "payer_mismatch", "paid_after_close" ->
                                conn.preparedQuery(
                                        "UPDATE payment_orders o SET status = CASE WHEN o.status = 'closed' AND EXISTS "
                                            + "(SELECT 1 FROM payment_orders x WHERE x.bill_type = o.bill_type AND x.region = o.region "
                                            + "AND x.bill_ref = o.bill_ref AND x.order_id <> o.order_id AND x.status IN ('pending', 'paid', "
                                            + "'delivered', 'needs_review')) THEN 'closed' ELSE 'needs_review' END, status_reason = $2, "
                                            + "channel_trade_no = $3, paid_amount_fen = $4, paid_at = $5, updated_at = $6 "
                                            + "WHERE order_id = $1 AND status IN ('pending', 'closed')")
                                    .execute(
                                        Tuple.of(
                                            o.orderId(),
                                            outcome,
                                            e.channelTradeNo(),
                                            e.amountFen(),
                                            ts(paidAt(e, now)),
                                            ts(now)));
                            default -> Future.succeededFuture();
                          };
                      return change
                          .compose(v -> insertEvent(conn, e, source, payerMatches, outcome, now))
                          .map(v -> new Applied(outcome, o));
                    }));
  }

  private static String decide(PaymentOrder o, PaymentEvent e, Boolean payerMatches) {
    if (o == null) return "unknown_order";
    if (o.channel() != e.channel() || !o.appId().equals(e.appId())) return "app_mismatch";
    switch (o.status()) {
      case PaymentOrder.PENDING -> {
        if (e.amountFen() != o.amountFen()) return "amount_mismatch";
        if (Boolean.FALSE.equals(payerMatches)) return "payer_mismatch";
        return "paid";
      }
      case PaymentOrder.CLOSED -> {
        return "paid_after_close";
      }
      default -> {
        // The same trade told again is a duplicate; another trade for an order already paid is a
        // second payment
        // of the citizen, kept for review (refund) without touching the paid order.
        return Objects.equals(o.channelTradeNo(), e.channelTradeNo())
            ? "duplicate"
            : "second_payment";
      }
    }
  }

  private static Instant paidAt(PaymentEvent e, Instant now) {
    return e.paidAt() != null ? e.paidAt() : now;
  }

  private static Future<Void> markPaid(
      SqlConnection conn, PaymentOrder o, PaymentEvent e, Instant now) {
    return conn.preparedQuery(
            "UPDATE payment_orders SET status = 'paid', channel_trade_no = $2, "
                + "paid_amount_fen = $3, paid_at = $4, updated_at = $5 WHERE order_id = $1 AND status = 'pending'")
        .execute(
            Tuple.of(o.orderId(), e.channelTradeNo(), e.amountFen(), ts(paidAt(e, now)), ts(now)))
        .compose(
            rows -> {
              if (rows.rowCount() != 1)
                return Future.failedFuture(new IllegalStateException("order not pending"));
              return conn.preparedQuery(
                      "INSERT INTO payment_outbox (order_id, next_attempt_at, created_at) "
                          + "VALUES ($1, $2, $2)")
                  .execute(Tuple.of(o.orderId(), ts(now)));
            })
        .mapEmpty();
  }

  private static Future<Void> insertEvent(
      SqlConnection conn,
      PaymentEvent e,
      String source,
      Boolean payerMatches,
      String outcome,
      Instant now) {
    return conn.preparedQuery(
            "INSERT INTO payment_events (channel, order_id, source, event_id, channel_trade_no, "
                + "channel_status, amount_fen, payer_matches, outcome, received_at) "
                + "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
        .execute(
            Tuple.from(
                new Object[] {
                  e.channel().wireName(),
                  e.orderId(),
                  source,
                  e.eventId(),
                  e.channelTradeNo(),
                  e.status().name(),
                  e.amountFen(),
                  payerMatches,
                  outcome,
                  ts(now)
                }))
        .mapEmpty();
  }

  /** Marks a pending order for review because the channel says it was refunded. */
  Future<Boolean> flag(String orderId, String reason, Instant now) {
    return pool.preparedQuery(
            "UPDATE payment_orders SET status = 'needs_review', status_reason = $2, "
                + "updated_at = $3 WHERE order_id = $1 AND status = 'pending'")
        .execute(Tuple.of(orderId, reason, ts(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  // ---------- outbox ----------

  /** A paid order claimed for delivery. */
  record Delivery(
      String orderId,
      int attempts,
      BillType billType,
      String region,
      String billRef,
      long amountFen,
      String channelTradeNo,
      Instant paidAt,
      Channel channel,
      String citizenKey) {}

  /**
   * Claims due deliveries: their next attempt moves to {@code leaseUntil}, so an instance that dies
   * mid-delivery leaves them to be retried after the lease; SKIP LOCKED lets several instances
   * claim side by side.
   */
  Future<List<Delivery>> claimDeliveries(Instant now, Instant leaseUntil, int limit) {
    return pool.preparedQuery(
            "UPDATE payment_outbox o SET attempts = o.attempts + 1, next_attempt_at = $2 "
                + "FROM payment_orders p WHERE p.order_id = o.order_id AND o.order_id IN (SELECT order_id "
                + "FROM payment_outbox WHERE done_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at "
                + "LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING o.order_id, o.attempts, p.bill_type, p.region, p.bill_ref, "
                + "p.paid_amount_fen, p.channel_trade_no, p.paid_at, p.channel, p.citizen_key")
        .execute(Tuple.of(ts(now), ts(leaseUntil), limit))
        .map(
            rows -> {
              List<Delivery> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(
                    new Delivery(
                        r.getString("order_id"),
                        r.getInteger("attempts"),
                        BillType.fromWire(r.getString("bill_type")),
                        r.getString("region"),
                        r.getString("bill_ref"),
                        r.getLong("paid_amount_fen"),
                        r.getString("channel_trade_no"),
                        instant(r, "paid_at"),
                        Channel.fromWire(r.getString("channel")),
                        r.getString("citizen_key")));
              }
              return out;
            });
  }

  /** The department acknowledged: the order is delivered with its receipt, the outbox row done. */
  Future<Void> delivered(String orderId, String receiptNo, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE payment_orders SET status = 'delivered', receipt_no = $2, delivered_at = $3, "
                        + "updated_at = $3 WHERE order_id = $1 AND status = 'paid'")
                .execute(Tuple.of(orderId, receiptNo, ts(now)))
                .compose(
                    v ->
                        conn.preparedQuery(
                                "UPDATE payment_outbox SET done_at = $2, last_error = NULL "
                                    + "WHERE order_id = $1")
                            .execute(Tuple.of(orderId, ts(now))))
                .mapEmpty());
  }

  /** A delivery failed for now: retried at {@code nextAttempt}. */
  Future<Void> deliveryFailed(String orderId, String error, Instant nextAttempt) {
    return pool.preparedQuery(
            "UPDATE payment_outbox SET last_error = $2, next_attempt_at = $3 WHERE order_id = $1 "
                + "AND done_at IS NULL")
        .execute(Tuple.of(orderId, error, ts(nextAttempt)))
        .mapEmpty();
  }

  /**
   * The department refused the payment for good (already paid otherwise, amount differs): a human
   * decides.
   */
  Future<Void> deliveryRefused(String orderId, String code, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE payment_orders SET status = 'needs_review', status_reason = $2, updated_at = $3 "
                        + "WHERE order_id = $1 AND status = 'paid'")
                .execute(Tuple.of(orderId, "department_refused:" + code, ts(now)))
                .compose(
                    v ->
                        conn.preparedQuery(
                                "UPDATE payment_outbox SET done_at = $2, last_error = $3 "
                                    + "WHERE order_id = $1")
                            .execute(Tuple.of(orderId, ts(now), code)))
                .mapEmpty());
  }

  /**
   * Paid orders not yet acknowledged by their department, and when the oldest of them was paid
   * (null: none).
   */
  record Backlog(long count, Instant oldest) {}

  Future<Backlog> backlog() {
    return pool.query(
            "SELECT count(*) AS n, min(created_at) AS oldest FROM payment_outbox WHERE done_at IS NULL")
        .execute()
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new Backlog(r.getLong("n"), instant(r, "oldest"));
            });
  }

  /** One outbox row, for tests and operators: attempts, last error, whether done. */
  Future<JsonObject> outboxRow(String orderId) {
    return pool.preparedQuery(
            "SELECT attempts, last_error, done_at FROM payment_outbox WHERE order_id = $1")
        .execute(Tuple.of(orderId))
        .map(
            rows -> {
              if (rows.size() == 0) return null;
              Row r = rows.iterator().next();
              return new JsonObject()
                  .put("attempts", r.getInteger("attempts"))
                  .put("lastError", r.getString("last_error"))
                  .put("done", r.getValue("done_at") != null);
            });
  }

  // ---------- reconciliation ----------

  /** A pending order to ask the channel about. */
  record Stuck(
      String orderId, Channel channel, String appId, Instant createdAt, Instant expiresAt) {}

  /**
   * Claims pending orders created before {@code olderThan} that are due for a check; the next check
   * moves on.
   */
  Future<List<Stuck>> claimStuck(Instant olderThan, Instant now, Instant nextCheck, int limit) {
    return pool.preparedQuery(
            "UPDATE payment_orders SET next_check_at = $3 WHERE order_id IN (SELECT order_id "
                + "FROM payment_orders WHERE status = 'pending' AND created_at <= $1 AND (next_check_at IS NULL "
                + "OR next_check_at <= $2) ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED) "
                + "RETURNING order_id, channel, app_id, created_at, expires_at")
        .execute(Tuple.of(ts(olderThan), ts(now), ts(nextCheck), limit))
        .map(
            rows -> {
              List<Stuck> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(
                    new Stuck(
                        r.getString("order_id"),
                        Channel.fromWire(r.getString("channel")),
                        r.getString("app_id"),
                        instant(r, "created_at"),
                        instant(r, "expires_at")));
              }
              return out;
            });
  }

  /** Whether a statement is one the paid path acts on. */
  static boolean paid(PaymentEvent e) {
    return e.status() == PaymentStatus.PAID;
  }
}
