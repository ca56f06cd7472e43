package cn.govgate.resilience;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Token bucket that caps retries at a fraction of first calls: each first call deposits {@code
 * depositPerCall} tokens up to {@code cap}, each retry withdraws one; without a whole token there
 * is no retry. With the default 0.2 deposit, retries add at most ~20 % load on top of steady
 * traffic, and a dead backend drains the bucket instead of receiving three times the traffic.
 * Lock-free and thread-safe; one per backend.
 */
public final class RetryBudget {

  private static final long SCALE = 1000; // milli-tokens, so that 0.2 is exact

  private final long depositPerCall;
  private final long cap;
  private final AtomicLong tokens;

  private RetryBudget(double depositPerCall, double cap, double initial) {
    if (!(depositPerCall > 0 && depositPerCall <= 1)) {
      throw new IllegalArgumentException("depositPerCall must be in (0, 1]");
    }
    if (!(cap >= 1 && cap <= 1_000_000)) {
      throw new IllegalArgumentException("cap must be between 1 and 1000000");
    }
    if (!(initial >= 0 && initial <= cap)) {
      throw new IllegalArgumentException("initial must be between 0 and cap");
    }
    this.depositPerCall = Math.round(depositPerCall * SCALE);
    this.cap = Math.round(cap * SCALE);
    this.tokens = new AtomicLong(Math.round(initial * SCALE));
  }

  /**
   * 0.2 tokens per first call, at most 10 tokens, starting full so that a cold gateway can still
   * retry.
   */
  public static RetryBudget create() {
    return create(0.2, 10, 10);
  }

  public static RetryBudget create(double depositPerCall, double cap, double initial) {
    return new RetryBudget(depositPerCall, cap, initial);
  }

  /** Called once per first attempt. */
  public void deposit() {
    tokens.getAndUpdate(t -> Math.min(cap, t + depositPerCall));
  }

  /**
   * Takes one token for a retry; {@code false} (nothing taken) when less than one token is left.
   */
  public boolean tryWithdraw() {
    while (true) {
      long current = tokens.get();
      if (current < SCALE) {
        return false;
      }
      if (tokens.compareAndSet(current, current - SCALE)) {
        return true;
      }
    }
  }

  public double tokens() {
    return tokens.get() / (double) SCALE;
  }
}
