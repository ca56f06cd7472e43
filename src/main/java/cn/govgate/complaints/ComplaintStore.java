package cn.govgate.complaints;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
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

/**
 * The SQL of consultations and complaints. Values arrive sealed; every state change is a
 * conditional UPDATE, so it happens once whatever the instances do concurrently, and writes its
 * event row in the same transaction.
 */
final class ComplaintStore {
  private static final String UNIQUE_VIOLATION = "23505";
  static final String COLS =
      "id, kind, citizen_key, channel, service_type, region, department_id, "
          + "first_department_id, text_enc, interaction_id, request_hash, submitted_at, working_days, deadline, "
          + "reply_enc, replied_at, reply_department_id, reply_interaction_id, closed_at, overdue_at, transfers, "
          + "case_id";

  /** One stored item (sealed values as stored). */
  record Row0(
      String id,
      ComplaintKind kind,
      String citizenKey,
      String channel,
      String serviceType,
      String region,
      String departmentId,
      String firstDepartmentId,
      String textEnc,
      String interactionId,
      String requestHash,
      Instant submittedAt,
      int workingDays,
      Instant deadline,
      String replyEnc,
      Instant repliedAt,
      String replyDepartmentId,
      String replyInteractionId,
      Instant closedAt,
      Instant overdueAt,
      int transfers,
      String caseId) {}

  /** One event of an item's trail. */
  record Event(
      String action,
      Instant at,
      String actorType,
      String fromDepartment,
      String toDepartment,
      String reasonEnc) {}

  /** What the overdue sweep marked. */
  record Marked(String id, ComplaintKind kind, String departmentId, String citizenKey) {}

  private final Pool pool;

  ComplaintStore(Pool pool) {
    this.pool = pool;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant();
  }

  static Row0 row(Row r) {
    return new Row0(
        r.getString("id"),
        ComplaintKind.fromWire(r.getString("kind")),
        r.getString("citizen_key"),
        r.getString("channel"),
        r.getString("service_type"),
        r.getString("region"),
        r.getString("department_id"),
        r.getString("first_department_id"),
        r.getString("text_enc"),
        r.getString("interaction_id"),
        r.getString("request_hash"),
        instant(r, "submitted_at"),
        r.getShort("working_days"),
        instant(r, "deadline"),
        r.getString("reply_enc"),
        instant(r, "replied_at"),
        r.getString("reply_department_id"),
        r.getString("reply_interaction_id"),
        instant(r, "closed_at"),
        instant(r, "overdue_at"),
        r.getShort("transfers"),
        r.getString("case_id"));
  }

  private static List<Row0> rows(RowSet<Row> set) {
    List<Row0> out = new ArrayList<>();
    for (Row r : set) out.add(row(r));
    return out;
  }

