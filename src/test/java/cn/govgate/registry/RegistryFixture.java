package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.error.ApiException;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.sim.departments.DepartmentSimulatorOptions;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A gateway on a fresh database with a movable clock, department simulators on a Vert.x of their
 * own, and helpers that drive the admin API over HTTP the way an operator and a department would.
 */
public final class RegistryFixture implements AutoCloseable {

  static final List<SyntheticCitizen> CITIZENS = SyntheticCitizens.generate(200, 2024);
  static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  static final String CHENGDU = SyntheticCitizens.CHENGDU;

  final TestClock clock = TestClock.running();
  final Map<String, String> settings;
  final Gateway gateway;
  final String operator;
  final Vertx simulatorVertx = Vertx.vertx();
  private final List<DepartmentSimulator> simulators = new ArrayList<>();
  private final List<Gateway> extra = new ArrayList<>();
  private final List<JsonObject> registered = new ArrayList<>();
  private final List<JsonObject> departments = new ArrayList<>();

  private RegistryFixture(Map<String, String> settings) {
    this.settings = settings;
    this.gateway = startGateway();
    this.operator = "Bearer " + settings.get("admin.bootstrapKey");
  }

  /** A gateway with health checks effectively off and the given extra settings. */
  static RegistryFixture start(String... keyValues) {
    Map<String, String> settings =
        TestGateways.with(TestGateways.settings(), "registry.healthInterval", "1h");
    return new RegistryFixture(TestGateways.with(settings, keyValues));
  }

