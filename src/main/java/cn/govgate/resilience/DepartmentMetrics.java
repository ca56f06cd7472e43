package cn.govgate.resilience;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Department call metrics with bounded labels only: department and service are configured
 * identifiers (checked against {@link #LABEL}), outcome is one of {@link Outcome}. Citizen data and
 * request paths never become tags.
 *
 * <ul>
 *   <li>{@value #CALLS} — Timer, tags {@code department, service, outcome}, with a percentile
 *       histogram;
 *   <li>{@value #STALE_SERVES} — Counter, tags {@code department, service};
 *   <li>{@value #TRANSITIONS} — Counter, tags {@code name, from, to} (breaker names are {@code
 *       dept.<id>});
 *   <li>resilience4j's tagged breaker and bulkhead meters, once {@link #bindRegistries} is called.
 * </ul>
 */
public final class DepartmentMetrics {

  public static final String CALLS = "govgate.department.calls";
  public static final String STALE_SERVES = "govgate.department.stale_serves";
  public static final String TRANSITIONS = "govgate.breaker.transitions";

  /**
   * What a department identifier or service name may look like, so that label values stay bounded.
   */
  public static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** How a guarded department call ended. */
  public enum Outcome {
    OK,
    /**
     * The department answered with a failure the citizen caused (e.g. not found); not counted by
     * the breaker.
     */
    CITIZEN_ERROR,
    DEPARTMENT_ERROR,
    TIMEOUT,
    /** Refused by the breaker (open, probes taken) or because the backend is draining. */
    REJECTED_OPEN,
    /** Refused by the bulkhead. */
    REJECTED_FULL;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry meters;
  // Resolved once per (department, service, outcome): building a meter per call was a measurable
  // share of a
  // proxied request's CPU.
  private final Map<String, Timer> calls = new ConcurrentHashMap<>();
  private final Map<String, Counter> staleServes = new ConcurrentHashMap<>();

  private DepartmentMetrics(MeterRegistry meters) {
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /**
   * Bucket bounds of the department-call timer: the thresholds alerts and dashboards read (3 s is
   * the latency SLO of {@code GovgateDepartmentLatencySloBurn}), instead of one series per default
   * bucket.
   */
  static final Duration[] CALL_BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(3),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  public static DepartmentMetrics create(MeterRegistry meters) {
    return new DepartmentMetrics(meters);
  }

  /**
   * Binds resilience4j's tagged meters (breaker state, call counts and rates, bulkhead available
   * permits) for every entry of the registries, present and future; entries removed from the
   * registries lose their meters. Call once per registry pair at startup.
   */
  public static void bindRegistries(
      MeterRegistry meters, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads) {
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
  }

  /**
   * Values already seen to match {@link #LABEL}: the labels in use are a handful of configured ids
   * and service names, checked on every department call, so the regular expression runs once per
   * value rather than once per call. Capped, so that it can never grow without bound.
   */
  private static final Set<String> KNOWN_LABELS = ConcurrentHashMap.newKeySet();

  private static final int MAX_KNOWN_LABELS = 4096;

  /** Whether {@code value} is a bounded label value ({@link #LABEL}). */
  public static boolean isLabel(String value) {
    if (value == null) return false;
    if (KNOWN_LABELS.contains(value)) return true;
    if (!LABEL.matcher(value).matches()) return false;
    if (KNOWN_LABELS.size() < MAX_KNOWN_LABELS) KNOWN_LABELS.add(value);
    return true;
  }

  /** Throws if {@code value} is not a bounded label value. */
  public static String requireLabel(String what, String value) {
    if (!isLabel(value)) {
      throw new IllegalArgumentException(what + " must match " + LABEL.pattern());
    }
    return value;
  }

  public void recordCall(
      String department, String service, Outcome outcome, long elapsed, TimeUnit unit) {
    calls
        .computeIfAbsent(
            department + '|' + service + '|' + outcome.tag(),
            k ->
                Timer.builder(CALLS)
                    .description("Department calls through the guard, by outcome")
                    .tag("department", department)
                    .tag("service", service)
                    .tag("outcome", outcome.tag())
                    .serviceLevelObjectives(CALL_BUCKETS)
                    .register(meters))
        .record(Math.max(0, elapsed), unit);
  }

  public void staleServed(String department, String service) {
    staleServes
        .computeIfAbsent(
            department + '|' + service,
            k ->
                Counter.builder(STALE_SERVES)
                    .description(
                        "Answers served from the last-known-good cache while the department was unavailable")
                    .tag("department", department)
                    .tag("service", service)
                    .register(meters))
        .increment();
  }

  public void transition(String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {
    Counter.builder(TRANSITIONS)
        .description("Circuit breaker state transitions")
        .tag("name", breakerName)
        .tag("from", from.name().toLowerCase(Locale.ROOT))
        .tag("to", to.name().toLowerCase(Locale.ROOT))
        .register(meters)
        .increment();
  }

  /**
   * Removes this helper's meters of one department (and its breaker's transition counters) on
   * deregistration.
   */
  public void removeDepartment(String department, String breakerName) {
    List<Meter> toRemove = new ArrayList<>();
    toRemove.addAll(meters.find(CALLS).tag("department", department).meters());
    toRemove.addAll(meters.find(STALE_SERVES).tag("department", department).meters());
    toRemove.addAll(meters.find(TRANSITIONS).tag("name", breakerName).meters());
    toRemove.forEach(meters::remove);
    calls.keySet().removeIf(k -> k.startsWith(department + '|'));
    staleServes.keySet().removeIf(k -> k.startsWith(department + '|'));
  }
}
