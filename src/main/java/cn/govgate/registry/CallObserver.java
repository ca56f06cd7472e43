package cn.govgate.registry;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.error.Origin;
import io.vertx.core.AsyncResult;
import java.util.Set;

/**
 * Told of every department call the {@link DepartmentClient} made for a service, once per call
 * (retries inside it included), after it ended: the durable service levels (效能监察) are built from
 * these. Called on the event loop that finished the call; implementations must only count, never
 * wait.
 */
@FunctionalInterface
public interface CallObserver {

  /** How a call ended, as the published service levels count it. */
  enum Result {
    /**
     * The department answered within its contract (a citizen-caused answer such as not found
     * included).
     */
    ANSWERED,
    /** The department answered with a failure or outside its contract. */
    ERROR,
    /**
     * The department could not be reached or refused for now (breaker open, busy, maintenance,
     * connection).
     */
    UNAVAILABLE,
    /** No answer within the backend's deadline. */
    TIMED_OUT,
    /** Unavailable or timed out, and the citizen got the last good copy, labelled stale. */
    STALE
  }

  /**
   * @param departmentId the department of the backend that was called
   * @param serviceType e.g. {@code traffic.fines}
   * @param region the GB/T 2260 region asked about
   * @param result how it ended
   * @param micros wall time of the call in microseconds, retries included
   */
  void observe(String departmentId, String serviceType, String region, Result result, long micros);

  /** An observer that counts nothing (a client nobody publishes figures of). */
  CallObserver NONE = (department, service, region, result, micros) -> {};

  /** The result of a finished call: fresh or stale answer, or the failure's code. */
  static Result classify(AsyncResult<DepartmentAnswer> ar) {
    if (ar.succeeded()) return ar.result().stale() ? Result.STALE : Result.ANSWERED;
    if (!(ar.cause() instanceof ApiException e)) return Result.ERROR;
    if (e.errorCode() == ErrorCode.DEPARTMENT_TIMEOUT) return Result.TIMED_OUT;
    if (UNAVAILABLE.contains(e.errorCode())) return Result.UNAVAILABLE;
    // The department answered: a citizen-caused 404/409 is an answer, not an error of the
    // department.
    if (e.origin() == Origin.DEPARTMENT && (e.status() == 404 || e.status() == 409)) {
      return Result.ANSWERED;
    }
    return Result.ERROR;
  }

  /** Codes that mean the department was not reached or not willing now. */
  Set<ErrorCode> UNAVAILABLE =
      Set.of(
          ErrorCode.DEPARTMENT_UNAVAILABLE,
          ErrorCode.DEPARTMENT_BUSY,
          ErrorCode.DEPARTMENT_UNDER_MAINTENANCE,
          ErrorCode.DEPARTMENT_CONNECTION_FAILED);
}
