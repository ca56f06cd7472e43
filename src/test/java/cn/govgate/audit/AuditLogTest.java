package cn.govgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log is written in batches as a hash chain; the check command finds any change or
 * deletion.
 */
class AuditLogTest {
  private Map<String, String> settings;
  private Gateway gateway;

  @BeforeEach
  void start() {
    settings = TestGateways.settings();
    settings.put("audit.hmacKey", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    gateway = TestGateways.start(settings);
  }

  @AfterEach
  void stop() {
    TestGateways.stop(gateway);
  }

  @Test
  void recordsAreChainedAndTheCheckCommandReportsAnIntactChain() throws Exception {
    writeRecords(25);
    assertThat(count()).isEqualTo(25);
    assertThat(
            AuditChain.verify(
                    gateway.vertx(),
                    gateway.database().pool(),
                    key(),
                    java.nio.file.Path.of("no-archives"))
                .await(10, TimeUnit.SECONDS)
                .intact())
        .isTrue();
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).isZero();
    assertThat(out.stdout()).contains("audit chain intact: 25 records checked");
  }

  @Test
  void anAlteredRecordIsReportedByTheCheckCommand() throws Exception {
    writeRecords(10);
    // An operator with owner rights bypasses the append-only trigger and edits a record.
    exec("ALTER TABLE audit_log DISABLE TRIGGER USER");
    exec("UPDATE audit_log SET outcome = 'success' WHERE seq = 4");
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).isEqualTo(3);
    assertThat(out.stdout()).contains("BROKEN at record 4").contains("content does not match");
  }

  @Test
  void aDeletedRecordIsReportedByTheCheckCommand() throws Exception {
    writeRecords(10);
    exec("ALTER TABLE audit_log DISABLE TRIGGER USER");
    exec("DELETE FROM audit_log WHERE seq = 7");
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).isEqualTo(3);
    assertThat(out.stdout()).contains("BROKEN at record 8").contains("sequence gap");
  }

  @Test
  void aChainThatChangesAlgorithmPartWayVerifiesAndStillFindsAChange() throws Exception {
    writeRecords(6);
    String first = TestGateways.profile().equals("shangmi") ? "HMAC-SM3" : "HMAC-SHA256";
    String second = first.equals("HMAC-SM3") ? "HMAC-SHA256" : "HMAC-SM3";
    TestGateways.stop(gateway);
    settings.put("crypto.auditChain", second);
    gateway = TestGateways.start(settings);
    writeRecords(6);
    assertThat(algorithms()).containsExactly(first, second);
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).as(out.stdout()).isZero();
    assertThat(out.stdout()).contains("audit chain intact: 12 records checked");

    exec("ALTER TABLE audit_log DISABLE TRIGGER USER");
    exec("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 10");
    out = auditCheck();
    assertThat(out.code()).isEqualTo(3);
    assertThat(out.stdout()).contains("BROKEN at record 10").contains("content does not match");
  }

  @Test
  void aRecordClaimingAnotherAlgorithmIsReported() throws Exception {
    writeRecords(5);
    exec("ALTER TABLE audit_log DISABLE TRIGGER USER");
    exec(
        "UPDATE audit_log SET hash_alg = CASE WHEN hash_alg = 'HMAC-SM3' THEN 'HMAC-SHA256' ELSE 'HMAC-SM3' END "
            + "WHERE seq = 3");
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).isEqualTo(3);
    assertThat(out.stdout()).contains("BROKEN at record 3");
  }

  @Test
  void aReadsInteractionIdIsPartOfItsRecordsHash() throws Exception {
    writeRecords(3);
    AuditLog audit = gateway.audit();
    for (int i = 0; i < 3; i++) {
      audit.record(
          AuditEvent.success(
                  "citizen",
                  "ck-r" + i,
                  "housing_fund.account.read",
                  "ck-r" + i,
                  "req-r" + i,
                  new JsonObject().put("serviceType", "housing-fund.account"))
              .withInteraction("interaction-" + i));
    }
    audit.flush().await(10, TimeUnit.SECONDS);
    // Records with and without an interaction, written in one multi-row insert each batch, verify.
    AuditCheckCommand out = auditCheck();
    assertThat(out.code()).as(out.stdout()).isZero();
    assertThat(out.stdout()).contains("audit chain intact: 6 records checked");
    assertThat(
            gateway
                .database()
                .pool()
                .query("SELECT count(*) FROM audit_log WHERE interaction_id IS NOT NULL")
                .execute()
                .await(10, TimeUnit.SECONDS)
                .iterator()
                .next()
                .getLong(0))
        .isEqualTo(3);

    // Pointing a record at another interaction (to rate what someone else read) breaks it.
    exec("ALTER TABLE audit_log DISABLE TRIGGER USER");
    exec("UPDATE audit_log SET interaction_id = 'interaction-x' WHERE seq = 5");
    out = auditCheck();
    assertThat(out.code()).isEqualTo(3);
    assertThat(out.stdout()).contains("BROKEN at record 5").contains("content does not match");
    // Put back, the chain is intact again; giving a record without one an interaction breaks it.
    exec("UPDATE audit_log SET interaction_id = 'interaction-1' WHERE seq = 5");
    assertThat(auditCheck().code()).isZero();
    exec("UPDATE audit_log SET interaction_id = 'interaction-y' WHERE seq = 2");
    out = auditCheck();
    assertThat(out.stdout()).contains("BROKEN at record 2");
  }

  @Test
  void theApplicationCannotUpdateOrDeleteRecords() throws Exception {
    writeRecords(2);
    try {
      exec("DELETE FROM audit_log WHERE seq = 1");
      throw new AssertionError("delete was allowed");
    } catch (Exception e) {
      assertThat(e).hasMessageContaining("append-only");
    }
  }

  private void writeRecords(int n) throws Exception {
    AuditLog audit = gateway.audit();
    for (int i = 0; i < n; i++) {
      audit.record(
          AuditEvent.failure(
              "citizen",
              "ck-" + i,
              "identity.face_verification",
              "ck-" + i,
              "req-" + i,
              new JsonObject().put("channel", "alipay").put("code", "face_mismatch")));
    }
    audit.flush().await(10, TimeUnit.SECONDS);
    assertThat(audit.backlog()).isZero();
  }

  private long count() throws Exception {
    return gateway
        .database()
        .pool()
        .query("SELECT count(*) FROM audit_log")
        .execute()
        .map(r -> r.iterator().next().getLong(0))
        .await(10, TimeUnit.SECONDS);
  }

  private java.util.List<String> algorithms() throws Exception {
    return gateway
        .database()
        .pool()
        .query("SELECT hash_alg FROM audit_log GROUP BY hash_alg ORDER BY min(seq)")
        .execute()
        .map(
            rows -> {
              java.util.List<String> out = new java.util.ArrayList<>();
              rows.forEach(r -> out.add(r.getString(0)));
              return out;
            })
        .await(10, TimeUnit.SECONDS);
  }

  private void exec(String sql) throws Exception {
    gateway
        .database()
        .pool()
        .withConnection(c -> c.query(sql).execute())
        .await(10, TimeUnit.SECONDS);
  }

  private byte[] key() {
    return java.util.Base64.getDecoder().decode(settings.get("audit.hmacKey"));
  }

  private AuditCheckCommand auditCheck() {
    return AuditCheckCommand.run(settings);
  }
}
