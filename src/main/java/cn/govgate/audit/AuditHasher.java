package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * HMAC-SHA256 or HMAC-SM3 over the previous hash and every field of a record (the interaction id
 * only when there is one), with unambiguous separators; the algorithm is stored with each record
 * ({@code hash_alg}, NULL = HMAC-SHA256), so the chain may change algorithm.
 */
final class AuditHasher {
  static final String GENESIS = "0".repeat(64);
  private final byte[] key;

  AuditHasher(byte[] key) {
    this.key = key.clone();
  }

  /**
   * The algorithm a stored {@code hash_alg} names (NULL: the records from before the column,
   * HMAC-SHA256).
   */
  static MacAlgorithm algorithmOf(String stored) {
    if (stored == null) return MacAlgorithm.HMAC_SHA256;
    MacAlgorithm a = MacAlgorithm.ofConfigName(stored);
    if (a == null) throw new IllegalArgumentException("unknown audit hash algorithm");
    return a;
  }

  String hash(AuditRecord r, MacAlgorithm algorithm) {
    StringBuilder sb = new StringBuilder(256);
    field(sb, r.prevHash());
    field(sb, Long.toString(r.seq()));
    field(sb, r.at().toString());
    field(sb, r.actorType());
    field(sb, r.actorId());
    field(sb, r.action());
    field(sb, r.citizenKey());
    field(sb, r.outcome());
    field(sb, r.requestId());
    field(sb, r.details());
    // Only records that carry an interaction (reads, from V165 on) hash it, so every record written
    // before keeps its hash; setting or clearing the column afterwards breaks the record.
    if (r.interactionId() != null) field(sb, r.interactionId());
    return HexFormat.of()
        .formatHex(algorithm.mac(key, sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  // Length-prefixed, so that moving characters between fields changes the hash; null differs from
  // "".
  private static void field(StringBuilder sb, String value) {
    if (value == null) {
      sb.append("-1:");
    } else {
      sb.append(value.length()).append(':').append(value);
    }
    sb.append('|');
  }
}
