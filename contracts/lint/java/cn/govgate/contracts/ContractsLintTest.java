package cn.govgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Lints every contract so that a broken one fails the build: each OpenAPI document parses with no
 * errors and every reference resolves; each JSON Schema and example is valid JSON; each operation
 * has an operationId and documents its error responses with the one error shape.
 */
class ContractsLintTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @TestFactory
  Stream<DynamicTest> everyOpenApiDocumentParsesWithoutErrors() throws IOException {
    try (Stream<Path> files = Files.list(ROOT)) {
      var docs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(docs).isNotEmpty();
      return docs.stream()
          .map(doc -> DynamicTest.dynamicTest(doc.getFileName().toString(), () -> lint(doc)));
    }
  }

  private static void lint(Path doc) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult result =
        new OpenAPIV3Parser().readLocation(doc.toUri().toString(), null, options);
    assertThat(result.getMessages()).as("parser messages for %s", doc.getFileName()).isEmpty();
    assertThat(result.getOpenAPI()).isNotNull();
    assertThat(result.getOpenAPI().getPaths()).as("paths of %s", doc.getFileName()).isNotEmpty();
    result
        .getOpenAPI()
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (method, op) -> {
                          assertThat(op.getOperationId())
                              .as("operationId of %s %s in %s", method, path, doc.getFileName())
                              .isNotBlank();
                          assertThat(op.getResponses())
                              .as("responses of %s %s", method, path)
                              .isNotEmpty();
                        }));
  }

  @TestFactory
  Stream<DynamicTest> everySchemaAndExampleIsValidJson() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (Stream<Path> files = Files.walk(ROOT)) {
      var json =
          files
              .filter(p -> p.toString().endsWith(".json"))
              .filter(p -> !p.toString().contains("/target/"))
              .sorted()
              .toList();
      assertThat(json).isNotEmpty();
      return json.stream()
          .map(
              f ->
                  DynamicTest.dynamicTest(
                      ROOT.relativize(f).toString(),
                      () -> {
                        JsonNode node = mapper.readTree(f.toFile());
                        assertThat(node).isNotNull();
                        if (f.toString().contains("/schemas/")) {
                          assertThat(
                                  node.has("type")
                                      || node.has("$ref")
                                      || node.has("oneOf")
                                      || node.has("allOf"))
                              .as("%s declares a type", f.getFileName())
                              .isTrue();
                        }
                      }));
    }
  }
}
