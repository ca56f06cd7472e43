package cn.govgate.ratings;

import cn.govgate.config.RatingsConfig;
import cn.govgate.error.ErrorCode;
import cn.govgate.services.Caller;
import cn.govgate.services.Interaction;
import cn.govgate.services.Interactions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Takes ratings: one per interaction, only by the citizen who was served (or, for an anonymous L1
 * interaction, by whoever holds its id) and only within the rating window. A 差评 opens its
 * rectification item in the same transaction, so no 差评 can exist without one.
 */
public final class Ratings {
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final Interactions interactions;
  private final RatingsConfig config;
  private final Clock clock;

  private Ratings(Pool pool, Interactions interactions, RatingsConfig config, Clock clock) {
    this.pool = pool;
    this.interactions = interactions;
    this.config = config;
    this.clock = clock;
  }

  public static Ratings create(
      Pool pool, Interactions interactions, RatingsConfig config, Clock clock) {
    return new Ratings(
        Objects.requireNonNull(pool),
        Objects.requireNonNull(interactions),
        Objects.requireNonNull(config),
        Objects.requireNonNull(clock));
  }

  /**
   * Records a rating by {@code caller}. The answer names the interaction, the level and, for a 差评,
   * the rectification deadline.
   *
   * @return fails with 404 {@code rating.interaction_unknown} (also for another citizen's
   *     interaction, so that ids cannot be probed), 409 {@code rating.window_closed} or 409 {@code
   *     rating.already_rated}
   */
  public Future<JsonObject> rate(Caller caller, RatingRequest request) {
    return interactions
        .find(request.interactionId())
        .compose(
            interaction -> {
              if (interaction == null || !mayRate(caller, interaction)) {
                return Future.failedFuture(ErrorCode.RATING_INTERACTION_UNKNOWN.error());
              }
              Instant now = clock.instant();
              if (now.isAfter(interaction.createdAt().plus(config.window()))) {
                return Future.failedFuture(ErrorCode.RATING_WINDOW_CLOSED.error());
              }
              return pool.withTransaction(conn -> insert(conn, interaction, request, now))
                  .recover(
                      e ->
                          Future.failedFuture(
                              e instanceof PgException pg
                                      && UNIQUE_VIOLATION.equals(pg.getSqlState())
                                  ? ErrorCode.RATING_ALREADY_RATED.error()
                                  : e));
            });
  }

  private static boolean mayRate(Caller caller, Interaction interaction) {
    return interaction.citizenKey() == null || interaction.citizenKey().equals(caller.citizenKey());
  }

  private Future<JsonObject> insert(
      SqlConnection conn, Interaction i, RatingRequest r, Instant now) {
    String[] indicators = r.indicators().stream().map(Indicator::code).toArray(String[]::new);
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    JsonObject answer =
        new JsonObject()
            .put("interactionId", i.id())
            .put("level", r.level())
            .put("ratedAt", at.toInstant().toString());
    // A read's interaction lives in its audit record until it is rated: copy it first, so the
    // rating's foreign key holds.
    return Interactions.keep(conn, i)
        .compose(
            kept ->
                conn.preparedQuery(
                        "INSERT INTO ratings (interaction_id, service_type, department_id, region, level, "
                            + "indicators, comment, rated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                    .execute(
                        Tuple.of(
                            i.id(),
                            i.serviceType(),
                            i.departmentId(),
                            i.region(),
                            (short) r.level(),
                            indicators,
                            r.comment(),
                            at))
                    .compose(
                        rows -> {
                          if (!r.bad()) return Future.succeededFuture(answer);
                          OffsetDateTime deadline = at.plus(config.rectificationDeadline());
                          return conn.preparedQuery(
                                  "INSERT INTO rectifications (rating_id, department_id, region, service_type, "
                                      + "opened_at, deadline) VALUES ($1, $2, $3, $4, $5, $6)")
                              .execute(
                                  Tuple.of(
                                      rows.iterator().next().getLong("id"),
                                      i.departmentId(),
                                      i.region(),
                                      i.serviceType(),
                                      at,
                                      deadline))
                              .map(
                                  v ->
                                      answer.put(
                                          "rectificationDeadline",
                                          deadline.toInstant().toString()));
                        }));
  }
}
