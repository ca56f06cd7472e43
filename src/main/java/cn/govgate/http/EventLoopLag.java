package cn.govgate.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Measures how late a 250 ms timer fires on an event loop: a loop that runs blocking or slow work
 * shows up as lag in {@code govgate_eventloop_lag_seconds} (one series per loop index, a bounded
 * set).
 */
final class EventLoopLag {
  private static final long PERIOD_MS = 250;

  private EventLoopLag() {}

  /** Starts measuring on the caller's event loop; the loop's thread number labels the series. */
  static long start(Vertx vertx, MeterRegistry registry) {
    String thread = Thread.currentThread().getName();
    String loopIndex = thread.substring(thread.lastIndexOf('-') + 1);
    Timer lag =
        Timer.builder("govgate.eventloop.lag")
            .description("How late a periodic timer fires on an event loop")
            .tag("loop", loopIndex)
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    long[] expected = {System.nanoTime() + PERIOD_MS * 1_000_000};
    return vertx.setPeriodic(
        PERIOD_MS,
        id -> {
          long now = System.nanoTime();
          lag.record(Duration.ofNanos(Math.max(0, now - expected[0])));
          expected[0] = now + PERIOD_MS * 1_000_000;
        });
  }
}
