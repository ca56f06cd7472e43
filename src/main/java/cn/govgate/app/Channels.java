package cn.govgate.app;

import cn.govgate.channel.alipay.AlipayAdapter;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.wechat.WechatAdapter;
import cn.govgate.config.ChannelsConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The channel adapters of the configured channels (none configured: no channel logins, no
 * payments).
 */
final class Channels {
  private Channels() {}

  static Map<Channel, ChannelAdapter> create(
      Vertx vertx, ChannelsConfig config, MeterRegistry meters) {
    CircuitBreakerRegistry breakers = breakers(meters);
    Map<Channel, ChannelAdapter> adapters = new EnumMap<>(Channel.class);
    if (config.alipay() != null) {
      adapters.put(Channel.ALIPAY, AlipayAdapter.create(vertx, config.alipay(), breakers, meters));
    }
    if (config.wechat() != null) {
      adapters.put(Channel.WECHAT, WechatAdapter.create(vertx, config.wechat(), breakers, meters));
    }
    return Collections.unmodifiableMap(adapters);
  }

  static Future<Void> close(Map<Channel, ChannelAdapter> adapters) {
    adapters
        .values()
        .forEach(
            a -> {
              if (a instanceof AlipayAdapter alipay) alipay.close();
            });
    return Future.succeededFuture();
  }

  /**
   * One breaker registry for every channel API: opens at 50 % failures over the last 20 calls (≥
   * 5).
   */
  private static CircuitBreakerRegistry breakers(MeterRegistry meters) {
    CircuitBreakerRegistry breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
    return breakers;
  }
}
