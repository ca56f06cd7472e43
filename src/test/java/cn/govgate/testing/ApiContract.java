package cn.govgate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Validates real HTTP responses against an OpenAPI document of {@code contracts/} by operationId,
 * with Vert.x OpenAPI's response validator (status, content type, body schema). The error schema
 * ({@code ./schemas/error.json}) is supplied to the contract as the external file it references.
 */
public final class ApiContract {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Map<String, ApiContract> CACHE = new ConcurrentHashMap<>();

  private final ResponseValidator validator;

  private ApiContract(ResponseValidator validator) {
    this.validator = validator;
  }

  /** The contract of {@code contracts/<document>}, e.g. {@code gateway-api.yaml}. */
  public static ApiContract of(String document) {
    return CACHE.computeIfAbsent(document, ApiContract::load);
  }

  private static ApiContract load(String document) {
    try {
      Map<String, String> external = new HashMap<>();
      external.put("./schemas/error.json", "contracts/schemas/error.json");
      OpenAPIContract contract =
          OpenAPIContract.from(VERTX, "contracts/" + document, external)
              .await(30, TimeUnit.SECONDS);
      return new ApiContract(ResponseValidator.create(VERTX, contract));
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot load contract " + document + ": " + e.getMessage(), e);
    }
  }

  /**
   * Fails the test when {@code response} is not what {@code operationId} documents for its status.
   */
  public void assertValid(String operationId, HttpResponse<String> response) {
    Map<String, String> headers = new HashMap<>();
    response.headers().map().forEach((k, v) -> headers.put(k, String.join(",", v)));
    // vertx-openapi matches media types exactly and validates JSON bodies only: drop parameters
    // such as
    // charset, and check non-JSON responses (metrics text) by status and headers.
    String contentType =
        response
            .headers()
            .firstValue("Content-Type")
            .map(ct -> ct.split(";")[0].trim())
            .orElse(null);
    headers.remove("content-type");
    boolean json = contentType != null && contentType.endsWith("json");
    if (contentType != null && json) headers.put("content-type", contentType);
    if (!json && response.body() != null && !response.body().isEmpty()) {
      // A text body (metrics) cannot be schema-checked here; its media type must still be the
      // documented one.
      if (!"text/plain".equals(contentType))
        throw new AssertionError(operationId + ": unexpected " + contentType);
      return;
    }
    ValidatableResponse r =
        response.body() == null || response.body().isEmpty()
            ? ValidatableResponse.create(response.statusCode(), headers)
            : ValidatableResponse.create(
                response.statusCode(), headers, Buffer.buffer(response.body()), contentType);
    try {
      validator.validate(r, operationId).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          "response of "
              + operationId
              + " ("
              + response.statusCode()
              + ") breaks the contract: "
              + e.getMessage()
              + "\nbody: "
              + response.body(),
          e);
    }
  }
}
