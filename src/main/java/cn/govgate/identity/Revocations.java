package cn.govgate.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logged-out sessions, shared by every gateway instance on the database: a row per revoked {@code
 * jti} until the token would have expired, and in memory on each instance a set fed by {@code
 * LISTEN govgate_session_revoked} with a periodic poll as the fallback (a lost connection, a missed
 * notification). Checking a token is a map lookup: no database round trip per request.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  static final String CHANNEL = "govgate_session_revoked";
  private static final Duration POLL_OVERLAP = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Duration pollEvery;
  private final PgSubscriber subscriber;
  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
  private volatile Instant polledUpTo = Instant.EPOCH;
  private long timer = -1;

  private Revocations(
      Vertx vertx, Pool pool, PgConnectOptions connect, Clock clock, Duration pollEvery) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.pollEvery = pollEvery;
    this.subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> 1000L);
  }

  /** Loads the current list, subscribes to notifications and starts the poll. */
  public static Future<Revocations> start(
      Vertx vertx, Pool pool, PgConnectOptions connect, Clock clock, Duration pollEvery) {
    Revocations r = new Revocations(vertx, pool, connect, clock, pollEvery);
    r.subscriber.channel(CHANNEL).handler(r::onNotification);
    return r.poll()
        .compose(
            v ->
                r.subscriber
                    .connect()
                    .recover(
                        e -> {
                          // The poll still covers revocations; LISTEN only makes them faster.
                          log.warn(
                              "revocation LISTEN not connected, relying on the poll: {}",
                              e.getMessage());
                          return Future.succeededFuture();
                        }))
        .map(
            v -> {
              r.timer = vertx.setPeriodic(pollEvery.toMillis(), id -> r.poll());
              return r;
            });
  }

  private void onNotification(String payload) {
    // payload: "<jti> <expiresEpochSeconds>"
    int space = payload.indexOf(' ');
    if (space <= 0) return;
    try {
      revoked.put(
          payload.substring(0, space),
          Instant.ofEpochSecond(Long.parseLong(payload.substring(space + 1))));
    } catch (NumberFormatException ignored) {
      // not ours; the poll will bring the row
    }
  }

  private Future<Void> poll() {
    Instant since = polledUpTo.minus(POLL_OVERLAP);
    return pool.preparedQuery(
            "SELECT jti, expires_at, clock_timestamp() AS now FROM revoked_sessions "
                + "WHERE revoked_at >= $1 AND expires_at > clock_timestamp()")
        .execute(Tuple.of(OffsetDateTime.ofInstant(since, ZoneOffset.UTC)))
        .map(
            rows -> {
              Instant dbNow = null;
              for (Row row : rows) {
                revoked.put(row.getString("jti"), row.getOffsetDateTime("expires_at").toInstant());
                dbNow = row.getOffsetDateTime("now").toInstant();
              }
              polledUpTo = dbNow != null ? dbNow : clock.instant();
              Instant now = clock.instant();
              revoked.values().removeIf(exp -> exp.isBefore(now));
              return (Void) null;
            })
        .recover(
            e -> {
              log.warn("revocation poll failed: {}", e.getMessage());
              return Future.succeededFuture();
            });
  }

  /** Revokes a token on every instance; completes once it is durable. */
  public Future<Void> revoke(String jti, Instant expiresAt) {
    revoked.put(jti, expiresAt);
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        "INSERT INTO revoked_sessions (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .execute(Tuple.of(jti, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)))
                    .compose(
                        v ->
                            conn.preparedQuery("SELECT pg_notify($1, $2)")
                                .execute(Tuple.of(CHANNEL, jti + " " + expiresAt.getEpochSecond())))
                    .compose(
                        v ->
                            conn.preparedQuery(
                                    "DELETE FROM revoked_sessions WHERE expires_at < now() - interval '1 hour'")
                                .execute()))
        .mapEmpty();
  }

  /** Whether the token id was revoked (as far as this instance has heard). */
  public boolean isRevoked(String jti) {
    return revoked.containsKey(jti);
  }

  /** Stops listening and polling. */
  public Future<Void> close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return subscriber.close();
  }

  Duration pollEvery() {
    return pollEvery;
  }
}
