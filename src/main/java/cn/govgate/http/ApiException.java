package cn.govgate.http;

import io.vertx.core.json.JsonObject;

/**
 * The one exception family of the gateway: a stable code ({@code area.snake_case}), the origin of the
 * failure, the HTTP status the client gets and a message safe to show to the client. Stackless by default:
 * these are expected outcomes, rendered by the error responder, not bugs.
 *
 * <p>Handlers fail their Future with one of these; they never set error statuses by hand. Anything else
 * that reaches the responder is an unexpected failure and becomes {@code gateway.internal_error}.
 */
public class ApiException extends RuntimeException {

  /** Where a failure comes from, as shown to clients and in logs. */
  public enum Origin {
    CLIENT,
    CHANNEL,
    DEPARTMENT,
    GATEWAY;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String code;
  private final int status;
  private final Origin origin;
  private final JsonObject details;
  private final Integer retryAfterSeconds;

  public ApiException(int status, String code, Origin origin, String message) {
    this(status, code, origin, message, null, null, null);
  }

  public ApiException(
      int status, String code, Origin origin, String message, JsonObject details, Integer retryAfterSeconds,
      Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
    this.code = code;
    this.origin = origin;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Stable machine-readable code, e.g. {@code department.unavailable}. */
  public String code() {
    return code;
  }

  /** HTTP status for the client. */
  public int status() {
    return status;
  }

  public Origin origin() {
    return origin;
  }

  /** Extra machine-readable context (field errors, department, offered regions…), may be null. */
  public JsonObject details() {
    return details;
  }

  /** Seconds the client should wait before retrying (sets {@code Retry-After}), may be null. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Same failure with details added. */
  public ApiException withDetails(JsonObject moreDetails) {
    return new ApiException(status, code, origin, getMessage(), moreDetails, retryAfterSeconds, getCause());
  }

  // Common shapes, so that codes stay consistent across the code base.

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, Origin.CLIENT, message);
  }

  /** 400 {@code request.invalid} with field-level errors: {@code details.fields = {field: reason}}. */
  public static ApiException invalidFields(JsonObject fieldErrors) {
    return new ApiException(
        400, "request.invalid", Origin.CLIENT, "The request has invalid fields",
        new JsonObject().put("fields", fieldErrors), null, null);
  }

  public static ApiException notFound(String code, String message) {
    return new ApiException(404, code, Origin.CLIENT, message);
  }

  public static ApiException conflict(String code, String message) {
    return new ApiException(409, code, Origin.CLIENT, message);
  }

  public static ApiException unauthorized(String code, String message) {
    return new ApiException(401, code, Origin.CLIENT, message);
  }

  public static ApiException forbidden(String code, String message) {
    return new ApiException(403, code, Origin.CLIENT, message);
  }

  public static ApiException tooManyRequests(String code, String message, int retryAfterSeconds) {
    return new ApiException(429, code, Origin.CLIENT, message, null, retryAfterSeconds, null);
  }

  /** 503 from a department: unavailable, breaker open, bulkhead full or deadline passed. */
  public static ApiException departmentUnavailable(String code, String message, String department, int retryAfter) {
    return new ApiException(
        503, code, Origin.DEPARTMENT, message, new JsonObject().put("department", department), retryAfter, null);
  }

  /** 502: the department answered something the contract does not allow. */
  public static ApiException departmentBadResponse(String department, String message) {
    return new ApiException(
        502, "department.bad_response", Origin.DEPARTMENT, message,
        new JsonObject().put("department", department), null, null);
  }
}
