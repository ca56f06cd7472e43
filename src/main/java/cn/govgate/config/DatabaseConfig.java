package cn.govgate.config;

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
 */
public record DatabaseConfig(
    String host,
    int port,
    String database,
    String user,
    String password,
    int poolSize,
    boolean ssl) {

  static DatabaseConfig from(ConfigValues v) {
    DatabaseConfig config =
        new DatabaseConfig(
            v.string("db.host", null),
            v.integer("db.port", 5432, 1, 65535),
            v.string("db.database", "govgate"),
            v.string("db.user", "govgate"),
            v.string("db.password", null),
            v.integer("db.poolSize", 16, 1, 512),
            v.bool("db.ssl", false));
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
        + "]";
  }
}
