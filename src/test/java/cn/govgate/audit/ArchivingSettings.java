package cn.govgate.audit;

import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;

/** What the audit retention and archive tests share: settings that archive, operators' records. */
final class ArchivingSettings {
  private ArchivingSettings() {}

  /**
   * The test settings with six months' retention, archives written to {@code archive}, maintenance
   * only hourly (the tests run retention rounds by hand), and {@code more} key-value pairs.
   */
  static Map<String, String> archivingTo(Path archive, String... more) {
    return TestGateways.with(
        TestGateways.with(
            TestGateways.settings(),
            "audit.retentionMonths",
            "6",
            "audit.archiveDir",
            archive.toString(),
            "audit.maintenanceInterval",
            "1h"),
        more);
  }

  /** An action of the bootstrap operator that succeeded, on no citizen's records. */
  static AuditEvent operatorAction(String action, String requestId, JsonObject details) {
    return AuditEvent.success("operator", "bootstrap", action, null, requestId, details);
  }
}
