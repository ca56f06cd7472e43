package cn.govgate.demo.crash;

import cn.govgate.demo.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The production gateway ({@code src/target/govgate.jar}) as a process of its own, started with
 * {@code java -jar govgate.jar --config <file>} on one data directory and one database, killed with
 * SIGKILL and started again. Its configuration file is written owner-only (it names key files and
 * holds the channel app key).
 */
final class GatewayProcess {
  private static final Pattern LISTENING =
      Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  /** Generous: a JVM, Flyway and the gateway start on two cores that other builds share. */
  static final Duration READY_WITHIN = Duration.ofMinutes(3);

  private final Path jar;
  private final Path config;
  private final Path log;
  private volatile Process process;
  private volatile int port;
  private int starts;

  private GatewayProcess(Path jar, Path config, Path log) {
    this.jar = jar;
    this.config = config;
    this.log = log;
    // A gateway must not outlive the test JVM, whatever ends it.
    Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "crash-gateway-kill"));
  }

  /**
   * The built gateway jar: {@code -Dcrash.gatewayJar}, else {@code src/target/govgate.jar} of this
   * checkout.
   */
  static Path jar() {
    String configured = System.getProperty("crash.gatewayJar");
    Path jar =
        configured != null
            ? Path.of(configured)
            : Path.of("..", "..", "src", "target", "govgate.jar").toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it first (mvn -B package, or verify with -am)");
    }
    return jar;
  }

  /**
   * Writes {@code settings} into {@code dir/gateway.properties} (0600) for a gateway that logs to
   * gateway.log.
   */
  static GatewayProcess configure(Path dir, Map<String, String> settings) throws IOException {
    Path config = dir.resolve("gateway.properties");
    Files.deleteIfExists(config);
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties p = new Properties();
    p.putAll(settings);
    try (OutputStream out = Files.newOutputStream(config)) {
      p.store(out, "crash-injection gateway, generated at run time");
    }
    return new GatewayProcess(jar(), config, dir.resolve("gateway.log"));
  }

  /** Starts the gateway and waits until {@code /health/ready} answers 200; returns its port. */
  int start() throws IOException, InterruptedException {
    long offset = Files.exists(log) ? Files.size(log) : 0;
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-XX:TieredStopAtLevel=1",
            "-Dvertx.disableDnsResolver=true",
            "-jar",
            jar.toString(),
            "--config",
            config.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("GOVGATE_"));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    starts++;
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    port = 0;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the gateway exited with " + process.exitValue() + ":\n" + tail());
      }
      if (port == 0) port = listeningPort(offset);
      if (port != 0 && ready()) return port;
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the gateway was not ready within " + READY_WITHIN + ":\n" + tail());
  }

  private boolean ready() {
    try {
      HttpResponse<String> r = Http.get("http://127.0.0.1:" + port + "/health/ready");
      return r.statusCode() == 200;
    } catch (UncheckedIOException notYet) {
      return false;
    }
  }

  private int listeningPort(long offset) throws IOException {
    byte[] all = Files.readAllBytes(log);
    String since =
        new String(
            all,
            (int) Math.min(offset, all.length),
            (int) Math.max(0, all.length - offset),
            StandardCharsets.UTF_8);
    Matcher m = LISTENING.matcher(since);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /**
   * SIGKILL: no shutdown hook, no drain; returns once the process is gone. Safe from any thread, at
   * any time.
   */
  void kill() {
    Process p = process;
    if (p == null) return;
    p.destroyForcibly();
  }

  /** Waits until the process killed by {@link #kill} has exited. */
  void awaitExit() throws InterruptedException {
    Process p = process;
    if (p != null && !p.waitFor(60, TimeUnit.SECONDS))
      throw new IllegalStateException("killed gateway still alive");
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** SIGTERM, as an orchestrator stops it; waits for the drain. */
  void stop() throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) return;
    p.destroy();
    if (!p.waitFor(90, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  int port() {
    return port;
  }

  int starts() {
    return starts;
  }

  Path log() {
    return log;
  }

  String tail() throws IOException {
    if (!Files.exists(log)) return "(no log)";
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
