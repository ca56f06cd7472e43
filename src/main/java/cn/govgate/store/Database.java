package cn.govgate.store;

import cn.govgate.config.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the gateway runs on, migrated with Flyway at start-up (blocking, on a worker
 * thread, before the HTTP server listens) and reached through a Vert.x pool afterwards.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions connectOptions;
  private final Pool pool;
  private volatile boolean migrated;

  private Database(PgConnectOptions connectOptions, Pool pool) {
    this.connectOptions = connectOptions;
    this.pool = pool;
  }

  /** Migrates the configured database, then opens the pool. */
  public static Future<Database> start(Vertx vertx, DatabaseConfig config) {
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setDatabase(config.database())
            .setUser(config.user())
            .setSslMode(config.ssl() ? SslMode.REQUIRE : SslMode.DISABLE)
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256)
            // Sent in the start-up packet: every pooled and LISTEN connection has the limit, so a
            // slow statement or a lock wait ends as an error (store.timeout), not a held request.
            .addProperty("statement_timeout", String.valueOf(config.statementTimeout().toMillis()))
            // With tracing on: a span per statement made inside a traced request, none for
            // background work. Vert.x records the statement text (parameterised) and never the
            // bind values.
            .setTracingPolicy(TracingPolicy.PROPAGATE);
    if (config.password() != null) options.setPassword(config.password());
    StoreFailures.register(options.getHost(), options.getPort());
    return vertx
        .executeBlocking(
            () -> {
              migrate(options);
              return options;
            },
            false)
        .map(
            migrated -> {
              Pool pool =
                  PgBuilder.pool()
                      .with(
                          new PoolOptions()
                              .setMaxSize(config.poolSize())
                              // Bounded waiting: when PostgreSQL is slow, requests are refused
                              // (store.busy) rather than queued for ever.
                              .setMaxWaitQueueSize(config.maxWaitQueue())
                              .setConnectionTimeout((int) config.acquireTimeout().toMillis())
                              .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                              .setName("govgate-pg")
                              .setShared(true))
                      .with(
                          new NetClientOptions()
                              .setConnectTimeout((int) config.connectTimeout().toMillis()))
                      .connectingTo(options)
                      .using(vertx)
                      .build();
              Database db = new Database(options, pool);
              db.migrated = true;
              return db;
            });
  }

  private static void migrate(PgConnectOptions o) {
    String url = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    Properties props = new Properties();
    props.setProperty("user", o.getUser());
    if (o.getPassword() != null) props.setProperty("password", o.getPassword());
    // Fail fast with a clear message when the server is unreachable, before Flyway wraps it.
    try (var c = DriverManager.getConnection(url, props)) {
      c.isValid(2);
    } catch (java.sql.SQLException e) {
      throw new DatabaseUnavailableException(
          "cannot connect to PostgreSQL at "
              + o.getHost()
              + ":"
              + o.getPort()
              + "/"
              + o.getDatabase()
              + " ("
              + e.getSQLState()
              + ")");
    }
    var result =
        Flyway.configure()
            .dataSource(url, o.getUser(), o.getPassword())
            .locations("classpath:db/migration")
            .failOnMissingLocations(true)
            // Versions are handed out in ranges to work landing in parallel, so a release can bring
            // a migration numbered below one a running database already has: apply it rather than
            // refuse to start. Each migration stands on its own (none assumes it runs last).
            .outOfOrder(true)
            .load()
            .migrate();
    log.info(
        "database migrated: {} migrations applied, schema version {}",
        result.migrationsExecuted,
        result.targetSchemaVersion);
  }

  public Pool pool() {
    return pool;
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  public boolean migrated() {
    return migrated;
  }

  /** Answers whether the database is reachable right now. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Closes the pool. */
  public Future<Void> close() {
    return pool.close();
  }

  /** The configured PostgreSQL cannot be reached at start-up. */
  public static final class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
