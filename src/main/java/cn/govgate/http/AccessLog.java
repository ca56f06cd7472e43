package cn.govgate.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON log line per request on logger {@code govgate.access} — method, route template (never
 * the raw path, which may carry identifiers), status, duration and request id — and the same
 * request in the timer {@code govgate_http_server_requests_seconds{method, route, status}}. Both
 * take the route from {@link RouteLabel}, so a request failing inside a sub-router is counted under
 * its own template, whatever the outcome.
 */
final class AccessLog implements Handler<RoutingContext> {
  /** The timer's name; Prometheus shows it as {@code govgate_http_server_requests_seconds}. */
  static final String REQUESTS = "govgate.http.server.requests";

  /**
   * Bucket bounds of the request timer: the latency thresholds the alerts and dashboards read (1 s
   * is {@code GovgateHttpLatencyHigh}'s), not a default series per bucket.
   */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private static final Logger log = LoggerFactory.getLogger("govgate.access");

  private final MeterRegistry meters;

  /**
   * Timers resolved once per (method, route template, status): every part of the key is bounded
   * (served methods or {@code other}, templates, status codes), so the map is too.
   */
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  private record TimerKey(String method, String route, int status) {}

  AccessLog(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(
        ar -> {
          long elapsed = System.nanoTime() - start;
          String method = ctx.request().method().name();
          String route = RouteLabel.of(ctx);
          int status = ctx.response().getStatusCode();
          timer(MethodLabel.of(method), route, status).record(elapsed, TimeUnit.NANOSECONDS);
          if (log.isInfoEnabled()) {
            log.info(
                "{} {} {} {} {}",
                kv("method", method),
                kv("route", route),
                kv("status", status),
                kv("durationMs", elapsed / 1_000_000.0),
                kv("requestId", RequestIds.of(ctx)));
          }
        });
    ctx.next();
  }

  private Timer timer(String method, String route, int status) {
    return timers.computeIfAbsent(new TimerKey(method, route, status), this::register);
  }

  private Timer register(TimerKey key) {
    return Timer.builder(REQUESTS)
        .description("HTTP requests the gateway answered, by method, route template and status")
        .tags("method", key.method(), "route", key.route(), "status", String.valueOf(key.status()))
        .serviceLevelObjectives(BUCKETS)
        .register(meters);
  }
}
