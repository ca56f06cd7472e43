package cn.govgate.sim.departments;

import static cn.govgate.sim.departments.SimulatorFixture.await;
import static cn.govgate.sim.departments.SimulatorFixture.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The golden examples under contracts/examples/department must follow the contract they illustrate.
 */
@ExtendWith(VertxExtension.class)
class DepartmentContractExamplesTest {

  private static final Path EXAMPLES = Path.of("..", "..", "contracts", "examples", "department");
  private static final String VECTOR_SECRET = "govgate-dept-test-secret-0001";

  private Vertx vertx;
  private OpenAPIContract contract;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.contract = await(new SimulatorFixture(vertx).contract());
  }

  @Test
  void everyOperationHasAGoldenExample() throws IOException {
    Set<String> illustrated = new HashSet<>();
    for (JsonObject example : examples()) {
      illustrated.add(example.getString("operationId"));
    }

    Set<String> businessOperations = new HashSet<>();
    contract.operations().stream()
        .map(Operation::getOperationId)
        .filter(id -> !id.equals("health"))
        .forEach(businessOperations::add);
    assertThat(illustrated).containsAll(businessOperations);
  }

  @Test
  void goldenRequestsFollowTheRequestSchemaAndCarryValidSignatures() throws IOException {
    for (JsonObject example : examples()) {
      JsonObject request = example.getJsonObject("request");
      Operation operation = contract.operation(example.getString("operationId"));
      OutputUnit result =
          contract
              .getSchemaRepository()
              .validator(
                  operation.getRequestBody().getContent().get("application/json").getSchema())
              .validate(request.getJsonObject("body"));
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      request.getJsonObject("headers").forEach(e -> headers.set(e.getKey(), (String) e.getValue()));
      long timestamp = Long.parseLong(headers.get(RequestSignatures.TIMESTAMP_HEADER));
      Clock atSigning = Clock.fixed(Instant.ofEpochSecond(timestamp), ZoneOffset.UTC);

      String refusal =
          RequestSignatures.verifier(atSigning, keyId -> VECTOR_SECRET)
              .refusal(
                  "POST",
                  request.getString("path"),
                  headers,
                  request.getJsonObject("body").toBuffer());

      assertThat(result.getValid())
          .as(example.getString("operationId") + ": " + result.getErrors())
          .isTrue();
      assertThat(refusal).as(example.getString("operationId")).isNull();
    }
  }

  @Test
  void goldenResponsesFollowTheContract() throws IOException {
    ResponseValidator validator = ResponseValidator.create(vertx, contract);
    for (JsonObject example : examples()) {
      JsonObject response = example.getJsonObject("response");
      ValidatableResponse validatable =
          ValidatableResponse.create(
              response.getInteger("status"),
              response.getJsonObject("body").toBuffer(),
              "application/json");

      Throwable failure =
          failureOf(validator.validate(validatable, example.getString("operationId")));

      assertThat(failure).as(example.getString("operationId")).isNull();
    }
  }

  @Test
  void aRequestWithoutTheCitizenFailsTheSchemaWhereOneIsRequired() {
    Operation operation = contract.operation("socialSecurityAccount");
    JsonObject body =
        new JsonObject()
            .put("serviceType", "social-security.account")
            .put("region", "330100")
            .put("query", new JsonObject());

    OutputUnit result =
        contract
            .getSchemaRepository()
            .validator(operation.getRequestBody().getContent().get("application/json").getSchema())
            .validate(body);

    assertThat(result.getValid()).isFalse();
  }

  private static List<JsonObject> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files
          .filter(p -> p.toString().endsWith(".json"))
          .sorted()
          .map(
              p -> {
                try {
                  return new JsonObject(Buffer.buffer(Files.readAllBytes(p)));
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              })
          .toList();
    }
  }
}
