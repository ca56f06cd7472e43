package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static cn.govgate.channel.alipay.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimUser;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.SubscriptionMessages.SubscriptionMessage;
import cn.govgate.testing.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code alipay.open.app.mini.templatemessage.send} (§11.3) from the adapter to the simulator:
 * signed request and answer, one send per one-time grant, a user without a grant refused, a
 * platform outage retryable.
 */
class SubscriptionMessageTest {
  static final String APP = "2021000100000011";
  static final String TEMPLATE = "MDI4YzIxMDE2M2I5YTQzYjUxNWE4MjA4NmU1MTIyYmM=";
  static final SimUser WANG = SimUser.certified("2088102104795555", "王五", "110101199003071234");
  static final SimUser ZHAO = SimUser.certified("2088102104796666", "赵六", "110101198001015678");

  static Vertx vertx;
  static AlipaySimulator sim;
  static AlipayAdapter adapter;

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim = await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    List.of(WANG, ZHAO).forEach(sim::addUser);
    sim.registerTemplate(APP, TEMPLATE, List.of("keyword1", "keyword2", "keyword3"), false);
    adapter =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                sim.gatewayUrl(),
                Duration.ofSeconds(5),
                List.of(AlipayApp.rsa2(APP, APP_RSA.privateKey(), sim.platformPublicKey()))),
            TestSupport.breakers(TestClock.frozenNow()),
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void tearDown() {
    await(sim.close());
    await(vertx.close());
  }

  private static SubscriptionMessage to(SimUser user) {
    return new SubscriptionMessage(
        APP,
        user.userId(),
        TEMPLATE,
        "pages/bills/detail?id=7",
        Map.of("keyword1", "水费账单待缴", "keyword2", "88.50元", "keyword3", "2026-03-25"));
  }

  @Test
  void oneGrantOneMessageThenRefused() {
    JsonObject answer = sim.requestSubscribeMessage(APP, WANG.userId(), Map.of(TEMPLATE, "accept"));
    assertThat(answer.getString("behavior")).isEqualTo("subscribe");
    assertThat(answer.getJsonObject("result").getJsonArray("subscribedEntityIds"))
        .containsExactly(TEMPLATE);
    await(adapter.sendSubscriptionMessage(to(WANG)));
    assertThat(sim.subscriptionMessages())
        .filteredOn(m -> m.recipient().equals(WANG.userId()))
        .hasSize(1)
        .first()
        .satisfies(
            m ->
                assertThat(m.data().getJsonObject("keyword2").getString("value"))
                    .isEqualTo("88.50元"));
    ChannelException again = awaitFailure(adapter.sendSubscriptionMessage(to(WANG)));
    assertThat(again.kind()).isEqualTo(Kind.USER_REFUSED);
    assertThat(again.channelCode()).isEqualTo("USER_NOT_SUBSCRIBED");
    assertThat(again.countsForBreaker()).isFalse();
  }

  @Test
  void anOutageIsRetryableAndAWrongTemplateRejected() {
    sim.requestSubscribeMessage(APP, ZHAO.userId(), Map.of(TEMPLATE, "accept"));
    sim.knobs().httpStatus(502);
    try {
      ChannelException down = awaitFailure(adapter.sendSubscriptionMessage(to(ZHAO)));
      assertThat(down.kind()).isEqualTo(Kind.PLATFORM_UNAVAILABLE);
    } finally {
      sim.knobs().httpStatus(0);
    }
    ChannelException wrong =
        awaitFailure(
            adapter.sendSubscriptionMessage(
                new SubscriptionMessage(
                    APP, ZHAO.userId(), "NO_SUCH_TEMPLATE", null, Map.of("keyword1", "x"))));
    assertThat(wrong.kind()).isEqualTo(Kind.REJECTED);
    await(adapter.sendSubscriptionMessage(to(ZHAO)));
    assertThat(sim.subscriptionMessages())
        .filteredOn(m -> m.recipient().equals(ZHAO.userId()))
        .hasSize(1);
  }
}
