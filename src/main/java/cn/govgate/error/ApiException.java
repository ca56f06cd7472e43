package cn.govgate.error;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The one exception family of the gateway: a failure with an entry of the {@link ErrorCode}
 * catalogue (code, status, origin, messages), optional machine-readable {@code details} and an
 * optional {@code Retry-After}. Stackless: these are expected outcomes, rendered by the error
 * responder, not bugs. There is no way to make one with a code outside the catalogue.
 *
 * <p>Handlers fail their Future with one of these; they never set error statuses by hand. Anything
 * else that reaches the responder is an unexpected failure and becomes {@code
 * gateway.internal_error}.
 */
public class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;
  private final Integer retryAfterSeconds;

  public ApiException(ErrorCode code) {
    this(code, null, null, null);
  }

  public ApiException(
      ErrorCode code, JsonObject details, Integer retryAfterSeconds, Throwable cause) {
    // The English catalogue message: exceptions show up in logs and test output, read by engineers.
    super(Objects.requireNonNull(code, "code").message(MessageLanguage.EN), cause, false, false);
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The catalogue entry. */
  public ErrorCode errorCode() {
    return code;
  }

  /** The stable code on the wire, e.g. {@code department.unavailable}. */
  public String code() {
    return code.wire();
  }

  /** HTTP status for the client. */
  public int status() {
    return code.status();
  }

  public Origin origin() {
    return code.origin();
  }

  /** Extra machine-readable context (field errors, department, offered regions…), may be null. */
  public JsonObject details() {
    return details;
  }

  /** Seconds the client should wait before retrying (sets {@code Retry-After}), may be null. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Same failure with these details (replacing any it had). */
  public ApiException withDetails(JsonObject moreDetails) {
    return new ApiException(code, moreDetails, retryAfterSeconds, getCause());
  }

  /** Same failure, asking the client to wait this many seconds. */
  public ApiException withRetryAfter(int seconds) {
    return new ApiException(code, details, seconds, getCause());
  }

  /** Same failure, remembering what caused it (for the log, never for the client). */
  public ApiException withCause(Throwable cause) {
    return new ApiException(code, details, retryAfterSeconds, cause);
  }

  /**
   * 400 {@code request.invalid} with field-level errors: {@code details.fields = {field: reason}}.
   */
  public static ApiException invalidFields(JsonObject fieldErrors) {
    return ErrorCode.REQUEST_INVALID.error(new JsonObject().put("fields", fieldErrors));
  }

  /** A department failure naming the department in {@code details.department}. */
  public static ApiException ofDepartment(ErrorCode code, String department) {
    return code.error(new JsonObject().put("department", department));
  }
}
