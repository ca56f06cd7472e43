package cn.govgate.resilience;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * A call the {@link Guard} refused without reaching the department: breaker open, bulkhead full or
 * backend draining. A distinct type so that retries and fallbacks can tell "we did not even try"
 * from a department answer that merely looks the same on the wire (a department's own 503 is a
 * plain {@link ApiException}).
 */
public final class GuardRejectedException extends ApiException {

  /** Why the guard refused the call. */
  public enum Reason {
    /** Breaker open (or forced open, or half-open with all probes taken). */
    OPEN,
    /** Bulkhead full: the department already has its maximum of concurrent calls. */
    FULL,
    /** The backend is being drained for deregistration. */
    DRAINING
  }

  private final Reason reason;

  GuardRejectedException(Reason reason, String department, int retryAfterSeconds) {
    super(
        reason == Reason.FULL ? ErrorCode.DEPARTMENT_BUSY : ErrorCode.DEPARTMENT_UNAVAILABLE,
        new JsonObject()
            .put("department", department)
            .put("reason", reason.name().toLowerCase(java.util.Locale.ROOT)),
        retryAfterSeconds,
        null);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