  /**
   * Inserts a new item and its {@code submitted} event; answers false when the citizen already used
   * the idempotency key (the caller then reads that item).
   */
  Future<Boolean> insert(Row0 c, String idempotencyKey) {
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        "INSERT INTO complaints (id, kind, citizen_key, channel, "
                            + "service_type, region, department_id, first_department_id, text_enc, interaction_id, "
                            + "idempotency_key, request_hash, submitted_at, working_days, deadline, case_id) "
                            + "VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9,$10,$11,$12,$13,$14,$15)")
                    .execute(
                        Tuple.of(
                                c.id(),
                                c.kind().wireName(),
                                c.citizenKey(),
                                c.channel(),
                                c.serviceType(),
                                c.region(),
                                c.departmentId(),
                                c.textEnc(),
                                c.interactionId(),
                                idempotencyKey)
                            .addValue(c.requestHash())
                            .addValue(ts(c.submittedAt()))
                            .addValue((short) c.workingDays())
                            .addValue(ts(c.deadline()))
                            .addValue(c.caseId()))
                    .compose(
                        v ->
                            event(
                                conn,
                                c.id(),
                                c.submittedAt(),
                                "submitted",
                                "citizen",
                                null,
                                null,
                                c.departmentId(),
                                null)))
        .map(true)
        .recover(
            e ->
                e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                    ? Future.succeededFuture(false)
                    : Future.failedFuture(e));
  }

  static Future<Void> event(
      SqlConnection conn,
      String id,
      Instant at,
      String action,
      String actorType,
      String actorId,
      String from,
      String to,
      String reasonEnc) {
    return conn.preparedQuery(
            "INSERT INTO complaint_events (complaint_id, at, action, actor_type, actor_id, "
                + "from_department, to_department, reason_enc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
        .execute(Tuple.of(id, ts(at), action, actorType, actorId, from, to).addValue(reasonEnc))
        .mapEmpty();
  }

  Future<Row0> byIdempotencyKey(String citizenKey, String key) {
    return pool.preparedQuery(
            "SELECT " + COLS + " FROM complaints WHERE citizen_key = $1 AND idempotency_key = $2")
        .execute(Tuple.of(citizenKey, key))
        .map(set -> set.size() == 0 ? null : row(set.iterator().next()));
  }

  /** Items the citizen filed since {@code since}. */
  Future<Long> filedSince(String citizenKey, Instant since) {
    return pool.preparedQuery(
            "SELECT count(*) FROM complaints WHERE citizen_key = $1 AND submitted_at >= $2")
        .execute(Tuple.of(citizenKey, ts(since)))
        .map(set -> set.iterator().next().getLong(0));
  }

  /** One item of the citizen, null when there is none (or it is another citizen's). */
  Future<Row0> ofCitizen(String citizenKey, String id) {
    return pool.preparedQuery(
            "SELECT " + COLS + " FROM complaints WHERE id = $1 AND citizen_key = $2")
        .execute(Tuple.of(id, citizenKey))
        .map(set -> set.size() == 0 ? null : row(set.iterator().next()));
  }

  /** The citizen's items, newest first, submitted before {@code before} (null: from the newest). */
  Future<List<Row0>> listOfCitizen(String citizenKey, Instant before, int limit) {
    return pool.preparedQuery(
            "SELECT "
                + COLS
                + " FROM complaints WHERE citizen_key = $1 "
                + "AND ($2::timestamptz IS NULL OR submitted_at < $2) ORDER BY submitted_at DESC, id DESC LIMIT $3")
        .execute(Tuple.of(citizenKey, ts(before), limit))
        .map(ComplaintStore::rows);
  }

  /** One item the department handles now, null when there is none. */
  Future<Row0> ofDepartment(String departmentId, String id) {
    return pool.preparedQuery(
            "SELECT " + COLS + " FROM complaints WHERE id = $1 AND department_id = $2")
        .execute(Tuple.of(id, departmentId))
        .map(set -> set.size() == 0 ? null : row(set.iterator().next()));
  }

  /**
   * The department's items, newest first, optionally of one kind and status (as of {@code now}),
   * submitted before {@code before}.
   */
  Future<List<Row0>> listOfDepartment(
      String departmentId,
      ComplaintKind kind,
      ComplaintStatus status,
      Instant now,
      Instant before,
      int limit) {
    String filter =
        status == null
            ? ""
            : switch (status) {
              case OPEN -> " AND replied_at IS NULL AND deadline > $3";
              case OVERDUE -> " AND replied_at IS NULL AND deadline <= $3";
              case ANSWERED -> " AND replied_at IS NOT NULL AND closed_at IS NULL";
              case CLOSED -> " AND closed_at IS NOT NULL";
            };
    return pool.preparedQuery(
            "SELECT "
                + COLS
                + " FROM complaints WHERE department_id = $1 "
                + "AND ($2::text IS NULL OR kind = $2) AND ($4::timestamptz IS NULL OR submitted_at < $4)"
                + filter
                + " AND $3::timestamptz IS NOT NULL ORDER BY submitted_at DESC, id DESC LIMIT $5")
        .execute(
            Tuple.of(
                departmentId, kind == null ? null : kind.wireName(), ts(now), ts(before), limit))
        .map(ComplaintStore::rows);
  }

  Future<List<Event>> events(String id) {
    return pool.preparedQuery(
            "SELECT action, at, actor_type, from_department, to_department, reason_enc "
                + "FROM complaint_events WHERE complaint_id = $1 ORDER BY id")
        .execute(Tuple.of(id))
        .map(
            set -> {
              List<Event> out = new ArrayList<>();
              for (Row r : set) {
                out.add(
                    new Event(
                        r.getString("action"),
                        instant(r, "at"),
                        r.getString("actor_type"),
                        r.getString("from_department"),
                        r.getString("to_department"),
                        r.getString("reason_enc")));
              }
              return out;
            });
  }

  /**
   * Records the reply of the handling department, once; null when the item is not open (or not
   * theirs).
   */
  Future<Row0> reply(
      String departmentId,
      String id,
      String replyEnc,
      String interactionId,
      String actorType,
      String actorId,
      Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE complaints SET reply_enc = $3, replied_at = $4, "
                        + "replied_by = $5, reply_department_id = $2, reply_interaction_id = $6 "
                        + "WHERE id = $1 AND department_id = $2 AND replied_at IS NULL AND closed_at IS NULL RETURNING "
                        + COLS)
                .execute(Tuple.of(id, departmentId, replyEnc, ts(now), actorId, interactionId))
                .compose(
                    set ->
                        set.size() == 0
                            ? Future.succeededFuture((Row0) null)
                            : event(
                                    conn,
                                    id,
                                    now,
                                    "replied",
                                    actorType,
                                    actorId,
                                    departmentId,
                                    null,
                                    null)
                                .map(row(set.iterator().next()))));
  }

  /**
   * Moves an unanswered item to another department (deadline unchanged); null when not possible.
   */
  Future<Row0> transfer(
      String departmentId,
      String id,
      String toDepartment,
      String reasonEnc,
      String actorType,
      String actorId,
      Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE complaints SET department_id = $3, "
                        + "transfers = transfers + 1 WHERE id = $1 AND department_id = $2 AND replied_at IS NULL "
                        + "AND closed_at IS NULL RETURNING "
                        + COLS)
                .execute(Tuple.of(id, departmentId, toDepartment))
                .compose(
                    set ->
                        set.size() == 0
                            ? Future.succeededFuture((Row0) null)
                            : event(
                                    conn,
                                    id,
                                    now,
                                    "transferred",
                                    actorType,
                                    actorId,
                                    departmentId,
                                    toDepartment,
                                    reasonEnc)
                                .map(row(set.iterator().next()))));
  }

  /** Closes a replied item, once; null when not possible. */
  Future<Row0> close(
      String departmentId, String id, String actorType, String actorId, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE complaints SET closed_at = $3 "
                        + "WHERE id = $1 AND department_id = $2 AND replied_at IS NOT NULL AND closed_at IS NULL "
                        + "RETURNING "
                        + COLS)
                .execute(Tuple.of(id, departmentId, ts(now)))
                .compose(
                    set ->
                        set.size() == 0
                            ? Future.succeededFuture((Row0) null)
                            : event(
                                    conn,
                                    id,
                                    now,
                                    "closed",
                                    actorType,
                                    actorId,
                                    departmentId,
                                    null,
                                    null)
                                .map(row(set.iterator().next()))));
  }

  /**
   * Marks unanswered items past their deadline, at most {@code limit}, each once across instances
   * (SKIP LOCKED, and the {@code overdue_at IS NULL} condition); answers what it marked.
   */
  Future<List<Marked>> markOverdue(Instant now, int limit) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE complaints SET overdue_at = $1 WHERE id IN "
                        + "(SELECT id FROM complaints WHERE replied_at IS NULL AND overdue_at IS NULL AND deadline <= $1 "
                        + "ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id, kind, department_id, citizen_key")
                .execute(Tuple.of(ts(now), limit))
                .compose(
                    set -> {
                      List<Marked> marked = new ArrayList<>();
                      List<Tuple> events = new ArrayList<>();
                      for (Row r : set) {
                        marked.add(
                            new Marked(
                                r.getString("id"),
                                ComplaintKind.fromWire(r.getString("kind")),
                                r.getString("department_id"),
                                r.getString("citizen_key")));
                        events.add(
                            Tuple.of(
                                    r.getString("id"),
                                    ts(now),
                                    "overdue",
                                    "gateway",
                                    null,
                                    r.getString("department_id"),
                                    null)
                                .addValue(null));
                      }
                      if (events.isEmpty()) return Future.succeededFuture(marked);
                      return conn.preparedQuery(
                              "INSERT INTO complaint_events (complaint_id, at, action, actor_type, actor_id, "
                                  + "from_department, to_department, reason_enc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                          .executeBatch(events)
                          .map(marked);
                    }));
  }

  /** Unanswered items past their deadline now, by department and kind (the overdue gauge). */
  Future<List<Row>> overdueCounts(Instant now) {
    return pool.preparedQuery(
            "SELECT department_id, kind, count(*) AS n FROM complaints "
                + "WHERE replied_at IS NULL AND deadline <= $1 GROUP BY department_id, kind")
        .execute(Tuple.of(ts(now)))
        .map(
            set -> {
              List<Row> out = new ArrayList<>();
              set.forEach(out::add);
              return out;
            });
  }
}
