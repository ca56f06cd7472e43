package cn.govgate.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides whether a department's answer is within {@code contracts/department-backend.yaml}: the
 * status must be documented for the operation (or a default response exist), the media type must be
 * JSON, and the body must pass the {@link LeanCheck} compiled once per (operation, status) from its
 * schema. A configurable share of answers ({@code registry.fullValidationShare}, default 1 %) is
 * also validated against the full schema by {@link ContractCheck}; an answer that passes the lean
 * check but breaks the full schema is refused as well and counted in {@value #BREACHES} (tag {@code
 * operation}), which says the lean check missed something real. Thread-safe.
 */
final class AnswerCheck {
  static final String BREACHES = "govgate.department.contract_breaches";
  private static final String JSON = "application/json";
  private static final LeanCheck.Node UNDOCUMENTED = v -> false;

  private final JsonObject document;
  private final ContractCheck full;
  private final double share;
  private final MeterRegistry meters;
  private final Map<String, LeanCheck.Node> lean = new ConcurrentHashMap<>();
  private final Map<String, Counter> breaches = new ConcurrentHashMap<>();

  private AnswerCheck(OpenAPIContract contract, double share, MeterRegistry meters) {
    this.document = contract.getRawContract();
    this.full = new ContractCheck(contract);
    this.share = share;
    this.meters = meters;
  }

  /**
   * Compiles the lean check of every documented (operation, status) now, so that an unsupported
   * schema stops start-up rather than a request.
   *
   * @param share the share of answers also validated in full, 0 to 1
   */
  static AnswerCheck create(OpenAPIContract contract, double share, MeterRegistry meters) {
    if (!(share >= 0 && share <= 1))
      throw new IllegalArgumentException("share must be within 0 and 1");
    AnswerCheck check = new AnswerCheck(contract, share, meters);
    JsonObject paths = check.document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      if (!(check.document.getJsonObject("paths").getValue(path) instanceof JsonObject item))
        continue;
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op)
            || !(op.getValue("operationId") instanceof String)
            || !(op.getValue("responses") instanceof JsonObject responses)) {
          continue;
        }
        for (String status : responses.fieldNames()) {
          if (status.matches("[1-5][0-9][0-9]"))
            check.lean(op.getString("operationId"), Integer.parseInt(status));
        }
      }
    }
    return check;
  }

  /**
   * True when {@code body} (already parsed; null when not JSON) is what {@code operationId}
   * documents.
   */
  boolean accepts(String operationId, int status, String mediaType, JsonObject body) {
    if (!JSON.equals(mediaType) || body == null) return false;
    if (!lean(operationId, status).test(body)) return false;
    if (share > 0
        && ThreadLocalRandom.current().nextDouble() < share
        && !full.matches(operationId, status, mediaType, body)) {
      breaches
          .computeIfAbsent(
              operationId,
              op ->
                  Counter.builder(BREACHES)
                      .description(
                          "Department answers that passed the lean check but broke the full contract schema "
                              + "(found by the sampled full validation)")
                      .tag("operation", op)
                      .register(meters))
          .increment();
      return false;
    }
    return true;
  }

  private LeanCheck.Node lean(String operationId, int status) {
    return lean.computeIfAbsent(operationId + "|" + status, k -> compile(operationId, status));
  }

  private LeanCheck.Node compile(String operationId, int status) {
    JsonObject operation = operation(operationId);
    if (operation == null) return UNDOCUMENTED;
    JsonObject responses = operation.getJsonObject("responses", new JsonObject());
    Object documented = responses.getValue(Integer.toString(status), responses.getValue("default"));
    if (!(documented instanceof JsonObject)) return UNDOCUMENTED;
    JsonObject response = (JsonObject) documented;
    if (response == null) return UNDOCUMENTED;
    if (response.containsKey("$ref")) response = resolve(response.getString("$ref"));
    JsonObject content = response.getValue("content") instanceof JsonObject c ? c : null;
    JsonObject media = content != null && content.getValue(JSON) instanceof JsonObject m ? m : null;
    if (media == null || !(media.getValue("schema") instanceof JsonObject)) return UNDOCUMENTED;
    try {
      return LeanCheck.compile(document, media.getJsonObject("schema"));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(operationId + " " + status + ": " + e.getMessage(), e);
    }
  }

  private JsonObject operation(String operationId) {
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) continue;
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op
            && operationId.equals(op.getValue("operationId"))) {
          return op;
        }
      }
    }
    return null;
  }

  private JsonObject resolve(String ref) {
    Object at = document;
    for (String part : ref.substring(2).split("/")) {
      at = at instanceof JsonObject o ? o.getValue(part) : null;
    }
    if (!(at instanceof JsonObject found))
      throw new IllegalStateException("unresolvable reference " + ref);
    return found;
  }
}
