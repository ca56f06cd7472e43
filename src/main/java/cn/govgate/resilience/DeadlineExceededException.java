package cn.govgate.resilience;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * 504 {@code department.timeout}: the department did not answer within the guard's deadline. The
 * breaker records it as a failure; the underlying request may still be running and its late result
 * is discarded.
 */
public final class DeadlineExceededException extends ApiException {

  DeadlineExceededException(String department, long deadlineMillis) {
    super(
        ErrorCode.DEPARTMENT_TIMEOUT,
        new JsonObject().put("department", department).put("deadlineMs", deadlineMillis),
        null,
        null);
  }
}
