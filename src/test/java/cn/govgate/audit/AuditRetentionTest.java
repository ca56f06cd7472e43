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
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Audit retention on a running gateway whose clock rolls month by month (no restart): partitions
 * are created ahead so no record falls into the default partition; past the retention, a partition
 * is archived (records, chain head, SHA-256) and detached, never deleted; the chain check holds
 * across the archive boundary and finds a break there.
 */
class AuditRetentionTest {

  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");
  private static TestClock clock;
  private static Gateway gateway;
  private static Path archive;
  private static byte[] hmacKey;

  @BeforeAll
  static void start() throws Exception {
    clock = TestClock.running();
    archive = Files.createTempDirectory("govgate-audit-archive");
    Map<String, String> settings = ArchivingSettings.archivingTo(archive);
    GovgateConfig config = GovgateConfig.from(ConfigValues.of(settings));
    hmacKey = config.audit().hmacKey();
    gateway = Gateway.start(config, clock).await(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) TestGateways.stop(gateway);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(60, TimeUnit.SECONDS);
  }

  private static long count(String sql, Object... params) throws Exception {
    return await(gateway.database().pool().preparedQuery(sql).execute(Tuple.from(params)))
        .iterator()
        .next()
        .getLong(0);
  }

  private static void recordOne(String label) throws Exception {
    gateway
        .audit()
        .record(
            ArchivingSettings.operatorAction(
                "test.retention", "req-" + label, new JsonObject().put("month", label)));
    await(gateway.audit().flush());
  }

  private static String partition(LocalDate month) {
    return "audit_log_" + month.format(MONTH);
  }

  @Test
  void monthsRollPastTheRetentionWithoutLosingARecord() throws Exception {
    Pool pool = gateway.database().pool();
    // A second retention worker on the same database, as another instance would run it: the
    // advisory lock lets
    // one of them work at a time.
    AuditRetention retention = AuditRetention.create(gateway.vertx(), pool, 6, archive, clock);
    LocalDate first = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
    await(retention.runOnce());
    recordOne(first.toString());
    long total = count("SELECT count(*) FROM audit_log");

    for (int m = 1; m <= 7; m++) {
      clock.advance(Duration.ofDays(31));
      LocalDate month = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
      AuditRetention.Round round = await(retention.runOnce());
      assertThat(
              count(
                  "SELECT count(*) FROM pg_class WHERE relname = $1",
                  partition(month.plusMonths(3))))
          .as("partition three months ahead of " + month)
          .isEqualTo(1);
      recordOne(month.toString());
      total++;
      if (!round.archived().isEmpty()) {
        assertThat(round.archived())
            .allSatisfy(p -> assertThat(p).isLessThan(partition(month.minusMonths(6))));
      }
    }
    assertThat(count("SELECT count(*) FROM audit_log_default"))
        .as("records in the default partition")
        .isZero();

    // The first month is now past six months: archived and detached, the table itself kept.
    String archived = partition(first);
    assertThat(count("SELECT count(*) FROM audit_archives WHERE partition_name = $1", archived))
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = $1",
                archived))
        .as("still attached")
        .isZero();
    long kept = count("SELECT count(*) FROM \"" + archived + "\"");
    assertThat(kept).as("the detached table keeps its records").isPositive();
    var row =
        await(
                pool.preparedQuery(
                        "SELECT records, last_seq, chain_head, sha256, file FROM audit_archives "
                            + "WHERE partition_name = $1")
                    .execute(Tuple.of(archived)))
            .iterator()
            .next();
    assertThat(row.getLong("records")).isEqualTo(kept);
    Path file = Path.of(row.getString("file"));
    byte[] bytes = Files.readAllBytes(file);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(row.getString("sha256"));
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lines().count())
        .isEqualTo(kept);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    JsonObject manifest =
        new JsonObject(Files.readString(archive.resolve(archived + ".manifest.json")));
    assertThat(manifest.getString("chainHead")).isEqualTo(row.getString("chain_head"));
    assertThat(manifest.getLong("lastSeq")).isEqualTo(row.getLong("last_seq"));

    // Every record is either archived or kept.
    long archivedRecords = count("SELECT coalesce(sum(records), 0)::bigint FROM audit_archives");
    assertThat(archivedRecords + count("SELECT count(*) FROM audit_log"))
        .isGreaterThanOrEqualTo(total);

    // audit-check: intact across the boundary (the archive re-read and re-hashed), and a recorded
    // chain head that does not match the archive's last record is found.
    AuditChain.Result intact = await(AuditChain.verify(gateway.vertx(), pool, hmacKey, archive));
    assertThat(intact.intact()).as(String.valueOf(intact.reason())).isTrue();
    String head = row.getString("chain_head");
    await(
        pool.preparedQuery(
                "UPDATE audit_archives SET chain_head = 'forged' WHERE partition_name = $1")
            .execute(Tuple.of(archived)));
    AuditChain.Result broken = await(AuditChain.verify(gateway.vertx(), pool, hmacKey, archive));
    assertThat(broken.intact()).isFalse();
    assertThat(broken.reason()).contains(archived).contains("head differ");
    await(
        pool.preparedQuery("UPDATE audit_archives SET chain_head = $2 WHERE partition_name = $1")
            .execute(Tuple.of(archived, head)));
  }

  @Test
  void retentionBelowSixMonthsIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                GovgateConfig.from(
                    ConfigValues.of(
                        TestGateways.with(TestGateways.settings(), "audit.retentionMonths", "5"))))
        .hasMessageContaining("audit.retentionMonths");
  }
}
