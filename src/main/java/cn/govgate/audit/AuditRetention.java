package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the audit log's monthly partitions: each round (every {@code audit.maintenanceInterval}, on
 * one instance at a time by a transaction-scoped advisory lock) creates the partitions of this
 * month and the next three by the gateway's clock, so no record falls into the default partition
 * however long an instance runs; and archives every partition older than {@code
 * audit.retentionMonths}: its records as JSON lines ({@code audit_log_YYYYMM.jsonl}, owner-only,
 * each with the algorithm of its hash, {@code hashAlg}) and a manifest with the first and last
 * sequence numbers, the chain head (last hash) and the file's SHA-256, recorded in {@code
 * audit_archives}, after which the partition is DETACHED — kept as a table, never deleted. {@link
 * AuditChain} anchors the kept chain at the last archived record.
 */
public final class AuditRetention {
  private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
  private static final long LOCK = 0x476f7641756469L; // "GovAudi"
  private static final int PAGE = 5000;
  private static final int MONTHS_AHEAD = 3;

  private final Vertx vertx;
  private final Pool pool;
  private final int retentionMonths;
  private final Path archiveDir;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();

  private AuditRetention(
      Vertx vertx, Pool pool, int retentionMonths, Path archiveDir, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.retentionMonths = retentionMonths;
    this.archiveDir = archiveDir;
    this.clock = clock;
  }

  /**
   * @param retentionMonths at least 6 (checked by the configuration)
   */
  public static AuditRetention create(
      Vertx vertx, Pool pool, int retentionMonths, Path archiveDir, Clock clock) {
    if (retentionMonths < 6) throw new IllegalArgumentException("audit retention below 6 months");
    return new AuditRetention(vertx, pool, retentionMonths, archiveDir, clock);
  }

  /**
   * What a round did: partitions created ahead, partitions archived and detached; both 0 when
   * another instance held the lock.
   */
  public record Round(int created, List<String> archived) {}

