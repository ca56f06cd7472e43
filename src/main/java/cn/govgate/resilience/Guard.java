package cn.govgate.resilience;

import static net.logstash.logback.argument.StructuredArguments.kv;

import cn.govgate.resilience.DepartmentMetrics.Outcome;
import cn.govgate.resilience.GuardRejectedException.Reason;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resilience envelope of one department backend: a semaphore bulkhead, a circuit breaker and a
 * deadline, driven around Vert.x Futures without blocking and without resilience4j's executors.
 *
 * <p>Order in {@link #call}: drain check, bulkhead permit ({@code department.busy} when full, never
 * queued), breaker permission ({@code department.unavailable} with Retry-After when open), then the
 * call with the deadline inside it ({@code department.timeout}), so the breaker sees timeouts.
 * Every acquired breaker permission gets exactly one {@code onResult}/{@code onError} and every
 * bulkhead permit exactly one {@code onComplete}.
 *
 * <p>The deadline releases the permits when it fires even though the underlying request may still
 * run: the backend's HTTP client must carry its own idle/connect timeouts and bounded pool, which
 * is what bounds abandoned requests. Holding the slot until the socket gives up would let one hung
 * department turn every later call into {@code department.busy} long after the breaker has already
 * opened.
 *
 * <p>Thread-safe; one instance per backend, shared by all event loops.
 */
