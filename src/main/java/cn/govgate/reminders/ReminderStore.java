package cn.govgate.reminders;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of reminders. Subscriptions and reminders are claimed with {@code FOR UPDATE SKIP LOCKED}
 * so that any number of instances share the work without doing anything twice; a reminder is queued
 * once (unique idempotency key) and spends a one-time grant in the same transaction.
 */
final class ReminderStore {
  static final String SUBSCRIPTION_COLS =
      "id, citizen_key, identity_key, channel, app_id, topic, template_id, mode, "
          + "grants, region, utility_type, account_no, status, created_at";

  /** A subscription as stored. */
  record Subscription(
      long id,
      String citizenKey,
      String identityKey,
      String channel,
      String appId,
      String topic,
      String templateId,
      boolean longTerm,
      int grants,
      String region,
      String utilityType,
      String accountNo,
      String status,
      Instant createdAt) {}

  /** A claimed reminder with what sending it needs. */
  record Claimed(
      long id,
      int attempts,
      String topic,
      String itemRef,
      String fieldsEnc,
      Instant expiresAt,
      long subscriptionId,
      String identityKey,
      String channel,
      String appId,
      boolean longTerm) {}

  private final Pool pool;

  ReminderStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant();
  }

  static Subscription subscription(Row r) {
    return new Subscription(
        r.getLong("id"),
        r.getString("citizen_key"),
        r.getString("identity_key"),
        r.getString("channel"),
        r.getString("app_id"),
        r.getString("topic"),
        r.getString("template_id"),
        "long_term".equals(r.getString("mode")),
        r.getInteger("grants"),
        r.getString("region"),
        r.getString("utility_type"),
        r.getString("account_no"),
        r.getString("status"),
        instant(r, "created_at"));
  }

  private static List<Subscription> subscriptions(RowSet<Row> rows) {
    List<Subscription> out = new ArrayList<>();
    rows.forEach(r -> out.add(subscription(r)));
    return out;
  }

  /**
   * Adds one grant to the citizen's subscription of this scope (creating it, or reviving a refused
   * one), capped at {@code maxGrants}; a long-term template keeps 0 grants.
   */
  Future<Subscription> subscribe(
      String citizenKey,
      String identityKey,
      String channel,
      String appId,
      String topic,
      String templateId,
      boolean longTerm,
      String scope,
      String region,
      String utilityType,
      String accountNo,
      Instant now,
      int maxGrants) {
    return pool.preparedQuery(
            "INSERT INTO reminder_subscriptions AS s (citizen_key, identity_key, channel, app_id, "
                + "topic, template_id, mode, grants, scope, region, utility_type, account_no, status, created_at, "
                + "updated_at, next_check_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'active',$13,$13,$13) "
                + "ON CONFLICT (identity_key, topic, scope) WHERE status <> 'cancelled' DO UPDATE SET "
                + "grants = CASE WHEN EXCLUDED.mode = 'long_term' THEN 0 WHEN s.status = 'active' "
                + "THEN least(s.grants + 1, $14) ELSE 1 END, status = 'active', template_id = EXCLUDED.template_id, "
                + "mode = EXCLUDED.mode, citizen_key = EXCLUDED.citizen_key, updated_at = $13, next_check_at = $13 "
                + "RETURNING "
                + SUBSCRIPTION_COLS)
        .execute(
            Tuple.of(
                    citizenKey,
                    identityKey,
                    channel,
                    appId,
                    topic,
                    templateId,
                    longTerm ? "long_term" : "one_time",
                    longTerm ? 0 : 1,
                    scope,
                    region,
                    utilityType,
                    accountNo)
                .addValue(ts(now))
                .addValue(maxGrants))
        .map(rows -> subscription(rows.iterator().next()));
  }

  Future<List<Subscription>> ofCitizen(String citizenKey) {
    return pool.preparedQuery(
            "SELECT "
                + SUBSCRIPTION_COLS
                + " FROM reminder_subscriptions WHERE citizen_key = $1 "
                + "AND status <> 'cancelled' ORDER BY id DESC LIMIT 200")
        .execute(Tuple.of(citizenKey))
        .map(ReminderStore::subscriptions);
  }

  /** Cancels one of the citizen's subscriptions; null when there is none. */
  Future<Subscription> cancel(String citizenKey, long id, Instant now) {
    return pool.preparedQuery(
            "UPDATE reminder_subscriptions SET status = 'cancelled', updated_at = $3 "
                + "WHERE id = $1 AND citizen_key = $2 AND status <> 'cancelled' RETURNING "
                + SUBSCRIPTION_COLS)
        .execute(Tuple.of(id, citizenKey, ts(now)))
        .map(rows -> rows.size() == 0 ? null : subscription(rows.iterator().next()));
  }

  /** The citizen's active subscriptions of a topic (all channels). */
  Future<List<Subscription>> activeOf(String citizenKey, String topic) {
    return pool.preparedQuery(
            "SELECT "
                + SUBSCRIPTION_COLS
                + " FROM reminder_subscriptions WHERE citizen_key = $1 "
                + "AND topic = $2 AND status = 'active' AND (mode = 'long_term' OR grants > 0)")
        .execute(Tuple.of(citizenKey, topic))
        .map(ReminderStore::subscriptions);
  }

  /**
   * Claims active subscriptions of the scheduled topics whose check is due; their next check moves
   * to {@code next}, so no other instance asks about them meanwhile.
   */
  Future<List<Subscription>> claimChecks(Instant now, Instant next, int limit) {
    return pool.preparedQuery(
            "UPDATE reminder_subscriptions SET next_check_at = $2 WHERE id IN (SELECT id "
                + "FROM reminder_subscriptions WHERE status = 'active' AND topic <> 'complaint_reply' "
                + "AND (mode = 'long_term' OR grants > 0) AND next_check_at <= $1 ORDER BY next_check_at LIMIT $3 "
                + "FOR UPDATE SKIP LOCKED) RETURNING "
                + SUBSCRIPTION_COLS)
        .execute(Tuple.of(ts(now), ts(next), limit))
        .map(ReminderStore::subscriptions);
  }

  /** Asks about these subscriptions again at {@code at} (the department could not answer). */
  Future<Void> recheck(List<Long> ids, Instant at) {
    return pool.preparedQuery(
            "UPDATE reminder_subscriptions SET next_check_at = $2 WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(new Long[0]), ts(at)))
        .mapEmpty();
  }

  /**
   * Queues a reminder for a subscription unless one with this idempotency key exists; a one-time
   * subscription spends one grant in the same transaction (none left: nothing is queued). True when
   * queued.
   */
  Future<Boolean> enqueue(
      long subscriptionId,
      String idempotencyKey,
      String channel,
      String topic,
      String itemRef,
      String fieldsEnc,
      Instant now,
      Instant expiresAt) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "SELECT mode, grants, status FROM reminder_subscriptions "
                        + "WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(subscriptionId))
                .compose(
                    rows -> {
                      Row s = rows.iterator().next();
                      boolean longTerm = "long_term".equals(s.getString("mode"));
                      if (!"active".equals(s.getString("status"))
                          || !longTerm && s.getInteger("grants") < 1) {
                        return Future.succeededFuture(false);
                      }
                      return conn.preparedQuery(
                              "INSERT INTO reminders (idempotency_key, subscription_id, channel, topic, "
                                  + "item_ref, fields_enc, status, next_attempt_at, expires_at, created_at) "
                                  + "VALUES ($1,$2,$3,$4,$5,$6,'pending',$7,$8,$7) ON CONFLICT (idempotency_key) DO NOTHING "
                                  + "RETURNING id")
                          .execute(
                              Tuple.of(
                                  idempotencyKey,
                                  subscriptionId,
                                  channel,
                                  topic,
                                  itemRef,
                                  fieldsEnc,
                                  ts(now),
                                  ts(expiresAt)))
                          .compose(
                              inserted ->
                                  inserted.size() == 0
                                      ? Future.succeededFuture(false)
                                      : longTerm
                                          ? Future.succeededFuture(true)
                                          : conn.preparedQuery(
                                                  "UPDATE reminder_subscriptions SET grants = grants - 1 WHERE id = $1")
                                              .execute(Tuple.of(subscriptionId))
                                              .map(true));
                    }));
  }

  /** Claims due reminders: each is marked sending with a lease and never claimed again. */
  Future<List<Claimed>> claimSends(Instant now, Instant leaseUntil, int limit) {
    return pool.preparedQuery(
            "UPDATE reminders r SET status = 'sending', attempts = r.attempts + 1, "
                + "claimed_until = $2 FROM reminder_subscriptions s WHERE s.id = r.subscription_id AND r.id IN "
                + "(SELECT id FROM reminders WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at "
                + "LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING r.id, r.attempts, r.topic, r.item_ref, r.fields_enc, "
                + "r.expires_at, r.subscription_id, s.identity_key, s.channel, s.app_id, s.mode")
        .execute(Tuple.of(ts(now), ts(leaseUntil), limit))
        .map(
            rows -> {
              List<Claimed> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(
                    new Claimed(
                        r.getLong("id"),
                        r.getInteger("attempts"),
                        r.getString("topic"),
                        r.getString("item_ref"),
                        r.getString("fields_enc"),
                        instant(r, "expires_at"),
                        r.getLong("subscription_id"),
                        r.getString("identity_key"),
                        r.getString("channel"),
                        r.getString("app_id"),
                        "long_term".equals(r.getString("mode"))));
              }
              return out;
            });
  }

  Future<Void> sent(long id, Instant now) {
    return update(
        "UPDATE reminders SET status = 'sent', sent_at = $2, claimed_until = NULL "
            + "WHERE id = $1 AND status = 'sending'",
        Tuple.of(id, ts(now)));
  }

  /**
   * The citizen refused (or has no grant left on the platform): the reminder and the subscription
   * stop.
   */
  Future<Void> refused(Claimed c, String code, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE reminders SET status = 'refused', last_code = $2, "
                        + "claimed_until = NULL WHERE id = $1 AND status = 'sending'")
                .execute(Tuple.of(c.id(), code))
                .compose(
                    v ->
                        conn.preparedQuery(
                                "UPDATE reminder_subscriptions SET status = 'refused', grants = 0, "
                                    + "updated_at = $2 WHERE id = $1 AND status = 'active'")
                            .execute(Tuple.of(c.subscriptionId(), ts(now))))
                .mapEmpty());
  }

  /**
   * The platform did not take it and never will ({@code status}: failed, expired): the grant is
   * given back.
   */
  Future<Void> gaveUp(Claimed c, String status, String code) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE reminders SET status = $2, last_code = $3, "
                        + "claimed_until = NULL WHERE id = $1 AND status = 'sending'")
                .execute(Tuple.of(c.id(), status, code))
                .compose(
                    v ->
                        c.longTerm() || v.rowCount() == 0
                            ? Future.succeededFuture()
                            : conn.preparedQuery(
                                    "UPDATE reminder_subscriptions SET grants = grants + 1 WHERE id = $1 "
                                        + "AND status = 'active'")
                                .execute(Tuple.of(c.subscriptionId()))
                                .mapEmpty()));
  }

  /** The platform could not take it now: try again at {@code next}. */
  Future<Void> retry(long id, String code, Instant next) {
    return update(
        "UPDATE reminders SET status = 'pending', last_code = $2, next_attempt_at = $3, "
            + "claimed_until = NULL WHERE id = $1 AND status = 'sending'",
        Tuple.of(id, code, ts(next)));
  }

  /** No answer: it may have been delivered, so it is never sent again. */
  Future<Void> unknown(long id, String code) {
    return update(
        "UPDATE reminders SET status = 'unknown', last_code = $2, claimed_until = NULL "
            + "WHERE id = $1 AND status = 'sending'",
        Tuple.of(id, code));
  }

  /** Claims whose lease ran out (their instance died mid-send) become unknown, never re-sent. */
  Future<Integer> expireLeases(Instant now) {
    return pool.preparedQuery(
            "UPDATE reminders SET status = 'unknown', last_code = 'lease_expired', "
                + "claimed_until = NULL WHERE status = 'sending' AND claimed_until < $1")
        .execute(Tuple.of(ts(now)))
        .map(RowSet::rowCount);
  }

  /** Reminders waiting to be sent now. */
  Future<Long> backlog(Instant now) {
    return pool.preparedQuery(
            "SELECT count(*) FROM reminders WHERE status = 'pending' AND next_attempt_at <= $1")
        .execute(Tuple.of(ts(now)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** When each subscription last got a reminder. */
  Future<java.util.Map<Long, Instant>> lastSent(List<Long> ids) {
    return pool.preparedQuery(
            "SELECT subscription_id, max(sent_at) AS at FROM reminders WHERE subscription_id = "
                + "ANY($1) AND status = 'sent' GROUP BY subscription_id")
        .execute(Tuple.of(ids.toArray(new Long[0])))
        .map(
            rows -> {
              java.util.Map<Long, Instant> out = new java.util.HashMap<>();
              rows.forEach(r -> out.put(r.getLong("subscription_id"), instant(r, "at")));
              return out;
            });
  }

  /** Proofs of these citizens expiring between {@code from} and {@code until}, not revoked. */
  Future<List<Row>> expiringProofs(List<String> citizenKeys, Instant from, Instant until) {
    // The proofs table belongs to the certificates concern; this is a read of its public facts
    // (serial, expiry).
    return pool.preparedQuery(
            "SELECT serial, citizen_key, proof_type, expires_at FROM proofs WHERE citizen_key = "
                + "ANY($1) AND revoked_at IS NULL AND expires_at > $2 AND expires_at <= $3")
        .execute(Tuple.of(citizenKeys.toArray(new String[0]), ts(from), ts(until)))
        .map(
            rows -> {
              List<Row> out = new ArrayList<>();
              rows.forEach(out::add);
              return out;
            });
  }

  private Future<Void> update(String sql, Tuple args) {
    return ((SqlClient) pool).preparedQuery(sql).execute(args).mapEmpty();
  }
}
