package cn.govgate.ratings;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The department side of 差评: list the items of a department, answer one (整改说明 / 回访结果), close it.
 * Items are always selected by the department the caller was authorised for, so one department
 * never sees another's. The rater is never part of an item: the department sees the rating's
 * content, not who gave it.
 */
public final class Rectifications {
  public static final int MAX_ANSWER = 1000;
  private static final String COLUMNS =
      "x.id, x.service_type, x.region, x.opened_at, x.deadline, x.answer, "
          + "x.answered_at, x.closed_at, r.level, r.indicators, r.comment";
  private static final String FROM = " FROM rectifications x JOIN ratings r ON r.id = x.rating_id ";

  private final Pool pool;
  private final Clock clock;

  private Rectifications(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public static Rectifications create(Pool pool, Clock clock) {
    return new Rectifications(Objects.requireNonNull(pool), Objects.requireNonNull(clock));
  }

  /** The department's items, newest first, optionally only those in {@code state} (null: all). */
  public Future<JsonObject> list(String departmentId, RectificationState state) {
    Instant now = clock.instant();
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + FROM
                + "WHERE x.department_id = $1 ORDER BY x.opened_at DESC, "
                + "x.id DESC LIMIT 1000")
        .execute(Tuple.of(departmentId))
        .map(
            rows -> {
              JsonArray items = new JsonArray();
              for (Row row : rows) {
                JsonObject item = toJson(row, now);
                if (state == null || state.wireName().equals(item.getString("state")))
                  items.add(item);
              }
              return new JsonObject().put("departmentId", departmentId).put("items", items);
            });
  }

  /** Records the department's answer; an item can be answered again until it is closed. */
  public Future<JsonObject> answer(String departmentId, long id, String answer) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery(
            "UPDATE rectifications SET answer = $3, answered_at = $4 "
                + "WHERE id = $1 AND department_id = $2 AND closed_at IS NULL RETURNING id")
        .execute(Tuple.of(id, departmentId, answer, now))
        .compose(rows -> rows.size() == 1 ? one(departmentId, id) : refusal(departmentId, id));
  }

  /** Closes an answered item. */
  public Future<JsonObject> close(String departmentId, long id) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery(
            "UPDATE rectifications SET closed_at = $3 "
                + "WHERE id = $1 AND department_id = $2 AND closed_at IS NULL AND answered_at IS NOT NULL RETURNING id")
        .execute(Tuple.of(id, departmentId, now))
        .compose(rows -> rows.size() == 1 ? one(departmentId, id) : refusal(departmentId, id));
  }

  private Future<JsonObject> one(String departmentId, long id) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + FROM + "WHERE x.id = $1 AND x.department_id = $2")
        .execute(Tuple.of(id, departmentId))
        .compose(
            rows ->
                rows.size() == 0
                    ? Future.failedFuture(unknown())
                    : Future.succeededFuture(toJson(rows.iterator().next(), clock.instant())));
  }

  private <T> Future<T> refusal(String departmentId, long id) {
    return one(departmentId, id)
        .compose(
            item ->
                Future.failedFuture(
                    "closed".equals(item.getString("state"))
                        ? ErrorCode.RECTIFICATION_CLOSED.error()
                        : ErrorCode.RECTIFICATION_NOT_ANSWERED.error()));
  }

  private static ApiException unknown() {
    return ErrorCode.RECTIFICATION_UNKNOWN.error();
  }

  private static JsonObject toJson(Row row, Instant now) {
    Instant answeredAt = instant(row.getOffsetDateTime("answered_at"));
    Instant closedAt = instant(row.getOffsetDateTime("closed_at"));
    Instant deadline = instant(row.getOffsetDateTime("deadline"));
    JsonArray indicators = new JsonArray();
    for (String code : row.getArrayOfStrings("indicators")) indicators.add(code);
    JsonObject j =
        new JsonObject()
            .put("id", row.getLong("id"))
            .put("serviceType", row.getString("service_type"))
            .put("region", row.getString("region"))
            .put("level", (int) row.getShort("level"))
            .put("indicators", indicators)
            .put("comment", row.getString("comment"))
            .put("openedAt", row.getOffsetDateTime("opened_at").toInstant().toString())
            .put("deadline", row.getOffsetDateTime("deadline").toInstant().toString())
            .put("state", RectificationState.of(answeredAt, closedAt, deadline, now).wireName());
    if (row.getString("answer") != null) j.put("answer", row.getString("answer"));
    if (answeredAt != null) j.put("answeredAt", answeredAt.toString());
    if (closedAt != null) j.put("closedAt", closedAt.toString());
    return j;
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
