package cn.govgate.resilience;

import cn.govgate.http.ApiException;
import io.vertx.core.json.JsonObject;

/**
 * 504 {@code department.timeout}: the department did not answer within the guard's deadline. The breaker
 * records it as a failure; the underlying request may still be running and its late result is discarded.
 */
public final class DeadlineExceededException extends ApiException {

  DeadlineExceededException(String department, long deadlineMillis) {
    super(504, "department.timeout", Origin.DEPARTMENT, "The department did not answer in time",
        new JsonObject().put("department", department).put("deadlineMs", deadlineMillis), null, null);
  }
}
