package cn.govgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo comes back right after {@code kill -9}: the demo runs as a separate JVM on one data
 * directory, is killed with SIGKILL once it is ready (its PostgreSQL keeps running, orphaned,
 * holding the data directory), and is started again at once — every cycle must reach ready within
 * the bound, and a last SIGTERM must leave no server behind. A backend the operator disabled before
 * the first kill stands in the way of none of the restarts: the department registers a new one and
 * the disabled one stays disabled.
 */
class DemoRestartAfterKillTest {
  private static final int CYCLES = 3;

  /** Generous: a JVM, PostgreSQL and the gateway start on a CI machine with two busy cores. */
  private static final Duration READY_WITHIN = Duration.ofMinutes(3);

  private static Path dataDir;
  private static Path log;
  private static Process demo;

  @BeforeAll
  static void dataDirectory() throws IOException {
    dataDir = Files.createTempDirectory("govgate-demo-kill");
    log = dataDir.resolve("demo.log");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (demo != null && demo.isAlive()) {
      demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    // Whatever happened above, no PostgreSQL of this directory may outlive the test.
    DemoDatabase.stopOrphan(dataDir.resolve("postgres"), Duration.ofSeconds(60));
  }

  @Test
  void restartsRightAfterKillMinus9EveryTime() throws Exception {
    String firstUrl = startAndAwaitReady();
    assertThat(Http.get(firstUrl + "/health/live").statusCode()).isEqualTo(200);
    String disabled = disableHousingFundBackend(firstUrl);
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      demo.destroyForcibly(); // SIGKILL: no shutdown hook runs, the embedded PostgreSQL is left
      // running
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("killed demo exited").isTrue();
      assertThat(livePostgres())
          .as("cycle %d: the killed demo left its PostgreSQL running", cycle)
          .isPresent();

      String url = startAndAwaitReady();
      assertThat(Http.get(url + "/health/ready").statusCode()).as("cycle %d", cycle).isEqualTo(200);
      JsonArray backends =
          Http.json(
                  Http.get(
                      url + "/admin/v1/departments/cd-housing-fund/backends",
                      Map.of("Authorization", operator())))
              .getJsonArray("backends");
      assertThat(
              backends.stream()
                  .map(JsonObject.class::cast)
                  .filter(
                      b ->
                          b.getString("status").equals("active")
                              && !b.getString("id").equals(disabled)))
          .as("cycle %d: the department serves again with a backend of its own", cycle)
          .hasSize(1);
      assertThat(
              backends.stream()
                  .map(JsonObject.class::cast)
                  .filter(b -> b.getString("id").equals(disabled))
                  .map(b -> b.getString("status")))
          .as("the operator's decision stands")
          .containsExactly("disabled");
    }
    // A graceful stop takes PostgreSQL down with it.
    demo.destroy();
    assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as("demo stopped on SIGTERM").isTrue();
    assertThat(livePostgres()).as("PostgreSQL after a graceful stop").isEmpty();
  }

  /** As the operator: disables the backend of cd-housing-fund; returns its id. */
  private static String disableHousingFundBackend(String url) throws IOException {
    JsonObject manifest = new JsonObject(Files.readString(dataDir.resolve(Demo.MANIFEST)));
    String backend =
        manifest.getJsonArray("departments").stream()
            .map(JsonObject.class::cast)
            .filter(d -> d.getString("department").equals("cd-housing-fund"))
            .findFirst()
            .orElseThrow()
            .getString("backend");
    HttpResponse<String> disabled =
        Http.post(
            url + "/admin/v1/departments/cd-housing-fund/backends/" + backend + "/disable",
            null,
            Map.of("Authorization", operator()));
    assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
    return backend;
  }

  private static String operator() {
    try {
      JsonObject manifest = new JsonObject(Files.readString(dataDir.resolve(Demo.MANIFEST)));
      return "Bearer "
          + Files.readString(Path.of(manifest.getJsonObject("admin").getString("bootstrapKeyFile")))
              .trim();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Starts the demo as its own JVM and waits until its manifest is written and /health/ready
   * answers 200.
   */
  private static String startAndAwaitReady() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            DemoLauncher.class.getName());
    pb.environment().put("GOVGATE_DATA_DIR", dataDir.toString());
    pb.environment().put("GOVGATE_HTTP_PORT", "0");
    pb.environment().put("GOVGATE_HTTP_INSTANCES", "1");
    pb.environment().put("GOVGATE_HTTP_SHUTDOWN_GRACE", "1s");
    pb.environment().put("GOVGATE_DEMO_CITIZENS", "20");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    demo = pb.start();
    Path manifest = dataDir.resolve(Demo.MANIFEST);
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      if (!demo.isAlive()) fail("the demo exited with " + demo.exitValue() + ":\n" + tail());
      if (Files.exists(manifest)) {
        try {
          String url = new JsonObject(Files.readString(manifest)).getString("baseUrl");
          HttpResponse<String> ready = Http.get(url + "/health/ready");
          if (ready.statusCode() == 200) return url;
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException notYet) {
          // the last run's manifest, removed at start-up, or a server still starting
        }
      }
      Thread.sleep(200);
    }
    fail("the demo was not ready within " + READY_WITHIN + ":\n" + tail());
    return null;
  }

  /** The PostgreSQL process named by the data directory's postmaster.pid, when it is alive. */
  private static Optional<ProcessHandle> livePostgres() throws IOException {
    Path pid = dataDir.resolve("postgres").resolve("postmaster.pid");
    if (!Files.exists(pid)) return Optional.empty();
    List<String> lines = Files.readAllLines(pid);
    return lines.isEmpty()
        ? Optional.empty()
        : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive);
  }

  private static String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
