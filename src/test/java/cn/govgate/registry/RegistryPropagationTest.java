package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static cn.govgate.registry.RegistryFixture.backendBody;
import static cn.govgate.registry.RegistryFixture.citizenOf;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.error.ApiException;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.Http;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances on one database: changes reach both within a second; deregistration drains.
 */
class RegistryPropagationTest {

  private static final String ACCOUNT = "social-security.account";
  private static RegistryFixture fx;
  private static Gateway second;

  @BeforeAll
  static void start() {
    fx = RegistryFixture.start("registry.healthInterval", "200ms");
    second = fx.startGateway();
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

  private DepartmentSimulator simulator(JsonObject department) {
    return fx.simulator(
        DepartmentFamily.SOCIAL_SECURITY,
        HANGZHOU,
        "k-" + department.getString("id"),
        "secret-of-" + department.getString("id"));
  }

  private static JsonObject body(JsonObject department, DepartmentSimulator sim) {
    return backendBody(
        sim, "k-" + department.getString("id"), "secret-of-" + department.getString("id"), ACCOUNT);
  }

  @Test
  void aRegistrationOnOneInstanceIsRoutedByTheOtherWithinASecond() {
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = simulator(d);
    fx.assign(d, body(d, sim));
    HttpResponse<String> created =
        fx.admin(
            "POST",
            "/departments/" + d.getString("id") + "/backends",
            d.getString("auth"),
            body(d, sim));
    long committedAt = System.nanoTime();
    String id = Http.json(created).getString("id");
    RegistryFixture.waitFor(
        () -> second.departmentRegistry().routes().backend(id) != null, Duration.ofSeconds(1));
    long tookMs = (System.nanoTime() - committedAt) / 1_000_000;
    assertThat(tookMs).isLessThan(1000);
    RegistryFixture.awaitBackend(fx.gateway, id, 1);

    DepartmentAnswer viaSecond =
        RegistryFixture.await(
            second
                .departments()
                .call(
                    ACCOUNT,
                    HANGZHOU,
                    RegistryFixture.citizenJson(citizenOf(HANGZHOU)),
                    new JsonObject(),
                    "propagation-test-1",
                    true));
    assertThat(viaSecond.backend()).isEqualTo(id);

    // A change made through the second instance reaches the first.
    JsonObject update = body(d, sim).put("deadlineMs", 2500);
    HttpResponse<String> updated =
        Http.send(
            "PUT",
            second.baseUrl() + "/admin/v1/departments/" + d.getString("id") + "/backends/" + id,
            update.encode(),
            java.util.Map.of("Authorization", d.getString("auth")));
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    long updatedAt = System.nanoTime();
    RegistryFixture.waitFor(
        () -> fx.gateway.departmentRegistry().routes().backend(id).row().version() == 2,
        Duration.ofSeconds(1));
    assertThat((System.nanoTime() - updatedAt) / 1_000_000).isLessThan(1000);
    assertThat(fx.gateway.departmentRegistry().routes().backend(id).guard().config().deadline())
        .isEqualTo(Duration.ofMillis(2500));
    fx.registeredElsewhere(d, id);
  }

  @Test
  void deregistrationDrainsInFlightCallsAndRefusesNewOnes() {
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = simulator(d);
    Backend backend = fx.register(d, body(d, sim));
    sim.faults(DepartmentFaults.none().withLatencyMs(800));
    Future<DepartmentAnswer> inFlight = fx.call(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU), true);
    RegistryFixture.waitFor(() -> backend.guard().inFlight() == 1, Duration.ofSeconds(5));

    HttpResponse<String> deleted =
        fx.admin(
            "DELETE",
            "/departments/" + d.getString("id") + "/backends/" + backend.id(),
            d.getString("auth"),
            null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    RegistryFixture.waitFor(
        () -> fx.gateway.departmentRegistry().routes().backend(backend.id()) == null,
        Duration.ofSeconds(1));
    assertThat(backend.guard().draining()).isTrue();
    ApiException refused = fx.failure(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU));
    assertThat(refused.code()).isEqualTo("region.service_not_offered");
    // Someone still holding the old route (a request that looked it up a moment earlier) is
    // refused, not queued.
    ApiException late =
        RegistryFixture.failure(backend.guard().call("late", () -> Future.succeededFuture("x")));
    assertThat(late.code()).isEqualTo("department.unavailable");

    DepartmentAnswer finished = RegistryFixture.await(inFlight);
    assertThat(finished.stale()).isFalse();
    RegistryFixture.await(backend.guard().drained());
    RegistryFixture.waitFor(
        () ->
            fx.gateway
                .registry()
                .find("resilience4j.circuitbreaker.state")
                .tag("name", backend.guard().resilienceName())
                .meters()
                .isEmpty(),
        Duration.ofSeconds(5));
    RegistryFixture.waitFor(
        () ->
            fx.gateway
                .registry()
                .find(Registry.HEALTH)
                .tag("backend", backend.id())
                .meters()
                .isEmpty(),
        Duration.ofSeconds(5));
    fx.forget(backend.id());
  }

  @Test
  void healthChecksFeedTheHealthGauge() {
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = simulator(d);
    Backend backend = fx.register(d, body(d, sim));
    RegistryFixture.waitFor(() -> health(backend) == 1.0, Duration.ofSeconds(5));
    sim.faults(DepartmentFaults.none().withUnderMaintenance(true));
    RegistryFixture.waitFor(() -> health(backend) == 0.0, Duration.ofSeconds(5));
    sim.faults(DepartmentFaults.none());
    RegistryFixture.waitFor(() -> health(backend) == 1.0, Duration.ofSeconds(5));
    Gauge gauge = fx.gateway.registry().find(Registry.HEALTH).tag("backend", backend.id()).gauge();
    assertThat(gauge.getId().getTag("department")).isEqualTo(d.getString("id"));
    assertThat(gauge.getId().getTags()).hasSize(2);
  }

  private static double health(Backend backend) {
    Gauge gauge = fx.gateway.registry().find(Registry.HEALTH).tag("backend", backend.id()).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void aListenerThatReconnectsReloadsEverything() throws Exception {
    // Cut every LISTEN connection; a change made while they are down is picked up by the full
    // reload that
    // follows the reconnect.
    var pool = fx.gateway.database().pool();
    int reloadsBefore = second.departmentRegistry().reloads();
    var cut =
        pool.query(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
                    + "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
            .execute()
            .await(10, TimeUnit.SECONDS);
    assertThat(cut.iterator().next().getLong("n"))
        .as("listener connections cut")
        .isGreaterThanOrEqualTo(2);
    JsonObject d = fx.department("social-security");
    DepartmentSimulator sim = simulator(d);
    fx.assign(d, body(d, sim));
    HttpResponse<String> created =
        fx.admin(
            "POST",
            "/departments/" + d.getString("id") + "/backends",
            d.getString("auth"),
            body(d, sim));
    String id = Http.json(created).getString("id");
    fx.registeredElsewhere(d, id);
    RegistryFixture.waitFor(
        () ->
            second.departmentRegistry().routes().backend(id) != null
                && fx.gateway.departmentRegistry().routes().backend(id) != null,
        Duration.ofSeconds(10));
    assertThat(second.departmentRegistry().reloads()).isGreaterThan(reloadsBefore);
  }

  @Test
  void readinessReportsTheRegistryLoaded() {
    HttpResponse<String> ready = Http.get(second.baseUrl() + "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"registry\"");
  }
}
