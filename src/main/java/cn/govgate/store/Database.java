package cn.govgate.store;

import cn.govgate.config.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the gateway runs on: the embedded one or a configured server, migrated with Flyway at
 * start-up (blocking, on a worker thread, before the HTTP server listens) and reached through a Vert.x
 * pool afterwards.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final EmbeddedDatabase embedded;
  private final PgConnectOptions connectOptions;
  private final Pool pool;
  private volatile boolean migrated;

  private Database(EmbeddedDatabase embedded, PgConnectOptions connectOptions, Pool pool) {
    this.embedded = embedded;
    this.connectOptions = connectOptions;
    this.pool = pool;
  }

  /** Starts the embedded server when needed, migrates, and opens the pool. */
  public static Future<Database> start(Vertx vertx, DatabaseConfig config, Path dataDir) {
    return vertx.executeBlocking(() -> {
      EmbeddedDatabase embedded = config.embedded()
          ? EmbeddedDatabase.start(dataDir.resolve("postgres"), config.port())
          : null;
      try {
        PgConnectOptions options = new PgConnectOptions()
            .setHost(embedded != null ? "127.0.0.1" : config.host())
            .setPort(embedded != null ? embedded.port() : config.port())
            .setDatabase(config.database())
            .setUser(config.user())
            .setSslMode(config.ssl() ? SslMode.REQUIRE : SslMode.DISABLE)
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256);
        if (config.password() != null) options.setPassword(config.password());
        migrate(options);
        return new Started(embedded, options);
      } catch (RuntimeException e) {
        if (embedded != null) embedded.close();
        throw e;
      }
    }, false).map(started -> {
      PgConnectOptions options = started.options();
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(config.poolSize()).setName("govgate-pg").setShared(true))
          .connectingTo(options)
          .using(vertx)
          .build();
      Database db = new Database(started.embedded(), options, pool);
      db.migrated = true;
      return db;
    });
  }

  private record Started(EmbeddedDatabase embedded, PgConnectOptions options) {}

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
          "cannot connect to PostgreSQL at " + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase()
              + " (" + e.getSQLState() + ")");
    }
    var result = Flyway.configure()
        .dataSource(url, o.getUser(), o.getPassword())
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .load()
        .migrate();
    log.info("database migrated: {} migrations applied, schema version {}",
        result.migrationsExecuted, result.targetSchemaVersion);
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

  public boolean embedded() {
    return embedded != null;
  }

  /** Answers whether the database is reachable right now. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Closes the pool, then stops the embedded server (blocking part on a worker). */
  public Future<Void> close(Vertx vertx) {
    return pool.close().eventually(() -> embedded == null
        ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          embedded.close();
          return null;
        }, false));
  }

  /** The configured PostgreSQL cannot be reached at start-up. */
  public static final class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
