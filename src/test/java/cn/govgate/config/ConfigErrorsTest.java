package cn.govgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each configuration error stops start-up with one line naming the key and the reason, and exit code 2. */
class ConfigErrorsTest {

  static Stream<Arguments> badEnvironments() {
    return Stream.of(
        Arguments.of(Map.of("GOVGATE_HTTP_PORT", "eighty"), "http.port: must be an integer"),
        Arguments.of(Map.of("GOVGATE_HTTP_PORT", "70000"), "http.port: must be between 0 and 65535"),
        Arguments.of(Map.of("GOVGATE_HTTP_BODY_LIMIT_BYTES", "10"), "http.bodyLimitBytes: must be between"),
        Arguments.of(Map.of("GOVGATE_HTTP_SHUTDOWN_GRACE", "forever"), "http.shutdownGrace: must be a duration"),
        Arguments.of(Map.of("GOVGATE_DB_POOL_SIZE", "0"), "db.poolSize: must be between 1 and 512"),
        Arguments.of(Map.of("GOVGATE_DB_SSL", "maybe"), "db.ssl: must be true or false"),
        Arguments.of(Map.of("GOVGATE_DEMO", "perhaps"), "demo: must be one of auto, true, false"),
        Arguments.of(Map.of("GOVGATE_HTTP_PROT", "8080"), "GOVGATE_HTTP_PROT: unknown configuration key"));
  }

  @ParameterizedTest
  @MethodSource("badEnvironments")
  void badEnvironmentValueGivesOneLineAndExitCode2(Map<String, String> env, String expected) {
    Result r = run(new String[0], env);
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).hasSize(1);
    assertThat(r.lines().get(0)).startsWith("govgate: configuration error: ").contains(expected);
  }

  @Test
  void missingConfigFileNamesTheFile(@TempDir Path dir) {
    Result r = run(new String[] {"--config", dir.resolve("absent.json").toString()}, Map.of());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).singleElement().asString().contains("config: cannot read file").contains("absent.json");
  }

  @Test
  void invalidJsonConfigFileIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.json"), "{ \"http\": ");
    Result r = run(new String[] {"--config", file.toString()}, Map.of());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).singleElement().asString().contains("is not valid JSON");
  }

  @Test
  void fileValuesAreValidatedAndEnvironmentOverridesFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("c.json"), "{\"http\": {\"port\": 9090, \"instances\": 3}}");
    GovgateConfig fromFile = GovgateConfig.load(file, Map.of());
    assertThat(fromFile.http().port()).isEqualTo(9090);
    assertThat(fromFile.http().instances()).isEqualTo(3);
    GovgateConfig overridden = GovgateConfig.load(file, Map.of("GOVGATE_HTTP_PORT", "9191"));
    assertThat(overridden.http().port()).isEqualTo(9191);

    Path bad = Files.writeString(dir.resolve("b.json"), "{\"http\": {\"instances\": 0}}");
    Result r = run(new String[] {"--config", bad.toString()}, Map.of());
    assertThat(r.lines()).singleElement().asString().contains("http.instances: must be between 1 and 256");
  }

  @Test
  void propertiesFilesWorkToo(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("c.properties"), "http.port=7070\nhttp.shutdownGrace=45s\n");
    GovgateConfig c = GovgateConfig.load(file, Map.of());
    assertThat(c.http().port()).isEqualTo(7070);
    assertThat(c.http().shutdownGrace()).hasSeconds(45);
  }

  @Test
  void keysAreRequiredOutsideDemoModeAndChecked() {
    Result missing = run(new String[0], Map.of("GOVGATE_DB_HOST", "db.internal"));
    assertThat(missing.code).isEqualTo(2);
    assertThat(missing.lines()).singleElement().asString().contains("audit.hmacKey: is required");
    Result shortKey = run(new String[0], Map.of("GOVGATE_DB_HOST", "db.internal", "GOVGATE_AUDIT_HMAC_KEY", "c2hvcnQ="));
    assertThat(shortKey.lines()).singleElement().asString().contains("audit.hmacKey: must be 32 bytes, got 5")
        .doesNotContain("c2hvcnQ=");
  }

  @Test
  void unknownArgumentIsRefused() {
    Result r = run(new String[] {"--verbose"}, Map.of());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).singleElement().asString().contains("--verbose: unknown argument");
  }

  @Test
  void demoModeIsTheDefaultOnlyWithoutDatabaseAndChannels() {
    assertThat(GovgateConfig.from(ConfigValues.of(Map.of())).demo()).isTrue();
    String key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    Map<String, String> real = new java.util.HashMap<>(Map.of("db.host", "db.internal", "audit.hmacKey", key,
        "registry.secretKey", key));
    try {
      real.putAll(cn.govgate.testing.TestGateways.identityKeys(java.nio.file.Files.createTempDirectory("cfg")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(GovgateConfig.from(ConfigValues.of(real)).demo()).isFalse();
    assertThat(GovgateConfig.from(ConfigValues.of(Map.of("db.host", "db.internal", "demo", "true"))).demo()).isTrue();
  }

  @Test
  void aRealProcessExitsWithCode2AndPrintsNoStackTrace() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "cn.govgate.app.Main");
    pb.environment().put("GOVGATE_HTTP_PORT", "-5");
    pb.redirectErrorStream(false);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.lines().toList()).singleElement().asString()
        .isEqualTo("govgate: configuration error: http.port: must be between 0 and 65535, got -5");
  }

  private record Result(int code, String err) {
    List<String> lines() {
      return err.lines().toList();
    }
  }

  private static Result run(String[] args, Map<String, String> env) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = cn.govgate.app.MainAccess.run(args, env, new PrintStream(buf, true, StandardCharsets.UTF_8));
    return new Result(code, buf.toString(StandardCharsets.UTF_8));
  }
}
