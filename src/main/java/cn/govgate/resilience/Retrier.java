package cn.govgate.resilience;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Retries idempotent department reads OUTSIDE the {@link Guard}: {@code
 * retrier.execute(Idempotency.READ, () -> guard.call("service", () -> client.get(...)))}. Each
 * attempt goes through the guard again, so the breaker sees every attempt and its refusal stops the
 * retries.
 *
 * <p>A failure is retried only when all hold: the call is an idempotent read, retries are left, the
 * failure is the department's fault ({@code departmentFault} true: a 5xx, a dropped connection —
 * never a citizen-caused answer, never a {@link GuardRejectedException} from the breaker, bulkhead
 * or a drain), the backoff still ends within the policy's overall budget, and the {@link
 * RetryBudget} yields a token. Backoff waits are Vert.x timers. A deadline that passed is not
 * retried: the department is slow, another attempt would add its load and make the citizen wait a
 * whole deadline more before the stale copy or the clear error.
 */
public final class Retrier {

  /** Whether a call may be repeated without changing anything at the department. */
  public enum Idempotency {
    /** Queries: safe to repeat. */
    READ,
    /** Anything that changes state (payments, applications): never retried here. */
    WRITE
  }

  private final Vertx vertx;
  private final RetryPolicy policy;
  private final RetryBudget budget;
  private final Predicate<Throwable> departmentFault;
  private final Clock clock;
  private final DoubleSupplier random;

  private Retrier(
      Vertx vertx,
      RetryPolicy policy,
      RetryBudget budget,
      Predicate<Throwable> departmentFault,
      Clock clock,
      DoubleSupplier random) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.policy = Objects.requireNonNull(policy, "policy").requireValid();
    this.budget = Objects.requireNonNull(budget, "budget");
    this.departmentFault = Objects.requireNonNull(departmentFault, "departmentFault");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * @param departmentFault the same predicate the backend's {@link Guard} uses as {@code
   *     countsAsFailure}
   */
  public static Retrier create(
      Vertx vertx, RetryPolicy policy, RetryBudget budget, Predicate<Throwable> departmentFault) {
    return create(vertx, policy, budget, departmentFault, Clock.systemUTC());
  }

  /** As above with the clock that measures the overall budget. */
  public static Retrier create(
      Vertx vertx,
      RetryPolicy policy,
      RetryBudget budget,
      Predicate<Throwable> departmentFault,
      Clock clock) {
    return new Retrier(
        vertx,
        policy,
        budget,
        departmentFault,
        clock,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  public RetryPolicy policy() {
    return policy;
  }

  public RetryBudget budget() {
    return budget;
  }

  /** Runs {@code call}, retrying per the class rules; the last failure is returned unchanged. */
  public <T> Future<T> execute(Idempotency idempotency, Supplier<Future<T>> call) {
    Objects.requireNonNull(idempotency, "idempotency");
    budget.deposit();
    Instant giveUpAt = clock.instant().plus(policy.overallBudget());
    return attempt(idempotency, call, 0, giveUpAt);
  }

  private <T> Future<T> attempt(
      Idempotency idempotency, Supplier<Future<T>> call, int retriesDone, Instant giveUpAt) {
    Future<T> result;
    try {
      result = Objects.requireNonNull(call.get(), "call returned null");
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(
        failure -> {
          if (idempotency != Idempotency.READ
              || retriesDone >= policy.maxRetries()
              || !retryable(failure)) {
            return Future.failedFuture(failure);
          }
          Duration backoff = policy.backoff(retriesDone + 1, random.getAsDouble());
          if (!clock.instant().plus(backoff).isBefore(giveUpAt)) {
            return Future.failedFuture(failure);
          }
          // Withdrawn last: a token is spent only on a retry that really happens.
          if (!budget.tryWithdraw()) {
            return Future.failedFuture(failure);
          }
          long delayMillis = Math.max(1, backoff.toMillis());
          return vertx
              .timer(delayMillis, TimeUnit.MILLISECONDS)
              .compose(ignored -> attempt(idempotency, call, retriesDone + 1, giveUpAt));
        });
  }

  private boolean retryable(Throwable failure) {
    if (failure instanceof GuardRejectedException) {
      return false;
    }
    return !(failure instanceof DeadlineExceededException) && departmentFault.test(failure);
  }
}
