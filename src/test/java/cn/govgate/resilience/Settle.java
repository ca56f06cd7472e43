package cn.govgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waits on the JUnit thread (never an event loop) for a Future to settle. */
final class Settle {

  private Settle() {}

  static <T> Future<T> settled(Future<T> future) {
    CountDownLatch latch = new CountDownLatch(1);
    future.onComplete(ar -> latch.countDown());
    try {
      assertThat(latch.await(5, TimeUnit.SECONDS)).as("future settled within 5 s").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return future;
  }

  static <T> T result(Future<T> future) {
    Future<T> done = settled(future);
    if (done.failed()) {
      throw new AssertionError("expected success", done.cause());
    }
    return done.result();
  }

  static Throwable failure(Future<?> future) {
    Future<?> done = settled(future);
    assertThat(done.failed()).as("expected failure but got %s", done.result()).isTrue();
    return done.cause();
  }
}
