package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;

/**
 * Verifies the audit chain from its oldest kept record: consecutive sequence numbers, each record's
 * {@code prev_hash} equal to the previous record's hash, and each hash equal to the HMAC recomputed
 * in the algorithm the record names (HMAC-SHA256 or HMAC-SM3). The oldest kept record anchors the
 * chain (older monthly partitions may have been dropped after retention).
 */
public final class AuditChain {
  private static final int PAGE = 1000;

  private AuditChain() {}

  /**
   * The outcome of a check.
   *
   * @param records how many records were checked
   * @param brokenAt sequence number of the first record that fails, or -1 when the chain is intact
   * @param reason why it fails, null when intact
   */
  public record Result(long records, long brokenAt, String reason) {
    public boolean intact() {
      return brokenAt < 0;
    }
  }

  /**
   * Verifies the kept chain. When partitions were archived ({@code audit_archives}), the chain is
   * anchored at the last archived record: the first kept record must follow its sequence number and
   * link to its hash, so a record removed across the archive boundary is found too.
   */
  public static Future<Result> verify(Pool pool, byte[] hmacKey) {
    AuditHasher hasher = new AuditHasher(hmacKey);
    return pool.query(
            "SELECT last_seq, chain_head FROM audit_archives WHERE last_seq IS NOT NULL "
                + "ORDER BY last_seq DESC LIMIT 1")
        .execute()
        .compose(
            rows ->
                rows.size() == 0
                    ? page(pool, hasher, -1, null, 0)
                    : page(
                        pool,
                        hasher,
                        rows.iterator().next().getLong("last_seq"),
                        rows.iterator().next().getString("chain_head"),
                        0));
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
    long seq = afterSeq;
    String prev = prevHash;
    long n = count;
    for (Row row : rows) {
      long s = row.getLong("seq");
      AuditRecord r =
          new AuditRecord(
              s,
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
      if (prev != null && s != seq + 1)
        return broken(n, s, "sequence gap: record " + (seq + 1) + " is missing");
      if (prev != null && !prev.equals(r.prevHash()))
        return broken(n, s, "previous-hash link does not match");
      MacAlgorithm algorithm;
      try {
        algorithm = AuditHasher.algorithmOf(row.getString("hash_alg"));
      } catch (IllegalArgumentException e) {
        return broken(n, s, "unknown hash algorithm");
      }
      // Each record is checked with the algorithm it names: a chain that changed algorithm part-way
      // verifies.
      if (!hasher.hash(r, algorithm).equals(row.getString("hash"))) {
        return broken(n, s, "record content does not match its hash");
      }
      seq = s;
      prev = row.getString("hash");
      n++;
    }
    if (rows.size() < PAGE) return Future.succeededFuture(new Result(n, -1, null));
    return page(pool, hasher, seq, prev, n);
  }

  private static Future<Result> broken(long checked, long seq, String reason) {
    return Future.succeededFuture(new Result(checked, seq, reason));
  }
}