  /** One round; rounds never overlap on one instance, and one instance at a time runs one. */
  public Future<Round> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(new Round(0, List.of()));
    LocalDate month = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
    LocalDate cutoff = month.minusMonths(retentionMonths);
    return vertx
        .fileSystem()
        .mkdirs(archiveDir.toString())
        .compose(
            v ->
                pool.withTransaction(
                    conn ->
                        conn.query("SELECT pg_try_advisory_xact_lock(" + LOCK + ") AS ok")
                            .execute()
                            .compose(
                                rows ->
                                    !rows.iterator().next().getBoolean("ok")
                                        ? Future.succeededFuture(new Round(0, List.of()))
                                        : conn.preparedQuery(
                                                "SELECT audit_ensure_partitions_from($1, $2) AS n")
                                            .execute(Tuple.of(month, MONTHS_AHEAD))
                                            .compose(
                                                created ->
                                                    expired(conn, cutoff)
                                                        .compose(
                                                            names ->
                                                                archiveAll(
                                                                    conn,
                                                                    names,
                                                                    0,
                                                                    new ArrayList<>()))
                                                        .map(
                                                            archived ->
                                                                new Round(
                                                                    created
                                                                        .iterator()
                                                                        .next()
                                                                        .getInteger("n"),
                                                                    archived))))))
        .onSuccess(
            r -> {
              if (!r.archived().isEmpty())
                log.info("audit partitions archived and detached: {}", r.archived());
            })
        .onFailure(e -> log.warn("audit retention round failed: {}", e.toString()))
        .onComplete(ar -> running.set(false));
  }

  /** Attached monthly partitions that end on or before {@code cutoff}, oldest first. */
  private static Future<List<String>> expired(SqlConnection conn, LocalDate cutoff) {
    return conn.query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'audit_log'::regclass AND c.relname ~ '^audit_log_[0-9]{6}$' ORDER BY c.relname")
        .execute()
        .map(
            rows -> {
              List<String> names = new ArrayList<>();
              for (Row r : rows) {
                String name = r.getString("relname");
                if (!monthOf(name).plusMonths(1).isAfter(cutoff)) names.add(name);
              }
              return names;
            });
  }

  private static LocalDate monthOf(String partition) {
    String yyyymm = partition.substring("audit_log_".length());
    return LocalDate.of(
        Integer.parseInt(yyyymm.substring(0, 4)), Integer.parseInt(yyyymm.substring(4)), 1);
  }

  private Future<List<String>> archiveAll(
      SqlConnection conn, List<String> names, int i, List<String> done) {
    if (i >= names.size()) return Future.succeededFuture(done);
    return archive(conn, names.get(i))
        .compose(
            v -> {
              done.add(names.get(i));
              return archiveAll(conn, names, i + 1, done);
            });
  }

  /** Running state of one export. */
  private static final class Export {
    final MessageDigest sha256;
    long records;
    Long firstSeq;
    Long lastSeq;
    String firstPrevHash;
    String head;

    Export() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Future<Void> archive(SqlConnection conn, String partition) {
    String file = archiveDir.resolve(partition + ".jsonl").toString();
    Export export = new Export();
    // createNew: an archive is never overwritten; a file left by a round that failed before the
    // detach is moved
    // aside by the operator (runbook), not silently replaced.
    return vertx
        .fileSystem()
        .open(file, new OpenOptions().setWrite(true).setCreateNew(true).setPerms("rw-------"))
        .compose(out -> page(conn, partition, out, export, -1).eventually(out::close))
        .compose(
            v -> {
              String sha = HexFormat.of().formatHex(export.sha256.digest());
              LocalDate from = monthOf(partition);
              JsonObject manifest =
                  new JsonObject()
                      .put("partition", partition)
                      .put("from", from.toString())
                      .put("to", from.plusMonths(1).toString())
                      .put("records", export.records)
                      .put("firstSeq", export.firstSeq)
                      .put("lastSeq", export.lastSeq)
                      .put("firstPrevHash", export.firstPrevHash)
                      .put("chainHead", export.head)
                      .put("file", partition + ".jsonl")
                      .put("sha256", sha);
              return vertx
                  .fileSystem()
                  .writeFile(
                      archiveDir.resolve(partition + ".manifest.json").toString(),
                      Buffer.buffer(manifest.encodePrettily()))
                  .compose(
                      w ->
                          vertx
                              .fileSystem()
                              .chmod(
                                  archiveDir.resolve(partition + ".manifest.json").toString(),
                                  "rw-------"))
                  .compose(
                      w ->
                          conn.preparedQuery(
                                  "INSERT INTO audit_archives (partition_name, range_from, range_to, "
                                      + "records, first_seq, last_seq, first_prev_hash, chain_head, file, sha256, archived_at) "
                                      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                              .execute(
                                  Tuple.from(
                                      new Object[] {
                                        partition,
                                        from,
                                        from.plusMonths(1),
                                        export.records,
                                        export.firstSeq,
                                        export.lastSeq,
                                        export.firstPrevHash,
                                        export.head,
                                        file,
                                        sha,
                                        OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)
                                      })))
                  .compose(
                      w ->
                          conn.query("ALTER TABLE audit_log DETACH PARTITION \"" + partition + "\"")
                              .execute())
                  .mapEmpty();
            });
  }

  private Future<Void> page(
      SqlConnection conn, String partition, AsyncFile out, Export export, long afterSeq) {
    return conn.preparedQuery(
            "SELECT seq, at, actor_type, actor_id, action, citizen_key, outcome, request_id, "
                + "details, prev_hash, hash, hash_alg, interaction_id FROM \""
                + partition
                + "\" WHERE seq > $1 ORDER BY seq LIMIT "
                + PAGE)
        .execute(Tuple.of(afterSeq))
        .compose(
            rows -> {
              StringBuilder lines = new StringBuilder();
              long last = afterSeq;
              for (Row r : rows) {
                long seq = r.getLong("seq");
                if (export.firstSeq == null) {
                  export.firstSeq = seq;
                  export.firstPrevHash = r.getString("prev_hash");
                }
                JsonObject line =
                    new JsonObject()
                        .put("seq", seq)
                        .put("at", r.getOffsetDateTime("at").toInstant().toString())
                        .put("actorType", r.getString("actor_type"))
                        .put("actorId", r.getString("actor_id"))
                        .put("action", r.getString("action"))
                        .put("citizenKey", r.getString("citizen_key"))
                        .put("outcome", r.getString("outcome"))
                        .put("requestId", r.getString("request_id"))
                        .put("details", r.getString("details"))
                        .put("prevHash", r.getString("prev_hash"))
                        .put("hash", r.getString("hash"))
                        // The algorithm the record's hash is in (the chain may change it);
                        // NULL in the table means the records from before the column.
                        .put(
                            "hashAlg",
                            r.getString("hash_alg") == null
                                ? MacAlgorithm.HMAC_SHA256.configName()
                                : r.getString("hash_alg"));
                // A read's record carries its interaction (V165), which its hash covers.
                if (r.getString("interaction_id") != null)
                  line.put("interactionId", r.getString("interaction_id"));
                lines.append(line.encode()).append('\n');
                export.records++;
                export.lastSeq = seq;
                export.head = r.getString("hash");
                last = seq;
              }
              byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
              export.sha256.update(bytes);
              long next = last;
              Future<Void> written =
                  bytes.length == 0 ? Future.succeededFuture() : out.write(Buffer.buffer(bytes));
              return rows.size() < PAGE
                  ? written
                  : written.compose(v -> page(conn, partition, out, export, next));
            });
  }
}
