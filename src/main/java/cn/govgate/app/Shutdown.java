package cn.govgate.app;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the gateway has started, to be closed in the reverse order of starting: on {@link
 * Gateway#stop()}, or when start-up fails half-way. Each part is registered the moment it exists,
 * so nothing is left running and nothing is closed twice.
 */
final class Shutdown {
  private final Deque<Supplier<Future<?>>> steps = new ArrayDeque<>();

  /** Registers {@code part}, to be closed by {@code close}; returns it. */
  synchronized <T> T add(T part, Function<T, Future<?>> close) {
    steps.push(() -> close.apply(part));
    return part;
  }

  /** Closes everything registered, last first; one failing step does not stop the others. */
  synchronized Future<Void> run() {
    Future<Void> done = Future.succeededFuture();
    while (!steps.isEmpty()) {
      Supplier<Future<?>> step = steps.pop();
      done =
          done.eventually(
              () -> {
                try {
                  return step.get();
                } catch (RuntimeException e) {
                  return Future.failedFuture(e);
                }
              });
    }
    return done;
  }
}
