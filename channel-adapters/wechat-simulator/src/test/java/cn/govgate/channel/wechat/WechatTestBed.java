package cn.govgate.channel.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.wechat.sim.SimUser;
import cn.govgate.channel.wechat.sim.WechatSimulator;
import cn.govgate.channel.wechat.sim.WechatSimulatorOptions;
import cn.govgate.testing.TestClock;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One Vert.x, one running simulator with two apps, one merchant and two people, and an adapter on a
 * mutable clock. Blocking helpers are for the JUnit thread only.
 */
final class WechatTestBed implements AutoCloseable {

  static final String APP_ID = "wx4f4bc4dec97d474b";
  static final String APP_SECRET = "7f3c0a9d1e2b4c5d6e7f8091a2b3c4d5";
  static final String OTHER_APP_ID = "wxd930ea5d5a258f4f";
  static final String OTHER_APP_SECRET = "0b1c2d3e4f5061728394a5b6c7d8e9f0";
  static final String MCH_ID = "1230000109";
  static final String MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
  static final String API_V3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
  static final SimUser ZHANG =
      new SimUser(
          "oGZUI0egBJY1zhBYw2KhdUfwVJJE",
          "ocMvos6NjeKLIBqg5Mr9QjxrP1FA",
          "张三",
          "110101199003071234");
  static final SimUser LI =
      new SimUser("oVBkZ0aYgDMDIywRdgPW8-joxXc4", null, "李四", "11010119800101567X");
  static final KeyPair MERCHANT_KEYS = rsa();

  final Vertx vertx;
  final TestClock clock = TestClock.frozenNow();
  final WechatSimulator sim;
  final CircuitBreakerRegistry breakers;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final WechatAdapter adapter;

  private WechatTestBed(
      Vertx vertx, WechatSimulatorOptions options, CircuitBreakerConfig breakerConfig) {
    this.vertx = vertx;
    Clock simClock = options.clock() == null ? clock : options.clock();
    this.sim = await(WechatSimulator.start(vertx, options.withClock(simClock)));
    sim.registerApp(APP_ID, APP_SECRET)
        .registerApp(OTHER_APP_ID, OTHER_APP_SECRET)
        .registerMerchant(
            MCH_ID, base64(MERCHANT_KEYS.getPublic().getEncoded()), MERCHANT_SERIAL, API_V3_KEY)
        .addUser(ZHANG)
        .addUser(LI);
    this.breakers = CircuitBreakerRegistry.of(breakerConfig);
    this.adapter = adapter(c -> c);
  }

  static WechatTestBed start() {
    return start(
        WechatSimulatorOptions.defaults()
            .withClock(null)
            .withNotifyRetryDelays(
                List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200))));
  }

  static WechatTestBed start(WechatSimulatorOptions options) {
    return start(options, CircuitBreakerConfig.custom().build());
  }

  static WechatTestBed start(WechatSimulatorOptions options, CircuitBreakerConfig breakerConfig) {
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setMaxEventLoopExecuteTime(200)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setBlockedThreadCheckInterval(100)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    return new WechatTestBed(vertx, options, breakerConfig);
  }

  WechatConfig config() {
    WechatMerchant merchant =
        new WechatMerchant(
            MCH_ID,
            base64(MERCHANT_KEYS.getPrivate().getEncoded()),
            MERCHANT_SERIAL,
            API_V3_KEY,
            sim.platformPublicKey(),
            sim.platformSerial(),
            "https://gov.example.cn/notify");
    return new WechatConfig(
        sim.baseUrl(),
        sim.baseUrl(),
        Duration.ofSeconds(10),
        List.of(new WechatApp(APP_ID, APP_SECRET), new WechatApp(OTHER_APP_ID, OTHER_APP_SECRET)),
        merchant);
  }

  /** An adapter on this bed's clock, breakers and meters, with an edited configuration. */
  WechatAdapter adapter(UnaryOperator<WechatConfig> edit) {
    return adapter(edit, clock);
  }

  WechatAdapter adapter(UnaryOperator<WechatConfig> edit, Clock adapterClock) {
    return WechatAdapter.create(vertx, edit.apply(config()), breakers, meters, adapterClock);
  }

  ChannelSubject login(SimUser user) {
    return await(adapter.exchangeCode(APP_ID, sim.issueAuthCode(APP_ID, user.openid())));
  }

  long calls(String api, String outcome) {
    Timer timer =
        meters
            .find(CallGuard.METRIC)
            .tags("channel", "wechat", "api", api, "outcome", outcome)
            .timer();
    return timer == null ? 0 : timer.count();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ChannelException a future fails with; fails the test if it succeeds or fails otherwise. */
  static ChannelException failure(Future<?> future) {
    Throwable thrown = catchThrowable(() -> await(future));
    assertThat(thrown).isInstanceOf(ChannelException.class);
    return (ChannelException) thrown;
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(sim.close());
    await(vertx.close());
  }
}
