package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelCalls;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs one channel call under its breaker ({@code channel.wechat.<api>}), with a deadline, and
 * records {@code govgate.channel.calls}. Every failure leaving here is a {@link ChannelException}.
 */
final class CallGuard {

  static final String METRIC = ChannelCalls.METRIC;

  private final ChannelCalls calls;
  private final long timeoutMillis;

  CallGuard(CircuitBreakerRegistry breakers, MeterRegistry meters, Duration timeout) {
    this.calls = ChannelCalls.create(Channel.WECHAT, breakers, meters);
    this.timeoutMillis = timeout.toMillis();
  }

  /**
   * The breaker of one API; only PLATFORM faults count, the registry's defaults decide everything
   * else.
   */
  CircuitBreaker breaker(String api) {
    return calls.breaker(api);
  }

  /** Runs a call under its breaker with the deadline inside, so that the breaker sees timeouts. */
  <T> Future<T> run(String api, Supplier<Future<T>> call) {
    return calls.guarded(
        api,
        () ->
            invoke(call)
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.<T>failedFuture(classify(api, e))));
  }

  private static <T> Future<T> invoke(Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  static ChannelException classify(String api, Throwable e) {
    if (e instanceof ChannelException ce) return ce;
    if (e instanceof TimeoutException) {
      return WechatErrors.of(
          api, Kind.TIMEOUT, Fault.PLATFORM, null, "no answer within the deadline");
    }
    if (e instanceof DecodeException
        || e instanceof ClassCastException
        || e instanceof IllegalArgumentException) {
      return WechatErrors.malformed(api, "malformed response: " + e.getClass().getSimpleName());
    }
    if (e instanceof IOException || e instanceof io.vertx.core.VertxException) {
      return WechatErrors.platformUnavailable(
          api, null, "transport failure: " + e.getClass().getSimpleName());
    }
    return WechatErrors.platformUnavailable(
        api, null, "unexpected failure: " + e.getClass().getSimpleName());
  }
}
