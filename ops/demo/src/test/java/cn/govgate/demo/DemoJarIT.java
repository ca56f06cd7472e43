package cn.govgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The demo's runnable jar ({@code target/govgate-demo.jar}, after {@code package}) starts the demo
 * and carries the PostgreSQL binaries of the build platform only. Runs as an integration test
 * (failsafe).
 */
class DemoJarIT {
  private static final Path JAR = Path.of("target", "govgate-demo.jar");

  @Test
  void theDemoJarStartsTheDemoWithOnePlatformsPostgres() throws Exception {
    assertThat(JAR).as("built by mvn package").isRegularFile();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(DemoLauncher.class.getName());
      assertThat(jar.getEntry("cn/govgate/demo/Demo.class")).isNotNull();
      assertThat(jar.getEntry("cn/govgate/app/Gateway.class")).isNotNull();
      List<String> binaries =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.startsWith("postgres-") && n.endsWith(".txz"))
              .toList();
      assertThat(binaries).as("embedded PostgreSQL bundles").hasSize(1);
    }
    System.out.printf("govgate-demo.jar: %.1f MiB%n", Files.size(JAR) / 1024.0 / 1024.0);
  }
}
