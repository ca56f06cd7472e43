package cn.govgate.resilience;

import static cn.govgate.resilience.Settle.failure;
import static cn.govgate.resilience.Settle.result;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.resilience.FakeDepartment.Mode;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DepartmentMetricsTest {

  Vertx vertx;
  TestClock clock;
  SimpleMeterRegistry meters;
  CircuitBreakerRegistry breakers;
  BulkheadRegistry bulkheads;
  FakeDepartment department;
  Guard guard;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    clock = TestClock.at("2026-03-01T08:00:00Z");
    meters = new SimpleMeterRegistry();
    breakers = CircuitBreakerRegistry.ofDefaults();
    bulkheads = BulkheadRegistry.ofDefaults();
    DepartmentMetrics.bindRegistries(meters, breakers, bulkheads);
    department = FakeDepartment.start(vertx);
    guard =
        Guard.create(
            vertx,
            "hrss",
            GuardConfig.withDeadline(Duration.ofSeconds(5))
                .withWindow(4, 4)
                .withMaxConcurrentCalls(1),
            breakers,
            bulkheads,
            meters,
            GuardTest.DEPARTMENT_FAULT,
            clock);
  }

  @AfterEach
  void tearDown() {
    guard.close();
    department.close();
  }

  Timer calls(String outcome) {
    return meters
        .find(DepartmentMetrics.CALLS)
        .tags("department", "hrss", "service", "balance", "outcome", outcome)
        .timer();
  }

  @Test
  void recordsEveryOutcomeWithBoundedTags() {
    // A window wide enough that the failures below do not open the breaker before the bulkhead
    // check.
    guard.close();
    guard =
        Guard.create(
            vertx,
            "hrss",
            GuardConfig.withDeadline(Duration.ofSeconds(5))
                .withWindow(10, 10)
                .withMaxConcurrentCalls(1),
            breakers,
            bulkheads,
            meters,
            GuardTest.DEPARTMENT_FAULT,
            clock);

    result(guard.call("balance", department::fetchBalance));
    department.mode(Mode.NOT_FOUND);
    failure(guard.call("balance", department::fetchBalance));
    department.mode(Mode.FAIL_500);
    failure(guard.call("balance", department::fetchBalance));
    Promise<String> holding = Promise.promise();
    Future<String> held = guard.call("balance", holding::future);
    failure(guard.call("balance", department::fetchBalance)); // bulkhead of 1 is taken
    holding.complete("x");
    result(held);
    guard.forceOpen();
    failure(guard.call("balance", department::fetchBalance));

    assertThat(calls("ok").count()).isEqualTo(2);
    assertThat(calls("citizen_error").count()).isEqualTo(1);
    assertThat(calls("department_error").count()).isEqualTo(1);
    assertThat(calls("rejected_full").count()).isEqualTo(1);
    assertThat(calls("rejected_open").count()).isEqualTo(1);
    assertThat(calls("timeout")).isNull();
    assertThat(meters.find(DepartmentMetrics.CALLS).timers())
        .allSatisfy(
            t ->
                assertThat(t.getId().getTags())
                    .extracting(io.micrometer.core.instrument.Tag::getKey)
                    .containsExactlyInAnyOrder("department", "service", "outcome"));
  }

  @Test
  void recordsTimeoutsAgainstAHangingDepartment() {
    guard.close();
    guard =
        Guard.create(
            vertx,
            "hrss",
            GuardConfig.withDeadline(Duration.ofMillis(100)),
            breakers,
            bulkheads,
            meters,
            GuardTest.DEPARTMENT_FAULT,
            clock);
    department.mode(Mode.HANG);

    assertThat(failure(guard.call("balance", department::fetchBalance)))
        .isInstanceOf(DeadlineExceededException.class);

    assertThat(calls("timeout").count()).isEqualTo(1);
    assertThat(calls("timeout").totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .isNotNegative();
    assertThat(department.hits()).isEqualTo(1);
    assertThat(guard.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(50);
  }

  @Test
  void bindsBreakerAndBulkheadMetersOfTheRegistries() {
    guard.call("balance", () -> Future.succeededFuture("ok"));
    Promise<String> holding = Promise.promise();
    guard.call("balance", holding::future);

    assertThat(
            meters
                .get("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", "dept.hrss")
                .gauge()
                .value())
        .isZero();
    holding.complete("done");
    assertThat(
            meters
                .get("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", "dept.hrss")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.state")
                .tags("name", "dept.hrss", "state", "closed")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(
            meters
                .find("resilience4j.circuitbreaker.calls")
                .tags("name", "dept.hrss", "kind", "successful")
                .meters())
        .isNotEmpty();
  }

  @Test
  void countsBreakerTransitions() {
    for (int i = 0; i < 4; i++) {
      failure(
          guard.call(
              "balance",
              () ->
                  Future.failedFuture(
                      ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"))));
    }
    clock.advance(Duration.ofSeconds(11));
    result(guard.call("balance", () -> Future.succeededFuture("probe")));

    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(
            meters
                .get(DepartmentMetrics.TRANSITIONS)
                .tags("name", "dept.hrss", "from", "closed", "to", "open")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get(DepartmentMetrics.TRANSITIONS)
                .tags("name", "dept.hrss", "from", "open", "to", "half_open")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void closingAGuardRemovesItsMeters() {
    result(guard.call("balance", () -> Future.succeededFuture("ok")));
    guard.forceOpen();

    guard.close();

    assertThat(meters.getMeters())
        .extracting(Meter::getId)
        .noneMatch(
            id -> "hrss".equals(id.getTag("department")) || "dept.hrss".equals(id.getTag("name")));
  }
}
