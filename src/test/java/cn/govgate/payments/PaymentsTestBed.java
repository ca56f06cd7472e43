package cn.govgate.payments;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.demo.SyntheticCitizen;
import cn.govgate.demo.departments.DepartmentFamily;
import cn.govgate.demo.departments.DepartmentSimulator;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.registry.ShiftClock;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
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
 * Payments end to end: both channel simulators (Alipay app and a WeChat Pay merchant), a gateway on its own database
 * with a movable department/payments clock, department simulators registered through the admin API. The gateway can
 * be stopped and started again on the same database (a crash between two steps). Blocking helpers for the test
 * thread.
 */
final class PaymentsTestBed implements AutoCloseable {
  static final String MCH_ID = "1900000042";
  static final String API_V3_KEY = "abcdefghijklmnopqrstuvwxyz012345";
  static final Duration BACKOFF = Duration.ofMinutes(1);
  static final Duration RECONCILE_AFTER = Duration.ofMinutes(2);

  final IdentityTestBed identity;
  final ShiftClock clock = new ShiftClock();
  final Map<String, String> settings;
  final String operator;
  Gateway gateway;
  private final List<DepartmentSimulator> simulators = new ArrayList<>();

  PaymentsTestBed(int people, long seed) throws Exception {
    identity = new IdentityTestBed(people, seed);
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair merchant = gen.generateKeyPair();
    String serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    identity.wechat.registerMerchant(MCH_ID, Base64.getEncoder().encodeToString(merchant.getPublic().getEncoded()),
        serial, API_V3_KEY);
    settings = TestGateways.with(identity.settings(), "registry.healthInterval", "1h",
        "wechat.merchant.mchId", MCH_ID,
        "wechat.merchant.privateKey", Base64.getEncoder().encodeToString(merchant.getPrivate().getEncoded()),
        "wechat.merchant.serialNo", serial,
        "wechat.merchant.apiV3Key", API_V3_KEY,
        "wechat.merchant.platformPublicKey", identity.wechat.platformPublicKey(),
        "wechat.merchant.platformSerial", identity.wechat.platformSerial(),
        // Only a default: every prepay names the gateway's own callback URL.
        "wechat.merchant.notifyUrl", "https://gov.example.cn/callbacks/wechat",
        "payments.outboxInterval", "100ms",
        "payments.outboxBackoff", BACKOFF.toSeconds() + "s",
        "payments.reconcileInterval", "100ms",
        "payments.reconcileAfter", RECONCILE_AFTER.toSeconds() + "s");
    operator = "Bearer " + settings.get("admin.bootstrapKey");
    startGateway();
  }

  void startGateway() throws Exception {
    gateway = Gateway.start(GovgateConfig.from(ConfigValues.of(settings)), clock).await(2, TimeUnit.MINUTES);
  }

  /** Stops the gateway as a crash would leave things: whatever was not committed is gone. */
  void stopGateway() {
    TestGateways.stop(gateway);
    gateway = null;
  }

  PaymentSystem payments() {
    return gateway.payments();
  }

  /** Creates department {@code id}, starts its simulator for {@code region} and registers it for the service types. */
  DepartmentSimulator department(String id, DepartmentFamily family, String region, String... serviceTypes) {
    RegistryFixture.RegisteredDepartment registered = RegistryFixture.registerSimulator(gateway, operator,
        identity.vertx, id, family, region, identity.people, clock, serviceTypes);
    DepartmentSimulator sim = registered.simulator();
    simulators.add(sim);
    return sim;
  }

  /** An L2 session on Alipay: the channel shares the certified real name, which matches the claim. */
  String alipayL2(SyntheticCitizen person) {
    String token = identity.alipayToken(gateway, identity.alipayUser(person, true));
    HttpResponse<String> started = IdentityTestBed.start(gateway, token, person.name(), person.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonObject session = Http.json(started).getJsonObject("session");
    assertThat(session.getString("level")).isEqualTo("L2");
    return session.getString("token");
  }

  /** An L1 session on WeChat (login only). */
  String wechatL1(SyntheticCitizen person) {
    return identity.wechatToken(gateway, identity.wechatUser(person));
  }

  HttpResponse<String> pay(String token, String idempotencyKey, JsonObject body) {
    Map<String, String> headers = new HashMap<>(IdentityTestBed.bearer(token));
    if (idempotencyKey != null) headers.put("Idempotency-Key", idempotencyKey);
    return Http.post(gateway.baseUrl() + "/v1/payments", body.encode(), headers);
  }

  HttpResponse<String> order(String token, String orderId) {
    return Http.get(gateway.baseUrl() + "/v1/payments/" + orderId, IdentityTestBed.bearer(token));
  }

  /** Waits until the payer sees the order in {@code status}; returns it. */
  JsonObject awaitStatus(String token, String orderId, String status) {
    JsonObject[] last = new JsonObject[1];
    RegistryFixture.waitFor(() -> {
      HttpResponse<String> r = order(token, orderId);
      last[0] = r.statusCode() == 200 ? Http.json(r) : null;
      return last[0] != null && status.equals(last[0].getString("status"));
    }, Duration.ofSeconds(20));
    return last[0];
  }

  /** Runs a future to completion on the test thread. */
  static <T> T await(io.vertx.core.Future<T> future) {
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
