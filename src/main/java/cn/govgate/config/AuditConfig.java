package cn.govgate.config;

import java.nio.file.Path;

/**
 * Audit log settings.
 *
 * @param hmacKey the 32-byte key of the audit hash chain ({@code audit.hmacKey}: Base64 or {@code file:/path};
 *     generated into the data directory in demo mode). Without it the chain cannot be recomputed.
 */
public record AuditConfig(byte[] hmacKey) {
  static AuditConfig from(ConfigValues v, boolean demo, Path dataDir) {
    return new AuditConfig(KeyMaterial.read(v, "audit.hmacKey", 32, demo, dataDir, "audit-hmac"));
  }

  @Override
  public String toString() {
    return "AuditConfig[hmacKey=***]";
  }
}
