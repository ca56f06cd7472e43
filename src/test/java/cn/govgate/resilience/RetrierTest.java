package cn.govgate.resilience;

import static cn.govgate.resilience.Settle.failure;
import static cn.govgate.resilience.Settle.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import cn.govgate.error.ApiException;
import cn.govgate.resilience.FakeDepartment.Mode;
import cn.govgate.resilience.Retrier.Idempotency;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetrierTest {

  static final RetryPolicy FAST =
      new RetryPolicy(
          2, Duration.ofMillis(5), Duration.ofMillis(20), 2.0, 0.5, Duration.ofSeconds(5));

  Vertx vertx;
  TestClock clock;
  FakeDepartment department;
  Guard guard;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    clock = TestClock.at("2026-03-01T08:00:00Z");
    department = FakeDepartment.start(vertx);
    guard =
        Guard.create(
            vertx,
            "hrss",
            GuardConfig.withDeadline(Duration.ofSeconds(5)).withWindow(4, 4),
            CircuitBreakerRegistry.ofDefaults(),
            BulkheadRegistry.ofDefaults(),
            new SimpleMeterRegistry(),
            GuardTest.DEPARTMENT_FAULT,
            clock);
  }

  @AfterEach
  void tearDown() {
    guard.close();
    department.close();
  }

  Retrier retrier(RetryBudget budget) {
    return Retrier.create(vertx, FAST, budget, GuardTest.DEPARTMENT_FAULT, clock);
  }

  Future<String> guardedRead(Retrier retrier) {
    return retrier.execute(Idempotency.READ, () -> guard.call("balance", department::fetchBalance));
  }

  @Test
  void retriesAnIdempotentReadAfterA500AndSucceeds() {
    department.mode(Mode.FAIL_500_ONCE);
    RetryBudget budget = RetryBudget.create();

    assertThat(result(guardedRead(retrier(budget)))).isEqualTo("{\"balance\":1024}");

    assertThat(department.hits()).isEqualTo(2);
    assertThat(budget.tokens())
        .isCloseTo(9.0, within(1e-9)); // full at 10, deposit capped, one retry
    assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertThat(guard.breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastFailure() {
    department.mode(Mode.FAIL_500);

    Throwable cause = failure(guardedRead(retrier(RetryBudget.create())));

    assertThat(((ApiException) cause).code()).isEqualTo("department.bad_response");
    assertThat(department.hits()).isEqualTo(3);
  }

  @Test
  void neverRetriesWrites() {
    department.mode(Mode.FAIL_500_ONCE);

    failure(
        retrier(RetryBudget.create())
            .execute(Idempotency.WRITE, () -> guard.call("payment", department::fetchBalance)));

    assertThat(department.hits()).isEqualTo(1);
  }

  @Test
  void neverRetriesACallTheBreakerRefused() {
    guard.forceOpen();
    RetryBudget budget = RetryBudget.create();
    AtomicInteger attempts = new AtomicInteger();

    Throwable cause =
        failure(
            retrier(budget)
                .execute(
                    Idempotency.READ,
                    () -> {
                      attempts.incrementAndGet();
                      return guard.call("balance", department::fetchBalance);
                    }));

    assertThat(cause).isInstanceOf(GuardRejectedException.class);
    assertThat(attempts).hasValue(1);
    assertThat(department.hits()).isZero();
    assertThat(budget.tokens()).isCloseTo(10.0, within(1e-9));
  }

  @Test
  void neverRetriesCitizenErrors() {
    department.mode(Mode.NOT_FOUND);

    Throwable cause = failure(guardedRead(retrier(RetryBudget.create())));

    assertThat(((ApiException) cause).code()).isEqualTo("department.citizen_not_found");
    assertThat(department.hits()).isEqualTo(1);
  }

  @Test
  void exhaustedBudgetStopsRetries() {
    department.mode(Mode.FAIL_500);
    // One token to start with, 0.2 per first call: the first read may retry once, the next ones not
    // at all.
    RetryBudget budget = RetryBudget.create(0.2, 1, 1);
    Retrier retrier = retrier(budget);

    failure(guardedRead(retrier));
    assertThat(department.hits()).as("one retry, then no token for the second").isEqualTo(2);

    failure(guardedRead(retrier));
    failure(guardedRead(retrier));
    assertThat(department.hits()).isEqualTo(4);
    assertThat(budget.tokens()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void noRetryStartsPastTheOverallBudget() {
    department.mode(Mode.FAIL_500);
    AtomicInteger attempts = new AtomicInteger();

    failure(
        retrier(RetryBudget.create())
            .execute(
                Idempotency.READ,
                () -> {
                  attempts.incrementAndGet();
                  clock.advance(
                      Duration.ofSeconds(6)); // this attempt alone used up the 5 s overall budget
                  return guard.call("balance", department::fetchBalance);
                }));

    assertThat(attempts).hasValue(1);
  }

  @Test
  void neverRetriesADeadlineThatPassed() {
    department.mode(Mode.HANG);
    Guard quick =
        Guard.create(
            vertx,
            "quick",
            GuardConfig.withDeadline(Duration.ofMillis(50)),
            CircuitBreakerRegistry.ofDefaults(),
            BulkheadRegistry.ofDefaults(),
            new SimpleMeterRegistry(),
            GuardTest.DEPARTMENT_FAULT,
            clock);

    Throwable cause =
        failure(
            retrier(RetryBudget.create())
                .execute(Idempotency.READ, () -> quick.call("balance", department::fetchBalance)));

    assertThat(cause).isInstanceOf(DeadlineExceededException.class);
    assertThat(quick.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    quick.close();
  }

  @Test
  void backoffGrowsIsCappedAndJittered() {
    RetryPolicy policy =
        new RetryPolicy(
            3, Duration.ofMillis(100), Duration.ofMillis(300), 2.0, 0.5, Duration.ofSeconds(5));

    assertThat(policy.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2, 0.0)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoff(3, 0.0)).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.backoff(2, 0.999_999))
        .isBetween(Duration.ofMillis(100), Duration.ofMillis(101));
    assertThat(RetryPolicy.defaults().validate()).isEmpty();
    assertThat(new RetryPolicy(9, Duration.ZERO, Duration.ofMillis(1), 0.5, 2, null).validate())
        .containsOnlyKeys("maxRetries", "initialBackoff", "multiplier", "jitter", "overallBudget");
  }
}
