package cn.govgate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules as Prometheus would load them: {@code promtool check rules}, their unit tests
 * ({@code promtool test rules}) and a unit test for every alert. promtool comes from Debian's
 * {@code prometheus} package ({@code .ci/run} installs it when missing); without it this test fails
 * rather than skips.
 */
class PromtoolRulesTest {
  private static final Path PROMETHEUS = Path.of("..", "ops", "prometheus");

  @Test
  void theRulesPassPromtoolsCheck() throws Exception {
    assertThat(promtool("check", "rules", "alerts.yml")).isEmpty();
  }

  @Test
  void theRulesUnitTestsPass() throws Exception {
    assertThat(promtool("test", "rules", "alerts.test.yml")).isEmpty();
  }

  @Test
  void everyAlertHasAUnitTest() throws IOException {
    Set<String> alerts =
        names(Pattern.compile("^\\s*- alert: (\\S+)", Pattern.MULTILINE), "alerts.yml");
    Set<String> tested =
        names(Pattern.compile("^\\s*alertname: (\\S+)", Pattern.MULTILINE), "alerts.test.yml");
    assertThat(alerts).isNotEmpty();
    assertThat(tested).as("alerts with a promtool test case").containsAll(alerts);
  }

  /** Runs promtool in ops/prometheus; returns its output when it fails, nothing when it passes. */
  private static String promtool(String... args) throws Exception {
    Process p;
    try {
      p =
          new ProcessBuilder(command(args))
              .directory(PROMETHEUS.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool is not on PATH: install Debian's prometheus package "
              + "(apt-get install prometheus), as .ci/run does",
          e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? "" : out;
  }

  private static List<String> command(String... args) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of("promtool"), java.util.stream.Stream.of(args))
        .toList();
  }

  private static Set<String> names(Pattern pattern, String file) throws IOException {
    Set<String> out = new TreeSet<>();
    Matcher m = pattern.matcher(Files.readString(PROMETHEUS.resolve(file)));
    while (m.find()) out.add(m.group(1));
    return out;
  }
}
