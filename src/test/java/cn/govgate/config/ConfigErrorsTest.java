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

/**
 * Each configuration error stops start-up with one line naming the key and the reason, and exit
 * code 2.
 */
class ConfigErrorsTest {

  static Stream<Arguments> badEnvironments() {
    return Stream.of(
        Arguments.of(Map.of("GOVGATE_HTTP_PORT", "eighty"), "http.port: must be an integer"),
        Arguments.of(
            Map.of("GOVGATE_HTTP_PORT", "70000"), "http.port: must be between 0 and 65535"),
        Arguments.of(
            Map.of("GOVGATE_HTTP_BODY_LIMIT_BYTES", "10"), "http.bodyLimitBytes: must be between"),
        Arguments.of(
            Map.of("GOVGATE_HTTP_SHUTDOWN_GRACE", "forever"),
            "http.shutdownGrace: must be a duration"),
        Arguments.of(Map.of("GOVGATE_DB_POOL_SIZE", "0"), "db.poolSize: must be between 1 and 512"),
        Arguments.of(Map.of("GOVGATE_DB_SSL", "maybe"), "db.ssl: must be true or false"),
        Arguments.of(Map.of("GOVGATE_LOG_LEVEL", "LOUD"), "log.level: must be one of"),
        Arguments.of(
            Map.of("GOVGATE_PARTNERS_RSA_PROVIDER", "openssl"),
            "partners.rsaProvider: must be one of auto, jdk"),
        Arguments.of(
            Map.of("GOVGATE_TRACING_SAMPLER_RATIO", "2"),
            "tracing.samplerRatio: must be a number from 0 to 1"),
        Arguments.of(
            Map.of("GOVGATE_TRACING_OTLP_PROTOCOL", "thrift"),
            "tracing.otlpProtocol: must be one of"),
        Arguments.of(
            Map.of("GOVGATE_TRACING_OTLP_ENDPOINT", "collector:4318"),
            "tracing.otlpEndpoint: must be an http:// or https:// URL"),
        Arguments.of(Map.of("GOVGATE_DEMO", "true"), "GOVGATE_DEMO: unknown configuration key"),
        Arguments.of(
            Map.of("GOVGATE_HTTP_PROT", "8080"), "GOVGATE_HTTP_PROT: unknown configuration key"));
  }

  @ParameterizedTest
  @MethodSource("badEnvironments")
  void badEnvironmentValueGivesOneLineAndExitCode2(Map<String, String> bad, String expected) {
    // Every required key valid, so that the error named is the bad value's.
    Map<String, String> env = new java.util.HashMap<>(validEnvironment());
    env.putAll(bad);
    Result r = run(new String[0], env);
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).hasSize(1);
    assertThat(r.lines().get(0)).startsWith("govgate: configuration error: ").contains(expected);
  }

  @Test
  void missingConfigFileNamesTheFile(@TempDir Path dir) {
    Result r = run(new String[] {"--config", dir.resolve("absent.json").toString()}, Map.of());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines())
        .singleElement()
        .asString()
        .contains("config: cannot read file")
        .contains("absent.json");
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
    Path file =
        Files.writeString(dir.resolve("c.json"), "{\"http\": {\"port\": 9090, \"instances\": 3}}");
    GovgateConfig fromFile = GovgateConfig.load(file, validEnvironment());
    assertThat(fromFile.http().port()).isEqualTo(9090);
    assertThat(fromFile.http().instances()).isEqualTo(3);
    Map<String, String> env = new java.util.HashMap<>(validEnvironment());
    env.put("GOVGATE_HTTP_PORT", "9191");
    GovgateConfig overridden = GovgateConfig.load(file, env);
    assertThat(overridden.http().port()).isEqualTo(9191);

    Path bad = Files.writeString(dir.resolve("b.json"), "{\"http\": {\"instances\": 0}}");
    Result r = run(new String[] {"--config", bad.toString()}, Map.of());
    assertThat(r.lines())
        .singleElement()
        .asString()
        .contains("http.instances: must be between 1 and 256");
  }

  @Test
  void propertiesFilesWorkToo(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(dir.resolve("c.properties"), "http.port=7070\nhttp.shutdownGrace=45s\n");
    GovgateConfig c = GovgateConfig.load(file, validEnvironment());
    assertThat(c.http().port()).isEqualTo(7070);
    assertThat(c.http().shutdownGrace()).hasSeconds(45);
  }

  @Test
  void theDatabaseAndTheKeysAreRequiredAndChecked() {
    Result noDatabase = run(new String[0], Map.of());
    assertThat(noDatabase.code).isEqualTo(2);
    assertThat(noDatabase.lines()).singleElement().asString().contains("db.host: is required");
    Result missing = run(new String[0], Map.of("GOVGATE_DB_HOST", "db.internal"));
    assertThat(missing.code).isEqualTo(2);
    assertThat(missing.lines()).singleElement().asString().contains("audit.hmacKey: is required");
    Result shortKey =
        run(
            new String[0],
            Map.of("GOVGATE_DB_HOST", "db.internal", "GOVGATE_AUDIT_HMAC_KEY", "c2hvcnQ="));
    assertThat(shortKey.lines())
        .singleElement()
        .asString()
        .contains("audit.hmacKey: must be 32 bytes, got 5")
        .doesNotContain("c2hvcnQ=");
  }

  /**
   * A complete, valid configuration as environment variables (the signing key in an owner-only PEM
   * file).
   */
  private static Map<String, String> validEnvironment() {
    Map<String, String> env = new java.util.HashMap<>();
    try {
      cn.govgate.testing.TestGateways.identityKeys(Files.createTempDirectory("cfg"))
          .forEach((k, v) -> env.put(envName(k), v));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    env.put("GOVGATE_DB_HOST", "db.internal");
    env.put("GOVGATE_AUDIT_HMAC_KEY", cn.govgate.testing.TestGateways.randomKey(32));
    env.put("GOVGATE_REGISTRY_SECRET_KEY", cn.govgate.testing.TestGateways.randomKey(32));
    return env;
  }

  private static String envName(String key) {
    return "GOVGATE_"
        + key.replaceAll("([a-z])([A-Z])", "$1_$2")
            .replace('.', '_')
            .toUpperCase(java.util.Locale.ROOT);
  }

  @Test
  void aCompleteConfigurationLoads() {
    assertThat(GovgateConfig.load(null, validEnvironment()).db().host()).isEqualTo("db.internal");
  }

  @Test
  void unknownArgumentIsRefused() {
    Result r = run(new String[] {"--verbose"}, Map.of());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.lines()).singleElement().asString().contains("--verbose: unknown argument");
  }

  @Test
  void aRealProcessExitsWithCode2AndPrintsNoStackTrace() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "cn.govgate.app.Main");
    pb.environment().put("GOVGATE_HTTP_PORT", "-5");
    pb.redirectErrorStream(false);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.lines().toList())
        .singleElement()
        .asString()
        .isEqualTo("govgate: configuration error: http.port: must be between 0 and 65535, got -5");
  }

  private record Result(int code, String err) {
    List<String> lines() {
      return err.lines().toList();
    }
  }

  private static Result run(String[] args, Map<String, String> env) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        cn.govgate.app.MainAccess.run(
            args, env, new PrintStream(buf, true, StandardCharsets.UTF_8));
    return new Result(code, buf.toString(StandardCharsets.UTF_8));
  }
}
