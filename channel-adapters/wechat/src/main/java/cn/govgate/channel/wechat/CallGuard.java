package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs one channel call under its breaker ({@code channel.wechat.<api>}), with a deadline, and records
 * {@code govgate.channel.calls}. Every failure leaving here is a {@link ChannelException}.
 */
final class CallGuard {

  static final String METRIC = "govgate.channel.calls";

  private final CircuitBreakerRegistry breakers;
  private final MeterRegistry meters;
  private final long timeoutMillis;

  CallGuard(CircuitBreakerRegistry breakers, MeterRegistry meters, Duration timeout) {
    this.breakers = breakers;
    this.meters = meters;
    this.timeoutMillis = timeout.toMillis();
  }

  /** The breaker of one API; only PLATFORM faults count, the registry's defaults decide everything else. */
  CircuitBreaker breaker(String api) {
    return breakers.circuitBreaker("channel.wechat." + api, () -> CircuitBreakerConfig
        .from(breakers.getDefaultConfig())
        .recordException(e -> !(e instanceof ChannelException ce) || ce.countsForBreaker())
        .build());
  }

  <T> Future<T> run(String api, Supplier<Future<T>> call) {
    CircuitBreaker breaker = breaker(api);
    Timer.Sample sample = Timer.start(meters);
    if (!breaker.tryAcquirePermission()) {
      record(sample, api, "circuit_open");
      return Future.failedFuture(WechatErrors.of(api, Kind.CIRCUIT_OPEN, Fault.PLATFORM, null,
          "circuit breaker open for " + api));
    }
    long start = breaker.getCurrentTimestamp();
    return invoke(call)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .recover(e -> Future.<T>failedFuture(classify(api, e)))
        .andThen(ar -> {
          long elapsed = breaker.getCurrentTimestamp() - start;
          if (ar.succeeded()) {
            breaker.onResult(elapsed, breaker.getTimestampUnit(), ar.result());
            record(sample, api, "ok");
          } else {
            breaker.onError(elapsed, breaker.getTimestampUnit(), ar.cause());
            record(sample, api, outcome((ChannelException) ar.cause()));
          }
        });
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
      return WechatErrors.of(api, Kind.TIMEOUT, Fault.PLATFORM, null, "no answer within the deadline");
    }
    if (e instanceof DecodeException || e instanceof ClassCastException || e instanceof IllegalArgumentException) {
      return WechatErrors.malformed(api, "malformed response: " + e.getClass().getSimpleName());
    }
    if (e instanceof IOException || e instanceof io.vertx.core.VertxException) {
      return WechatErrors.platformUnavailable(api, null, "transport failure: " + e.getClass().getSimpleName());
    }
    return WechatErrors.platformUnavailable(api, null, "unexpected failure: " + e.getClass().getSimpleName());
  }

  private static String outcome(ChannelException e) {
    if (e.kind() == Kind.TIMEOUT) return "timeout";
    return switch (e.fault()) {
      case CITIZEN -> "citizen_error";
      case PLATFORM -> "platform_error";
      case INTEGRATION -> "integration_error";
    };
  }

  private void record(Timer.Sample sample, String api, String outcome) {
    sample.stop(Timer.builder(METRIC)
        .tags("channel", "wechat", "api", api, "outcome", outcome)
        .register(meters));
  }
}
