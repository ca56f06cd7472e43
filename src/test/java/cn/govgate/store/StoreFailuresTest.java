package cn.govgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failures the SQL client really raises when PostgreSQL drops a connection — taken from a real
 * server, not constructed — are each a coded 503 {@code store.unavailable}: the statement in
 * flight, the statements pipelined behind it, and a statement given to the connection after it
 * closed. (DatabaseFaultsTest restarts the whole server mid-traffic; which of these a request meets
 * there depends on timing, so each is pinned here.)
 */
class StoreFailuresTest {
  private Vertx vertx;
  private PgConnectOptions options;
  private String jdbcUrl;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Map<String, String> db = TestPostgres.newDatabase();
    options =
        new PgConnectOptions()
            .setHost(db.get("db.host"))
            .setPort(Integer.parseInt(db.get("db.port")))
            .setDatabase(db.get("db.database"))
            .setUser(db.get("db.user"))
            .setPipeliningLimit(256);
    jdbcUrl =
        "jdbc:postgresql://"
            + options.getHost()
            + ":"
            + options.getPort()
            + "/"
            + db.get("db.database");
    StoreFailures.register(options.getHost(), options.getPort());
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void statementsOnAConnectionTheServerDroppedAreStoreUnavailable() throws Exception {
    PgConnection conn = PgConnection.connect(vertx, options).await(10, TimeUnit.SECONDS);
    CountDownLatch closed = new CountDownLatch(1);
    conn.closeHandler(v -> closed.countDown());
    int pid = pidOf(conn);

    // Ten statements pipelined on the one connection, then the server ends its backend.
    List<Future<?>> pipelined = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pipelined.add(conn.query("SELECT pg_sleep(0.2)").execute());
    }
    terminate(pid);
    List<Throwable> failures = new ArrayList<>();
    for (Future<?> f : pipelined) {
      failures.add(failureOf(f));
    }
    assertThat(closed.await(10, TimeUnit.SECONDS)).as("the client saw the close").isTrue();
    // A statement given to the connection after it closed.
    failures.add(failureOf(conn.query("SELECT 1").execute()));

    assertThat(failures).doesNotContainNull();
    for (Throwable failure : failures) {
      ApiException coded = StoreFailures.classify(failure);
      assertThat(coded)
          .as("%s: %s", failure.getClass().getName(), failure.getMessage())
          .isNotNull();
      assertThat(coded.code()).isEqualTo("store.unavailable");
      assertThat(coded.status()).isEqualTo(503);
      assertThat(coded.retryAfterSeconds()).isEqualTo(StoreFailures.UNAVAILABLE_RETRY_AFTER);
    }
    // The last one is the client's own "not active" refusal, the kind the restart test met as a
    // 500.
    assertThat(failures.get(failures.size() - 1).getMessage())
        .startsWith("Connection is not active");
  }

  @Test
  void aFailureThatIsNotTheDatabasesStaysUnclassified() throws Exception {
    PgConnection conn = PgConnection.connect(vertx, options).await(10, TimeUnit.SECONDS);
    Throwable syntax = failureOf(conn.query("SELEC 1").execute());
    assertThat(StoreFailures.classify(syntax)).as("a syntax error is ours: a 500").isNull();
    assertThat(StoreFailures.classify(new IllegalStateException("boom"))).isNull();
    conn.close().await(10, TimeUnit.SECONDS);
  }

  private static int pidOf(PgConnection conn) throws Exception {
    Row row =
        conn.query("SELECT pg_backend_pid() AS pid")
            .execute()
            .await(10, TimeUnit.SECONDS)
            .iterator()
            .next();
    return row.getInteger("pid");
  }

  private void terminate(int pid) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, options.getUser(), null);
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + pid + ")");
    }
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    f.onComplete(ar -> done.countDown());
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    return f.cause();
  }
}
