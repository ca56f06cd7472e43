package cn.govgate.services;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.demo.SyntheticCitizen;
import cn.govgate.demo.departments.DepartmentFamily;
import cn.govgate.demo.departments.DepartmentSimulator;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.testing.Http;
import cn.govgate.registry.ShiftClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole chain for service tests: both channel simulators (through {@link IdentityTestBed}), a gateway on a
 * fresh database whose department clock is movable, and department simulators registered through the admin API by
 * the departments' own credentials, as a real department would register. Blocking helpers for the test thread.
 */
final class ServicesTestBed implements AutoCloseable {
  static final int VEHICLE_LOOKUP_LIMIT = 5;
  final IdentityTestBed identity;
  final ShiftClock clock = new ShiftClock();
  final Gateway gateway;
  final String operator;
  private final List<DepartmentSimulator> simulators = new ArrayList<>();

  ServicesTestBed(int people, long seed) throws Exception {
    identity = new IdentityTestBed(people, seed);
    // A vehicle-lookup limit other than the default, so that the test shows the setting is honoured.
    Map<String, String> settings = TestGateways.with(identity.settings(), "registry.healthInterval", "1h",
        "services.vehicleLookupLimit", String.valueOf(VEHICLE_LOOKUP_LIMIT));
    gateway = Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), clock).await(2, TimeUnit.MINUTES);
    operator = "Bearer " + settings.get("admin.bootstrapKey");
  }

  /**
   * Creates department {@code id} of {@code family}, starts its simulator for {@code region} and registers it for
   * {@code serviceTypes}; returns the simulator. The department's admin credential is in {@link #credential}.
   */
  DepartmentSimulator department(String id, DepartmentFamily family, String region, String... serviceTypes) {
    RegistryFixture.RegisteredDepartment registered = RegistryFixture.registerSimulator(gateway, operator,
        identity.vertx, id, family, region, identity.people, clock, serviceTypes);
    DepartmentSimulator sim = registered.simulator();
    simulators.add(sim);
    credentials.put(id, registered.credential());
    RegistryFixture.waitFor(() -> gateway.departmentRegistry().healthy(registered.backendId()) != null,
        Duration.ofSeconds(10));
    return sim;
  }

  private final Map<String, String> credentials = new HashMap<>();

  /** {@code Authorization} header value of a department created by {@link #department}. */
  String credential(String departmentId) {
    return credentials.get(departmentId);
  }

  /** An L3 session (login, real name, face) for {@code person} through {@code channel}. */
  String l3(String channel, SyntheticCitizen person) {
    return channel.equals("alipay")
        ? identity.alipayToL3(gateway, identity.alipayUser(person, false), person)
        : identity.wechatToL3(gateway, identity.wechatUser(person), person);
  }

  /** An L2 session: Alipay shares the certified real name, which matches the claim; no face check. */
  String l2(SyntheticCitizen person) {
    String token = identity.alipayToken(gateway, identity.alipayUser(person, true));
    HttpResponse<String> started = IdentityTestBed.start(gateway, token, person.name(), person.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonObject session = Http.json(started).getJsonObject("session");
    assertThat(session.getString("level")).isEqualTo("L2");
    return session.getString("token");
  }

  /** An L1 session: a WeChat login without real-name verification. */
  String l1(SyntheticCitizen person) {
    return identity.wechatToken(gateway, identity.wechatUser(person));
  }

  HttpResponse<String> get(String pathAndQuery, String token) {
    return Http.get(gateway.baseUrl() + pathAndQuery, token == null ? Map.of() : IdentityTestBed.bearer(token));
  }

  HttpResponse<String> post(String path, JsonObject body, String token) {
    return Http.post(gateway.baseUrl() + path, body.encode(),
        token == null ? Map.of() : IdentityTestBed.bearer(token));
  }

  @Override
  public void close() throws Exception {
    TestGateways.stop(gateway);
    for (DepartmentSimulator s : simulators) s.close().await(10, TimeUnit.SECONDS);
    identity.close();
  }
}
