package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.LI;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.ChannelSubject;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jscode2session} and access tokens, adapter against the simulator. */
class LoginAndTokenTest {

  WechatTestBed bed;

  @BeforeEach
  void start() {
    bed = WechatTestBed.start();
  }

  @AfterEach
  void stop() {
    bed.close();
  }

  @Test
  void exchangesAnAuthCodeForOpenidUnionidAndSessionKey() {
    ChannelSubject subject = bed.login(ZHANG);

    assertThat(subject.channel()).isEqualTo(Channel.WECHAT);
    assertThat(subject.appId()).isEqualTo(APP_ID);
    assertThat(subject.userId()).isEqualTo(ZHANG.openid());
    assertThat(subject.unionId()).isEqualTo(ZHANG.unionid());
    assertThat(subject.sessionSecret()).isEqualTo(bed.sim.sessionKey(APP_ID, ZHANG.openid()));
    assertThat(subject.toString()).doesNotContain(ZHANG.openid());
    assertThat(bed.calls("jscode2session", "ok")).isEqualTo(1);
  }

  @Test
  void omitsUnionidWhenThePlatformGivesNone() {
    assertThat(bed.login(LI).unionId()).isNull();
  }

  @Test
  void rejectsAnInvalidCodeAsTheCitizensFault() {
    ChannelException e = failure(bed.adapter.exchangeCode(APP_ID, "not-a-code"));

    assertThat(e.kind()).isEqualTo(Kind.INVALID_AUTH_CODE);
    assertThat(e.fault()).isEqualTo(Fault.CITIZEN);
    assertThat(e.channelCode()).isEqualTo("40029");
    assertThat(bed.calls("jscode2session", "citizen_error")).isEqualTo(1);
    assertThat(
            bed.breakers
                .circuitBreaker("channel.wechat.jscode2session")
                .getMetrics()
                .getNumberOfFailedCalls())
        .isZero();
  }

  @Test
  void rejectsACodeUsedTwiceWithTheConfiguredErrcode() {
    bed.sim.knobs().usedCodeErrcode(40163);
    String code = bed.sim.issueAuthCode(APP_ID, ZHANG.openid());
    await(bed.adapter.exchangeCode(APP_ID, code));

    ChannelException e = failure(bed.adapter.exchangeCode(APP_ID, code));

    assertThat(e.kind()).isEqualTo(Kind.INVALID_AUTH_CODE);
    assertThat(e.channelCode()).isEqualTo("40163");
  }

  @Test
  void rejectsAnExpiredCode() {
    String code = bed.sim.issueAuthCode(APP_ID, ZHANG.openid());
    bed.clock.advance(Duration.ofMinutes(6));

    assertThat(failure(bed.adapter.exchangeCode(APP_ID, code)).channelCode()).isEqualTo("40029");
  }

  @Test
  void treatsAHighRiskUserInterceptAsTheCitizensFault() {
    bed.sim.knobs().forceError("jscode2session", "40226");

    ChannelException e =
        failure(bed.adapter.exchangeCode(APP_ID, bed.sim.issueAuthCode(APP_ID, ZHANG.openid())));

    assertThat(e.fault()).isEqualTo(Fault.CITIZEN);
    assertThat(e.channelCode()).isEqualTo("40226");
  }

  @Test
  void wechatReturnsSystemBusyInside200() {
    bed.sim.knobs().errorRate(1.0);

    ChannelException e =
        failure(bed.adapter.exchangeCode(APP_ID, bed.sim.issueAuthCode(APP_ID, ZHANG.openid())));

    assertThat(e.fault()).isEqualTo(Fault.PLATFORM);
    assertThat(e.kind()).isEqualTo(Kind.PLATFORM_ERROR);
    assertThat(e.channelCode()).isEqualTo("-1");
    assertThat(bed.calls("jscode2session", "platform_error")).isEqualTo(1);
    assertThat(
            bed.breakers
                .circuitBreaker("channel.wechat.jscode2session")
                .getMetrics()
                .getNumberOfFailedCalls())
        .isEqualTo(1);
  }

