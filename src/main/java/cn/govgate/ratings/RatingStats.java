package cn.govgate.ratings;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The published indicators (评价结果公开): how many ratings, the satisfaction rate (levels 4–5 over all),
 * the count per level, and the rectification rate (差评 items closed within their deadline over all
 * 差评). Only aggregates leave this class: no ids, no comments, nothing about who rated.
 */
public final class RatingStats {
  private static final String FILTER =
      "($1::text IS NULL OR region = $1) AND ($2::text IS NULL OR department_id = $2)";

  private final Pool pool;
  private final Clock clock;

  private RatingStats(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public static RatingStats create(Pool pool, Clock clock) {
    return new RatingStats(Objects.requireNonNull(pool), Objects.requireNonNull(clock));
  }

  /**
   * Statistics over the ratings of {@code region} and {@code departmentId}, either of which may be
   * null (all).
   */
  public Future<JsonObject> publish(String region, String departmentId) {
    Tuple filter = Tuple.of(region, departmentId);
    Future<Row> levels =
        pool.preparedQuery(
                "SELECT count(*) AS total, "
                    + "count(*) FILTER (WHERE level = 1) AS l1, count(*) FILTER (WHERE level = 2) AS l2, "
                    + "count(*) FILTER (WHERE level = 3) AS l3, count(*) FILTER (WHERE level = 4) AS l4, "
                    + "count(*) FILTER (WHERE level = 5) AS l5 FROM ratings WHERE "
                    + FILTER)
            .execute(filter)
            .map(rows -> rows.iterator().next());
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    Future<Row> fixes =
        pool.preparedQuery(
                "SELECT count(*) AS total, "
                    + "count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= deadline) AS in_time, "
                    + "count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed, "
                    + "count(*) FILTER (WHERE closed_at IS NULL AND deadline < $3) AS overdue "
                    + "FROM rectifications WHERE "
                    + FILTER)
            .execute(Tuple.of(region, departmentId, now))
            .map(rows -> rows.iterator().next());
    return Future.all(levels, fixes)
        .map(v -> answer(region, departmentId, levels.result(), fixes.result(), now));
  }

  private static JsonObject answer(
      String region, String departmentId, Row l, Row f, OffsetDateTime now) {
    long total = l.getLong("total");
    long satisfied = l.getLong("l4") + l.getLong("l5");
    long bad = f.getLong("total");
    JsonObject byLevel = new JsonObject();
    for (int i = 1; i <= 5; i++) byLevel.put(Integer.toString(i), l.getLong("l" + i));
    JsonObject j = new JsonObject();
    if (region != null) j.put("region", region);
    if (departmentId != null) j.put("departmentId", departmentId);
    JsonObject rectification =
        new JsonObject()
            .put("closedWithinDeadline", f.getLong("in_time"))
            .put("closed", f.getLong("closed"))
            .put("overdue", f.getLong("overdue"));
    // A rate over nothing is absent rather than 0 or 1: no ratings is not a satisfaction figure.
    if (bad > 0) rectification.put("rate", rate(f.getLong("in_time"), bad));
    j.put("count", total).put("levels", byLevel);
    if (total > 0) j.put("satisfactionRate", rate(satisfied, total));
    return j.put("badRatings", bad)
        .put("rectification", rectification)
        .put("asOf", now.toInstant().toString());
  }

  /** A fraction with four decimals. */
  private static double rate(long part, long whole) {
    return BigDecimal.valueOf(part)
        .divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP)
        .doubleValue();
  }
}
