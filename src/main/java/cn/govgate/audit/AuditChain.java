package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Verifies the audit chain from its oldest record: consecutive sequence numbers, each record's
 * {@code prev_hash} equal to the previous record's hash, and each hash equal to the HMAC recomputed
 * in the algorithm the record names (HMAC-SHA256 or HMAC-SM3). Archived partitions ({@code
 * audit_archives}, written by {@link AuditRetention}) are verified first from their files — each
 * file's SHA-256 against the one recorded when it was archived, and every archived record re-hashed
 * in its own algorithm and linked, across files — and the kept chain must continue from the last
 * archived record. The oldest record checked anchors the chain.
 */
public final class AuditChain {
  private static final int PAGE = 1000;

  private AuditChain() {}

  /**
   * The outcome of a check.
   *
   * @param records how many records were checked (archived and kept) before the end or the break
   * @param brokenAt sequence number of the first record that fails (for an archive file that does
   *     not match its recorded SHA-256 or manifest: its first record), or -1 when the chain is
   *     intact
   * @param reason why it fails, null when intact
   * @param archives how many archive files were verified
   */
  public record Result(long records, long brokenAt, String reason, int archives) {
    public boolean intact() {
      return brokenAt < 0;
    }
  }

  /** One row of {@code audit_archives}, with its file resolved in the archive directory. */
  private record Archive(
      String partition,
      long records,
      Long firstSeq,
      Long lastSeq,
      String chainHead,
      Path file,
      String sha256) {}

  /** Where the walk along the chain stands: the last record checked, or the break. */
  private static final class Walk {
    long seq = -1;
    String prev;
    long count;
    int archives;
    Result broken;

    Walk break_(long at, String reason) {
      broken = new Result(count, at, reason, archives);
      return this;
    }
  }

  /**
   * Verifies the whole chain: the archive files named in {@code audit_archives} (looked up by file
   * name in {@code archiveDir}), read on a worker thread, then the kept records from the last
   * archived one.
   */
  public static Future<Result> verify(Vertx vertx, Pool pool, byte[] hmacKey, Path archiveDir) {
    AuditHasher hasher = new AuditHasher(hmacKey);
    return pool.query(
            "SELECT partition_name, records, first_seq, last_seq, chain_head, file, sha256 "
                + "FROM audit_archives ORDER BY range_from")
        .execute()
        .compose(
            rows -> {
              List<Archive> archives = new ArrayList<>();
              for (Row r : rows) {
                archives.add(
                    new Archive(
                        r.getString("partition_name"),
                        r.getLong("records"),
                        r.getLong("first_seq"),
                        r.getLong("last_seq"),
                        r.getString("chain_head"),
                        archiveDir.resolve(Path.of(r.getString("file")).getFileName().toString()),
                        r.getString("sha256")));
              }
              return archives.isEmpty()
                  ? Future.succeededFuture(new Walk())
                  : vertx.executeBlocking(() -> verifyArchives(hasher, archives), false);
            })
        .compose(
            walk ->
                walk.broken != null
                    ? Future.succeededFuture(walk.broken)
                    : page(pool, hasher, walk.seq, walk.prev, walk.count)
                        .map(
                            r -> new Result(r.records(), r.brokenAt(), r.reason(), walk.archives)));
  }