public final class Guard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Guard.class);

  private final Vertx vertx;
  private final String department;
  private final String breakerName;
  private final GuardConfig config;
  private final Clock clock;
  private final CircuitBreakerRegistry breakers;
  private final BulkheadRegistry bulkheads;
  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final DepartmentMetrics metrics;
  private final Predicate<Throwable> countsAsFailure;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Promise<Void> drained = Promise.promise();
  private final AtomicReference<Instant> openUntil = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean draining;

  private Guard(
      Vertx vertx,
      String department,
      GuardConfig config,
      CircuitBreakerRegistry breakers,
      BulkheadRegistry bulkheads,
      MeterRegistry meters,
      Predicate<Throwable> countsAsFailure,
      Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.department = DepartmentMetrics.requireLabel("backend id", department);
    this.breakerName = "dept." + department;
    this.config = Objects.requireNonNull(config, "config").requireValid();
    this.breakers = Objects.requireNonNull(breakers, "breakers");
    this.bulkheads = Objects.requireNonNull(bulkheads, "bulkheads");
    this.countsAsFailure = Objects.requireNonNull(countsAsFailure, "countsAsFailure");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = DepartmentMetrics.create(meters);
    if (breakers.find(breakerName).isPresent() || bulkheads.find(breakerName).isPresent()) {
      throw new IllegalStateException(
          "a guard for " + breakerName + " already exists; close it first");
    }
    this.breaker = breakers.circuitBreaker(breakerName, breakerConfig());
    this.bulkhead =
        bulkheads.bulkhead(
            breakerName,
            BulkheadConfig.custom()
                .maxConcurrentCalls(config.maxConcurrentCalls())
                .maxWaitDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build());
    breaker
        .getEventPublisher()
        .onStateTransition(
            event -> {
              CircuitBreaker.StateTransition transition = event.getStateTransition();
              if (transition.getToState() == CircuitBreaker.State.OPEN) {
                openUntil.set(clock.instant().plus(config.waitDurationInOpenState()));
              }
              metrics.transition(breakerName, transition.getFromState(), transition.getToState());
              log.warn(
                  "breaker state changed {} {} {} {}",
                  kv("backend", department),
                  kv("from", transition.getFromState().name().toLowerCase(Locale.ROOT)),
                  kv("to", transition.getToState().name().toLowerCase(Locale.ROOT)),
                  kv("reason", reason(transition)));
            });
  }

  /** Why the breaker changed state, in words an operator can act on (one of a few fixed values). */
  private String reason(CircuitBreaker.StateTransition transition) {
    CircuitBreaker.State from = transition.getFromState();
    return switch (transition.getToState()) {
      case OPEN ->
          from == CircuitBreaker.State.HALF_OPEN
              ? "probe_calls_failed"
              : breaker.getMetrics().getFailureRate() >= config.failureRateThreshold()
                  ? "failure_rate_exceeded"
                  : "slow_call_rate_exceeded";
      case HALF_OPEN -> "open_wait_elapsed";
      case CLOSED ->
          from == CircuitBreaker.State.HALF_OPEN ? "probe_calls_succeeded" : "override_cleared";
      case FORCED_OPEN -> "forced_open_by_operator";
      case DISABLED, METRICS_ONLY -> "disabled_by_operator";
    };
  }

  /**
   * A guard on the system clock. See {@link #create(Vertx, String, GuardConfig,
   * CircuitBreakerRegistry, BulkheadRegistry, MeterRegistry, Predicate, Clock)}.
   */
  public static Guard create(
      Vertx vertx,
      String name,
      GuardConfig config,
      CircuitBreakerRegistry breakers,
      BulkheadRegistry bulkheads,
      MeterRegistry meters,
      Predicate<Throwable> countsAsFailure) {
    return create(
        vertx, name, config, breakers, bulkheads, meters, countsAsFailure, Clock.systemUTC());
  }

  /**
   * Creates the guard of one backend and registers its breaker and bulkhead as {@code dept.<name>}.
   *
   * @param name the backend id (bounded: {@link DepartmentMetrics#LABEL}), never a path or citizen
   *     data
   * @param countsAsFailure whether a failure of the call is the department's fault; {@code false}
   *     for citizen-caused answers such as {@code citizen_not_found}, which must never open the
   *     breaker. Timeouts always count.
   * @param clock drives the breaker's open wait and call durations (slow calls), so tests move time
   *     instead of sleeping; the deadline itself is a real Vert.x timer
   * @throws IllegalArgumentException when the config is invalid or the name is not a bounded label
   * @throws IllegalStateException when a guard with this name is still registered
   */
  public static Guard create(
      Vertx vertx,
      String name,
      GuardConfig config,
      CircuitBreakerRegistry breakers,
      BulkheadRegistry bulkheads,
      MeterRegistry meters,
      Predicate<Throwable> countsAsFailure,
      Clock clock) {
    return new Guard(vertx, name, config, breakers, bulkheads, meters, countsAsFailure, clock);
  }

  private CircuitBreakerConfig breakerConfig() {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(config.slidingWindowSize())
        .minimumNumberOfCalls(config.minimumNumberOfCalls())
        .failureRateThreshold(config.failureRateThreshold())
        .slowCallRateThreshold(config.slowCallRateThreshold())
        .slowCallDurationThreshold(config.slowCallDuration())
        .waitDurationInOpenState(config.waitDurationInOpenState())
        .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
        // The next call after the wait probes; no resilience4j scheduler thread.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        // recordException rather than ignoreException: a citizen-caused answer (not found, invalid
        // id) proves
        // the department is up and answering, so it is recorded as a success. It keeps the failure
        // rate honest
        // (ignored calls would leave the rate computed over fewer calls), still counts as slow if
        // it was slow,
        // and a citizen 404 during half-open helps close the breaker instead of being invisible.
        .recordException(t -> t instanceof DeadlineExceededException || countsAsFailure.test(t))
        .clock(clock)
        // Durations come from the same injectable clock as the open wait, in microseconds.
        .currentTimestampFunction(Guard::micros, TimeUnit.MICROSECONDS)
        .writableStackTraceEnabled(false)
        .build();
  }

  private static long micros(Clock clock) {
    Instant now = clock.instant();
    return Math.addExact(
        Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
  }

  /** Runs {@code call} under this guard with the service tag {@code default}. */
  public <T> Future<T> call(Supplier<Future<T>> call) {
    return call("default", call);
  }

  /**
   * Runs {@code call} under the bulkhead, breaker and deadline. {@code call} is invoked at most
   * once and only when both permissions were granted.
   *
   * @param service bounded service name for metrics ({@link DepartmentMetrics#LABEL})
   * @return the call's result or failure unchanged, or a {@link GuardRejectedException} ({@code
   *     department.busy} or {@code department.unavailable}, 503) or a {@link
   *     DeadlineExceededException} ({@code department.timeout}, 504)
   */
  public <T> Future<T> call(String service, Supplier<Future<T>> call) {
    return run(service, call, null);
  }

  /**
   * Like {@link #call(String, Supplier)}, in two steps: {@code send} is what the department does
   * (timed, and bounded by the deadline); {@code interpret} is the gateway's own work on the answer
   * (parsing, the contract check), run after the clock stopped. Its outcome is what the breaker
   * records — a broken answer still counts against the department — but its CPU time never shows as
   * department time, neither in {@value DepartmentMetrics#CALLS} nor in the breaker's slow-call
   * rate.
   */
  public <R, T> Future<T> call(
      String service, Supplier<Future<R>> send, Function<R, Future<T>> interpret) {
    AtomicLong answeredAt = new AtomicLong(Long.MIN_VALUE);
    return run(
        service,
        () ->
            send.get()
                .compose(
                    raw -> {
                      answeredAt.set(breaker.getCurrentTimestamp());
                      return interpret.apply(raw);
                    }),
        answeredAt);
  }

  private <T> Future<T> run(String service, Supplier<Future<T>> call, AtomicLong answeredAt) {
    if (!DepartmentMetrics.isLabel(service)) {
      return Future.failedFuture(
          new IllegalArgumentException("service must match " + DepartmentMetrics.LABEL));
    }
    // Counted before the drain check so that beginDrain() can never miss a call that slipped past
    // it.
    inFlight.incrementAndGet();
    if (draining || closed.get()) {
      leave();
      metrics.recordCall(department, service, Outcome.REJECTED_OPEN, 0, TimeUnit.MICROSECONDS);
      return Future.failedFuture(
          new GuardRejectedException(
              Reason.DRAINING, department, retryAfterSeconds(config.waitDurationInOpenState())));
    }
    if (!bulkhead.tryAcquirePermission()) {
      leave();
      metrics.recordCall(department, service, Outcome.REJECTED_FULL, 0, TimeUnit.MICROSECONDS);
      return Future.failedFuture(new GuardRejectedException(Reason.FULL, department, 1));
    }
    if (!breaker.tryAcquirePermission()) {
      bulkhead.onComplete();
      leave();
      metrics.recordCall(department, service, Outcome.REJECTED_OPEN, 0, TimeUnit.MICROSECONDS);
      return Future.failedFuture(
          new GuardRejectedException(Reason.OPEN, department, openRetryAfterSeconds()));
    }
    long start = breaker.getCurrentTimestamp();
    Promise<T> promise = Promise.promise();
    AtomicBoolean settled = new AtomicBoolean();
    long deadlineMillis = Math.max(1, config.deadline().toMillis());
    long timerId =
        vertx.setTimer(
            deadlineMillis,
            id ->
                settle(
                    settled,
                    promise,
                    service,
                    start,
                    null,
                    Future.failedFuture(
                        new DeadlineExceededException(department, deadlineMillis))));
    Future<T> inner;
    try {
      inner = Objects.requireNonNull(call.get(), "guarded call returned null");
    } catch (RuntimeException e) {
      inner = Future.failedFuture(e);
    }
    inner.onComplete(
        ar -> {
          vertx.cancelTimer(timerId);
          settle(settled, promise, service, start, answeredAt, ar);
        });
    return promise.future();
  }

  private <T> void settle(
      AtomicBoolean settled,
      Promise<T> promise,
      String service,
      long start,
      AtomicLong answeredAt,
      AsyncResult<T> result) {
    if (!settled.compareAndSet(false, true)) {
      return; // the late result after a deadline, or the deadline after the result
    }
    long end =
        answeredAt == null || answeredAt.get() == Long.MIN_VALUE
            ? breaker.getCurrentTimestamp()
            : answeredAt.get();
    long elapsed = end - start;
    TimeUnit unit = breaker.getTimestampUnit();
    Outcome outcome;
    try {
      if (result.succeeded()) {
        outcome = Outcome.OK;
        breaker.onResult(elapsed, unit, result.result());
      } else {
        Throwable cause = result.cause();
        if (cause instanceof DeadlineExceededException) {
          outcome = Outcome.TIMEOUT;
        } else {
          outcome = countsAsFailure.test(cause) ? Outcome.DEPARTMENT_ERROR : Outcome.CITIZEN_ERROR;
        }
        breaker.onError(elapsed, unit, cause);
      }
    } finally {
      bulkhead.onComplete();
      leave();
    }
    metrics.recordCall(department, service, outcome, elapsed, unit);
    if (result.succeeded()) {
      promise.complete(result.result());
    } else {
      promise.fail(result.cause());
    }
  }

  private void leave() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      drained.tryComplete();
    }
  }

  private int openRetryAfterSeconds() {
    Instant until = openUntil.get();
    if (breaker.getState() == CircuitBreaker.State.OPEN && until != null) {
      return retryAfterSeconds(Duration.between(clock.instant(), until));
    }
    if (breaker.getState() == CircuitBreaker.State.FORCED_OPEN) {
      // An operator holds it open with no end; the configured wait is the honest polling interval.
      return retryAfterSeconds(config.waitDurationInOpenState());
    }
    return 1; // half-open with all probes taken: try again soon
  }

  /** Whole seconds, rounded up, at least 1. */
  static int retryAfterSeconds(Duration remaining) {
    if (remaining.isNegative() || remaining.isZero()) {
      return 1;
    }
    long seconds = remaining.getSeconds() + (remaining.getNano() > 0 ? 1 : 0);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  /** Operator override: refuse every call until {@link #reset()}. */
  public void forceOpen() {
    breaker.transitionToForcedOpenState();
  }

  /**
   * Operator override: permit every call until {@link #reset()}. Uses resilience4j's metrics-only
   * state rather than disabled, so the failure and slow-call rates stay visible while the breaker
   * is held closed.
   */
  public void forceClosed() {
    breaker.transitionToMetricsOnlyState();
  }

  /** Back to normal operation: closed, with a fresh window. */
  public void reset() {
    breaker.reset();
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  /** Calls that hold (or are about to take) a permit. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * New calls fail with {@code department.unavailable}; {@link #drained()} completes once in-flight
   * is 0.
   */
  public void beginDrain() {
    draining = true;
    if (inFlight.get() == 0) {
      drained.tryComplete();
    }
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Completes when in-flight calls reached 0 after {@link #beginDrain()}; never completes without
   * it.
   */
  public Future<Void> drained() {
    return drained.future();
  }

  /** Backend id, e.g. {@code hrss}. */
  public String name() {
    return department;
  }

  /** Breaker and bulkhead name, {@code dept.<backendId>}. */
  public String resilienceName() {
    return breakerName;
  }

  public GuardConfig config() {
    return config;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  public Bulkhead bulkhead() {
    return bulkhead;
  }

  /**
   * Removes the breaker and bulkhead from their registries (which drops resilience4j's tagged
   * meters) and this guard's own meters, for deregistration. Later calls are refused. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    breakers.remove(breakerName);
    bulkheads.remove(breakerName);
    metrics.removeDepartment(department, breakerName);
  }
}
