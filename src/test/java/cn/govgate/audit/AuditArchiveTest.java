package cn.govgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.testing.TestClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code audit-check} over archived partitions: an archive of a month in which the chain switched
 * algorithm (the profile's own, then the other one — so both directions run, one per crypto
 * profile) carries each record's {@code hashAlg} and verifies, records re-hashed from the file and
 * linked into the kept chain; a tampered archive file is found, even when its recorded SHA-256 is
 * forged to match.
 */
class AuditArchiveTest {
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

  private final TestClock clock = TestClock.running();
  private Map<String, String> settings;
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) TestGateways.stop(gateway);
  }

  @Test
  void anArchiveAcrossAnAlgorithmSwitchVerifiesAndATamperedFileIsFound() throws Exception {
    Path archive = Files.createTempDirectory("govgate-audit-archive");
    String first = TestGateways.profile().equals("shangmi") ? "HMAC-SM3" : "HMAC-SHA256";
    String second = first.equals("HMAC-SM3") ? "HMAC-SHA256" : "HMAC-SM3";
    settings = ArchivingSettings.archivingTo(archive, "crypto.auditChain", first);
    LocalDate firstMonth = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
    start();
    record("a", 3);
    // The same month, the chain switches algorithm (a restart with crypto.auditChain changed).
    TestGateways.stop(gateway);
    settings.put("crypto.auditChain", second);
    start();
    record("b", 3);

    Pool pool = gateway.database().pool();
    AuditRetention retention = AuditRetention.create(gateway.vertx(), pool, 6, archive, clock);
    for (int m = 1; m <= 7; m++) {
      clock.advance(Duration.ofDays(31));
      await(retention.runOnce());
      record("m" + m, 1);
    }
    String partition = "audit_log_" + firstMonth.format(MONTH);
    Row entry =
        await(
                pool.preparedQuery(
                        "SELECT sha256, file FROM audit_archives " + "WHERE partition_name = $1")
                    .execute(Tuple.of(partition)))
            .iterator()
            .next();
    Path file = Path.of(entry.getString("file"));
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines.stream().map(l -> new JsonObject(l).getString("hashAlg")).distinct())
        .as("the algorithms of the archived records, in order")
        .containsExactly(first, second);

    long archived = sum("SELECT coalesce(sum(records), 0)::bigint FROM audit_archives");
    long kept = sum("SELECT count(*) FROM audit_log");
    AuditCheckCommand intact = auditCheck();
    assertThat(intact.code()).as(intact.stdout()).isZero();
    assertThat(intact.stdout())
        .contains("audit chain intact: " + (archived + kept) + " records checked")
        .contains("archive files, re-hashed");

    // One record altered in the file (same length, nothing else touched): the file's SHA-256 no
    // longer matches.
    byte[] original = Files.readAllBytes(file);
    int line = lineOf(lines, "req-a1");
    long seq = new JsonObject(lines.get(line)).getLong("seq");
    List<String> altered = new java.util.ArrayList<>(lines);
    altered.set(line, lines.get(line).replace("req-a1", "req-x1"));
    Files.write(file, (String.join("\n", altered) + "\n").getBytes(StandardCharsets.UTF_8));
    AuditCheckCommand tampered = auditCheck();
    assertThat(tampered.code()).isEqualTo(3);
    assertThat(tampered.stdout())
        .contains("BROKEN at record")
        .contains(partition)
        .containsAnyOf("does not match its SHA-256", "does not match its hash");

    // The recorded SHA-256 forged to match the altered file: the record itself no longer matches
    // its hash.
    String forged =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    setSha(partition, forged);
    AuditCheckCommand rehashed = auditCheck();
    assertThat(rehashed.code()).isEqualTo(3);
    assertThat(rehashed.stdout())
        .contains("BROKEN at record " + seq)
        .contains("record content does not match its hash");

    // Put back: intact again.
    Files.write(file, original);
    setSha(partition, entry.getString("sha256"));
    assertThat(auditCheck().code()).isZero();

    // An archived record removed from the file (its SHA-256 forged too): the gap is found.
    List<String> shorter = new java.util.ArrayList<>(lines);
    shorter.remove(lineOf(lines, "req-b0"));
    Files.write(file, (String.join("\n", shorter) + "\n").getBytes(StandardCharsets.UTF_8));
    setSha(
        partition,
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
    AuditCheckCommand gap = auditCheck();
    assertThat(gap.code()).isEqualTo(3);
    assertThat(gap.stdout()).contains("sequence gap");
  }

  private static int lineOf(List<String> lines, String requestId) {
    for (int i = 0; i < lines.size(); i++) {
      if (requestId.equals(new JsonObject(lines.get(i)).getString("requestId"))) return i;
    }
    throw new AssertionError(requestId + " is not in the archive");
  }

  private void start() throws Exception {
    gateway =
        Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), clock)
            .await(2, TimeUnit.MINUTES);
  }

  private void record(String label, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      gateway
          .audit()
          .record(
              ArchivingSettings.operatorAction(
                  "test.archive", "req-" + label + i, new JsonObject().put("n", i)));
    }
    await(gateway.audit().flush());
  }

  private void setSha(String partition, String sha) throws Exception {
    await(
        gateway
            .database()
            .pool()
            .preparedQuery("UPDATE audit_archives SET sha256 = $2 WHERE partition_name = $1")
            .execute(Tuple.of(partition, sha)));
  }

  private long sum(String sql) throws Exception {
    return await(gateway.database().pool().query(sql).execute()).iterator().next().getLong(0);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(60, TimeUnit.SECONDS);
  }

  private AuditCheckCommand auditCheck() {
    return AuditCheckCommand.run(settings);
  }
}
