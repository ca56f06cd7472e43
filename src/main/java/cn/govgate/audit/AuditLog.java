package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. {@link #record} only enqueues (the request path never waits for the
 * database); a timer writes batches. Each batch is one transaction that takes a cluster-wide advisory lock,
 * reads the last record and appends records with consecutive sequence numbers, each carrying the previous
 * record's hash and its own {@code HMAC-SHA256(auditKey, prevHash | fields)}. Changing, inserting or
 * deleting a record therefore breaks the chain, and without the key the chain cannot be recomputed;
 * {@link AuditChain#verify} finds the first break.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final long CHAIN_LOCK = 0x476f76_4175646974L; // "GovAudit"
  private static final int BATCH = 500;
  private static final long FLUSH_EVERY_MS = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final AuditHasher hasher;
  private final MacAlgorithm algorithm;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger backlog = new AtomicInteger();
  private final Counter written;
  private final Counter failedBatches;
  private final long timer;
  private Future<Void> writing = Future.succeededFuture();

  private record Pending(AuditEvent event, Instant at) {}

  private AuditLog(Vertx vertx, Pool pool, byte[] key, MacAlgorithm algorithm, MeterRegistry meters, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = new AuditHasher(key);
    this.algorithm = algorithm;
    this.clock = clock;
    Gauge.builder("govgate.audit.backlog", backlog, AtomicInteger::get)
        .description("Audit records waiting to be written").register(meters);
    this.written = Counter.builder("govgate.audit.records").description("Audit records written").register(meters);
    this.failedBatches = Counter.builder("govgate.audit.write_failures")
        .description("Audit batches that failed to write (they are retried)").register(meters);
    this.timer = vertx.setPeriodic(FLUSH_EVERY_MS, id -> flush());
  }

  public static AuditLog create(Vertx vertx, Pool pool, byte[] hmacKey, MeterRegistry meters) {
    return create(vertx, pool, hmacKey, MacAlgorithm.HMAC_SHA256, meters, Clock.systemUTC());
  }

  /** An audit log whose new records are chained with {@code algorithm} ({@code crypto.auditChain}). */
  public static AuditLog create(Vertx vertx, Pool pool, byte[] hmacKey, MacAlgorithm algorithm,
      MeterRegistry meters) {
    return create(vertx, pool, hmacKey, algorithm, meters, Clock.systemUTC());
  }

  public static AuditLog create(Vertx vertx, Pool pool, byte[] hmacKey, MacAlgorithm algorithm, MeterRegistry meters,
      Clock clock) {
    return new AuditLog(vertx, pool, hmacKey, algorithm, meters, clock);
  }

  /** Enqueues a record, stamped now; it is written within about {@value #FLUSH_EVERY_MS} ms. Never fails. */
  public void record(AuditEvent event) {
    queue.add(new Pending(event, clock.instant().truncatedTo(ChronoUnit.MICROS)));
    backlog.incrementAndGet();
  }

  /** Writes everything enqueued so far; completes when it is in the database. */
  public synchronized Future<Void> flush() {
    writing = writing.transform(ar -> drain());
    return writing;
  }

  private Future<Void> drain() {
    List<Pending> batch = new ArrayList<>();
    for (Pending p; batch.size() < BATCH && (p = queue.poll()) != null; ) batch.add(p);
    if (batch.isEmpty()) return Future.succeededFuture();
    return pool.withTransaction(conn -> append(conn, batch))
        .onSuccess(v -> {
          backlog.addAndGet(-batch.size());
          written.increment(batch.size());
        })
        .recover(e -> {
          // Keep the records: put them back in front and try again on the next tick.
          failedBatches.increment();
          log.warn("audit batch of {} records not written, will retry: {}", batch.size(), e.getMessage());
          List<Pending> rest = new ArrayList<>(queue);
          queue.clear();
          queue.addAll(batch);
          queue.addAll(rest);
          return Future.failedFuture(e);
        })
        .compose(v -> queue.isEmpty() ? Future.succeededFuture() : drain());
  }

  private Future<Void> append(SqlConnection conn, List<Pending> batch) {
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(CHAIN_LOCK))
        .compose(v -> conn.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").execute())
        .compose(rows -> {
          long seq = 0;
          String prev = AuditHasher.GENESIS;
          if (rows.size() > 0) {
            Row last = rows.iterator().next();
            seq = last.getLong("seq");
            prev = last.getString("hash");
          }
          List<Tuple> tuples = new ArrayList<>(batch.size());
          for (Pending p : batch) {
            seq++;
            AuditRecord r = AuditRecord.of(seq, p.at(), p.event(), prev);
            String hash = hasher.hash(r, algorithm);
            tuples.add(Tuple.of(r.seq(), r.at().atOffset(ZoneOffset.UTC), r.actorType(), r.actorId(), r.action(),
                    r.citizenKey(), r.outcome(), r.requestId())
                .addValue(r.details()).addValue(prev).addValue(hash).addValue(algorithm.configName()));
            prev = hash;
          }
          return conn.preparedQuery("INSERT INTO audit_log (seq, at, actor_type, actor_id, action, citizen_key, "
                  + "outcome, request_id, details, prev_hash, hash, hash_alg) "
                  + "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)")
              .executeBatch(tuples)
              .mapEmpty();
        });
  }

  /** Stops the timer and writes what is left. */
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return flush();
  }

  /** Records waiting to be written. */
  public int backlog() {
    return backlog.get();
  }
}
