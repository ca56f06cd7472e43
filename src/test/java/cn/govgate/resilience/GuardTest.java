package cn.govgate.resilience;

import static cn.govgate.resilience.Settle.failure;
import static cn.govgate.resilience.Settle.result;
import static cn.govgate.resilience.Settle.settled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class GuardTest {

  static final Predicate<Throwable> DEPARTMENT_FAULT =
      t -> !(t instanceof ApiException api && api.status() < 500);

  // Window of 4 calls, all needed; 50 % failures; 10 s open; 2 probes; 2 concurrent calls. The
  // deadline is
  // generous so that a cold JVM on a busy machine never turns a success into a timeout; timeout
  // tests use
  // HANGING, whose 100 ms deadline is what they wait for.
  static final GuardConfig CONFIG =
      GuardConfig.withDeadline(Duration.ofSeconds(5))
          .withWindow(4, 4)
          .withOpenState(Duration.ofSeconds(10), 2)
          .withMaxConcurrentCalls(2);
  static final GuardConfig HANGING =
      GuardConfig.withDeadline(Duration.ofMillis(100))
          .withWindow(4, 4)
          .withOpenState(Duration.ofSeconds(10), 2)
          .withMaxConcurrentCalls(2);

  Vertx vertx;
  TestClock clock;
  CircuitBreakerRegistry breakers;
  BulkheadRegistry bulkheads;
  SimpleMeterRegistry meters;
  Guard guard;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    clock = TestClock.at("2026-03-01T08:00:00Z");
    breakers = CircuitBreakerRegistry.ofDefaults();
    bulkheads = BulkheadRegistry.ofDefaults();
    meters = new SimpleMeterRegistry();
    guard = newGuard(CONFIG);
  }

  @AfterEach
  void tearDown() {
    guard.close();
  }

  Guard newGuard(GuardConfig config) {
    return Guard.create(
        vertx, "hrss", config, breakers, bulkheads, meters, DEPARTMENT_FAULT, clock);
  }

  static Future<String> departmentFailure() {
    return Future.failedFuture(
        ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"));
  }

  void failTimes(int n) {
    for (int i = 0; i < n; i++) {
      failure(guard.call(GuardTest::departmentFailure));
    }
  }

  void assertAllPermitsReleased() {
    assertThat(guard.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
    assertThat(guard.inFlight()).isZero();
  }

  @Test
  void passesSuccessesThrough() {
    assertThat(result(guard.call(() -> Future.succeededFuture("balance")))).isEqualTo("balance");

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(guard.breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    assertAllPermitsReleased();
  }

  @Test
  void passesDepartmentFailuresThroughUnchanged() {
    Throwable cause = failure(guard.call(GuardTest::departmentFailure));

    assertThat(cause).isInstanceOf(ApiException.class);
    assertThat(((ApiException) cause).code()).isEqualTo("department.bad_response");
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertAllPermitsReleased();
  }

  @Test
  void opensOnlyOnceTheMinimumNumberOfCallsIsReached() {
    failTimes(3);
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);

    failTimes(1);
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
    assertAllPermitsReleased();
  }

  @Test
  void failsFastWhileOpenWithRetryAfterOfTheRemainingOpenTime() {
    failTimes(4);
    AtomicInteger invoked = new AtomicInteger();

    Throwable refused =
        failure(
            guard.call(
                () -> {
                  invoked.incrementAndGet();
                  return Future.succeededFuture("never");
                }));

    assertThat(invoked).hasValue(0);
    assertThat(refused).isInstanceOf(GuardRejectedException.class);
    GuardRejectedException rejection = (GuardRejectedException) refused;
    assertThat(rejection.code()).isEqualTo("department.unavailable");
    assertThat(rejection.status()).isEqualTo(503);
    assertThat(rejection.reason()).isEqualTo(GuardRejectedException.Reason.OPEN);
    assertThat(rejection.details().getString("department")).isEqualTo("hrss");
    assertThat(rejection.retryAfterSeconds()).isEqualTo(10);

    clock.advance(Duration.ofMillis(2_500));
    ApiException later = (ApiException) failure(guard.call(() -> Future.succeededFuture("never")));
    assertThat(later.retryAfterSeconds()).isEqualTo(8); // 7.5 s left, rounded up
    assertThat(guard.breaker().getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(2);
    assertAllPermitsReleased();
  }

  @Test
  void nextCallAfterTheWaitIsHalfOpenAndSuccessesCloseIt() {
    failTimes(4);
    clock.advance(Duration.ofSeconds(9));
    failure(guard.call(() -> Future.succeededFuture("still open")));
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);

    clock.advance(Duration.ofMillis(1_001));
    assertThat(result(guard.call(() -> Future.succeededFuture("probe 1")))).isEqualTo("probe 1");
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(result(guard.call(() -> Future.succeededFuture("probe 2")))).isEqualTo("probe 2");

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertAllPermitsReleased();
  }

  @Test
  void eachStateChangeWritesOneLogLineWithBackendFromToAndReason() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Guard.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    logger.addAppender(captured);
    try {
      failTimes(4);
      clock.advance(Duration.ofSeconds(11));
      result(guard.call(() -> Future.succeededFuture("probe 1")));
      result(guard.call(() -> Future.succeededFuture("probe 2")));
    } finally {
      logger.detachAppender(captured);
    }
    assertThat(captured.list)
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "breaker state changed backend=hrss from=closed to=open reason=failure_rate_exceeded",
            "breaker state changed backend=hrss from=open to=half_open reason=open_wait_elapsed",
            "breaker state changed backend=hrss from=half_open to=closed reason=probe_calls_succeeded");
  }

  @Test
  void failedProbesReopenTheBreaker() {
    failTimes(4);
    clock.advance(Duration.ofSeconds(11));

    failTimes(2);

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    ApiException refused = (ApiException) failure(guard.call(() -> Future.succeededFuture("x")));
    assertThat(refused.retryAfterSeconds()).isEqualTo(10);
  }

  @Test
  void slowSuccessesOpenTheBreakerThroughTheSlowCallRate() {
    guard.close();
    guard = newGuard(CONFIG.withSlowCall(50, Duration.ofMillis(80)));

    for (int i = 0; i < 4; i++) {
      result(
          guard.call(
              () -> {
                clock.advance(
                    Duration.ofMillis(90)); // the department takes 90 ms by the guard's clock
                return Future.succeededFuture("slow");
              }));
    }

    assertThat(guard.breaker().getMetrics().getNumberOfSlowSuccessfulCalls()).isEqualTo(4);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void callsHangingPastTheDeadlineFailWithDepartmentTimeoutAndCount() {
    guard.close();
    guard = newGuard(HANGING);
    Promise<String> hanging = Promise.promise();

    Throwable cause = failure(guard.call(hanging::future));

    assertThat(cause).isInstanceOf(DeadlineExceededException.class);
    ApiException timeout = (ApiException) cause;
    assertThat(timeout.code()).isEqualTo("department.timeout");
    assertThat(timeout.status()).isEqualTo(504);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertAllPermitsReleased();

    // The late answer is discarded: no second onResult, no second release.
    hanging.complete("too late");
    assertThat(guard.breaker().getMetrics().getNumberOfBufferedCalls()).isEqualTo(1);
    assertThat(guard.breaker().getMetrics().getNumberOfSuccessfulCalls()).isZero();
    assertAllPermitsReleased();
  }

  @Test
  void timeoutsOpenTheBreaker() {
    guard.close();
    guard = newGuard(HANGING);
    for (int i = 0; i < 4; i++) {
      failure(guard.call(() -> Promise.<String>promise().future()));
    }

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertAllPermitsReleased();
  }

  @Test
  void citizenErrorsNeverOpenTheBreaker() {
    for (int i = 0; i < 12; i++) {
      Throwable cause =
          failure(
              guard.call(
                  () -> Future.failedFuture(ErrorCode.DEPARTMENT_CITIZEN_NOT_FOUND.error())));
      assertThat(((ApiException) cause).code()).isEqualTo("department.citizen_not_found");
    }

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(guard.breaker().getMetrics().getFailureRate()).isEqualTo(0f);
    assertAllPermitsReleased();
  }

  @Test
  void fullBulkheadFailsImmediatelyWithDepartmentBusyWhileOthersHang() {
    Promise<String> first = Promise.promise();
    Promise<String> second = Promise.promise();
    Future<String> one = guard.call(first::future);
    Future<String> two = guard.call(second::future);
    AtomicInteger invoked = new AtomicInteger();

    Future<String> third =
        guard.call(
            () -> {
              invoked.incrementAndGet();
              return Future.succeededFuture("never");
            });

    assertThat(third.failed()).as("refused synchronously, never queued").isTrue();
    GuardRejectedException busy = (GuardRejectedException) third.cause();
    assertThat(busy.code()).isEqualTo("department.busy");
    assertThat(busy.reason()).isEqualTo(GuardRejectedException.Reason.FULL);
    assertThat(busy.status()).isEqualTo(503);
    assertThat(invoked).hasValue(0);
    assertThat(guard.inFlight()).isEqualTo(2);
    assertThat(guard.bulkhead().getMetrics().getAvailableConcurrentCalls()).isZero();
    // The bulkhead refusal took no breaker permission and recorded nothing.
    assertThat(guard.breaker().getMetrics().getNumberOfBufferedCalls()).isZero();

    first.complete("a");
    second.fail(ErrorCode.DEPARTMENT_CITIZEN_NOT_FOUND.error());
    assertThat(result(one)).isEqualTo("a");
    failure(two);
    assertAllPermitsReleased();
    assertThat(guard.breaker().getMetrics().getNumberOfBufferedCalls()).isEqualTo(2);
  }

  @Test
  void refusalByTheBreakerReleasesTheBulkheadPermit() {
    guard.forceOpen();

    for (int i = 0; i < 5; i++) {
      failure(guard.call(() -> Future.succeededFuture("x")));
    }

    assertAllPermitsReleased();
  }

  @Test
  void aSupplierThatThrowsIsRecordedAsAFailureAndReleased() {
    Throwable cause =
        failure(
            guard.<String>call(
                () -> {
                  throw new IllegalStateException("bug in backend client");
                }));

    assertThat(cause).isInstanceOf(IllegalStateException.class);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertAllPermitsReleased();
  }

  @Test
  void operatorCanForceOpenForceClosedAndReset() {
    guard.forceOpen();
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
    ApiException refused = (ApiException) failure(guard.call(() -> Future.succeededFuture("x")));
    assertThat(refused.code()).isEqualTo("department.unavailable");
    assertThat(refused.retryAfterSeconds()).isEqualTo(10);

    guard.forceClosed();
    failTimes(8);
    assertThat(guard.state())
        .as("held closed despite 100 %% failures")
        .isEqualTo(CircuitBreaker.State.METRICS_ONLY);
    assertThat(result(guard.call(() -> Future.succeededFuture("ok")))).isEqualTo("ok");

    guard.reset();
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(guard.breaker().getMetrics().getNumberOfBufferedCalls()).isZero();
    failTimes(4);
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertAllPermitsReleased();
  }

  @Test
  void drainRefusesNewCallsAndCompletesWhenInFlightReachesZero() {
    guard.close();
    guard = newGuard(GuardConfig.defaults().withMaxConcurrentCalls(2));
    Promise<String> running = Promise.promise();
    Future<String> inFlight = guard.call(running::future);
    assertThat(guard.inFlight()).isEqualTo(1);

    guard.beginDrain();

    assertThat(guard.drained().isComplete()).isFalse();
    GuardRejectedException refused =
        (GuardRejectedException) failure(guard.call(() -> Future.succeededFuture("x")));
    assertThat(refused.code()).isEqualTo("department.unavailable");
    assertThat(refused.reason()).isEqualTo(GuardRejectedException.Reason.DRAINING);
    assertThat(guard.drained().isComplete()).isFalse();

    running.complete("done");
    assertThat(result(inFlight)).isEqualTo("done");
    settled(guard.drained());
    assertThat(guard.drained().succeeded()).isTrue();
    assertThat(guard.inFlight()).isZero();
  }

  @Test
  void drainOfAnIdleGuardCompletesAtOnce() {
    guard.beginDrain();

    assertThat(guard.drained().succeeded()).isTrue();
  }

  @Test
  void closeRemovesBreakerAndBulkheadSoTheBackendCanBeRegisteredAgain() {
    assertThatThrownBy(() -> newGuard(CONFIG)).isInstanceOf(IllegalStateException.class);

    guard.close();

    assertThat(breakers.find("dept.hrss")).isEmpty();
    assertThat(bulkheads.find("dept.hrss")).isEmpty();
    assertThat(failure(guard.call(() -> Future.succeededFuture("x"))))
        .isInstanceOf(GuardRejectedException.class);
    guard = newGuard(CONFIG);
    assertThat(result(guard.call(() -> Future.succeededFuture("again")))).isEqualTo("again");
  }

  @Test
  void namesAreBoundedToBackendIds() {
    assertThat(guard.resilienceName()).isEqualTo("dept.hrss");
    assertThat(breakers.find("dept.hrss")).containsSame(guard.breaker());
    assertThatThrownBy(
            () ->
                Guard.create(
                    vertx,
                    "/api/v1/hrss/balance?id=1",
                    CONFIG,
                    breakers,
                    bulkheads,
                    meters,
                    DEPARTMENT_FAULT,
                    clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(guard.call("Balance/../x", () -> Future.succeededFuture("x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertAllPermitsReleased();
  }

  @Test
  void rejectsInvalidConfig() {
    GuardConfig invalid =
        new GuardConfig(
            Duration.ofMillis(1), 0, 101, Duration.ofSeconds(5), 5, 6, Duration.ofHours(2), 0, 0);

    assertThat(invalid.validate())
        .containsOnlyKeys(
            "deadline",
            "failureRateThreshold",
            "slowCallRateThreshold",
            "slowCallDuration",
            "minimumNumberOfCalls",
            "waitDurationInOpenState",
            "permittedCallsInHalfOpenState",
            "maxConcurrentCalls");
    assertThatThrownBy(() -> newGuard(invalid)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsMatchTheDocumentedValues() {
    GuardConfig defaults = GuardConfig.defaults();

    assertThat(defaults.validate()).isEmpty();
    assertThat(defaults.deadline()).isEqualTo(Duration.ofSeconds(3));
    assertThat(defaults.slowCallDuration()).isEqualTo(Duration.ofMillis(2_400));
    assertThat(defaults.failureRateThreshold()).isEqualTo(50);
    assertThat(defaults.slowCallRateThreshold()).isEqualTo(80);
    assertThat(defaults.slidingWindowSize()).isEqualTo(20);
    assertThat(defaults.minimumNumberOfCalls()).isEqualTo(10);
    assertThat(defaults.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.permittedCallsInHalfOpenState()).isEqualTo(3);
    assertThat(defaults.maxConcurrentCalls()).isEqualTo(50);
  }

  @Test
  void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
    assertThat(Guard.retryAfterSeconds(Duration.ofMillis(7_500))).isEqualTo(8);
    assertThat(Guard.retryAfterSeconds(Duration.ofSeconds(3))).isEqualTo(3);
    assertThat(Guard.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(Guard.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
    assertThat(Guard.retryAfterSeconds(Duration.ofSeconds(-4))).isEqualTo(1);
  }

  @Test
  void theGatewaysWorkOnTheAnswerIsNotTimedAsDepartmentTimeButItsVerdictCountsForTheBreaker() {
    Promise<String> department = Promise.promise();
    Future<Integer> call =
        guard.call(
            "account",
            () -> department.future(),
            answer -> {
              // Parsing and checking the answer: 2 s of "gateway time" on the test clock.
              clock.advance(Duration.ofSeconds(2));
              return answer.equals("broken")
                  ? Future.failedFuture(
                      ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"))
                  : Future.succeededFuture(answer.length());
            });
    clock.advance(Duration.ofMillis(300)); // the department's own time
    department.complete("fine");
    assertThat(result(call)).isEqualTo(4);
    var timer =
        meters.get(DepartmentMetrics.CALLS).tag("service", "account").tag("outcome", "ok").timer();
    assertThat(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(300.0);

    Promise<String> broken = Promise.promise();
    Future<Integer> refused =
        guard.call(
            "account",
            () -> broken.future(),
            answer ->
                Future.<Integer>failedFuture(
                    ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss")));
    broken.complete("broken");
    assertThat(failure(refused)).isInstanceOf(ApiException.class);
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertThat(
            meters.get(DepartmentMetrics.CALLS).tag("outcome", "department_error").timer().count())
        .isEqualTo(1);
    assertAllPermitsReleased();
  }
}
