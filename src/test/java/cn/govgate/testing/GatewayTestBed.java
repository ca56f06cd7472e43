package cn.govgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.payments.PaymentSystem;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole gateway as production wires it, on real parts: both channel simulators (through {@link
 * IdentityTestBed}; the WeChat one with a Pay merchant), a gateway on a fresh database whose
 * department/ratings/proofs/payments clock is a {@link TestClock}, and department simulators
 * registered through the admin API by the departments' own credentials, as a real department
 * registers. The gateway can be stopped and started again on the same database (a crash between two
 * steps). Blocking helpers for the test thread.
 */
public final class GatewayTestBed implements AutoCloseable {
  public static final String MCH_ID = "1900000042";
  public static final String API_V3_KEY = "abcdefghijklmnopqrstuvwxyz012345";

  public final IdentityTestBed identity;
  public final TestClock clock;
  public final Map<String, String> settings;

  /** {@code Authorization} header value of the operator. */
  public final String operator;

  public Gateway gateway;
  private final List<DepartmentSimulator> simulators = new ArrayList<>();
  private final Map<String, String> credentials = new HashMap<>();

  /**
   * Starts the simulators and a gateway.
   *
   * @param people synthetic citizens the channel and department simulators know
   * @param clock the gateway's and the department simulators' clock
   * @param overrides gateway settings as key, value, key, value…
   */
  public GatewayTestBed(int people, long seed, TestClock clock, String... overrides)
      throws Exception {
    this.identity = new IdentityTestBed(people, seed);
    this.clock = clock;
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair merchant = gen.generateKeyPair();
    String serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    identity.wechat.registerMerchant(
        MCH_ID,
        Base64.getEncoder().encodeToString(merchant.getPublic().getEncoded()),
        serial,
        API_V3_KEY);
    Map<String, String> s =
        TestGateways.with(
            identity.settings(),
            // Health checks at registration only: tests switch faults and expect exactly the calls
            // they make.
            "registry.healthInterval",
            "1h",
            "wechat.merchant.mchId",
            MCH_ID,
            "wechat.merchant.privateKey",
            Base64.getEncoder().encodeToString(merchant.getPrivate().getEncoded()),
            "wechat.merchant.serialNo",
            serial,
            "wechat.merchant.apiV3Key",
            API_V3_KEY,
            "wechat.merchant.platformPublicKey",
            identity.wechat.platformPublicKey(),
            "wechat.merchant.platformSerial",
            identity.wechat.platformSerial(),
            // Only a default: every prepay names the gateway's own callback URL.
            "wechat.merchant.notifyUrl",
            "https://gov.example.cn/callbacks/wechat");
    this.settings = TestGateways.with(s, overrides);
    this.operator = "Bearer " + settings.get("admin.bootstrapKey");
    startGateway();
  }

  public void startGateway() throws Exception {
    gateway =
        Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), clock)
            .await(2, TimeUnit.MINUTES);
  }

  /** Stops the gateway as a crash would leave things: whatever was not committed is gone. */
  public void stopGateway() {
    TestGateways.stop(gateway);
    gateway = null;
  }

  public PaymentSystem payments() {
    return gateway.payments();
  }

  /**
   * Creates department {@code id} of {@code family}, starts its simulator for {@code region} and
   * registers it for {@code serviceTypes} with the department's own credential (see {@link
   * #credential}); returns the simulator once the gateway has checked its health.
   */
  public DepartmentSimulator department(
      String id, DepartmentFamily family, String region, String... serviceTypes) {
    RegistryFixture.RegisteredDepartment registered =
        RegistryFixture.registerSimulator(
            gateway,
            operator,
            identity.vertx,
            id,
            family,
            region,
            identity.people,
            clock,
            serviceTypes);
    simulators.add(registered.simulator());
    credentials.put(id, registered.credential());
    RegistryFixture.waitFor(
        () -> gateway.departmentRegistry().healthy(registered.backendId()) != null,
        Duration.ofSeconds(10));
    return registered.simulator();
  }

  /** {@code Authorization} header value of a department created by {@link #department}. */
  public String credential(String departmentId) {
    return credentials.get(departmentId);
  }

  /** An L3 session (login, real name, face) for {@code person} through {@code channel}. */
  public String l3(String channel, SyntheticCitizen person) {
    return channel.equals("alipay")
        ? identity.alipayToL3(gateway, identity.alipayUser(person, false), person)
        : identity.wechatToL3(gateway, identity.wechatUser(person), person);
  }

  /**
   * An L2 session on Alipay: the channel shares the certified real name, which matches the claim;
   * no face.
   */
  public String l2(SyntheticCitizen person) {
    String token = identity.alipayToken(gateway, identity.alipayUser(person, true));
    HttpResponse<String> started =
        IdentityTestBed.start(gateway, token, person.name(), person.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonObject session = Http.json(started).getJsonObject("session");
    assertThat(session.getString("level")).isEqualTo("L2");
    return session.getString("token");
  }

  /** An L1 session: a WeChat login without real-name verification. */
  public String l1(SyntheticCitizen person) {
    return identity.wechatToken(gateway, identity.wechatUser(person));
  }

  /** The citizen key a bound session (L2 and up) carries as its subject. */
  public static String citizenKey(String token) {
    return IdentityTestBed.payload(token).getString("sub");
  }

  public HttpResponse<String> get(String pathAndQuery, String token) {
    return Http.get(
        gateway.baseUrl() + pathAndQuery, token == null ? Map.of() : IdentityTestBed.bearer(token));
  }

  public HttpResponse<String> post(String path, JsonObject body, String token) {
    return Http.post(
        gateway.baseUrl() + path,
        body.encode(),
        token == null ? Map.of() : IdentityTestBed.bearer(token));
  }

  public HttpResponse<String> pay(String token, String idempotencyKey, JsonObject body) {
    Map<String, String> headers = new HashMap<>(IdentityTestBed.bearer(token));
    if (idempotencyKey != null) headers.put("Idempotency-Key", idempotencyKey);
    return Http.post(gateway.baseUrl() + "/v1/payments", body.encode(), headers);
  }

  public HttpResponse<String> order(String token, String orderId) {
    return Http.get(gateway.baseUrl() + "/v1/payments/" + orderId, IdentityTestBed.bearer(token));
  }

  /** Waits until the payer sees the order in {@code status}; returns it. */
  public JsonObject awaitStatus(String token, String orderId, String status) {
    JsonObject[] last = new JsonObject[1];
    RegistryFixture.waitFor(
        () -> {
          HttpResponse<String> r = order(token, orderId);
          last[0] = r.statusCode() == 200 ? Http.json(r) : null;
          return last[0] != null && status.equals(last[0].getString("status"));
        },
        Duration.ofSeconds(20));
    return last[0];
  }

  /** Runs a future to completion on the test thread. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    if (gateway != null) TestGateways.stop(gateway);
    for (DepartmentSimulator s : simulators) s.close().await(10, TimeUnit.SECONDS);
    identity.close();
  }
}
