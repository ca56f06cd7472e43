package cn.govgate.registry;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The full validation of a department's answer against {@code contracts/department-backend.yaml}
 * (the interpreting JSON-schema validator, about 50 µs an answer; {@link AnswerCheck} samples it):
 * the status must be documented for the operation (or a default response exist), the media type
 * must be the documented one and the body must match its schema. The compiled schema validator of
 * each (operation, status) is built once and reused — building it per answer (what a generic
 * response validator does) was the largest single cost of a proxied request in the benchmark's
 * profile.
 */
final class ContractCheck {
  private static final String JSON = "application/json";

  private final OpenAPIContract contract;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();

  ContractCheck(OpenAPIContract contract) {
    this.contract = contract;
  }

  OpenAPIContract contract() {
    return contract;
  }

  /**
   * True when {@code body} (already parsed) is what {@code operationId} documents for {@code
   * status}.
   */
  boolean matches(String operationId, int status, String mediaType, JsonObject body) {
    if (!JSON.equals(mediaType) || body == null) return false;
    Validator validator =
        validators.computeIfAbsent(operationId + "|" + status, k -> compile(operationId, status));
    if (validator == NONE) return false;
    OutputUnit result = validator.validate(body);
    return Boolean.TRUE.equals(result.getValid());
  }

  private Validator compile(String operationId, int status) {
    Operation operation = contract.operation(operationId);
    if (operation == null) return NONE;
    Response response = operation.getResponse(status);
    if (response == null) response = operation.getDefaultResponse();
    if (response == null) return NONE;
    MediaType media = response.getContent().get(JSON);
    if (media == null || media.getSchema() == null) return NONE;
    return contract.getSchemaRepository().validator(media.getSchema());
  }

  /**
   * Marks an (operation, status) the contract does not document: every such answer is outside the
   * contract.
   */
  private static final Validator NONE =
      json -> {
        throw new IllegalStateException("not documented");
      };
}
