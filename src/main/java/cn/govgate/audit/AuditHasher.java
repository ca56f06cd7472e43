package cn.govgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 over the previous hash and every field of a record, with unambiguous separators. */
final class AuditHasher {
  static final String GENESIS = "0".repeat(64);
  private final SecretKeySpec key;

  AuditHasher(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  String hash(AuditRecord r) {
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
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  // Length-prefixed, so that moving characters between fields changes the hash; null differs from "".
  private static void field(StringBuilder sb, String value) {
    if (value == null) {
      sb.append("-1:");
    } else {
      sb.append(value.length()).append(':').append(value);
    }
    sb.append('|');
  }
}
