package cn.govgate.services;

import cn.govgate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * How many lookups of vehicles not registered to them a citizen may make: at most {@code limit}
 * within a sliding {@code window}. Counted in PostgreSQL under a per-citizen advisory lock, so
 * parallel requests and several gateway instances cannot exceed it. A refused lookup is 429 {@code
 * traffic.lookup_rate_limited} with {@code Retry-After} set to when the oldest counted lookup
 * leaves the window.
 */
public final class VehicleLookupLimit {
  // Advisory lock class 3 (identity uses 1 and 2), keyed by the citizen key's hash.
  private static final int LOCK_CLASS = 3;

  private final Pool pool;
  private final Clock clock;
  private final int limit;
  private final Duration window;

  private VehicleLookupLimit(Pool pool, Clock clock, int limit, Duration window) {
    this.pool = pool;
    this.clock = clock;
    this.limit = limit;
    this.window = window;
  }

  /** At most {@code limit} lookups per citizen within {@code window}. */
  public static VehicleLookupLimit create(Pool pool, Clock clock, int limit, Duration window) {
    if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
    if (window.isNegative() || window.isZero())
      throw new IllegalArgumentException("window must be positive");
    return new VehicleLookupLimit(
        Objects.requireNonNull(pool), Objects.requireNonNull(clock), limit, window);
  }

  public int limit() {
    return limit;
  }

  public Duration window() {
    return window;
  }

  /**
   * Counts one lookup for {@code citizenKey}; fails with 429 when the citizen already made {@code
   * limit} lookups within the window (the refused attempt is not counted).
   */
  public Future<Void> acquire(String citizenKey) {
    Instant now = clock.instant();
    OffsetDateTime since = OffsetDateTime.ofInstant(now.minus(window), ZoneOffset.UTC);
    return pool.withTransaction(
        conn ->
            conn.preparedQuery("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .execute(Tuple.of(LOCK_CLASS, citizenKey))
                // Rows that left the window count for nothing; dropping them keeps the table small.
                .compose(
                    x ->
                        conn.preparedQuery(
                                "DELETE FROM vehicle_lookups WHERE citizen_key = $1 AND looked_up_at <= $2")
                            .execute(Tuple.of(citizenKey, since)))
                .compose(
                    x ->
                        conn.preparedQuery(
                                "SELECT count(*) AS n, min(looked_up_at) AS oldest FROM vehicle_lookups "
                                    + "WHERE citizen_key = $1 AND looked_up_at > $2")
                            .execute(Tuple.of(citizenKey, since)))
                .compose(
                    rows -> {
                      Row r = rows.iterator().next();
                      if (r.getLong("n") >= limit) {
                        Instant free = r.getOffsetDateTime("oldest").toInstant().plus(window);
                        long seconds =
                            Math.max(1, (Duration.between(now, free).toMillis() + 999) / 1000);
                        return Future.failedFuture(
                            ErrorCode.TRAFFIC_LOOKUP_RATE_LIMITED
                                .error(
                                    new JsonObject()
                                        .put("limit", limit)
                                        .put("windowMinutes", window.toMinutes()))
                                .withRetryAfter((int) Math.min(Integer.MAX_VALUE, seconds)));
                      }
                      return conn.preparedQuery(
                              "INSERT INTO vehicle_lookups (citizen_key, looked_up_at) VALUES ($1, $2)")
                          .execute(
                              Tuple.of(citizenKey, OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
                          .<Void>mapEmpty();
                    }));
  }
}
