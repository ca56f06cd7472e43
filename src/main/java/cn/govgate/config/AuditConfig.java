package cn.govgate.config;

/**
 * Audit log settings.
 *
 * @param hmacKey the 32-byte key of the audit hash chain ({@code audit.hmacKey}: Base64 or {@code file:/path};
 *     required). Without it the chain cannot be recomputed.
 */
public record AuditConfig(byte[] hmacKey) {
  static AuditConfig from(ConfigValues v) {
    return new AuditConfig(KeyMaterial.required(v, "audit.hmacKey", 32));
  }

  @Override
  public String toString() {
    return "AuditConfig[hmacKey=***]";
  }
}
