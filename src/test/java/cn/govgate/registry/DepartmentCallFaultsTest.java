package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.CHENGDU;
import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static cn.govgate.registry.RegistryFixture.backendBody;
import static cn.govgate.registry.RegistryFixture.citizenOf;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ApiException;
import cn.govgate.error.Origin;
import cn.govgate.resilience.DepartmentMetrics;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every department fault ends in its clear error for the client and in the breaker's transitions
 * (closed → open → half-open → closed, time moved by the clock), while other departments keep
 * answering.
 */
class DepartmentCallFaultsTest {

  private static final String ACCOUNT = "social-security.account";
  private static RegistryFixture fx;

  @BeforeAll
  static void start() {
    // No retries: each client call is exactly one guarded call, so the breaker's window counts are
    // exact.
    fx = RegistryFixture.start("registry.maxRetries", "0");
  }

  @AfterEach
  void deregister() {
    fx.deregisterAll();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  /** A fresh department with one simulator-backed backend serving {@value #ACCOUNT} in Hangzhou. */
  private record Setup(DepartmentSimulator sim, Backend backend) {}

  private Setup setup(JsonObject overrides) {
    JsonObject department = fx.department("social-security");
    String keyId = "key-" + department.getString("id");
    String secret =
        "secret-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-padding";
    DepartmentSimulator sim =
        fx.simulator(DepartmentFamily.SOCIAL_SECURITY, HANGZHOU, keyId, secret);
    JsonObject body = backendBody(sim, keyId, secret, ACCOUNT).mergeIn(overrides, true);
    return new Setup(sim, fx.register(department, body));
  }

  private static final SyntheticCitizen CITIZEN = citizenOf(HANGZHOU);

  private double transitions(Backend b, String from, String to) {
    Counter c =
        fx.gateway
            .registry()
            .find(DepartmentMetrics.TRANSITIONS)
            .tag("name", b.guard().resilienceName())
            .tag("from", from)
            .tag("to", to)
            .counter();
    return c == null ? 0 : c.count();
  }

  /**
   * The fault fails four calls with {@code code}; the breaker (window 4, 50 %) opens and refuses
   * the next one without reaching the department; after the open wait the next call probes, the
   * department has recovered and the breaker closes.
   */
  private void faultEndsInCodeAndCyclesTheBreaker(DepartmentFaults fault, String code, int status) {
    Setup s = setup(new JsonObject());
    s.sim().faults(fault);
    for (int i = 0; i < 4; i++) {
      ApiException e = fx.failure(ACCOUNT, HANGZHOU, CITIZEN);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.status()).isEqualTo(status);
    }
    assertOpensThenRecovers(s);
  }

