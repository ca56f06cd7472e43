package cn.govgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's "Fault catalogue" true: at least 30 named faults, each named once, and every
 * {@code Class#method} it points at is a test method that exists in one of the repository's test
 * sources.
 */
class FaultCatalogueTableTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern POINTER =
      Pattern.compile("`([A-Z][A-Za-z0-9]*)#([a-z][A-Za-z0-9]*)`");

  @Test
  void everyFaultOfTheReadmeCatalogueNamesATestThatExists() throws IOException {
    List<String[]> rows = rows();
    assertThat(rows).as("named fault scenarios").hasSizeGreaterThanOrEqualTo(30);
    Set<String> names = new HashSet<>();
    List<String> missing = new ArrayList<>();
    for (String[] row : rows) {
      assertThat(names.add(row[0])).as("fault named twice: " + row[0]).isTrue();
      Matcher m = POINTER.matcher(row[3]);
      int pointers = 0;
      while (m.find()) {
        pointers++;
        if (!testExists(m.group(1), m.group(2)))
          missing.add(row[0] + " → " + m.group(1) + "#" + m.group(2));
      }
      assertThat(pointers).as("fault " + row[0] + " names its test").isPositive();
    }
    assertThat(missing).as("tests the catalogue names that do not exist").isEmpty();
  }

  /** The table rows under "### Fault catalogue": fault, injected, the client gets, tested in. */
  private static List<String[]> rows() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
    int start = lines.indexOf("### Fault catalogue");
    assertThat(start).as("README has a Fault catalogue section").isNotNegative();
    List<String[]> rows = new ArrayList<>();
    boolean table = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("|")) {
        table = true;
        String[] cells = line.substring(1, line.length() - 1).split("\\|");
        if (cells.length < 4
            || cells[0].trim().equals("fault")
            || cells[0].trim().startsWith("---")) continue;
        rows.add(new String[] {cells[0].trim(), cells[1].trim(), cells[2].trim(), cells[3].trim()});
      } else if (table) {
        break;
      }
    }
    return rows;
  }

  private static boolean testExists(String className, String method) throws IOException {
    Pattern declared = Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(");
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(p -> p.getFileName().toString().equals(className + ".java"))
          .filter(p -> p.toString().contains("/test/java/") && !p.toString().contains("/target/"))
          .anyMatch(
              p -> {
                try {
                  return declared.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                  return false;
                }
              });
    }
  }
}
