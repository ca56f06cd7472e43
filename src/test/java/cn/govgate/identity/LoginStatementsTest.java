package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.testing.TestGateways;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a returning user's login ({@code POST /v1/sessions}) costs PostgreSQL, counted by the server
 * itself: a PostgreSQL of its own with {@code pg_stat_statements} loaded, the real gateway, the
 * WeChat simulator, users who logged in once before. Counts statements and transactions per login
 * from {@code pg_stat_statements} and {@code pg_stat_database}, so a change that adds a statement
 * or a transaction to the login fails here.
 *
 * <p>With {@code -Dgovgate.loginCost.logins=N} it also prints the CPU per login of the gateway's
 * event loops (thread CPU) and of the PostgreSQL processes (from {@code /proc}) over N concurrent
 * logins, and the load average: a measurement, never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginStatementsTest {
  private static final int USERS = 200;

  private EmbeddedPostgres pg;
  private DataSource db;
  private IdentityTestBed bed;
  private Gateway gateway;
  private final List<String> openids = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    pg =
        EmbeddedPostgres.builder()
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("pg_stat_statements.track", "all")
            .setServerConfig("max_connections", "100")
            .start();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE logins");
    }
    db = pg.getDatabase("postgres", "logins");
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION pg_stat_statements");
    }
    bed = new IdentityTestBed(USERS, 1010);
    Map<String, String> settings = new HashMap<>(bed.settings());
    settings.put("db.host", "127.0.0.1");
    settings.put("db.port", String.valueOf(pg.getPort()));
    settings.put("db.database", "logins");
    gateway = TestGateways.start(settings);
    for (SyntheticCitizen p : bed.people) openids.add(bed.wechatUser(p));
    // First logins: the channel identities are created; what follows are returning users.
    runLogins(openids, 16);
    awaitAudit(USERS);
  }

  @AfterAll
  void stop() throws Exception {
    TestGateways.stop(gateway);
    if (bed != null) bed.close();
    if (pg != null) pg.close();
  }

  @Test
  void aReturningLoginIsOneIndexedStatementAndItsAuditRecordIsGroupCommitted() throws Exception {
    Snapshot before = snapshot();
    long[] loginBlocksBefore = loginBlocks();
    Map<String, String> versionsBefore = rowVersions();
    // One at a time: every audit batch holds few records, the most the login can cost.
    runLogins(openids, 1);
    awaitAudit(2L * USERS);
    Snapshot after = snapshot();
    Map<String, Long> calls = after.minus(before);
    long statements = calls.values().stream().mapToLong(Long::longValue).sum();
    long identityStatements =
        calls.entrySet().stream()
            .filter(
                e ->
                    e.getKey().contains("channel_identities")
                        || e.getKey().contains("citizens")
                        || e.getKey().contains("identity_verifications"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    long commits = after.commits - before.commits;
    System.out.printf(
        "returning logins: %d, statements %d (%.2f per login), commits %d (%.2f per login)%n",
        USERS, statements, statements / (double) USERS, commits, commits / (double) USERS);
    calls.forEach((q, n) -> System.out.printf("  %6d  %s%n", n, q.replaceAll("\\s+", " ")));
    assertThat(identityStatements)
        .as("identity statements: one per returning login")
        .isEqualTo(USERS);
    // The rest is the audit record's share of a group-committed batch (BEGIN, chain lock, chain
    // head, INSERT, COMMIT): at most one batch per login when logins come one at a time. Counted
    // by the batch's INSERT, as the background jobs run statements and transactions of their own.
    long auditBatches =
        calls.entrySet().stream()
            .filter(e -> e.getKey().startsWith("INSERT INTO audit_log"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    assertThat(auditBatches)
        .as("audit batches of %d returning logins", USERS)
        .isBetween(1L, (long) USERS);
    // Blocks the login statement touches (exact, from pg_stat_statements): the unique key probe
    // and the update check's primary key probe read a handful; a scan of the table reads them all.
    long[] blocks = loginBlocks();
    double perLogin =
        (blocks[1] - loginBlocksBefore[1]) / (double) (blocks[0] - loginBlocksBefore[0]);
    System.out.printf("blocks per login statement: %.1f%n", perLogin);
    assertThat(perLogin).as("shared blocks per login statement").isLessThanOrEqualTo(10.0);
    assertThat(rowVersions())
        .as("a returning login within the hour writes no row")
        .isEqualTo(versionsBefore);
  }

  /**
   * A measurement run (skipped unless {@code govgate.loginCost.logins} is set): N concurrent
   * returning logins; CPU of the gateway's event loops and of PostgreSQL per login.
   */
  @Test
  void measureCpuPerLogin() throws Exception {
    int n = Integer.getInteger("govgate.loginCost.logins", 0);
    if (n == 0) return;
    int concurrency = Integer.getInteger("govgate.loginCost.concurrency", 32);
    List<String> subjects = new ArrayList<>(n);
    for (int i = 0; i < n; i++) subjects.add(openids.get(i % openids.size()));
    runLogins(subjects.subList(0, Math.min(n, 1000)), concurrency); // warm-up
    Set<Long> loops = eventLoopThreads();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long audited = auditCount();
    Map<String, Long> procs0 = postgresCpuByProcess();
    Map<String, double[]> stmts0 = statementTimes();
    Map<String, Long> tables0 = tableCounters();
    long gw0 = cpu(threads, loops);
    long pg0 = postgresCpuTicks();
    long t0 = System.nanoTime();
    runLogins(subjects, concurrency);
    awaitAudit(audited + n);
    long wall = System.nanoTime() - t0;
    long gw = cpu(threads, loops) - gw0;
    long pgTicks = postgresCpuTicks() - pg0;
    double pgMicros = pgTicks * 1_000_000.0 / 100 / n; // USER_HZ = 100
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    Map<String, Long> procs1 = postgresCpuByProcess();
    procs1.forEach(
        (k, v) -> {
          long d = v - procs0.getOrDefault(k, 0L);
          if (d > 0) System.out.printf("  pg process %-60s %6d ticks%n", k, d);
        });
    statementTimes()
        .forEach(
            (q, v) -> {
              double[] b = stmts0.getOrDefault(q, new double[4]);
              if (v[0] - b[0] > 0)
                System.out.printf(
                    "  stmt calls %7.0f rows %7.0f exec %8.1f ms plan %8.1f ms  %s%n",
                    v[0] - b[0],
                    v[1] - b[1],
                    v[2] - b[2],
                    v[3] - b[3],
                    q.replaceAll("\\s+", " ").substring(0, Math.min(100, q.length())));
            });
    tableCounters()
        .forEach(
            (t, v) -> {
              long d = v - tables0.getOrDefault(t, 0L);
              if (d > 0) System.out.printf("  table %-50s +%d%n", t, d);
            });
    System.out.printf(
        "LOGIN COST: %d logins, concurrency %d, %.0f logins/s; gateway event loops %.0f µs CPU per"
            + " login, PostgreSQL %.0f µs CPU per login; loadavg %s%n",
        n, concurrency, n / (wall / 1e9), gw / 1000.0 / n, pgMicros, load);
  }

  private void runLogins(List<String> subjects, int concurrency) throws Exception {
    List<String> codes = new ArrayList<>(subjects.size());
    for (String openid : subjects)
      codes.add(bed.wechat.issueAuthCode(IdentityTestBed.WECHAT_APP, openid));
    Semaphore slots = new Semaphore(concurrency);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>();
    URI uri = URI.create(gateway.baseUrl() + "/v1/sessions");
    for (String code : codes) {
      slots.acquire();
      String body =
          new JsonObject()
              .put("channel", "wechat")
              .put("appId", IdentityTestBed.WECHAT_APP)
              .put("authCode", code)
              .encode();
      all.add(
          http.sendAsync(
                  HttpRequest.newBuilder(uri)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (r, e) -> {
                    if (e != null || r.statusCode() != 201) failed.incrementAndGet();
                    slots.release();
                  }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(5, TimeUnit.MINUTES);
    assertThat(failed.get()).as("failed logins").isZero();
  }

  private long auditCount() throws Exception {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT count(*) FROM audit_log WHERE action = 'identity.login'")) {
      r.next();
      return r.getLong(1);
    }
  }

  private void awaitAudit(long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (auditCount() < expected) {
      assertThat(System.nanoTime()).as("audit records written").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private record Snapshot(Map<String, Long> calls, long commits) {
    Map<String, Long> minus(Snapshot before) {
      Map<String, Long> d = new HashMap<>();
      calls.forEach(
          (q, n) -> {
            long delta = n - before.calls.getOrDefault(q, 0L);
            if (delta > 0) d.put(q, delta);
          });
      return d;
    }
  }

  /** The gateway's statements (this test's own reads excluded) and the database's commits. */
  private Snapshot snapshot() throws Exception {
    Map<String, Long> calls = new HashMap<>();
    long commits;
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery(
              "SELECT query, sum(calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                  + "WHERE d.datname = 'logins' AND query NOT ILIKE '%pg_stat%' "
                  + "AND query NOT ILIKE '%FROM audit_log WHERE action%' "
                  + "AND query NOT ILIKE '%revoked_sessions%' AND query NOT ILIKE '%xmin%' GROUP BY query")) {
        while (r.next()) calls.put(r.getString(1), r.getLong(2));
      }
      s.execute("SELECT pg_stat_clear_snapshot()");
      Thread.sleep(700); // the statistics collector reports every 500 ms
      try (ResultSet r =
          s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = 'logins'")) {
        r.next();
        commits = r.getLong(1);
      }
    }
    return new Snapshot(calls, commits);
  }

  /** Calls of the login statement and the shared blocks they hit or read. */
  private long[] loginBlocks() throws Exception {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT coalesce(sum(calls), 0), coalesce(sum(shared_blks_hit + shared_blks_read), 0) "
                    + "FROM pg_stat_statements WHERE query LIKE '%channel_identities%subject_index%' "
                    + "AND query NOT LIKE 'INSERT%'")) {
      r.next();
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  /** Each channel identity's row version: it changes when the row is written. */
  private Map<String, String> rowVersions() throws Exception {
    Map<String, String> m = new HashMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT identity_key, xmin::text || ':' || ctid::text FROM channel_identities")) {
      while (r.next()) m.put(r.getString(1), r.getString(2));
    }
    return m;
  }

  private Map<String, double[]> statementTimes() throws Exception {
    Map<String, double[]> m = new HashMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT query, sum(calls), sum(rows), sum(total_exec_time), sum(total_plan_time) "
                    + "FROM pg_stat_statements GROUP BY query")) {
      while (r.next())
        m.put(
            r.getString(1),
            new double[] {r.getDouble(2), r.getDouble(3), r.getDouble(4), r.getDouble(5)});
    }
    return m;
  }

  private Map<String, Long> tableCounters() throws Exception {
    Map<String, Long> m = new HashMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      Thread.sleep(700);
      try (ResultSet r =
          s.executeQuery(
              "SELECT relname, seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del "
                  + "FROM pg_stat_user_tables")) {
        while (r.next()) {
          String t = r.getString(1);
          m.put(t + " seq_scan", r.getLong(2));
          m.put(t + " idx_scan", r.getLong(3));
          m.put(t + " ins", r.getLong(4));
          m.put(t + " upd", r.getLong(5));
          m.put(t + " hot_upd", r.getLong(6));
          m.put(t + " del", r.getLong(7));
        }
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT xact_commit, xact_rollback, blks_hit, tup_returned, tup_fetched "
                  + "FROM pg_stat_database WHERE datname = 'logins'")) {
        r.next();
        m.put("db xact_commit", r.getLong(1));
        m.put("db xact_rollback", r.getLong(2));
        m.put("db blks_hit", r.getLong(3));
        m.put("db tup_returned", r.getLong(4));
        m.put("db tup_fetched", r.getLong(5));
      }
      try (ResultSet r = s.executeQuery("SELECT wal_records, wal_bytes FROM pg_stat_wal")) {
        r.next();
        m.put("wal records", r.getLong(1));
        m.put("wal bytes", r.getLong(2));
      }
    }
    return m;
  }

  private Map<String, Long> postgresCpuByProcess() throws Exception {
    Map<String, Long> m = new HashMap<>();
    long postmaster;
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      postmaster = ProcessHandle.of(r.getInt(1)).flatMap(ProcessHandle::parent).orElseThrow().pid();
    }
    m.put("postmaster", ticks(postmaster));
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) dirs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        long pid = Long.parseLong(name);
        if (ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L)
            == postmaster) {
          String cmd;
          try {
            cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ').trim();
          } catch (Exception e) {
            continue;
          }
          cmd =
              cmd.replaceAll("\\(\\d+\\)", "")
                  .replaceAll(" (idle|active|BIND|SELECT|INSERT|COMMIT|idle in transaction).*", "");
          m.merge(cmd + " [" + pid + "]", ticks(pid), Long::sum);
        }
      }
    }
    return m;
  }

  private Set<Long> eventLoopThreads() throws Exception {
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    List<io.netty.util.concurrent.Future<?>> done = new ArrayList<>();
    for (EventExecutor e :
        ((io.vertx.core.internal.VertxInternal) gateway.vertx()).nettyEventLoopGroup())
      done.add(e.submit(() -> ids.add(Thread.currentThread().getId())));
    for (var f : done) f.get(10, TimeUnit.SECONDS);
    return ids;
  }

  private static long cpu(ThreadMXBean threads, Set<Long> ids) {
    long sum = 0;
    for (long id : ids) sum += Math.max(0, threads.getThreadCpuTime(id));
    return sum;
  }

  /** utime + stime of the postmaster and all its children, in clock ticks. */
  private long postgresCpuTicks() throws Exception {
    long postmaster;
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      postmaster = ProcessHandle.of(r.getInt(1)).flatMap(ProcessHandle::parent).orElseThrow().pid();
    }
    long ticks = ticks(postmaster);
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) dirs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        long pid = Long.parseLong(name);
        if (ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L)
            == postmaster) ticks += ticks(pid);
      }
    }
    return ticks;
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return 0; // the process ended
    }
  }
}