  @Test
  void refusesAnAppIdItIsNotConfiguredFor() {
    ChannelException e = failure(bed.adapter.exchangeCode("wx0000000000000000", "code"));

    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_APP);
    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
  }

  @Test
  void refusesAMissingAppIdOrCodeWithoutCallingThePlatform() {
    assertThat(failure(bed.adapter.exchangeCode(null, "code")).kind()).isEqualTo(Kind.UNKNOWN_APP);
    assertThat(failure(bed.adapter.exchangeCode(APP_ID, " ")).kind())
        .isEqualTo(Kind.INVALID_AUTH_CODE);
    assertThat(bed.sim.calls("jscode2session")).isZero();
  }

  @Test
  void reportsAWrongAppSecretAsAnIntegrationFault() {
    WechatAdapter wrongSecret =
        bed.adapter(
            c ->
                new WechatConfig(
                    c.apiBaseUrl(),
                    c.payBaseUrl(),
                    c.timeout(),
                    List.of(new WechatApp(APP_ID, "wrong-secret")),
                    c.merchant()));

    ChannelException e =
        failure(wrongSecret.exchangeCode(APP_ID, bed.sim.issueAuthCode(APP_ID, ZHANG.openid())));

    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
    assertThat(e.channelCode()).isEqualTo("40125");
    assertThat(bed.calls("jscode2session", "integration_error")).isEqualTo(1);
  }

  @Test
  void manyConcurrentCallersShareOneTokenRequest() {
    bed.sim.knobs().latency(Duration.ofMillis(100));
    List<Future<String>> callers = new ArrayList<>();
    for (int i = 0; i < 50; i++) callers.add(bed.adapter.accessToken(APP_ID));

    List<String> tokens = callers.stream().map(WechatTestBed::await).distinct().toList();

    assertThat(tokens).hasSize(1);
    assertThat(bed.sim.calls("stable_token")).isEqualTo(1);
    assertThat(await(bed.adapter.accessToken(APP_ID))).isEqualTo(tokens.get(0));
    assertThat(bed.sim.calls("stable_token")).isEqualTo(1);
  }

  @Test
  void refreshesTheTokenBeforeItExpires() {
    bed.sim.knobs().tokenExpiresIn(1000);
    await(bed.adapter.accessToken(APP_ID));

    bed.clock.advance(Duration.ofSeconds(790));
    await(bed.adapter.accessToken(APP_ID));
    assertThat(bed.sim.calls("stable_token")).isEqualTo(1);

    bed.clock.advance(Duration.ofSeconds(20));
    await(bed.adapter.accessToken(APP_ID));
    assertThat(bed.sim.calls("stable_token")).isEqualTo(2);
  }

  @Test
  void refreshesOnceAndRetriesWhenThePlatformSaysTheTokenIsInvalid() {
    String before = await(bed.adapter.accessToken(APP_ID));
    ChannelSubject subject = bed.login(ZHANG);
    bed.sim.revokeAccessTokens();

    await(bed.adapter.startFace(FaceTest.request(subject, "seq_token_retry")));

    assertThat(bed.sim.calls("stable_token")).isEqualTo(2);
    assertThat(bed.sim.calls("getverifyid")).isEqualTo(2);
    assertThat(await(bed.adapter.accessToken(APP_ID))).isNotEqualTo(before);
  }

  @Test
  void reportsAMalformedLoginAnswerAsAnIntegrationFault() {
    TamperingProxy proxy =
        TamperingProxy.start(
            bed.vertx, bed.sim.baseUrl(), (headers, body) -> body.substring(0, body.length() / 2));
    WechatAdapter viaProxy =
        bed.adapter(
            c ->
                new WechatConfig(
                    proxy.baseUrl(), c.payBaseUrl(), c.timeout(), c.apps(), c.merchant()));

    ChannelException e =
        failure(viaProxy.exchangeCode(APP_ID, bed.sim.issueAuthCode(APP_ID, ZHANG.openid())));

    assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
  }
}
