package cn.govgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * department-backend.yaml is the source of truth; schemas/department/*.json are the same schemas as
 * standalone JSON Schema files (refs rewritten from {@code #/components/schemas/X} to {@code
 * X.json}) for departments that validate with plain JSON Schema tooling. This keeps the two from
 * drifting.
 */
class DepartmentSchemasInSyncTest {

  private static final Path CONTRACT = Path.of("department-backend.yaml");
  private static final Path SCHEMAS = Path.of("schemas", "department");

  @Test
  void theContractParsesAsOpenApiWithoutErrors() {
    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(CONTRACT.toString(), null, null);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getPaths()).hasSize(13);
  }

  @Test
  void everyComponentSchemaHasAnIdenticalJsonSchemaFile() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectMapper json = new ObjectMapper();
    JsonNode components = yaml.readTree(CONTRACT.toFile()).path("components").path("schemas");
    Set<String> names = new HashSet<>();

    for (Iterator<Map.Entry<String, JsonNode>> it = components.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      names.add(entry.getKey() + ".json");
      JsonNode file = json.readTree(SCHEMAS.resolve(entry.getKey() + ".json").toFile());
      ObjectNode withoutHeader = ((ObjectNode) file.deepCopy());
      withoutHeader.remove(java.util.List.of("$schema", "$id", "title"));

      assertThat(withoutHeader)
          .as(entry.getKey())
          .isEqualTo(rewriteRefs(entry.getValue().deepCopy()));
    }
    try (Stream<Path> files = Files.list(SCHEMAS)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(names);
    }
  }

  private static JsonNode rewriteRefs(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      JsonNode ref = object.get("$ref");
      if (ref != null && ref.isTextual()) {
        object.put("$ref", ref.asText().replace("#/components/schemas/", "") + ".json");
      }
      object.fields().forEachRemaining(e -> rewriteRefs(e.getValue()));
    } else if (node.isArray()) {
      node.forEach(DepartmentSchemasInSyncTest::rewriteRefs);
    }
    return node;
  }
}
