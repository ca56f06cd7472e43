package cn.govgate.config;

/**
 * Audit log settings.
 *
 * @param hmacKey the 32-byte key of the audit hash chain ({@code audit.hmacKey}: Base64 or {@code
 *     file:/path}; required). Without it the chain cannot be recomputed.
 * @param retentionMonths whole months kept in the database ({@code audit.retentionMonths}, default
 *     12, at least 6 as the law asks); older monthly partitions are archived, then detached
 * @param archiveDir where archived partitions are written ({@code audit.archiveDir}, default {@code
 *     <dataDir>/audit-archive}); shared by the instances (one of them archives at a time)
 * @param maintenanceInterval how often partitions ahead are created and retention applied ({@code
 *     audit.maintenanceInterval}, default 1 h)
 */
public record AuditConfig(
    byte[] hmacKey,
    int retentionMonths,
    java.nio.file.Path archiveDir,
    java.time.Duration maintenanceInterval) {
  static AuditConfig from(ConfigValues v, java.nio.file.Path dataDir) {
    return new AuditConfig(
        KeyMaterial.required(v, "audit.hmacKey", 32),
        v.integer("audit.retentionMonths", 12, 6, 1200),
        java.nio.file.Path.of(
                v.string("audit.archiveDir", dataDir.resolve("audit-archive").toString()))
            .toAbsolutePath(),
        v.duration(
            "audit.maintenanceInterval",
            java.time.Duration.ofHours(1),
            java.time.Duration.ofMillis(100),
            java.time.Duration.ofDays(1)));
  }

  @Override
  public String toString() {
    return "AuditConfig[hmacKey=***, retentionMonths="
        + retentionMonths
        + ", archiveDir="
        + archiveDir
        + ", maintenanceInterval="
        + maintenanceInterval
        + "]";
  }
}