  /** Blocking: reads each archive file once, hashing its bytes and checking each of its records. */
  private static Walk verifyArchives(AuditHasher hasher, List<Archive> archives) {
    Walk walk = new Walk();
    for (Archive a : archives) {
      long firstAt = a.firstSeq() == null ? walk.seq + 1 : a.firstSeq();
      MessageDigest sha256;
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      long records = 0;
      Long first = null;
      try (InputStream in = new DigestInputStream(Files.newInputStream(a.file()), sha256);
          BufferedReader lines =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          JsonObject j;
          AuditRecord r;
          try {
            j = new JsonObject(line);
            r =
                new AuditRecord(
                    j.getLong("seq"),
                    Instant.parse(j.getString("at")),
                    j.getString("actorType"),
                    j.getString("actorId"),
                    j.getString("action"),
                    j.getString("citizenKey"),
                    j.getString("outcome"),
                    j.getString("requestId"),
                    j.getString("details"),
                    j.getString("prevHash"),
                    j.getString("interactionId"));
          } catch (RuntimeException e) {
            return walk.break_(
                walk.seq + 1,
                "archive " + a.partition() + ": line " + (records + 1) + " unreadable");
          }
          String reason = link(hasher, walk, r, j.getString("hashAlg"), j.getString("hash"));
          if (reason != null)
            return walk.break_(r.seq(), "archive " + a.partition() + ": " + reason);
          if (first == null) first = r.seq();
          records++;
        }
      } catch (IOException e) {
        return walk.break_(firstAt, "archive " + a.partition() + ": file unreadable (" + e + ")");
      }
      String sha = HexFormat.of().formatHex(sha256.digest());
      if (!sha.equals(a.sha256()))
        return walk.break_(
            firstAt, "archive " + a.partition() + ": file does not match its SHA-256");
      if (records != a.records()
          || !Objects.equals(first, a.firstSeq())
          || (records > 0 && !Objects.equals(walk.seq, a.lastSeq()))
          || (records > 0 && !Objects.equals(walk.prev, a.chainHead())))
        return walk.break_(
            firstAt,
            "archive " + a.partition() + ": records, sequence or head differ from its entry");
      walk.archives++;
    }
    return walk;
  }

  /**
   * Checks one record against the walk so far and advances it; the reason it fails, or null. {@code
   * hashAlg} is the algorithm the record names (null: HMAC-SHA256, the records from before the
   * column).
   */
  private static String link(
      AuditHasher hasher, Walk walk, AuditRecord r, String hashAlg, String hash) {
    if (walk.prev != null && r.seq() != walk.seq + 1)
      return "sequence gap: record " + (walk.seq + 1) + " is missing";
    if (walk.prev != null && !walk.prev.equals(r.prevHash()))
      return "previous-hash link does not match";
    MacAlgorithm algorithm;
    try {
      algorithm = AuditHasher.algorithmOf(hashAlg);
    } catch (IllegalArgumentException e) {
      return "unknown hash algorithm";
    }
    // Each record is checked with the algorithm it names: a chain that changed algorithm part-way
    // verifies.
    if (!hasher.hash(r, algorithm).equals(hash)) return "record content does not match its hash";
    walk.seq = r.seq();
    walk.prev = hash;
    walk.count++;
    return null;
  }

  private static Future<Result> page(
      Pool pool, AuditHasher hasher, long afterSeq, String prevHash, long count) {
    return pool.preparedQuery(
            "SELECT seq, at, actor_type, actor_id, action, citizen_key, outcome, request_id, "
                + "details, prev_hash, hash, hash_alg, interaction_id FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT "
                + PAGE)
        .execute(Tuple.of(afterSeq))
        .compose(rows -> check(pool, hasher, rows, afterSeq, prevHash, count));
  }

  private static Future<Result> check(
      Pool pool, AuditHasher hasher, RowSet<Row> rows, long afterSeq, String prevHash, long count) {
    Walk walk = new Walk();
    walk.seq = afterSeq;
    walk.prev = prevHash;
    walk.count = count;
    for (Row row : rows) {
      AuditRecord r =
          new AuditRecord(
              row.getLong("seq"),
              row.get(OffsetDateTime.class, "at").toInstant(),
              row.getString("actor_type"),
              row.getString("actor_id"),
              row.getString("action"),
              row.getString("citizen_key"),
              row.getString("outcome"),
              row.getString("request_id"),
              row.getString("details"),
              row.getString("prev_hash"),
              row.getString("interaction_id"));
      String reason = link(hasher, walk, r, row.getString("hash_alg"), row.getString("hash"));
      if (reason != null) return Future.succeededFuture(walk.break_(r.seq(), reason).broken);
    }
    if (rows.size() < PAGE) return Future.succeededFuture(new Result(walk.count, -1, null, 0));
    return page(pool, hasher, walk.seq, walk.prev, walk.count);
  }
}
