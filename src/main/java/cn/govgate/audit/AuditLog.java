package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. {@link #record} enqueues a record and returns a Future that
 * completes once the record is committed: callers that must not act before the record is durable (a
 * read of personal data is answered only then) wait for it; the rest ignore it. Writes are
 * group-committed: when nothing is being written a record starts a write at once, and everything
 * enqueued while a batch commits goes into the next batch, so the number of transactions follows
 * the database's speed, not the request rate. Each batch is one transaction that takes a
 * cluster-wide advisory lock, reads the last record and appends records with consecutive sequence
 * numbers in one multi-row INSERT, each carrying the previous record's hash and its own {@code
 * HMAC-SHA256(auditKey, prevHash | fields)}. Changing, inserting or deleting a record therefore
 * breaks the chain, and without the key the chain cannot be recomputed; {@link AuditChain#verify}
 * finds the first break. A batch that fails is retried (after {@value #RETRY_MS} ms) with its
 * records in front; their Futures stay pending until they are written.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final long CHAIN_LOCK = 0x476f76_4175646974L; // "GovAudit"
  private static final int BATCH = 500;
  private static final long RETRY_MS = 500;
  private static final String LAST = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
  private static final String INSERT =
      "INSERT INTO audit_log (seq, at, actor_type, actor_id, action, citizen_key, outcome, "
          + "request_id, details, prev_hash, hash, interaction_id, hash_alg) "
          + "SELECT s, a, t, i, x, c, o, r, d, p, h, n, $13 FROM unnest($1::bigint[], "
          + "$2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
          + "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) "
          + "AS b(s, a, t, i, x, c, o, r, d, p, h, n)";

  private final Vertx vertx;
  private final Pool pool;
  private final AuditHasher hasher;
  private final MacAlgorithm algorithm;
  private final Clock clock;
  private final Object lock = new Object();

  /** Records waiting for the next batch, guarded by {@link #lock}. */
  private List<Pending> queue = new ArrayList<>();

  /** The batch being written (empty when none), guarded by {@link #lock}. */
  private List<Pending> inFlight = List.of();

  /** Whether a batch is being written or a retry is scheduled, guarded by {@link #lock}. */
  private boolean writing;

  private boolean closed;
  private final AtomicInteger backlog = new AtomicInteger();
  private final Counter written;
  private final Counter failedBatches;

  /**
   * A record, when it was made, and who waits for it to be durable (completed on the caller's
   * context).
   */
  private record Pending(AuditEvent event, Instant at, Promise<Void> durable, Context context) {
    void written() {
      if (context == null) {
        durable.complete();
      } else {
        context.runOnContext(v -> durable.complete());
      }
    }
  }

  private AuditLog(
      Vertx vertx,
      Pool pool,
      byte[] key,
      MacAlgorithm algorithm,
      MeterRegistry meters,
      Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = new AuditHasher(key);
    this.algorithm = algorithm;
    this.clock = clock;
    Gauge.builder("govgate.audit.backlog", backlog, AtomicInteger::get)
        .description("Audit records waiting to be written")
        .register(meters);
    this.written =
        Counter.builder("govgate.audit.records")
            .description("Audit records written")
            .register(meters);
    this.failedBatches =
        Counter.builder("govgate.audit.write_failures")
            .description("Audit batches that failed to write (they are retried)")
            .register(meters);
  }

  public static AuditLog create(Vertx vertx, Pool pool, byte[] hmacKey, MeterRegistry meters) {
    return create(vertx, pool, hmacKey, MacAlgorithm.HMAC_SHA256, meters, Clock.systemUTC());
  }

  /**
   * An audit log whose new records are chained with {@code algorithm} ({@code crypto.auditChain}).
   */
  public static AuditLog create(
      Vertx vertx, Pool pool, byte[] hmacKey, MacAlgorithm algorithm, MeterRegistry meters) {
    return create(vertx, pool, hmacKey, algorithm, meters, Clock.systemUTC());
  }

  public static AuditLog create(
      Vertx vertx,
      Pool pool,
      byte[] hmacKey,
      MacAlgorithm algorithm,
      MeterRegistry meters,
      Clock clock) {
    return new AuditLog(vertx, pool, hmacKey, algorithm, meters, clock);
  }

  /**
   * Enqueues a record, stamped now. The Future completes (on the caller's context) once the record
   * is committed; it never fails — a failed batch is retried until it is written.
   */
  public Future<Void> record(AuditEvent event) {
    Promise<Void> durable = Promise.promise();
    Pending p =
        new Pending(
            event, clock.instant().truncatedTo(ChronoUnit.MICROS), durable, Vertx.currentContext());
    boolean start;
    synchronized (lock) {
      queue.add(p);
      start = !writing;
      writing = true;
    }
    backlog.incrementAndGet();
    if (start) writeNext();
    return durable.future();
  }

  /** Completes when every record enqueued so far is in the database. */
  public Future<Void> flush() {
    List<Future<Void>> waits = new ArrayList<>();
    synchronized (lock) {
      inFlight.forEach(p -> waits.add(p.durable().future()));
      queue.forEach(p -> waits.add(p.durable().future()));
    }
    return Future.join(waits).mapEmpty();
  }

  /** Writes the queued records as one batch, then the next batch, until nothing is queued. */
  private void writeNext() {
    List<Pending> batch;
    synchronized (lock) {
      if (queue.isEmpty()) {
        writing = false;
        inFlight = List.of();
        return;
      }
      if (queue.size() <= BATCH) {
        batch = queue;
        queue = new ArrayList<>();
      } else {
        batch = new ArrayList<>(queue.subList(0, BATCH));
        queue = new ArrayList<>(queue.subList(BATCH, queue.size()));
      }
      inFlight = batch;
    }
    pool.withTransaction(conn -> append(conn, batch))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                backlog.addAndGet(-batch.size());
                written.increment(batch.size());
                batch.forEach(Pending::written);
                writeNext();
                return;
              }
              // Keep the records: put them back in front and try again shortly.
              failedBatches.increment();
              log.warn(
                  "audit batch of {} records not written, will retry: {}",
                  batch.size(),
                  ar.cause().getMessage());
              boolean retry;
              synchronized (lock) {
                List<Pending> again = new ArrayList<>(batch);
                again.addAll(queue);
                queue = again;
                inFlight = List.of();
                retry = !closed;
                if (!retry) writing = false;
              }
              if (retry) vertx.setTimer(RETRY_MS, id -> writeNext());
            });
  }

  private Future<Void> append(SqlConnection conn, List<Pending> batch) {
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(CHAIN_LOCK))
        .compose(
            // Prepared (and cached per connection): planned once over audit_log's partitions, not
            // on every batch.
            v -> conn.preparedQuery(LAST).execute())
        .compose(
            rows -> {
              long seq = 0;
              String prev = AuditHasher.GENESIS;
              if (rows.size() > 0) {
                Row last = rows.iterator().next();
                seq = last.getLong("seq");
                prev = last.getString("hash");
              }
              // One multi-row INSERT of the whole batch (arrays unnested by PostgreSQL): one
              // statement to plan and execute however many records the batch holds.
              int n = batch.size();
              Long[] seqs = new Long[n];
              OffsetDateTime[] ats = new OffsetDateTime[n];
              String[] actorTypes = new String[n];
              String[] actorIds = new String[n];
              String[] actions = new String[n];
              String[] citizenKeys = new String[n];
              String[] outcomes = new String[n];
              String[] requestIds = new String[n];
              String[] details = new String[n];
              String[] prevHashes = new String[n];
              String[] hashes = new String[n];
              String[] interactionIds = new String[n];
              for (int i = 0; i < n; i++) {
                Pending p = batch.get(i);
                seq++;
                AuditRecord r = AuditRecord.of(seq, p.at(), p.event(), prev);
                String hash = hasher.hash(r, algorithm);
                seqs[i] = r.seq();
                ats[i] = r.at().atOffset(ZoneOffset.UTC);
                actorTypes[i] = r.actorType();
                actorIds[i] = r.actorId();
                actions[i] = r.action();
                citizenKeys[i] = r.citizenKey();
                outcomes[i] = r.outcome();
                requestIds[i] = r.requestId();
                details[i] = r.details();
                prevHashes[i] = prev;
                hashes[i] = hash;
                interactionIds[i] = r.interactionId();
                prev = hash;
              }
              return conn.preparedQuery(INSERT)
                  .execute(
                      Tuple.from(
                          new Object[] {
                            seqs,
                            ats,
                            actorTypes,
                            actorIds,
                            actions,
                            citizenKeys,
                            outcomes,
                            requestIds,
                            details,
                            prevHashes,
                            hashes,
                            interactionIds,
                            algorithm.configName()
                          }))
                  .mapEmpty();
            });
  }

  /** Writes what is left; stops retrying failed batches afterwards. */
  public Future<Void> close() {
    return flush()
        .onComplete(
            ar -> {
              synchronized (lock) {
                closed = true;
              }
            });
  }

  /** Records waiting to be written. */
  public int backlog() {
    return backlog.get();
  }
}
