package cn.govgate.channel.alipay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import cn.govgate.channel.spi.ChannelException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Shared test plumbing: a loud Vert.x, blocking waits on the JUnit thread, a settable clock, small
 * breakers.
 */
public final class TestSupport {

  /** App keys are slow to generate: once per JVM. */
  public static final AlipayCrypto.KeyPairBase64 APP_RSA = AlipayCrypto.generate(SignType.RSA2);

  public static final AlipayCrypto.KeyPairBase64 APP_SM2 = AlipayCrypto.generate(SignType.SM2);

  private TestSupport() {}

  public static Vertx vertx() {
    return Vertx.vertx(
        new VertxOptions()
            .setMaxEventLoopExecuteTime(200)
            .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
  }

  /** Waits on the JUnit thread (never an event loop) for a future's value. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits for a future to fail with a ChannelException and returns it. */
  public static ChannelException awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return fail("expected a ChannelException, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ChannelException.class);
      return (ChannelException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Polls a condition on the JUnit thread for asynchronous effects (notification delivery). */
  public static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("condition not met within 10s");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * A breaker registry that opens after 4 calls at 50% failures and waits 30 s (of {@code clock})
   * in open.
   */
  public static CircuitBreakerRegistry breakers(Clock clock) {
    return CircuitBreakerRegistry.of(
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(1)
            .clock(clock)
            .build());
  }
}