  /** Another gateway instance on the same database and keys. */
  Gateway startGateway() {
    try {
      Gateway g =
          Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), clock)
              .await(2, TimeUnit.MINUTES);
      extra.add(g);
      return g;
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start: " + e.getMessage(), e);
    }
  }

  String admin() {
    return gateway.baseUrl() + "/admin/v1";
  }

  HttpResponse<String> admin(String method, String path, String auth, JsonObject body) {
    Map<String, String> headers = new HashMap<>();
    if (auth != null) {
      headers.put("Authorization", auth);
    }
    return Http.send(method, admin() + path, body == null ? null : body.encode(), headers);
  }

  /**
   * A new department of {@code kind} with a credential; returns {@code {id, auth}} (auth = "Bearer
   * <token>").
   */
  JsonObject department(String kind) {
    String id =
        "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-" + kind;
    id = id.length() > 32 ? id.substring(0, 32) : id;
    HttpResponse<String> created =
        admin(
            "POST",
            "/departments",
            operator,
            new JsonObject().put("id", id).put("name", "测试部门 " + id).put("kind", kind));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> credential =
        admin("POST", "/departments/" + id + "/credentials", operator, null);
    assertThat(credential.statusCode()).as(credential.body()).isEqualTo(201);
    JsonObject department =
        new JsonObject()
            .put("id", id)
            .put("auth", "Bearer " + Http.json(credential).getString("token"));
    departments.add(department);
    return department;
  }

  /**
   * As the operator: assigns the department the routes of a registration body (its service types ×
   * regions).
   */
  void assign(JsonObject department, JsonObject body) {
    assign(gateway, operator, department.getString("id"), body);
  }

  static void assign(Gateway gateway, String operator, String departmentId, JsonObject body) {
    HttpResponse<String> r =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments/" + departmentId + "/assignments",
            new JsonObject()
                .put("serviceTypes", body.getJsonArray("serviceTypes"))
                .put("regions", body.getJsonArray("regions"))
                .encode(),
            Map.of("Authorization", operator));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  DepartmentSimulator simulator(
      DepartmentFamily family, String region, String keyId, String secret) {
    DepartmentSimulator sim =
        await(
            DepartmentSimulator.start(
                simulatorVertx,
                DepartmentSimulatorOptions.create(family, region, keyId, secret, CITIZENS)
                    .withClock(clock)));
    simulators.add(sim);
    return sim;
  }

  /**
   * A registration body for a simulator, with small windows so that a few calls decide the breaker.
   * Deadlines are generous and slow calls do not count unless a test asks for it: the test machines
   * are shared and busy.
   */
  public static JsonObject backendBody(
      DepartmentSimulator sim, String keyId, String secret, String... serviceTypes) {
    return new JsonObject()
        .put("serviceTypes", new JsonArray(List.of(serviceTypes)))
        .put("regions", new JsonArray().add(sim.region()))
        .put("baseUrl", sim.baseUrl())
        .put("auth", new JsonObject().put("type", "hmac").put("keyId", keyId).put("secret", secret))
        .put("deadlineMs", 1500)
        .put("maxConcurrentCalls", 10)
        .put(
            "breaker",
            new JsonObject()
                .put("failureRateThreshold", 50)
                .put("slowCallRateThreshold", 100)
                .put("slowCallDurationMs", 1500)
                .put("slidingWindowSize", 4)
                .put("minimumNumberOfCalls", 4)
                .put("waitDurationInOpenStateMs", 10_000)
                .put("permittedCallsInHalfOpenState", 1));
  }

  /**
   * As the operator, assigns the department the body's routes; then, as the department, registers
   * {@code body} and waits until this fixture's gateway routes to it.
   */
  Backend register(JsonObject department, JsonObject body) {
    assign(department, body);
    HttpResponse<String> r =
        admin(
            "POST",
            "/departments/" + department.getString("id") + "/backends",
            department.getString("auth"),
            body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = Http.json(r).getString("id");
    registered.add(new JsonObject().put("department", department).put("backend", id));
    Backend backend = awaitBackend(gateway, id, Http.json(r).getInteger("version"));
    // The first health check runs as soon as a backend is wired; let it finish so that it is not
    // counted as a
    // request of the test.
    waitFor(() -> gateway.departmentRegistry().healthy(id) != null, Duration.ofSeconds(10));
    return backend;
  }

  /** Remembers a backend registered by other means, for {@link #deregisterAll}. */
  void registeredElsewhere(JsonObject department, String backendId) {
    registered.add(new JsonObject().put("department", department).put("backend", backendId));
  }

  /** Forgets a backend the test deregistered itself. */
  void forget(String backendId) {
    registered.removeIf(e -> e.getString("backend").equals(backendId));
  }

  /**
   * Deregisters what {@link #register} registered and every other backend of the departments of
   * this fixture, and withdraws their routes, so that the next test may assign and serve the same
   * routes.
   */
  void deregisterAll() {
    for (JsonObject entry : registered) {
      JsonObject department = entry.getJsonObject("department");
      String backend = entry.getString("backend");
      admin(
          "DELETE",
          "/departments/" + department.getString("id") + "/backends/" + backend,
          department.getString("auth"),
          null);
      waitFor(
          () -> gateway.departmentRegistry().routes().backend(backend) == null,
          Duration.ofSeconds(5));
    }
    registered.clear();
    for (JsonObject department : departments) {
      String base = "/departments/" + department.getString("id");
      for (Object b :
          Http.json(admin("GET", base + "/backends", operator, null)).getJsonArray("backends")) {
        admin("DELETE", base + "/backends/" + ((JsonObject) b).getString("id"), operator, null);
      }
      for (Object a :
          Http.json(admin("GET", base + "/assignments", operator, null))
              .getJsonArray("assignments")) {
        JsonObject route = (JsonObject) a;
        HttpResponse<String> withdrawn =
            admin(
                "DELETE",
                base
                    + "/assignments/"
                    + route.getString("serviceType")
                    + "/"
                    + route.getString("region"),
                operator,
                null);
        assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
      }
    }
    departments.clear();
  }

  /** A department created and registered through the admin API, with its running simulator. */
  public record RegisteredDepartment(
      DepartmentSimulator simulator, String credential, String backendId) {}

  /**
   * As a department would: the operator creates department {@code id} of {@code family}, assigns it
   * {@code serviceTypes} in {@code region} and issues its credential; the department starts its
   * simulator for {@code region} (signing with a fresh key) and registers it for {@code
   * serviceTypes} with that credential; returns once this gateway routes to it.
   */
  public static RegisteredDepartment registerSimulator(
      Gateway gateway,
      String operator,
      Vertx vertx,
      String id,
      DepartmentFamily family,
      String region,
      List<SyntheticCitizen> people,
      java.time.Clock clock,
      String... serviceTypes) {
    HttpResponse<String> created =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments",
            new JsonObject()
                .put("id", id)
                .put("name", "测试" + id)
                .put("kind", family.wireName())
                .encode(),
            Map.of("Authorization", operator));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> credential =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments/" + id + "/credentials",
            null,
            Map.of("Authorization", operator));
    assertThat(credential.statusCode()).as(credential.body()).isEqualTo(201);
    String auth = "Bearer " + Http.json(credential).getString("token");
    String keyId = "key-" + id;
    String secret = TestGateways.randomKey(24);
    DepartmentSimulator sim;
    try {
      sim =
          DepartmentSimulator.start(
                  vertx,
                  DepartmentSimulatorOptions.create(family, region, keyId, secret, people)
                      .withClock(clock))
              .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    JsonObject body = backendBody(sim, keyId, secret, serviceTypes);
    assign(gateway, operator, id, body);
    HttpResponse<String> registered =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments/" + id + "/backends",
            body.encode(),
            Map.of("Authorization", auth));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    String backend = Http.json(registered).getString("id");
    awaitBackend(gateway, backend, Http.json(registered).getInteger("version"));
    return new RegisteredDepartment(sim, auth, backend);
  }

  public static Backend awaitBackend(Gateway g, String backendId, int version) {
    waitFor(
        () -> {
          Backend b = g.departmentRegistry().routes().backend(backendId);
          return b != null && b.row().version() >= version;
        },
        Duration.ofSeconds(5));
    return g.departmentRegistry().routes().backend(backendId);
  }

  /**
   * Polls a condition (no fixed sleeps standing in for logic: it returns as soon as the condition
   * holds).
   */
  public static void waitFor(BooleanSupplier condition, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("condition not met within " + max);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static SyntheticCitizen citizenOf(String region) {
    return CITIZENS.stream().filter(c -> c.homeRegion().equals(region)).findFirst().orElseThrow();
  }

  static JsonObject citizenJson(SyntheticCitizen c) {
    return new JsonObject().put("idNumber", c.idNumber()).put("name", c.name());
  }

  Future<DepartmentAnswer> call(
      String serviceType, String region, SyntheticCitizen citizen, boolean read) {
    return gateway
        .departments()
        .call(
            serviceType,
            region,
            citizen == null ? null : citizenJson(citizen),
            new JsonObject(),
            "test-" + Long.toHexString(System.nanoTime()),
            read);
  }

  DepartmentAnswer answer(String serviceType, String region, SyntheticCitizen citizen) {
    return await(call(serviceType, region, citizen, true));
  }

  ApiException failure(String serviceType, String region, SyntheticCitizen citizen) {
    return failure(call(serviceType, region, citizen, true));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ApiException failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ApiException.class);
      return (ApiException) e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    simulators.forEach(s -> await(s.close()));
    await(simulatorVertx.close());
    extra.forEach(TestGateways::stop);
  }
}
