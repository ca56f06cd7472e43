package cn.govgate.config;

import java.time.Duration;

/**
 * PostgreSQL settings. The gateway needs a PostgreSQL server ({@code db.host} is required); the
 * demo ({@code ops/demo}) starts an embedded one and passes its address here.
 *
 * @param host server host
 * @param port server port (default 5432)
 * @param database database name (default {@code govgate})
 * @param user user (default {@code govgate})
 * @param password password (may be null)
 * @param poolSize connections in the pool (default 16)
 * @param ssl require TLS to the server (default false)
 * @param maxWaitQueue requests that may wait for a pool connection when all are in use (default
 *     256); one more is refused at once with 503 {@code store.busy}
 * @param acquireTimeout longest wait for a pool connection (default 5 s), then 503 {@code
 *     store.busy}
 * @param connectTimeout longest TCP connect to the server (default 5 s)
 * @param statementTimeout PostgreSQL's {@code statement_timeout} for every pooled connection
 *     (default 10 s): a statement running or waiting for a lock longer is cancelled by the server,
 *     503 {@code store.timeout}
 */
public record DatabaseConfig(
    String host,
    int port,
    String database,
    String user,
    String password,
    int poolSize,
    boolean ssl,
    int maxWaitQueue,
    Duration acquireTimeout,
    Duration connectTimeout,
    Duration statementTimeout) {

  static DatabaseConfig from(ConfigValues v) {
    DatabaseConfig config =
        new DatabaseConfig(
            v.string("db.host", null),
            v.integer("db.port", 5432, 1, 65535),
            v.string("db.database", "govgate"),
            v.string("db.user", "govgate"),
            v.string("db.password", null),
            v.integer("db.poolSize", 16, 1, 512),
            v.bool("db.ssl", false),
            v.integer("db.maxWaitQueue", 256, 0, 100_000),
            v.duration(
                "db.acquireTimeout",
                Duration.ofSeconds(5),
                Duration.ofMillis(10),
                Duration.ofMinutes(1)),
            v.duration(
                "db.connectTimeout",
                Duration.ofSeconds(5),
                Duration.ofMillis(100),
                Duration.ofMinutes(1)),
            v.duration(
                "db.statementTimeout",
                Duration.ofSeconds(10),
                Duration.ofMillis(10),
                Duration.ofMinutes(10)));
    if (config.host() == null) {
      throw new ConfigException(
          "db.host", "is required: the PostgreSQL server (the demo starts an embedded one)");
    }
    return config;
  }

  @Override
  public String toString() {
    return "DatabaseConfig[host="
        + host
        + ", port="
        + port
        + ", database="
        + database
        + ", user="
        + user
        + ", poolSize="
        + poolSize
        + ", maxWaitQueue="
        + maxWaitQueue
        + ", acquireTimeout="
        + acquireTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", statementTimeout="
        + statementTimeout
        + "]";
  }
}
