package cn.govgate.resilience;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How idempotent department reads are retried.
 *
 * @param maxRetries retries after the first attempt (0–5)
 * @param initialBackoff wait before the first retry; doubled (times {@code multiplier}) for each
 *     later one
 * @param maxBackoff cap of one backoff
 * @param multiplier growth of the backoff per retry (1–10)
 * @param jitter fraction (0–1) of each backoff that is randomised away, so that callers do not
 *     retry in lockstep
 * @param overallBudget time from the first attempt after which no retry starts any more
 */
public record RetryPolicy(
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    double jitter,
    Duration overallBudget) {

  /** 2 retries, 100 ms doubling up to 1 s, 50 % jitter, 8 s overall. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        2, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.5, Duration.ofSeconds(8));
  }

  /** Field errors (field → reason), empty when usable. */
  public Map<String, String> validate() {
    Map<String, String> errors = new LinkedHashMap<>();
    if (maxRetries < 0 || maxRetries > 5) {
      errors.put("maxRetries", "must be between 0 and 5");
    }
    positive(errors, "initialBackoff", initialBackoff);
    positive(errors, "maxBackoff", maxBackoff);
    if (!errors.containsKey("initialBackoff")
        && !errors.containsKey("maxBackoff")
        && maxBackoff.compareTo(initialBackoff) < 0) {
      errors.put("maxBackoff", "must not be shorter than initialBackoff");
    }
    if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
      errors.put("multiplier", "must be between 1 and 10");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      errors.put("jitter", "must be between 0 and 1");
    }
    positive(errors, "overallBudget", overallBudget);
    return errors;
  }

  public RetryPolicy requireValid() {
    Map<String, String> errors = validate();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid retry policy: " + errors);
    }
    return this;
  }

  /** Backoff before retry number {@code retry} (1-based) given a random draw in [0, 1). */
  Duration backoff(int retry, double random) {
    double base = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
    double capped = Math.min(base, maxBackoff.toNanos());
    return Duration.ofNanos((long) (capped * (1.0 - jitter * random)));
  }

  private static void positive(Map<String, String> errors, String field, Duration value) {
    if (value == null) {
      errors.put(field, "required");
    } else if (value.isNegative() || value.isZero()) {
      errors.put(field, "must be positive");
    }
  }
}
