package cn.govgate.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The preparation's fan-out on its own: as many tasks as the benchmark's auth codes, each ending
 * asynchronously on the event loop as an HTTP call does. Chained with {@code compose}, 60,000 tasks
 * over 4 workers nested 15,000 futures per worker and overflowed the stack when the last one ended
 * — the preparation then waited forever.
 */
class BenchDataTest {

  @Test
  void sixtyThousandAsynchronousTasksEndInIndexOrderWithoutOverflowingTheStack() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      BenchData data = BenchData.create(vertx, "http://127.0.0.1:1", "http://127.0.0.1:1", 4);
      int count = 60_000;
      Promise<List<Integer>> outcome = Promise.promise();
      vertx.runOnContext(
          v ->
              data.<Integer>forEach(
                      count,
                      i -> {
                        Promise<Integer> p = Promise.promise();
                        vertx.runOnContext(x -> p.complete(i));
                        return p.future();
                      })
                  .onComplete(outcome));
      List<Integer> results =
          outcome.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(results).hasSize(count);
      for (int i = 0; i < count; i++) assertThat(results.get(i)).isEqualTo(i);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theFirstFailureEndsTheFanOut() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      BenchData data = BenchData.create(vertx, "http://127.0.0.1:1", "http://127.0.0.1:1", 3);
      Promise<List<Integer>> outcome = Promise.promise();
      vertx.runOnContext(
          v ->
              data.<Integer>forEach(
                      100,
                      i ->
                          i == 42
                              ? Future.failedFuture(new IllegalStateException("step 42"))
                              : Future.succeededFuture(i))
                  .onComplete(outcome));
      Future<List<Integer>> f = outcome.future();
      try {
        f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // checked below
      }
      assertThat(f.failed()).isTrue();
      assertThat(f.cause()).hasMessage("step 42");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
