package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.wechat.sim.WechatSimulatorOptions;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One breaker per WeChat API: platform faults open it, citizen faults never do, it recovers through
 * half-open.
 */
class BreakerTest {

  final TestClock breakerClock = TestClock.frozenNow();
  WechatTestBed bed;

  @BeforeEach
  void start() {
    bed =
        WechatTestBed.start(
            WechatSimulatorOptions.defaults().withClock(null).withNotifyRetryDelays(List.of()),
            CircuitBreakerConfig.custom()
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(breakerClock)
                .build());
  }

  @AfterEach
  void stop() {
    bed.close();
  }

  private CircuitBreaker breaker(String api) {
    return bed.breakers.circuitBreaker("channel.wechat." + api);
  }

  private String code() {
    return bed.sim.issueAuthCode(APP_ID, ZHANG.openid());
  }

  @Test
  void platformDownOpensTheBreakerThenItRecovers() {
    bed.sim.knobs().outage(true);
    for (int i = 0; i < 4; i++) {
      ChannelException e = failure(bed.adapter.exchangeCode(APP_ID, code()));
      assertThat(e.fault()).isEqualTo(Fault.PLATFORM);
      assertThat(e.kind()).isEqualTo(Kind.PLATFORM_UNAVAILABLE);
    }
    assertThat(breaker("jscode2session").getState()).isEqualTo(CircuitBreaker.State.OPEN);

    ChannelException refused = failure(bed.adapter.exchangeCode(APP_ID, code()));
    assertThat(refused.kind()).isEqualTo(Kind.CIRCUIT_OPEN);
    assertThat(refused.fault()).isEqualTo(Fault.PLATFORM);
    assertThat(bed.calls("jscode2session", "circuit_open")).isEqualTo(1);
    assertThat(bed.sim.calls("jscode2session")).isEqualTo(4);

    bed.sim.knobs().outage(false);
    breakerClock.advance(Duration.ofSeconds(31));
    bed.login(ZHANG);

    assertThat(breaker("jscode2session").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void citizenErrorsNeverOpenTheBreaker() {
    for (int i = 0; i < 6; i++) {
      assertThat(failure(bed.adapter.exchangeCode(APP_ID, "bad-code-" + i)).fault())
          .isEqualTo(Fault.CITIZEN);
    }

    assertThat(breaker("jscode2session").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker("jscode2session").getMetrics().getNumberOfFailedCalls()).isZero();
  }

  @Test
  void eachApiHasItsOwnBreaker() {
    bed.sim.knobs().forceError("jscode2session", "-1");
    for (int i = 0; i < 4; i++) failure(bed.adapter.exchangeCode(APP_ID, code()));

    assertThat(breaker("jscode2session").getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker("stable_token").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(WechatTestBed.await(bed.adapter.accessToken(APP_ID))).isNotBlank();
  }

  @Test
  void aSlowPlatformTimesOutAndCountsAgainstTheBreaker() {
    WechatAdapter impatient =
        bed.adapter(
            c ->
                new WechatConfig(
                    c.apiBaseUrl(),
                    c.payBaseUrl(),
                    Duration.ofMillis(100),
                    c.apps(),
                    c.merchant()));
    bed.sim.knobs().latency(Duration.ofMillis(400));

    ChannelException e = failure(impatient.exchangeCode(APP_ID, code()));

    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(e.fault()).isEqualTo(Fault.PLATFORM);
    assertThat(bed.calls("jscode2session", "timeout")).isEqualTo(1);
    assertThat(breaker("jscode2session").getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
  }

  @Test
  void payBreakerOpensOnSystemErrors() {
    bed.sim.knobs().errorRate(1.0);
    for (int i = 0; i < 4; i++) {
      assertThat(failure(bed.adapter.queryOrder(APP_ID, "GG_any")).fault())
          .isEqualTo(Fault.PLATFORM);
    }

    assertThat(breaker("pay_query").getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(failure(bed.adapter.queryOrder(APP_ID, "GG_any")).kind())
        .isEqualTo(Kind.CIRCUIT_OPEN);
  }
}
