package cn.govgate.resilience;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resilience settings of one department backend.
 *
 * @param deadline how long one guarded call may take before it fails with {@code
 *     department.timeout}
 * @param failureRateThreshold percentage of failed calls in the window that opens the breaker
 * @param slowCallRateThreshold percentage of slow calls in the window that opens the breaker
 * @param slowCallDuration calls at least this long count as slow; must not exceed the deadline
 * @param slidingWindowSize number of most recent calls the breaker judges (count window)
 * @param minimumNumberOfCalls calls needed in the window before rates are judged at all
 * @param waitDurationInOpenState how long the breaker stays open before the next call probes
 *     (half-open)
 * @param permittedCallsInHalfOpenState probe calls allowed while half-open
 * @param maxConcurrentCalls bulkhead size: concurrent calls beyond it fail at once with {@code
 *     department.busy}
 */
public record GuardConfig(
    Duration deadline,
    int failureRateThreshold,
    int slowCallRateThreshold,
    Duration slowCallDuration,
    int slidingWindowSize,
    int minimumNumberOfCalls,
    Duration waitDurationInOpenState,
    int permittedCallsInHalfOpenState,
    int maxConcurrentCalls) {

  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(3);
  public static final Duration MIN_DEADLINE = Duration.ofMillis(10);
  public static final Duration MAX_DEADLINE = Duration.ofSeconds(60);
  public static final Duration MIN_WAIT_IN_OPEN = Duration.ofMillis(100);
  public static final Duration MAX_WAIT_IN_OPEN = Duration.ofMinutes(30);
  public static final int MAX_WINDOW = 1000;
  public static final int MAX_HALF_OPEN_CALLS = 100;
  public static final int MAX_CONCURRENT_CALLS = 10_000;

  /**
   * Defaults: 3 s deadline, 50 % failures, 80 % slow (slow = 80 % of the deadline), window 20, min
   * 10 calls, 10 s open, 3 half-open probes, 50 concurrent calls.
   */
  public static GuardConfig defaults() {
    return withDeadline(DEFAULT_DEADLINE);
  }

  /** Defaults with another deadline; the slow-call duration follows it (80 %). */
  public static GuardConfig withDeadline(Duration deadline) {
    return new GuardConfig(
        deadline, 50, 80, slowCallDurationFor(deadline), 20, 10, Duration.ofSeconds(10), 3, 50);
  }

  /** 80 % of the deadline: a call that uses most of its deadline is already a symptom. */
  public static Duration slowCallDurationFor(Duration deadline) {
    return deadline == null ? null : Duration.ofNanos(deadline.toNanos() / 5 * 4);
  }

  /**
   * Field-level errors (field name → reason) for out-of-bound values; empty when the config is
   * usable. The admin API renders these as {@code request.invalid} fields.
   */
  public Map<String, String> validate() {
    Map<String, String> errors = new LinkedHashMap<>();
    if (deadline == null) {
      errors.put("deadline", "required");
    } else if (deadline.compareTo(MIN_DEADLINE) < 0 || deadline.compareTo(MAX_DEADLINE) > 0) {
      errors.put(
          "deadline",
          "must be between "
              + MIN_DEADLINE.toMillis()
              + " ms and "
              + MAX_DEADLINE.toSeconds()
              + " s");
    }
    percentage(errors, "failureRateThreshold", failureRateThreshold);
    percentage(errors, "slowCallRateThreshold", slowCallRateThreshold);
    if (slowCallDuration == null) {
      errors.put("slowCallDuration", "required");
    } else if (slowCallDuration.isNegative() || slowCallDuration.isZero()) {
      errors.put("slowCallDuration", "must be positive");
    } else if (deadline != null && slowCallDuration.compareTo(deadline) > 0) {
      errors.put("slowCallDuration", "must not exceed the deadline");
    }
    range(errors, "slidingWindowSize", slidingWindowSize, 1, MAX_WINDOW);
    range(errors, "minimumNumberOfCalls", minimumNumberOfCalls, 1, MAX_WINDOW);
    if (!errors.containsKey("slidingWindowSize")
        && !errors.containsKey("minimumNumberOfCalls")
        && minimumNumberOfCalls > slidingWindowSize) {
      errors.put("minimumNumberOfCalls", "must not exceed slidingWindowSize");
    }
    if (waitDurationInOpenState == null) {
      errors.put("waitDurationInOpenState", "required");
    } else if (waitDurationInOpenState.compareTo(MIN_WAIT_IN_OPEN) < 0
        || waitDurationInOpenState.compareTo(MAX_WAIT_IN_OPEN) > 0) {
      errors.put(
          "waitDurationInOpenState",
          "must be between "
              + MIN_WAIT_IN_OPEN.toMillis()
              + " ms and "
              + MAX_WAIT_IN_OPEN.toMinutes()
              + " min");
    }
    range(
        errors,
        "permittedCallsInHalfOpenState",
        permittedCallsInHalfOpenState,
        1,
        MAX_HALF_OPEN_CALLS);
    range(errors, "maxConcurrentCalls", maxConcurrentCalls, 1, MAX_CONCURRENT_CALLS);
    return errors;
  }

  /**
   * Throws {@link IllegalArgumentException} listing the field errors, for programmatic
   * construction.
   */
  public GuardConfig requireValid() {
    Map<String, String> errors = validate();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid guard config: " + errors);
    }
    return this;
  }

  public GuardConfig withFailureRateThreshold(int value) {
    return new GuardConfig(
        deadline,
        value,
        slowCallRateThreshold,
        slowCallDuration,
        slidingWindowSize,
        minimumNumberOfCalls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState,
        maxConcurrentCalls);
  }

  public GuardConfig withSlowCall(int rateThreshold, Duration duration) {
    return new GuardConfig(
        deadline,
        failureRateThreshold,
        rateThreshold,
        duration,
        slidingWindowSize,
        minimumNumberOfCalls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState,
        maxConcurrentCalls);
  }

  public GuardConfig withWindow(int size, int minimumCalls) {
    return new GuardConfig(
        deadline,
        failureRateThreshold,
        slowCallRateThreshold,
        slowCallDuration,
        size,
        minimumCalls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState,
        maxConcurrentCalls);
  }

  public GuardConfig withOpenState(Duration wait, int halfOpenCalls) {
    return new GuardConfig(
        deadline,
        failureRateThreshold,
        slowCallRateThreshold,
        slowCallDuration,
        slidingWindowSize,
        minimumNumberOfCalls,
        wait,
        halfOpenCalls,
        maxConcurrentCalls);
  }

  public GuardConfig withMaxConcurrentCalls(int value) {
    return new GuardConfig(
        deadline,
        failureRateThreshold,
        slowCallRateThreshold,
        slowCallDuration,
        slidingWindowSize,
        minimumNumberOfCalls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState,
        value);
  }

  private static void percentage(Map<String, String> errors, String field, int value) {
    range(errors, field, value, 1, 100);
  }

  private static void range(Map<String, String> errors, String field, int value, int min, int max) {
    if (value < min || value > max) {
      errors.put(field, "must be between " + min + " and " + max);
    }
  }
}
