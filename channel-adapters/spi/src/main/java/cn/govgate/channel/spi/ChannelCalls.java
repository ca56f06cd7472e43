package cn.govgate.channel.spi;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs every call of one channel's adapter under the breaker of its API and records it: the shared
 * part of all adapters. One resilience4j breaker per API, named {@code channel.<channel>.<api>}
 * (dots of the API name become underscores), built from the registry's default settings and
 * counting only {@link ChannelException}s whose fault is the platform's; driven without blocking
 * (acquire, time, exactly one {@code onResult}/{@code onError}). Each call is timed in {@value
 * #METRIC} with tags {@code channel}, {@code api} and {@code outcome} (ok, citizen_error,
 * platform_error, integration_error, timeout, circuit_open).
 */
public final class ChannelCalls {
  /** The call timer's name. */
  public static final String METRIC = "govgate.channel.calls";

  private final Channel channel;
  private final CircuitBreakerRegistry breakers;
  private final MeterRegistry meters;
  private final Map<String, CircuitBreaker> breakerByApi = new ConcurrentHashMap<>();

  private ChannelCalls(Channel channel, CircuitBreakerRegistry breakers, MeterRegistry meters) {
    this.channel = channel;
    this.breakers = breakers;
    this.meters = meters;
  }

  public static ChannelCalls create(
      Channel channel, CircuitBreakerRegistry breakers, MeterRegistry meters) {
    return new ChannelCalls(channel, breakers, meters);
  }

  /** The breaker of one API (created on first use). */
  public CircuitBreaker breaker(String api) {
    return breakerByApi.computeIfAbsent(
        api,
        a ->
            breakers.circuitBreaker(
                breakerName(a),
                CircuitBreakerConfig.from(breakers.getDefaultConfig())
                    .recordException(
                        e -> !(e instanceof ChannelException ce) || ce.countsForBreaker())
                    .build()));
  }

  /** {@code channel.<channel>.<api>} with the API's dots as underscores: a bounded name. */
  public String breakerName(String api) {
    return "channel." + channel.wireName() + "." + api.replace('.', '_');
  }

  /**
   * Runs {@code call} under the API's breaker. The call's own failures should already be typed
   * {@link ChannelException}s (timeouts included: put the deadline inside {@code call} so the
   * breaker sees it); a refused permission fails at once with {@link
   * ChannelException.Kind#CIRCUIT_OPEN}.
   */
  public <T> Future<T> guarded(String api, Supplier<Future<T>> call) {
    long started = System.nanoTime();
    CircuitBreaker breaker = breaker(api);
    Future<T> result;
    if (!breaker.tryAcquirePermission()) {
      result =
          Future.failedFuture(
              new ChannelException(
                  channel,
                  api,
                  ChannelException.Kind.CIRCUIT_OPEN,
                  ChannelException.Fault.PLATFORM,
                  null,
                  channel.wireName() + " " + api + " circuit breaker is open"));
    } else {
      long start = breaker.getCurrentTimestamp();
      Future<T> attempt;
      try {
        attempt = call.get();
      } catch (RuntimeException e) {
        attempt = Future.failedFuture(e);
      }
      result =
          attempt.andThen(
              ar -> {
                long elapsed = breaker.getCurrentTimestamp() - start;
                if (ar.succeeded()) {
                  breaker.onResult(elapsed, breaker.getTimestampUnit(), ar.result());
                } else {
                  breaker.onError(elapsed, breaker.getTimestampUnit(), ar.cause());
                }
              });
    }
    return result.andThen(
        ar ->
            Timer.builder(METRIC)
                .description("Calls from the gateway to a channel platform")
                .tag("channel", channel.wireName())
                .tag("api", api)
                .tag("outcome", outcome(ar))
                .register(meters)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
  }

  /** The metric outcome of a finished call. */
  public static String outcome(AsyncResult<?> ar) {
    if (ar.succeeded()) return "ok";
    if (!(ar.cause() instanceof ChannelException ce)) return "platform_error";
    if (ce.kind() == ChannelException.Kind.CIRCUIT_OPEN) return "circuit_open";
    if (ce.kind() == ChannelException.Kind.TIMEOUT) return "timeout";
    return switch (ce.fault()) {
      case CITIZEN -> "citizen_error";
      case PLATFORM -> "platform_error";
      case INTEGRATION -> "integration_error";
    };
  }
}
