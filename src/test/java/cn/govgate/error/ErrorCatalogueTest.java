package cn.govgate.error;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.testing.Contracts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The error catalogue is whole and is the only place codes live: unique codes in the contract's
 * pattern, a status and both messages for each, the same list as {@code
 * contracts/errors/catalogue.yaml}, no failure constructible without an entry, and no code spelled
 * as a string literal anywhere else in the gateway's code.
 */
class ErrorCatalogueTest {
  private static final Pattern CODE = Pattern.compile("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$");
  private static final Pattern CJK = Pattern.compile("\\p{IsHan}");

  @Test
  void everyEntryHasAUniqueCodeAStatusAnOriginAndAMessageInChineseAndEnglish() {
    Set<String> codes =
        Stream.of(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
    assertThat(codes).hasSize(ErrorCode.values().length);
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(e.wire()).as(e.name()).matches(CODE);
      assertThat(e.name())
          .as("constant named after its code")
          .isEqualTo(e.wire().toUpperCase(Locale.ROOT).replace('.', '_'));
      assertThat(e.status()).as(e.wire()).isBetween(400, 599);
      if (e.origin() == Origin.CLIENT) assertThat(e.status()).as(e.wire()).isLessThan(500);
      assertThat(e.message(MessageLanguage.ZH)).as(e.wire()).isNotBlank().containsPattern(CJK);
      assertThat(e.message(MessageLanguage.EN))
          .as(e.wire())
          .isNotBlank()
          .isNotEqualTo(e.message(MessageLanguage.ZH))
          .matches("^[A-Za-z].*");
      assertThat(ErrorCode.fromWire(e.wire())).contains(e);
    }
    assertThat(ErrorCode.fromWire("no.such_code")).isEmpty();
  }

  @Test
  void theContractsListIsTheCatalogue() {
    Map<String, Object> doc = new Yaml().load(Contracts.read("errors/catalogue.yaml"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> published = (List<Map<String, Object>>) doc.get("codes");
    List<Map<String, Object>> catalogue = new ArrayList<>();
    for (ErrorCode e : ErrorCode.values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("code", e.wire());
      entry.put("status", e.status());
      entry.put("origin", e.origin().wireName());
      entry.put("zh", e.message(MessageLanguage.ZH));
      entry.put("en", e.message(MessageLanguage.EN));
      catalogue.add(entry);
    }
    assertThat(published)
        .as("contracts/errors/catalogue.yaml, in the catalogue's order")
        .isEqualTo(catalogue);
  }

  @Test
  void aFailureCannotBeMadeWithoutACatalogueEntry() {
    for (Constructor<?> c : ApiException.class.getDeclaredConstructors()) {
      assertThat(c.getParameterTypes()).as(c.toString()).isNotEmpty();
      assertThat(c.getParameterTypes()[0]).as(c.toString()).isEqualTo(ErrorCode.class);
    }
    ApiException e = ErrorCode.DEPARTMENT_BUSY.error();
    assertThat(e.code()).isEqualTo("department.busy");
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.origin()).isEqualTo(Origin.DEPARTMENT);
    assertThat(e.withRetryAfter(3).errorCode()).isEqualTo(ErrorCode.DEPARTMENT_BUSY);
  }

  @Test
  void noCodeIsSpelledAsALiteralOutsideTheCatalogue() throws IOException {
    Set<String> codes =
        Stream.of(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
    Pattern literal = Pattern.compile("\"([a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+)\"");
    Path root = Path.of("main", "java");
    assertThat(root).isDirectory();
    List<String> loose = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (file.endsWith(Path.of("cn", "govgate", "error", "ErrorCode.java"))) continue;
        String text = read(file);
        Matcher m = literal.matcher(text);
        while (m.find()) {
          if (codes.contains(m.group(1))) loose.add(root.relativize(file) + ": " + m.group(1));
        }
      }
    }
    assertThat(loose)
        .as("codes spelled outside cn.govgate.error.ErrorCode; use the catalogue entry")
        .isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
