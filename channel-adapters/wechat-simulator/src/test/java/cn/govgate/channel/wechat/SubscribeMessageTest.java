package cn.govgate.channel.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.SubscriptionMessages.SubscriptionMessage;
import cn.govgate.channel.wechat.sim.SimSubscribeMessage;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscribe messages (§10) from the adapter to the simulator: one send per grant, the platform's
 * refusals.
 */
class SubscribeMessageTest {
  private static final String TEMPLATE = "FineDueTmpl_0001";
  private WechatTestBed bed;

  @BeforeEach
  void start() {
    bed = WechatTestBed.start();
    bed.sim.registerTemplate(
        WechatTestBed.APP_ID,
        TEMPLATE,
        List.of("thing1", "car_number2", "amount3", "date4"),
        false);
    bed.login(WechatTestBed.ZHANG); // makes Zhang a user of the app
  }

  @AfterEach
  void stop() {
    bed.close();
  }

  private SubscriptionMessage message(Map<String, String> data) {
    return new SubscriptionMessage(
        WechatTestBed.APP_ID,
        WechatTestBed.ZHANG.openid(),
        TEMPLATE,
        "pages/fines/detail?id=1",
        data);
  }

  private static Map<String, String> fine() {
    return Map.of(
        "thing1",
        "您有一笔交通违法罚款待缴纳，请在期限内缴纳以免加处罚款",
        "car_number2",
        "浙A12345",
        "amount3",
        "¥200.00",
        "date4",
        "2026-03-20");
  }

  @Test
  void oneAcceptedGrantDeliversExactlyOneMessage() {
    JsonObject answer =
        bed.sim.requestSubscribeMessage(
            WechatTestBed.APP_ID, WechatTestBed.ZHANG.openid(), Map.of(TEMPLATE, "accept"));
    assertThat(answer.getString("errMsg")).isEqualTo("requestSubscribeMessage:ok");
    assertThat(answer.getString(TEMPLATE)).isEqualTo("accept");

    WechatTestBed.await(bed.adapter.sendSubscriptionMessage(message(fine())));
    List<SimSubscribeMessage> got = bed.sim.subscribeMessages();
    assertThat(got).hasSize(1);
    // A thing value is cut to the 20 characters the platform allows rather than refused.
    assertThat(got.get(0).data().getJsonObject("thing1").getString("value")).hasSize(20);
    assertThat(got.get(0).page()).isEqualTo("pages/fines/detail?id=1");

    ChannelException second =
        WechatTestBed.failure(bed.adapter.sendSubscriptionMessage(message(fine())));
    assertThat(second.kind()).isEqualTo(Kind.USER_REFUSED);
    assertThat(second.channelCode()).isEqualTo("43101");
    assertThat(second.countsForBreaker()).isFalse();
    assertThat(bed.sim.subscribeMessages()).hasSize(1);
  }

  @Test
  void aRefusedGrantIsUserRefused() {
    bed.sim.requestSubscribeMessage(
        WechatTestBed.APP_ID, WechatTestBed.ZHANG.openid(), Map.of(TEMPLATE, "reject"));
    ChannelException refused =
        WechatTestBed.failure(bed.adapter.sendSubscriptionMessage(message(fine())));
    assertThat(refused.kind()).isEqualTo(Kind.USER_REFUSED);
    assertThat(bed.sim.subscribeMessages()).isEmpty();
  }

  @Test
  void dataThatBreaksTheTemplateIsRejectedWithoutSpendingTheGrant() {
    bed.sim.requestSubscribeMessage(
        WechatTestBed.APP_ID, WechatTestBed.ZHANG.openid(), Map.of(TEMPLATE, "accept"));
    ChannelException bad =
        WechatTestBed.failure(
            bed.adapter.sendSubscriptionMessage(
                message(
                    Map.of(
                        "thing1",
                        "罚款",
                        "car_number2",
                        "浙A12345",
                        "amount3",
                        "two hundred",
                        "date4",
                        "2026-03-20"))));
    assertThat(bad.kind()).isEqualTo(Kind.REJECTED);
    assertThat(bad.channelCode()).isEqualTo("47003");
    ChannelException unknown =
        WechatTestBed.failure(
            bed.adapter.sendSubscriptionMessage(
                new SubscriptionMessage(
                    WechatTestBed.APP_ID,
                    WechatTestBed.ZHANG.openid(),
                    "NoSuchTemplate",
                    null,
                    fine())));
    assertThat(unknown.channelCode()).isEqualTo("40037");
    WechatTestBed.await(bed.adapter.sendSubscriptionMessage(message(fine())));
    assertThat(bed.sim.subscribeMessages()).hasSize(1);
  }

  @Test
  void aPlatformOutageIsRetryableAndAnExpiredTokenIsRefreshedOnce() {
    bed.sim.requestSubscribeMessage(
        WechatTestBed.APP_ID, WechatTestBed.ZHANG.openid(), Map.of(TEMPLATE, "accept"));
    bed.sim.knobs().outage(true);
    ChannelException down =
        WechatTestBed.failure(bed.adapter.sendSubscriptionMessage(message(fine())));
    assertThat(down.kind()).isEqualTo(Kind.PLATFORM_UNAVAILABLE);
    assertThat(down.countsForBreaker()).isTrue();
    bed.sim.knobs().outage(false);
    bed.sim.revokeAccessTokens();
    WechatTestBed.await(bed.adapter.sendSubscriptionMessage(message(fine())));
    assertThat(bed.sim.subscribeMessages()).hasSize(1);
  }
}
