package cn.govgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.registry.RegistryFixture;
import cn.govgate.registry.RegistryStore;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database faults of the README's fault catalogue, end to end: a whole gateway on a PostgreSQL
 * of its own (so it can be stopped and started again on the same data directory and port without
 * touching other test classes' server), with a small pool and short limits. Each fault asserts the
 * coded 503 the client gets (never a 500, never a hang) and that the gateway is ready again after,
 * without a restart of the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseFaultsTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String ACCOUNT = "social-security.account";
  private static final int POOL = 8;
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(2);

  /** Reads the {@code ratings} and {@code rectifications} tables on every call, no session. */
  private static final String READS_THE_DATABASE = "/v1/stats/ratings?region=" + HZ;

  private Path dataDir;
  private EmbeddedPostgres pg;
  private int port;
  private GatewayTestBed bed;
  private String backendId;

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("govgate-dbfaults");
    pg = postgres(0);
    port = pg.getPort();
    bed =
        new GatewayTestBed(
            4,
            4040L,
            TestClock.running(),
            "db.host",
            "127.0.0.1",
            "db.port",
            String.valueOf(port),
            "db.database",
            "postgres",
            "db.user",
            "postgres",
            "db.poolSize",
            String.valueOf(POOL),
            // Room for start-up's concurrent loads; the limits are what the faults below reach.
            "db.maxWaitQueue",
            "64",
            "db.acquireTimeout",
            "2s",
            "db.statementTimeout",
            STATEMENT_TIMEOUT.toMillis() + "ms");
    bed.department("hz-rsj", DepartmentFamily.SOCIAL_SECURITY, HZ, ACCOUNT);
    backendId =
        Http.json(
                Http.get(
                    bed.gateway.baseUrl() + "/admin/v1/departments/hz-rsj/backends",
                    Map.of("Authorization", bed.operator)))
            .getJsonArray("backends")
            .getJsonObject(0)
            .getString("id");
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
    if (pg != null) pg.close();
    if (dataDir != null) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * A slow query: another session holds an exclusive lock on the table the request reads, so its
   * statement waits; PostgreSQL cancels it at {@code db.statementTimeout} and the client gets 503
   * {@code store.timeout} with {@code Retry-After}, not a request held until the lock goes.
   */
  @Test
  void aStatementBlockedPastTheStatementTimeoutIs503StoreTimeout() throws Exception {
    try (Connection c = jdbc()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE ratings IN ACCESS EXCLUSIVE MODE");
      }
      long started = System.nanoTime();
      HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertCode(r, 503, "store.timeout");
      assertThat(took)
          .as("answered at the statement timeout, not when the lock went")
          .isGreaterThanOrEqualTo(STATEMENT_TIMEOUT.minusMillis(100))
          .isLessThan(STATEMENT_TIMEOUT.plusSeconds(6));
      c.rollback();
    }
    assertThat(Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE).statusCode()).isEqualTo(200);
    assertReady();
  }

  /**
   * The pool exhausted: every connection is held, so a request gets none within {@code
   * db.acquireTimeout} (or finds the wait queue full): 503 {@code store.busy}; once they are given
   * back, requests succeed again.
   */
  @Test
  void anExhaustedPoolIs503StoreBusyAndRecovers() throws Exception {
    List<SqlConnection> held = new ArrayList<>();
    try {
      for (int i = 0; i < POOL; i++) {
        held.add(bed.gateway.database().pool().getConnection().await(10, TimeUnit.SECONDS));
      }
      long started = System.nanoTime();
      HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertCode(r, 503, "store.busy");
      assertThat(took)
          .as("refused at the acquire timeout")
          .isGreaterThanOrEqualTo(Duration.ofMillis(1900))
          .isLessThan(Duration.ofSeconds(8));
    } finally {
      for (SqlConnection c : held) c.close().await(10, TimeUnit.SECONDS);
    }
    assertThat(Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE).statusCode()).isEqualTo(200);
    assertReady();
  }

  /**
   * PostgreSQL stopped and started again (same data directory and port) while requests flow:
   * meanwhile every answer is 200 or a coded 503 {@code store.*}, never a 500; readiness goes 503
   * while the database is down and 200 after; requests succeed again without restarting the
   * gateway.
   */
  @Test
  void aDatabaseRestartMidTrafficGivesCoded503sThenRecovers() throws Exception {
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean flowing = new AtomicBoolean(true);
    Thread traffic =
        new Thread(
            () -> {
              while (flowing.get()) {
                answers.add(Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE));
              }
            },
            "db-restart-traffic");
    traffic.start();
    try {
      RegistryFixture.waitFor(() -> answers.size() >= 3, Duration.ofSeconds(20));
      pg.close();
      pg = null;
      RegistryFixture.waitFor(
          () -> Http.get(bed.gateway.baseUrl() + "/health/ready").statusCode() == 503,
          Duration.ofSeconds(10));
      int before = answers.size();
      RegistryFixture.waitFor(() -> answers.size() >= before + 3, Duration.ofSeconds(20));
      pg = postgres(port);
      RegistryFixture.waitFor(
          () -> Http.get(bed.gateway.baseUrl() + "/health/ready").statusCode() == 200,
          Duration.ofSeconds(30));
      int after = answers.size();
      RegistryFixture.waitFor(() -> answers.size() >= after + 3, Duration.ofSeconds(20));
    } finally {
      flowing.set(false);
      traffic.join(60_000);
    }
    List<String> codes = new ArrayList<>();
    for (HttpResponse<String> r : answers) {
      if (r.statusCode() == 200) continue;
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      JsonObject body = Http.json(r);
      Contracts.assertError(body);
      assertThat(body.getString("code")).as(r.body()).startsWith("store.");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      codes.add(body.getString("code"));
    }
    assertThat(codes).as("answers while the database was down").contains("store.unavailable");
    assertThat(answers.get(answers.size() - 1).statusCode())
        .as("served again after the restart")
        .isEqualTo(200);
    assertThat(Http.get(bed.gateway.baseUrl() + READS_THE_DATABASE).statusCode()).isEqualTo(200);
    assertReady();
  }

  /**
   * The LISTEN connections are killed on the server ({@code pg_terminate_backend}): the gateway
   * listens again (within its one-second reconnect policy), and a later backend change — which
   * reaches the instance only through the registry's NOTIFY — takes effect within the documented
   * second (allowing for a loaded test machine).
   */
  @Test
  void aLostListenConnectionIsReplacedAndLaterChangesStillArrive() throws Exception {
    String listen = "LISTEN%" + RegistryStore.CHANNEL + "%";
    RegistryFixture.waitFor(() -> !listeners(listen).isEmpty(), Duration.ofSeconds(20));
    Set<Integer> cut = listeners(listen);
    try (Connection c = jdbc();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()")) {
      rs.next();
      assertThat(rs.getInt(1)).as("LISTEN connections terminated").isGreaterThanOrEqualTo(1);
    }
    long cutAt = System.nanoTime();
    RegistryFixture.waitFor(
        () -> {
          Set<Integer> now = listeners(listen);
          now.removeAll(cut);
          return !now.isEmpty();
        },
        Duration.ofSeconds(10));
    System.out.printf(
        "registry LISTEN again %d ms after the cut%n", (System.nanoTime() - cutAt) / 1_000_000);
    assertThat(bed.gateway.departmentRegistry().routes().pick(ACCOUNT, HZ)).isNotNull();
    // Disabling and enabling reach the route table only through the registry's NOTIFY.
    changeBackendAndAwait("disable", false);
    changeBackendAndAwait("enable", true);
    assertReady();
  }

  // ---------- helpers ----------

  /**
   * POSTs {@code action} on the backend with its department's credential; awaits its effect on the
   * instance's route table (an enabled backend for the route, or none).
   */
  private void changeBackendAndAwait(String action, boolean routable) {
    HttpResponse<String> r =
        Http.post(
            bed.gateway.baseUrl()
                + "/admin/v1/departments/hz-rsj/backends/"
                + backendId
                + "/"
                + action,
            null,
            Map.of("Authorization", bed.credential("hz-rsj")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    RegistryFixture.waitFor(
        () -> (bed.gateway.departmentRegistry().routes().pick(ACCOUNT, HZ) != null) == routable,
        Duration.ofSeconds(3));
  }

  private EmbeddedPostgres postgres(int fixedPort) throws IOException {
    EmbeddedPostgres.Builder b =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir.toFile())
            .setCleanDataDirectory(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "200");
    if (fixedPort > 0) b.setPort(fixedPort);
    return b.start();
  }

  private Connection jdbc() throws SQLException {
    return pg.getPostgresDatabase().getConnection();
  }

  /** The process ids of the sessions whose last statement is like {@code listen}. */
  private Set<Integer> listeners(String listen) {
    Set<Integer> pids = new HashSet<>();
    try (Connection c = jdbc();
        PreparedStatement s =
            c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE query LIKE ?")) {
      s.setString(1, listen);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) pids.add(rs.getInt(1));
      }
    } catch (SQLException e) {
      // not reachable right now: none seen
    }
    return pids;
  }

  private static void assertCode(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).as(r.body()).isEqualTo(code);
    assertThat(r.headers().firstValue("Retry-After")).as("Retry-After").isPresent();
  }

  private void assertReady() {
    RegistryFixture.waitFor(
        () -> Http.get(bed.gateway.baseUrl() + "/health/ready").statusCode() == 200,
        Duration.ofSeconds(10));
  }
}
