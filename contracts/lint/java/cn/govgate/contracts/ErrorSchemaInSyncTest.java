package cn.govgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * schemas/error.json is the one error shape. OpenAPI documents carry it inline as
 * components.schemas.Error (so that validators which resolve only internal references can use
 * them); this keeps every copy equal to the original: same required fields, same properties with
 * the same types, patterns and enums.
 */
class ErrorSchemaInSyncTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @TestFactory
  Stream<DynamicTest> everyInlineErrorSchemaMatchesSchemasErrorJson() throws IOException {
    JsonNode original = new ObjectMapper().readTree(ROOT.resolve("schemas/error.json").toFile());
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(ROOT)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          // The department contract defines the departments' own error body, not the gateway's.
          .filter(p -> !p.getFileName().toString().equals("department-backend.yaml"))
          .sorted()
          .toList()
          .stream()
          .map(
              doc ->
                  DynamicTest.dynamicTest(
                      doc.getFileName().toString(),
                      () -> {
                        JsonNode copy =
                            yaml.readTree(doc.toFile())
                                .path("components")
                                .path("schemas")
                                .path("Error");
                        assertThat(copy.isMissingNode())
                            .as("%s defines components.schemas.Error", doc.getFileName())
                            .isFalse();
                        assertThat(copy.get("required")).isEqualTo(original.get("required"));
                        assertThat(copy.path("additionalProperties").asBoolean(true)).isFalse();
                        var names = original.get("properties").fieldNames();
                        while (names.hasNext()) {
                          String name = names.next();
                          JsonNode o = original.get("properties").get(name);
                          JsonNode c = copy.get("properties").get(name);
                          assertThat(c).as("%s: property %s", doc.getFileName(), name).isNotNull();
                          for (String k :
                              new String[] {"type", "pattern", "enum", "minimum", "minLength"}) {
                            assertThat(c.get(k))
                                .as("%s: %s.%s", doc.getFileName(), name, k)
                                .isEqualTo(o.get(k));
                          }
                        }
                        assertThat(copy.get("properties").size())
                            .isEqualTo(original.get("properties").size());
                      }));
    }
  }
}
