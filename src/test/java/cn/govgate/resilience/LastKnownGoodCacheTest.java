package cn.govgate.resilience;

import static cn.govgate.resilience.Settle.failure;
import static cn.govgate.resilience.Settle.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.resilience.LastKnownGoodCache.Key;
import cn.govgate.resilience.LastKnownGoodCache.Served;
import cn.govgate.resilience.LastKnownGoodCache.Stale;
import cn.govgate.testing.TestClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LastKnownGoodCacheTest {

  static final String CITIZEN = "110101199003074518";

  final TestClock clock = TestClock.at("2026-03-01T08:00:00Z");
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final LastKnownGoodCache<String> cache =
      LastKnownGoodCache.create(2, Duration.ofHours(24), clock, meters);

  static Key key(String query) {
    return Key.of("hrss", "balance", CITIZEN, query);
  }

  @Test
  void evictsTheLeastRecentlyUsedEntryBeyondMaxEntries() {
    cache.put(key("a"), "A");
    cache.put(key("b"), "B");
    assertThat(cache.serveStale(key("a"))).isPresent(); // a is now more recent than b

    cache.put(key("c"), "C");

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.serveStale(key("b"))).isEmpty();
    assertThat(cache.serveStale(key("a")).map(Stale::value)).contains("A");
    assertThat(cache.serveStale(key("c")).map(Stale::value)).contains("C");
  }

  @Test
  void servesACopyWithItsAsOfOnlyWithinTheTtl() {
    Instant storedAt = clock.instant();
    cache.put(key("a"), "A");

    clock.advance(Duration.ofHours(23));
    Stale<String> stale = cache.serveStale(key("a")).orElseThrow();
    assertThat(stale.value()).isEqualTo("A");
    assertThat(stale.asOf()).isEqualTo(storedAt);
    assertThat(stale.stale()).isTrue();

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(cache.serveStale(key("a"))).isEmpty();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aNewerSuccessReplacesTheCopy() {
    cache.put(key("a"), "old");
    clock.advance(Duration.ofMinutes(5));
    cache.put(key("a"), "new");

    Stale<String> stale = cache.serveStale(key("a")).orElseThrow();
    assertThat(stale.value()).isEqualTo("new");
    assertThat(stale.asOf()).isEqualTo(clock.instant());
  }

  @Test
  void withFallbackStoresFreshAnswersAndServesThemStaleWhileTheDepartmentIsUnavailable() {
    Instant fetchedAt = clock.instant();
    Served<String> fresh = result(cache.withFallback(key("a"), () -> Future.succeededFuture("A")));
    assertThat(fresh).isInstanceOf(LastKnownGoodCache.Fresh.class);
    assertThat(fresh.stale()).isFalse();
    clock.advance(Duration.ofMinutes(30));

    Served<String> served =
        result(
            cache.withFallback(
                key("a"),
                () ->
                    Future.failedFuture(
                        ApiException.ofDepartment(ErrorCode.DEPARTMENT_UNAVAILABLE, "hrss")
                            .withRetryAfter(10))));

    assertThat(served).isInstanceOf(Stale.class);
    assertThat(served.value()).isEqualTo("A");
    assertThat(((Stale<String>) served).asOf()).isEqualTo(fetchedAt);
    Counter counter =
        meters
            .get(DepartmentMetrics.STALE_SERVES)
            .tags("department", "hrss", "service", "balance")
            .counter();
    assertThat(counter.count()).isEqualTo(1.0);
  }

  @Test
  void servesStaleOnTimeoutsAndDepartment5xx() {
    cache.put(key("a"), "A");

    assertThat(
            result(
                    cache.withFallback(
                        key("a"),
                        () -> Future.failedFuture(new DeadlineExceededException("hrss", 3000))))
                .stale())
        .isTrue();
    assertThat(
            result(
                    cache.withFallback(
                        key("a"),
                        () ->
                            Future.failedFuture(
                                ApiException.ofDepartment(
                                    ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"))))
                .stale())
        .isTrue();
  }

  @Test
  void neverHidesACitizenCausedFailureBehindAStaleCopy() {
    cache.put(key("a"), "A");

    Throwable cause =
        failure(
            cache.withFallback(
                key("a"),
                () -> Future.failedFuture(ErrorCode.DEPARTMENT_CITIZEN_NOT_FOUND.error())));

    assertThat(((ApiException) cause).code()).isEqualTo("department.citizen_not_found");
    assertThat(meters.find(DepartmentMetrics.STALE_SERVES).counter()).isNull();
  }

  @Test
  void failsWithTheOriginalFailureWhenNoCopyIsKnown() {
    ApiException unavailable =
        ApiException.ofDepartment(ErrorCode.DEPARTMENT_UNAVAILABLE, "hrss").withRetryAfter(5);

    assertThat(failure(cache.withFallback(key("a"), () -> Future.failedFuture(unavailable))))
        .isSameAs(unavailable);
  }

  @Test
  void invalidateForgetsACopy() {
    cache.put(key("a"), "A");

    cache.invalidate(key("a"));

    assertThat(cache.serveStale(key("a"))).isEmpty();
  }

  @Test
  void keysCarryNeitherTheCitizenKeyNorTheQuery() {
    Key key = Key.of("hrss", "balance", CITIZEN, "year=2025");

    assertThat(key.toString()).doesNotContain(CITIZEN).doesNotContain("2025");
    assertThat(key).isEqualTo(Key.of("hrss", "balance", CITIZEN, "year=2025"));
    assertThat(key).isNotEqualTo(Key.of("hrss", "balance", CITIZEN, "year=2024"));
    assertThat(Key.of("hrss", "balance", "ab", "c"))
        .isNotEqualTo(Key.of("hrss", "balance", "a", "bc"));
    assertThatThrownBy(() -> Key.of("HRSS/x", "balance", CITIZEN, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