  private void assertOpensThenRecovers(Setup s) {
    Backend b = s.backend();
    assertThat(b.guard().state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(transitions(b, "closed", "open")).isEqualTo(1);
    long reached = s.sim().requestCount();
    ApiException refused = fx.failure(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(refused.code()).isEqualTo("department.unavailable");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.retryAfterSeconds()).isBetween(1, 10);
    assertThat(s.sim().requestCount())
        .as("an open breaker does not reach the department")
        .isEqualTo(reached);

    s.sim().faults(DepartmentFaults.none());
    fx.clock.advance(Duration.ofSeconds(11));
    DepartmentAnswer probe = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(probe.stale()).isFalse();
    assertThat(probe.data().getString("insuredStatus")).isNotNull();
    assertThat(transitions(b, "open", "half_open")).isEqualTo(1);
    assertThat(transitions(b, "half_open", "closed")).isEqualTo(1);
    assertThat(b.guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void slowDepartmentOpensTheBreakerOnSlowCalls() {
    Setup s =
        setup(
            new JsonObject()
                .put("deadlineMs", 5000)
                .put(
                    "breaker",
                    new JsonObject()
                        .put("slowCallRateThreshold", 50)
                        .put("slowCallDurationMs", 1000)));
    // 1.2 s is well within the deadline but over the slow-call duration (which a healthy call on a
    // busy test
    // machine stays far below).
    s.sim().faults(DepartmentFaults.none().withLatencyMs(1200));
    for (int i = 0; i < 4; i++) {
      DepartmentAnswer slow = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
      assertThat(slow.stale()).isFalse();
    }
    // The copies above are cached: while the breaker is open the citizen gets them, labelled stale.
    DepartmentAnswer stale = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(stale.stale()).isTrue();
    Backend b = s.backend();
    assertThat(b.guard().state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.guard().breaker().getMetrics().getNumberOfSlowCalls()).isEqualTo(4);
    SyntheticCitizen other =
        RegistryFixture.CITIZENS.stream()
            .filter(c -> c.homeRegion().equals(HANGZHOU))
            .skip(1)
            .findFirst()
            .orElseThrow();
    ApiException refused = fx.failure(ACCOUNT, HANGZHOU, other);
    assertThat(refused.code()).isEqualTo("department.unavailable");
    s.sim().faults(DepartmentFaults.none());
    fx.clock.advance(Duration.ofSeconds(11));
    assertThat(fx.answer(ACCOUNT, HANGZHOU, other).stale()).isFalse();
    assertThat(transitions(b, "closed", "open")).isEqualTo(1);
    assertThat(transitions(b, "half_open", "closed")).isEqualTo(1);
  }

  @Test
  void internalErrorsAreDepartmentErrorsAndOpenTheBreaker() {
    faultEndsInCodeAndCyclesTheBreaker(
        DepartmentFaults.none().withErrorRate(1.0), "department.error", 502);
  }

  @Test
  void hangPastTheDeadlineIsATimeoutAndOpensTheBreaker() {
    faultEndsInCodeAndCyclesTheBreaker(
        DepartmentFaults.none().withHang(true), "department.timeout", 504);
  }

  @Test
  void abortedConnectionIsAConnectionFailureAndOpensTheBreaker() {
    faultEndsInCodeAndCyclesTheBreaker(
        DepartmentFaults.none().withAbortConnection(true), "department.connection_failed", 502);
  }

  @Test
  void malformedBodyIsABadResponseAndOpensTheBreaker() {
    faultEndsInCodeAndCyclesTheBreaker(
        DepartmentFaults.none().withMalformedBody(true), "department.bad_response", 502);
  }

  @Test
  void schemaViolationIsABadResponseAndOpensTheBreaker() {
    faultEndsInCodeAndCyclesTheBreaker(
        DepartmentFaults.none().withSchemaBreakingBody(true), "department.bad_response", 502);
  }

  @Test
  void maintenanceIsServiceUnavailableWithTheDepartmentsRetryAfter() {
    Setup s = setup(new JsonObject());
    s.sim().faults(DepartmentFaults.none().withUnderMaintenance(true));
    ApiException e = fx.failure(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(e.code()).isEqualTo("department.under_maintenance");
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.retryAfterSeconds()).isEqualTo(60);
  }

  @Test
  void unknownCitizenIsNotFoundAndNeverOpensTheBreaker() {
    Setup s = setup(new JsonObject());
    SyntheticCitizen stranger =
        SyntheticCitizens.generate(50, 77).stream()
            .filter(c -> c.homeRegion().equals(HANGZHOU))
            .findFirst()
            .orElseThrow();
    for (int i = 0; i < 6; i++) {
      ApiException e = fx.failure(ACCOUNT, HANGZHOU, stranger);
      assertThat(e.code()).isEqualTo("department.citizen_not_found");
      assertThat(e.status()).isEqualTo(404);
    }
    assertThat(s.backend().guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(s.backend().guard().breaker().getMetrics().getNumberOfFailedCalls()).isZero();
  }

  @Test
  void fullBulkheadFailsAtOnceWithAClearError() {
    Setup s = setup(new JsonObject().put("maxConcurrentCalls", 1).put("deadlineMs", 2000));
    s.sim().faults(DepartmentFaults.none().withHang(true));
    Future<DepartmentAnswer> holding = fx.call(ACCOUNT, HANGZHOU, CITIZEN, true);
    RegistryFixture.waitFor(() -> s.backend().guard().inFlight() == 1, Duration.ofSeconds(5));
    long start = System.nanoTime();
    ApiException busy = fx.failure(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(busy.code()).isEqualTo("department.busy");
    assertThat(busy.status()).isEqualTo(503);
    assertThat(busy.retryAfterSeconds()).isEqualTo(1);
    assertThat(tookMs).as("refused without waiting for the hung call").isLessThan(1000);
    assertThat(
            fx.gateway
                .registry()
                .find(DepartmentMetrics.CALLS)
                .tag("department", s.backend().id())
                .tag("service", "social-security_account")
                .tag("outcome", "rejected_full")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(
            fx.gateway
                .registry()
                .find("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", s.backend().guard().resilienceName())
                .gauge()
                .value())
        .isZero();
    ApiException held = RegistryFixture.failure(holding);
    assertThat(held.code()).as(String.valueOf(held.getCause())).isEqualTo("department.timeout");
  }

  @Test
  void aHangingDepartmentDoesNotSlowAnotherDepartment() {
    Setup hanging = setup(new JsonObject().put("deadlineMs", 3000).put("maxConcurrentCalls", 20));
    hanging.sim().faults(DepartmentFaults.none().withHang(true));
    JsonObject traffic = fx.department("traffic");
    String secret = "traffic-secret-0123456789";
    DepartmentSimulator trafficSim =
        fx.simulator(DepartmentFamily.TRAFFIC, HANGZHOU, "traffic-key", secret);
    fx.register(traffic, backendBody(trafficSim, "traffic-key", secret, "traffic.vehicles"));

    List<Future<DepartmentAnswer>> stuck = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      stuck.add(fx.call(ACCOUNT, HANGZHOU, RegistryFixture.CITIZENS.get(i), true));
    }
    RegistryFixture.waitFor(
        () -> hanging.backend().guard().inFlight() == 20, Duration.ofSeconds(5));
    long worstMs = 0;
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      DepartmentAnswer answer = fx.answer("traffic.vehicles", HANGZHOU, citizenOf(HANGZHOU));
      worstMs = Math.max(worstMs, (System.nanoTime() - start) / 1_000_000);
      assertThat(answer.stale()).isFalse();
    }
    assertThat(hanging.backend().guard().inFlight())
        .as("the hung calls were still hanging")
        .isEqualTo(20);
    assertThat(worstMs).as("slowest call to the healthy department").isLessThan(1000);
    stuck.forEach(
        f -> assertThat(RegistryFixture.failure(f).code()).isEqualTo("department.timeout"));
  }

  @Test
  void staleCopyIsServedAndLabelledThenFreshAfterRecovery() {
    Setup s = setup(new JsonObject());
    DepartmentAnswer fresh = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(fresh.stale()).isFalse();
    assertThat(fresh.department()).isEqualTo(s.backend().departmentId());

    fx.clock.advance(Duration.ofMinutes(5));
    s.sim().faults(DepartmentFaults.none().withErrorRate(1.0));
    for (int i = 0; i < 5; i++) {
      DepartmentAnswer stale = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
      assertThat(stale.stale()).isTrue();
      assertThat(stale.asOf()).isEqualTo(fresh.asOf());
      assertThat(stale.data()).isEqualTo(fresh.data());
      assertThat(stale.toJson().getBoolean("stale")).isTrue();
      assertThat(stale.toJson().getString("asOf")).isEqualTo(fresh.asOf().toString());
    }
    assertThat(s.backend().guard().state()).isEqualTo(CircuitBreaker.State.OPEN);
    double served =
        fx.gateway
            .registry()
            .find(DepartmentMetrics.STALE_SERVES)
            .tag("department", s.backend().id())
            .counter()
            .count();
    assertThat(served).isEqualTo(5);

    s.sim().faults(DepartmentFaults.none());
    fx.clock.advance(Duration.ofSeconds(11));
    DepartmentAnswer again = fx.answer(ACCOUNT, HANGZHOU, CITIZEN);
    assertThat(again.stale()).isFalse();
    assertThat(again.asOf()).isAfter(fresh.asOf());
    assertThat(s.backend().guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aRegionWithoutTheServiceIsNotOfferedAndSaysWhatIs() {
    setup(new JsonObject());
    ApiException e = fx.failure("social-security.contributions", CHENGDU, citizenOf(CHENGDU));
    assertThat(e.code()).isEqualTo("region.service_not_offered");
    assertThat(e.status()).isEqualTo(404);
    assertThat(e.details().getString("region")).isEqualTo(CHENGDU);
    ApiException account = fx.failure(ACCOUNT, "330200", null);
    assertThat(account.code()).isEqualTo("region.service_not_offered");
    assertThat(account.details().getJsonArray("regionsOfService").getList()).contains(HANGZHOU);
  }

  @Test
  void aDepartmentRefusingOurSignatureIsAGatewaySideFaultThatDoesNotOpenItsBreaker() {
    JsonObject department = fx.department("social-security");
    DepartmentSimulator sim =
        fx.simulator(
            DepartmentFamily.SOCIAL_SECURITY, HANGZHOU, "key-a", "the-secret-the-department-holds");
    Backend b =
        fx.register(
            department, backendBody(sim, "key-a", "a-different-secret-we-were-given", ACCOUNT));
    for (int i = 0; i < 5; i++) {
      ApiException e = fx.failure(ACCOUNT, HANGZHOU, CITIZEN);
      assertThat(e.code())
          .as(e.getCause() + " " + e.details() + " " + b.guard().state())
          .isEqualTo("department.authentication_failed");
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.origin()).isEqualTo(Origin.GATEWAY);
    }
    assertThat(b.guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
