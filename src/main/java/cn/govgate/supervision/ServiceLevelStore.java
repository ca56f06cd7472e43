package cn.govgate.supervision;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of service levels: the rollup of per-minute rows into per-day totals, and the month's
 * figures read from both (calls and latency), from consultations and complaints, and from ratings
 * and rectifications. A month is {@code [from, to)} in instants and {@code [fromDay, toDay)} in
 * Asia/Shanghai days; region and department filter when not null.
 */
final class ServiceLevelStore {
  /** Advisory lock key of the rollup: one instance at a time. */
  private static final long ROLLUP_LOCK = 0x676f7667L;

  /** A month and the filters of one query. */
  record Scope(
      Instant from,
      Instant to,
      LocalDate fromDay,
      LocalDate toDay,
      String region,
      String department) {
    Tuple days() {
      return Tuple.of(fromDay, toDay, region, department);
    }

    Tuple instants() {
      return Tuple.of(
          from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), region, department);
    }
  }

  private static final String FILTER =
      " AND ($3::text IS NULL OR region = $3) AND ($4::text IS NULL OR department_id = $4)";

  private final Pool pool;

  ServiceLevelStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Moves per-minute rows older than {@code cutoff} into the per-day tables, in one statement
   * (deleted and added together, so nothing is counted twice or lost); does nothing while another
   * instance is rolling up. Answers the number of minute rows moved, -1 when another instance held
   * the lock.
   */
  Future<Integer> rollUp(Instant cutoff) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
                .execute(Tuple.of(ROLLUP_LOCK))
                .compose(
                    locked ->
                        !locked.iterator().next().getBoolean(0)
                            ? Future.succeededFuture(-1)
                            : conn.preparedQuery(
                                    "WITH moved AS (DELETE FROM service_level_minutes WHERE minute < $1 RETURNING *), "
                                        + "counts AS (INSERT INTO service_level_days AS d (day, department_id, service_type, region, "
                                        + "calls, answered, errors, unavailable, timed_out, stale) "
                                        + "SELECT (minute AT TIME ZONE 'Asia/Shanghai')::date, department_id, service_type, region, "
                                        + "sum(calls), sum(answered), sum(errors), sum(unavailable), sum(timed_out), sum(stale) "
                                        + "FROM moved GROUP BY 1, 2, 3, 4 "
                                        + "ON CONFLICT (day, department_id, service_type, region) DO UPDATE SET "
                                        + "calls = d.calls + EXCLUDED.calls, answered = d.answered + EXCLUDED.answered, "
                                        + "errors = d.errors + EXCLUDED.errors, unavailable = d.unavailable + EXCLUDED.unavailable, "
                                        + "timed_out = d.timed_out + EXCLUDED.timed_out, stale = d.stale + EXCLUDED.stale RETURNING 1), "
                                        + "latency AS (INSERT INTO service_level_day_latency AS l (day, department_id, service_type, "
                                        + "region, bucket, count) SELECT (minute AT TIME ZONE 'Asia/Shanghai')::date, department_id, "
                                        + "service_type, region, u.b, sum(u.n) FROM moved, unnest(latency_buckets, latency_counts) "
                                        + "AS u(b, n) GROUP BY 1, 2, 3, 4, 5 "
                                        + "ON CONFLICT (day, department_id, service_type, region, bucket) DO UPDATE SET "
                                        + "count = l.count + EXCLUDED.count RETURNING 1) "
                                        + "SELECT count(*) FROM moved")
                                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                                .map(rows -> rows.iterator().next().getLong(0).intValue())));
  }

  /** Calls by department: total and by result. */
  Future<List<Row>> calls(Scope s) {
    return pool.preparedQuery(
            "SELECT department_id, sum(calls)::bigint AS calls, sum(answered)::bigint AS answered, "
                + "sum(errors)::bigint AS errors, sum(unavailable)::bigint AS unavailable, "
                + "sum(timed_out)::bigint AS timed_out, sum(stale)::bigint AS stale FROM ("
                + "SELECT department_id, calls, answered, errors, unavailable, timed_out, stale FROM service_level_days "
                + "WHERE day >= $5 AND day < $6"
                + FILTER
                + " UNION ALL SELECT department_id, calls, answered, errors, unavailable, timed_out, stale "
                + "FROM service_level_minutes WHERE minute >= $1 AND minute < $2"
                + FILTER
                + ") t GROUP BY department_id ORDER BY department_id")
        .execute(s.instants().addValue(s.fromDay()).addValue(s.toDay()))
        .map(ServiceLevelStore::list);
  }

  /** Latency of answered calls by department and bucket. */
  Future<List<Row>> latency(Scope s) {
    return pool.preparedQuery(
            "SELECT department_id, bucket, sum(n)::bigint AS n FROM ("
                + "SELECT department_id, bucket, count AS n FROM service_level_day_latency "
                + "WHERE day >= $5 AND day < $6"
                + FILTER
                + " UNION ALL SELECT department_id, u.b AS bucket, u.n FROM service_level_minutes m, "
                + "unnest(m.latency_buckets, m.latency_counts) AS u(b, n) WHERE minute >= $1 AND minute < $2"
                + FILTER
                + ") t GROUP BY department_id, bucket")
        .execute(s.instants().addValue(s.fromDay()).addValue(s.toDay()))
        .map(ServiceLevelStore::list);
  }

  /**
   * Consultations and complaints filed in the month, by the department handling them now and kind:
   * received, replied, replied within the deadline, unanswered past the deadline at {@code now},
   * median hours to the reply.
   */
  Future<List<Row>> complaints(Scope s, Instant now) {
    return pool.preparedQuery(
            "SELECT department_id, kind, count(*) AS received, "
                + "count(replied_at) AS replied, count(*) FILTER (WHERE replied_at < deadline) AS on_time, "
                + "count(*) FILTER (WHERE replied_at IS NULL AND deadline <= $5) AS overdue, "
                + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - submitted_at)) "
                + "AS median_seconds FROM complaints WHERE submitted_at >= $1 AND submitted_at < $2"
                + FILTER
                + " GROUP BY department_id, kind")
        .execute(s.instants().addValue(now.atOffset(ZoneOffset.UTC)))
        .map(ServiceLevelStore::list);
  }

  /** Ratings given in the month by department: how many, how many satisfied (levels 4–5). */
  Future<List<Row>> ratings(Scope s) {
    return pool.preparedQuery(
            "SELECT department_id, count(*) AS n, count(*) FILTER (WHERE level >= 4) AS satisfied "
                + "FROM ratings WHERE rated_at >= $1 AND rated_at < $2"
                + FILTER
                + " GROUP BY department_id")
        .execute(s.instants())
        .map(ServiceLevelStore::list);
  }

  /**
   * Rectifications due in the month: decided by {@code now} (closed or past due), and closed by
   * their deadline.
   */
  Future<List<Row>> rectifications(Scope s, Instant now) {
    return pool.preparedQuery(
            "SELECT department_id, "
                + "count(*) FILTER (WHERE closed_at IS NOT NULL OR deadline <= $5) AS due, "
                + "count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= deadline) AS closed_on_time "
                + "FROM rectifications WHERE deadline >= $1 AND deadline < $2"
                + FILTER
                + " GROUP BY department_id")
        .execute(s.instants().addValue(now.atOffset(ZoneOffset.UTC)))
        .map(ServiceLevelStore::list);
  }

  private static List<Row> list(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Row> out = new ArrayList<>();
    rows.forEach(out::add);
    return out;
  }
}
