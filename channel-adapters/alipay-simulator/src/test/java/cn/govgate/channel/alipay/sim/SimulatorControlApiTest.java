package cn.govgate.channel.alipay.sim;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.AlipayAdapter;
import cn.govgate.channel.alipay.AlipayApp;
import cn.govgate.channel.alipay.AlipayConfig;
import cn.govgate.channel.alipay.TestSupport;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.FaceVerification.FaceStart;
import cn.govgate.channel.spi.FaceVerification.Outcome;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.channel.spi.Payments.RefundRequest;
import cn.govgate.channel.spi.Payments.RefundStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo drives the simulator over HTTP only: apps, users, auth codes, face, payment, refund
 * settlement and knobs.
 */
class SimulatorControlApiTest {

  static final String APP = "2021000400000001";

  static Vertx vertx;
  static AlipaySimulator sim;
  static WebClient http;
  static AlipayAdapter adapter;

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim = await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    http = WebClient.create(vertx);
    JsonObject keys = post("/__sim/keys", null);
    adapter =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                keys.getString("gatewayUrl"),
                Duration.ofSeconds(5),
                List.of(
                    AlipayApp.rsa2(
                        APP, APP_RSA.privateKey(), keys.getString("platformPublicKey")))),
            CircuitBreakerRegistry.ofDefaults(),
            new SimpleMeterRegistry());
    post(
        "/__sim/apps",
        new JsonObject()
            .put("appId", APP)
            .put("signType", "RSA2")
            .put("publicKey", APP_RSA.publicKey()));
  }

  @AfterAll
  static void tearDown() {
    await(sim.close());
    await(vertx.close());
  }

  static JsonObject post(String path, JsonObject body) {
    var request =
        body == null
            ? http.get(sim.port(), "127.0.0.1", path)
            : http.post(sim.port(), "127.0.0.1", path);
    HttpResponse<?> response = await(body == null ? request.send() : request.sendJsonObject(body));
    assertThat(response.statusCode()).as(path + " " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  void demoFlowRunsOverTheControlApi() {
    post(
        "/__sim/users",
        new JsonObject()
            .put("userId", "2088000000000042")
            .put("name", "孙七")
            .put("idNumber", "11010119950505123X")
            .put("certified", true));
    String code =
        post(
                "/__sim/auth-codes",
                new JsonObject().put("appId", APP).put("userId", "2088000000000042"))
            .getString("authCode");
    ChannelSubject subject = await(adapter.exchangeCode(APP, code));
    assertThat(subject.realName().name()).isEqualTo("孙七");

    FaceRequest face =
        new FaceRequest(APP, subject.userId(), "孙七", "11010119950505123X", "DEMO000001", null);
    FaceStart start = await(adapter.startFace(face));
    assertThat(
            post(
                    "/__sim/face/perform",
                    new JsonObject()
                        .put("certifyId", start.reference())
                        .put("userId", "2088000000000042"))
                .getBoolean("passed"))
        .isTrue();
    assertThat(await(adapter.queryFace(face, start.reference())).outcome())
        .isEqualTo(Outcome.PASSED);

    await(
        adapter.prepay(
            new PrepayRequest(APP, subject.userId(), "DEMO-ORDER-1", 1999, "交通罚款", null, null)));
    post("/__sim/orders/pay", new JsonObject().put("outTradeNo", "DEMO-ORDER-1"));
    assertThat(await(adapter.queryOrder(APP, "DEMO-ORDER-1")).status())
        .isEqualTo(PaymentStatus.PAID);
  }

  @Test
  void knobsAreSetAndReadOverHttp() {
    JsonObject knobs =
        post(
            "/__sim/knobs",
            new JsonObject()
                .put("passedEncoding", "ARRAY")
                .put("latencyMillis", 5)
                .put("timestampSkewSeconds", 900)
                .put("notifyRetryDelaysMillis", List.of(10, 20))
                .put(
                    "forcedErrors",
                    new JsonObject()
                        .put(
                            "alipay.trade.query",
                            new JsonObject()
                                .put("code", "20000")
                                .put("subCode", "isp.unknow-error"))));
    assertThat(knobs.getString("passedEncoding")).isEqualTo("ARRAY");
    assertThat(knobs.getLong("timestampSkewSeconds")).isEqualTo(900);
    assertThat(sim.knobs().notifyRetryDelays)
        .containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
    assertThat(
            post("/__sim/knobs", null)
                .getJsonObject("forcedErrors")
                .containsKey("alipay.trade.query"))
        .isTrue();
    post(
        "/__sim/knobs",
        new JsonObject()
            .put("passedEncoding", "STRING")
            .put("latencyMillis", 0)
            .put("timestampSkewSeconds", null)
            .put("forcedErrors", new JsonObject()));
    assertThat(sim.knobs().forcedErrors).isEmpty();
  }

  @Test
  void aRefundIsKeptProcessingAndSettledOverTheControlApi() {
    post(
        "/__sim/users",
        new JsonObject()
            .put("userId", "2088000000000044")
            .put("name", "周八")
            .put("idNumber", "110101199003071234")
            .put("certified", true));
    await(
        adapter.prepay(
            new PrepayRequest(APP, "2088000000000044", "REFUND-ORDER-1", 500, "水费", null, null)));
    post("/__sim/orders/pay", new JsonObject().put("outTradeNo", "REFUND-ORDER-1"));
    assertThat(
            post("/__sim/knobs", new JsonObject().put("refundsProcessing", true))
                .getBoolean("refundsProcessing"))
        .isTrue();
    try {
      RefundStatus accepted =
          await(
                  adapter.refund(
                      new RefundRequest(
                          APP, "REFUND-ORDER-1", "REFUND-ORDER-1R1", 500, 500, null, null)))
              .status();
      assertThat(accepted).isEqualTo(RefundStatus.PROCESSING);
    } finally {
      post("/__sim/knobs", new JsonObject().put("refundsProcessing", false));
    }
    assertThat(sim.knobs().refundsProcessing()).isFalse();
    // Switching the knob off settles nothing; the control API does, once.
    assertThat(sim.refunds("REFUND-ORDER-1")).isEmpty();
    JsonObject settle =
        new JsonObject()
            .put("outTradeNo", "REFUND-ORDER-1")
            .put("outRequestNo", "REFUND-ORDER-1R1");
    assertThat(post("/__sim/refunds/settle", settle).getBoolean("settled")).isTrue();
    assertThat(post("/__sim/refunds/settle", settle).getBoolean("settled")).isFalse();
    assertThat(await(adapter.queryRefund(APP, "REFUND-ORDER-1", "REFUND-ORDER-1R1")).status())
        .isEqualTo(RefundStatus.SUCCESS);
    assertThat(sim.refunds("REFUND-ORDER-1")).containsEntry("REFUND-ORDER-1R1", 500L);
  }

  @Test
  void openIdModeLogsInWithOpenIdAndPaysWithBuyerOpenId() {
    sim.knobs().openIdMode(true);
    try {
      sim.addUser(SimUser.anonymous("2088000000000043"));
      ChannelSubject subject =
          await(adapter.exchangeCode(APP, sim.issueAuthCode(APP, "2088000000000043")));
      assertThat(subject.userId()).doesNotStartWith("2088");
      await(
          adapter.prepay(
              new PrepayRequest(APP, subject.userId(), "OPENID-ORDER-1", 100, "水费", null, null)));
      await(sim.payOrder("OPENID-ORDER-1"));
      assertThat(sim.lastNotification("OPENID-ORDER-1"))
          .containsEntry("buyer_open_id", subject.userId());
      assertThat(await(adapter.queryOrder(APP, "OPENID-ORDER-1")).payerUserId())
          .isEqualTo(subject.userId());
    } finally {
      sim.knobs().openIdMode(false);
    }
  }
}
