package cn.govgate.supervision;

import cn.govgate.registry.CallObserver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's share of the service levels: counts every department call per (minute,
 * department, service, region) in memory — lock-free adders, no database round trip on the request
 * path — and adds them to PostgreSQL ({@code service_level_minutes}, one row per key and flush,
 * under this instance's id) every flush interval and on close. A failed write puts the counts back
 * for the next flush. Minutes come from the gateway clock; latency is wall time.
 */
public final class CallLedger implements CallObserver {
  private static final Logger log = LoggerFactory.getLogger(CallLedger.class);
  private static final Result[] RESULTS = Result.values();

  private record Key(long minute, String department, String service, String region) {}

  /** The counts of one key since the last flush. */
  private static final class Cell {
    final LongAdder[] results = new LongAdder[RESULTS.length];
    final AtomicLongArray latency = new AtomicLongArray(LatencyBuckets.COUNT);

    Cell() {
      for (int i = 0; i < results.length; i++) results[i] = new LongAdder();
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final String instanceId = UUID.randomUUID().toString();
  private final Map<Key, Cell> cells = new ConcurrentHashMap<>();
  private final long timer;
  private Future<Void> writing = Future.succeededFuture();

  private CallLedger(Vertx vertx, Pool pool, Clock clock, Duration flushInterval) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.timer = vertx.setPeriodic(flushInterval.toMillis(), id -> flush());
  }

  public static CallLedger create(Vertx vertx, Pool pool, Clock clock, Duration flushInterval) {
    return new CallLedger(
        Objects.requireNonNull(vertx),
        Objects.requireNonNull(pool),
        Objects.requireNonNull(clock),
        flushInterval);
  }

  @Override
  public void observe(
      String departmentId, String serviceType, String region, Result result, long micros) {
    long minute = clock.millis() / 60_000;
    Cell cell =
        cells.computeIfAbsent(new Key(minute, departmentId, serviceType, region), k -> new Cell());
    cell.results[result.ordinal()].increment();
    if (result == Result.ANSWERED) cell.latency.incrementAndGet(LatencyBuckets.index(micros));
  }

  /**
   * Writes what was counted since the last flush; completes once it is in the database. Flushes
   * never overlap.
   */
  public synchronized Future<Void> flush() {
    writing = writing.transform(ar -> drain());
    return writing;
  }

  private Future<Void> drain() {
    long currentMinute = clock.millis() / 60_000;
    List<Tuple> rows = new ArrayList<>();
    List<Runnable> undo = new ArrayList<>();
    cells.forEach(
        (key, cell) -> {
          long[] counts = new long[RESULTS.length];
          long calls = 0;
          for (int i = 0; i < counts.length; i++) {
            counts[i] = cell.results[i].sumThenReset();
            calls += counts[i];
          }
          List<Short> buckets = new ArrayList<>();
          List<Long> latency = new ArrayList<>();
          for (int b = 0; b < LatencyBuckets.COUNT; b++) {
            long n = cell.latency.getAndSet(b, 0);
            if (n > 0) {
              buckets.add((short) b);
              latency.add(n);
            }
          }
          if (calls == 0) {
            // No call can be counted in a minute that ended two minutes ago: forget its cell.
            if (key.minute() < currentMinute - 2) cells.remove(key, cell);
            return;
          }
          rows.add(
              Tuple.of(
                      instanceId,
                      Instant.ofEpochSecond(key.minute() * 60).atOffset(ZoneOffset.UTC),
                      key.department(),
                      key.service(),
                      key.region())
                  .addValue(calls)
                  .addValue(counts[Result.ANSWERED.ordinal()])
                  .addValue(counts[Result.ERROR.ordinal()])
                  .addValue(counts[Result.UNAVAILABLE.ordinal()])
                  .addValue(counts[Result.TIMED_OUT.ordinal()])
                  .addValue(counts[Result.STALE.ordinal()])
                  .addValue(buckets.toArray(new Short[0]))
                  .addValue(latency.toArray(new Long[0])));
          undo.add(
              () -> {
                Cell back = cells.computeIfAbsent(key, k -> new Cell());
                for (int i = 0; i < counts.length; i++) back.results[i].add(counts[i]);
                for (int i = 0; i < buckets.size(); i++)
                  back.latency.addAndGet(buckets.get(i), latency.get(i));
              });
        });
    if (rows.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(
            "INSERT INTO service_level_minutes (instance_id, minute, department_id, service_type, "
                + "region, calls, answered, errors, unavailable, timed_out, stale, latency_buckets, latency_counts) "
                + "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)")
        .executeBatch(rows)
        .<Void>mapEmpty()
        .onFailure(
            e -> {
              log.warn(
                  "{} service-level rows not written, kept for the next flush: {}",
                  rows.size(),
                  e.toString());
              undo.forEach(Runnable::run);
            });
  }

  /** Stops the timer and writes what is left. */
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return flush().recover(e -> Future.succeededFuture());
  }
}
