package cn.govgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many calls from several event loops, with results racing the deadline: permits balance exactly.
 */
@ExtendWith(VertxExtension.class)
class GuardConcurrencyTest {

  @Test
  void everyPermitIsReleasedExactlyOnceUnderConcurrentMixedOutcomes(Vertx vertx) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // A window that never fills, so the breaker stays closed and counts every call it permitted.
    GuardConfig config =
        GuardConfig.withDeadline(Duration.ofMillis(40))
            .withWindow(1000, 1000)
            .withMaxConcurrentCalls(20);
    Guard guard =
        Guard.create(
            vertx,
            "hrss",
            config,
            CircuitBreakerRegistry.ofDefaults(),
            BulkheadRegistry.ofDefaults(),
            meters,
            GuardTest.DEPARTMENT_FAULT,
            TestClock.at("2026-03-01T08:00:00Z"));
    int total = 300;
    List<Future<String>> results = new ArrayList<>();
    AtomicInteger invoked = new AtomicInteger();

    for (int i = 0; i < total; i++) {
      int n = i;
      Promise<String> result = Promise.promise();
      results.add(result.future());
      // Spread over contexts (event loops) so calls really overlap across threads.
      vertx
          .getOrCreateContext()
          .runOnContext(
              v ->
                  guard
                      .call(
                          "balance",
                          () -> {
                            invoked.incrementAndGet();
                            Promise<String> department = Promise.promise();
                            switch (n % 4) {
                              case 0 -> department.complete("ok");
                              case 1 ->
                                  department.fail(
                                      ApiException.ofDepartment(
                                          ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"));
                              case 2 ->
                                  vertx.setTimer(
                                      40, id -> department.tryComplete("racing the deadline"));
                              default -> {} // hangs: only the deadline ends it
                            }
                            return department.future();
                          })
                      .onComplete(result));
    }
    for (Future<String> f : results) {
      Settle.settled(f);
    }

    long rejectedFull =
        results.stream()
            .filter(
                f ->
                    f.failed()
                        && f.cause() instanceof GuardRejectedException r
                        && r.reason() == GuardRejectedException.Reason.FULL)
            .count();
    CircuitBreaker.Metrics breaker = guard.breaker().getMetrics();
    assertThat(rejectedFull).as("the bulkhead was really contended").isPositive();
    assertThat(guard.inFlight()).isZero();
    assertThat(guard.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(20);
    assertThat(invoked.get()).isEqualTo(total - (int) rejectedFull);
    assertThat(breaker.getNumberOfBufferedCalls()).isEqualTo(invoked.get());
    assertThat(breaker.getNumberOfSuccessfulCalls() + breaker.getNumberOfFailedCalls())
        .isEqualTo(invoked.get());
    long timed =
        meters.find(DepartmentMetrics.CALLS).timers().stream().mapToLong(Timer::count).sum();
    assertThat(timed).isEqualTo(total);
    guard.close();
  }
}
