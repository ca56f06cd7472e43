package cn.govgate.demo.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The gateway of the benchmark as a process of its own ({@code java -cp CLASSPATH
 * cn.govgate.app.Main --config FILE}), so that its CPU can be read from {@code /proc} apart from
 * the simulators' and its event loops serve only the gateway. The configuration file is written
 * owner-only; it names the generated key files, never a key. Blocking: call from a worker thread.
 */
final class GatewayProcess {
  private static final String MAIN = "cn.govgate.app.Main";

  private final Process process;
  private final String baseUrl;

  private GatewayProcess(Process process, String baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
  }

  /**
   * A free loopback port, chosen before the gateway starts because its channel settings name its
   * own URL.
   */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code settings} to {@code dir/gateway.properties} and starts the gateway on {@code
   * port}; returns once {@code /health/live} answers 200, or fails with the tail of {@code
   * dir/gateway.log}.
   *
   * @param classpath the gateway's classpath ({@code src/target/govgate.jar} in the benchmark)
   * @param jvmOptions options before the class name, e.g. {@code -Xmx2g}
   */
  static GatewayProcess start(
      Path dir,
      String classpath,
      List<String> jvmOptions,
      Map<String, String> settings,
      int port,
      Duration wait)
      throws IOException, InterruptedException {
    Path config = dir.resolve("gateway.properties");
    Properties p = new Properties();
    p.putAll(settings);
    Files.deleteIfExists(config);
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var out = Files.newBufferedWriter(config)) {
      p.store(out, "benchmark gateway (written by BenchStack)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, MAIN, "--config", config.toString()));
    Path log = dir.resolve("gateway.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    String baseUrl = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + wait.toNanos();
    while (!live(baseUrl)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the gateway exited with " + process.exitValue() + ": " + tail(log));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "the gateway was not live within " + wait + ": " + tail(log));
      }
      Thread.sleep(200);
    }
    return new GatewayProcess(process, baseUrl);
  }

  private static boolean live(String baseUrl) {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(baseUrl + "/health/live").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM (the gateway drains and writes its batches), then SIGKILL after {@code grace}. */
  void stop(Duration grace) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
