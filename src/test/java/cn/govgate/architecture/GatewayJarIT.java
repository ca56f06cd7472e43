package cn.govgate.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The built artifact ({@code target/govgate.jar}, after {@code package}) holds the gateway and its
 * libraries only: no demo, no channel or department simulator, no benchmark (the demo's bench stack
 * or the JMH benchmarks), no embedded PostgreSQL and its binaries, no test support or test client.
 * Runs as an integration test (failsafe), after the jar is packaged.
 */
class GatewayJarIT {
  private static final Path JAR = Path.of("target", "govgate.jar");
  private static final List<String> FORBIDDEN =
      List.of(
          "cn/govgate/demo/",
          "cn/govgate/sim/",
          "cn/govgate/channel/alipay/sim/",
          "cn/govgate/channel/wechat/sim/",
          "cn/govgate/testing/",
          "cn/govgate/partner/client/",
          "io/zonky/",
          "postgres-",
          "org/openjdk/jmh/",
          "jmh_generated/");

  @Test
  void theProductionJarHoldsOnlyTheGateway() throws Exception {
    assertThat(JAR).as("built by mvn package").isRegularFile();
    List<String> found = new ArrayList<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("cn.govgate.app.Main");
      assertThat(jar.getEntry("cn/govgate/app/Gateway.class")).isNotNull();
      assertThat(jar.getEntry("db/migration/V1__foundation.sql")).isNotNull();
      jar.stream()
          .map(e -> e.getName())
          .filter(
              name ->
                  FORBIDDEN.stream().anyMatch(f -> name.startsWith(f) || name.contains("/" + f))
                      // The JMH benchmarks live in the gateway's packages (ops/bench/jmh).
                      || name.endsWith("Benchmark.class"))
          .forEach(found::add);
    }
    assertThat(found)
        .as("entries of the demo, simulators or embedded PostgreSQL in " + JAR)
        .isEmpty();
    System.out.printf("govgate.jar: %.1f MiB%n", Files.size(JAR) / 1024.0 / 1024.0);
  }
}
