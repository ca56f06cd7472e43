package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static cn.govgate.channel.alipay.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimKnobs;
import cn.govgate.channel.alipay.sim.SimUser;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One test per way Alipay (or the network) can misbehave; each asserts the typed error, metrics and
 * breaker.
 */
class AlipayFaultsTest {

  static final String APP = "2021000200000001";
  static final String USER = "2088102104795555";
  static final String ORDER_API = "alipay.trade.query";

  static Vertx vertx;
  static AlipaySimulator sim;
  static TestClock simClock;
  static final AtomicInteger requests = new AtomicInteger();

  TestClock clock;
  CircuitBreakerRegistry breakers;
  MeterRegistry meters;
  AlipayAdapter adapter;

  @BeforeAll
  static void startSimulator() {
    vertx = TestSupport.vertx();
    simClock = TestClock.frozenNow();
    sim =
        await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults().withClock(simClock)));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    sim.addUser(SimUser.certified(USER, "王五", "110101199901011239"));
    sim.onRequest(p -> requests.incrementAndGet());
  }

  @AfterAll
  static void stopSimulator() {
    await(sim.close());
    await(vertx.close());
  }

  @BeforeEach
  void newAdapter() {
    clock = TestClock.frozenNow();
    breakers = TestSupport.breakers(clock);
    meters = new SimpleMeterRegistry();
    adapter = adapter(sim.gatewayUrl(), APP, sim.platformPublicKey(), Duration.ofSeconds(2));
  }

  @AfterEach
  void resetKnobs() {
    sim.knobs()
        .mangling(SimKnobs.Mangling.NONE)
        .clearForcedErrors()
        .httpStatus(0)
        .latency(Duration.ZERO)
        .timestampSkewTolerance(null)
        .errorRate(0);
    adapter.close();
  }

  AlipayAdapter adapter(String gatewayUrl, String appId, String platformKey, Duration timeout) {
    return AlipayAdapter.create(
        vertx,
        new AlipayConfig(
            gatewayUrl, timeout, List.of(AlipayApp.rsa2(appId, APP_RSA.privateKey(), platformKey))),
        breakers,
        meters,
        clock);
  }

  long count(String api, String outcome) {
    var timer =
        meters
            .find("govgate.channel.calls")
            .tags("channel", "alipay", "api", api, "outcome", outcome)
            .timer();
    return timer == null ? 0 : timer.count();
  }

  CircuitBreaker breaker(String api) {
    return breakers.circuitBreaker("channel.alipay." + api.replace('.', '_'));
  }

  static void assertKind(ChannelException e, Kind kind, Fault fault) {
    assertThat(e.kind()).as("kind of " + e.getMessage()).isEqualTo(kind);
    assertThat(e.fault()).as("fault of " + e.getMessage()).isEqualTo(fault);
  }

  // ---- response integrity ----

  @Test
  void rejectsATamperedResponse() {
    sim.knobs().mangling(SimKnobs.Mangling.TAMPERED_CONTENT);
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.SIGNATURE_INVALID, Fault.INTEGRATION);
    assertThat(count(ORDER_API, "integration_error")).isEqualTo(1);
  }

  @Test
  void rejectsAResponseSignedWithAnotherPlatformKey() {
    adapter =
        adapter(
            sim.gatewayUrl(),
            APP,
            AlipayCrypto.generate(SignType.RSA2).publicKey(),
            Duration.ofSeconds(2));
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.SIGNATURE_INVALID, Fault.INTEGRATION);
  }

  @Test
  void rejectsAnUnsignedResponse() {
    sim.knobs().mangling(SimKnobs.Mangling.UNSIGNED);
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.SIGNATURE_INVALID, Fault.INTEGRATION);
  }

  @Test
  void rejectsADuplicatedRootNode() {
    sim.knobs().mangling(SimKnobs.Mangling.DUPLICATE_NODE);
    ChannelException e = awaitFailure(adapter.queryOrder(APP, "X1"));
    assertKind(e, Kind.SIGNATURE_INVALID, Fault.INTEGRATION);
    assertThat(e.getMessage()).contains("duplicated");
  }

  @Test
  void rejectsATruncatedBody() {
    sim.knobs().mangling(SimKnobs.Mangling.TRUNCATED);
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.MALFORMED_RESPONSE, Fault.INTEGRATION);
  }

  @Test
  void rejectsABodyThatIsNotJson() {
    sim.knobs().mangling(SimKnobs.Mangling.NOT_JSON);
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.MALFORMED_RESPONSE, Fault.INTEGRATION);
  }

  // ---- integration errors the gateway reports ----

  @Test
  void unknownAppIdIsAnIntegrationError() {
    adapter =
        adapter(
            sim.gatewayUrl(), "2021000299999999", sim.platformPublicKey(), Duration.ofSeconds(2));
    ChannelException e = awaitFailure(adapter.queryOrder("2021000299999999", "X1"));
    assertKind(e, Kind.UNKNOWN_APP, Fault.INTEGRATION);
    assertThat(e.channelCode()).isEqualTo("isv.invalid-app-id");
  }

  @Test
  void appIdNotConfiguredInTheAdapterFailsWithoutACall() {
    int before = requests.get();
    assertKind(
        awaitFailure(adapter.exchangeCode("2021000288888888", "code")),
        Kind.UNKNOWN_APP,
        Fault.INTEGRATION);
    assertThat(requests.get()).isEqualTo(before);
  }

  @Test
  void requestTimestampOutsideTheSimulatorsToleranceIsRejected() {
    sim.knobs().timestampSkewTolerance(Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(-10));
    ChannelException e = awaitFailure(adapter.queryOrder(APP, "X1"));
    assertKind(e, Kind.TIMESTAMP_OUT_OF_WINDOW, Fault.INTEGRATION);
    clock.advance(Duration.ofMinutes(10));
    assertThat(await(adapter.queryOrder(APP, "X1")).status()).isEqualTo(PaymentStatus.NOT_FOUND);
  }

  @Test
  void requestSignedWithTheWrongAppKeyIsRejectedWithoutEchoingTheSignedString() {
    sim.registerApp(
        "2021000200000009", SignType.RSA2, AlipayCrypto.generate(SignType.RSA2).publicKey(), null);
    adapter =
        adapter(
            sim.gatewayUrl(), "2021000200000009", sim.platformPublicKey(), Duration.ofSeconds(2));
    ChannelException e =
        awaitFailure(
            adapter.startFace(
                new cn.govgate.channel.spi.FaceVerification.FaceRequest(
                    "2021000200000009", USER, "王五", "110101199901011239", "SIGFAIL00001", null)));
    assertKind(e, Kind.SIGNATURE_INVALID, Fault.INTEGRATION);
    assertThat(e.channelCode()).isEqualTo("isv.invalid-signature");
    assertThat(e.getMessage()).doesNotContain("110101199901011239").doesNotContain("王五");
  }

  // ---- citizen errors ----

  @Test
  void invalidAuthCodeIsTheCitizensFault() {
    ChannelException e = awaitFailure(adapter.exchangeCode(APP, "not-a-code"));
    assertKind(e, Kind.INVALID_AUTH_CODE, Fault.CITIZEN);
    assertThat(e.channelCode()).isEqualTo("isv.code-invalid");
    assertThat(count("alipay.system.oauth.token", "citizen_error")).isEqualTo(1);
  }

  @Test
  void reusedAuthCodeIsRejected() {
    String code = sim.issueAuthCode(APP, USER);
    assertThat(await(adapter.exchangeCode(APP, code)).userId()).isEqualTo(USER);
    assertKind(
        awaitFailure(adapter.exchangeCode(APP, code)), Kind.INVALID_AUTH_CODE, Fault.CITIZEN);
  }

  @Test
  void expiredAuthCodeIsRejected() {
    String code = sim.issueAuthCode(APP, USER);
    simClock.advance(Duration.ofMinutes(6));
    assertKind(
        awaitFailure(adapter.exchangeCode(APP, code)), Kind.INVALID_AUTH_CODE, Fault.CITIZEN);
  }

  @Test
  void citizenErrorsNeverOpenTheBreaker() {
    for (int i = 0; i < 6; i++) awaitFailure(adapter.exchangeCode(APP, "bad-" + i));
    assertThat(breaker("alipay.system.oauth.token").getState())
        .isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker("alipay.system.oauth.token").getMetrics().getNumberOfFailedCalls()).isZero();
  }

  // ---- platform failures ----

  @Test
  void systemBusyIsAPlatformError() {
    sim.knobs().forceSystemBusy(ORDER_API);
    ChannelException e = awaitFailure(adapter.queryOrder(APP, "X1"));
    assertKind(e, Kind.PLATFORM_ERROR, Fault.PLATFORM);
    assertThat(e.channelCode()).isEqualTo("isp.unknow-error");
    assertThat(count(ORDER_API, "platform_error")).isEqualTo(1);
    assertThat(breaker(ORDER_API).getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
  }

  @Test
  void slowPlatformTimesOut() {
    adapter = adapter(sim.gatewayUrl(), APP, sim.platformPublicKey(), Duration.ofMillis(200));
    sim.knobs().latency(Duration.ofMillis(1000));
    assertKind(awaitFailure(adapter.queryOrder(APP, "X1")), Kind.TIMEOUT, Fault.PLATFORM);
    assertThat(count(ORDER_API, "timeout")).isEqualTo(1);
  }

  @Test
  void unreachablePlatformIsUnavailable() {
    adapter =
        adapter(
            "http://127.0.0.1:1/gateway.do", APP, sim.platformPublicKey(), Duration.ofSeconds(2));
    assertKind(
        awaitFailure(adapter.queryOrder(APP, "X1")), Kind.PLATFORM_UNAVAILABLE, Fault.PLATFORM);
  }

  @Test
  void platformDownOpensTheBreakerWhichRecoversAfterTheWait() {
    sim.knobs().httpStatus(503);
    for (int i = 0; i < 4; i++) {
      assertKind(
          awaitFailure(adapter.queryOrder(APP, "X1")), Kind.PLATFORM_UNAVAILABLE, Fault.PLATFORM);
    }
    assertThat(breaker(ORDER_API).getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(count(ORDER_API, "platform_error")).isEqualTo(4);

    int before = requests.get();
    assertKind(awaitFailure(adapter.queryOrder(APP, "X1")), Kind.CIRCUIT_OPEN, Fault.PLATFORM);
    assertThat(requests.get()).as("no request while open").isEqualTo(before);
    assertThat(count(ORDER_API, "circuit_open")).isEqualTo(1);
    assertThat(breaker("alipay.trade.create").getState())
        .as("other APIs unaffected")
        .isEqualTo(CircuitBreaker.State.CLOSED);

    sim.knobs().httpStatus(0);
    clock.advance(Duration.ofSeconds(31));
    assertThat(await(adapter.queryOrder(APP, "X1")).status()).isEqualTo(PaymentStatus.NOT_FOUND);
    assertThat(breaker(ORDER_API).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(count(ORDER_API, "ok")).isEqualTo(1);
  }
}
