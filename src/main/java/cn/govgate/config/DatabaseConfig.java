package cn.govgate.config;

/**
 * PostgreSQL settings. With no {@code db.host} the gateway starts an embedded PostgreSQL in
 * {@code <dataDir>/postgres} that keeps its data across restarts.
 *
 * @param host server host; null means embedded
 * @param port server port (default 5432; for the embedded server, 0 picks a free one)
 * @param database database name (default {@code govgate})
 * @param user user (default {@code govgate}; embedded: {@code postgres})
 * @param password password (may be null)
 * @param poolSize connections in the pool (default 16)
 * @param ssl require TLS to the server (default false)
 */
public record DatabaseConfig(
    String host, int port, String database, String user, String password, int poolSize, boolean ssl) {

  static DatabaseConfig from(ConfigValues v) {
    String host = v.string("db.host", null);
    return new DatabaseConfig(
        host,
        v.integer("db.port", host == null ? 0 : 5432, 0, 65535),
        v.string("db.database", host == null ? "postgres" : "govgate"),
        v.string("db.user", host == null ? "postgres" : "govgate"),
        v.string("db.password", null),
        v.integer("db.poolSize", 16, 1, 512),
        v.bool("db.ssl", false));
  }

  public boolean embedded() {
    return host == null;
  }

  @Override
  public String toString() {
    return "DatabaseConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
        + ", poolSize=" + poolSize + "]";
  }
}
