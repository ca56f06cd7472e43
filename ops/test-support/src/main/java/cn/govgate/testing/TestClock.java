package cn.govgate.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one clock tests move by hand, so that deadlines, breaker waits, windows and expiry pass
 * without sleeping.
 *
 * <p>Two kinds: a <em>frozen</em> clock ({@link #at}, {@link #frozenNow}) stands still until {@link
 * #advance} moves it; a <em>running</em> clock ({@link #running}) follows the system clock plus an
 * offset that {@link #advance} grows, so real calls still take real time (a slow department is
 * measured as slow) while a breaker's open wait passes at once. {@link #withZone} and {@link
 * #ahead} are views of the same moving instant (a simulator that derives "today" in Asia/Shanghai,
 * a party of a test that lives in the future). Thread-safe.
 */
public final class TestClock extends Clock {
  private final AtomicReference<State> state;
  private final ZoneId zone;
  private final Duration ahead;

  /** {@code frozenAt} null: running on the system clock. */
  private record State(Instant frozenAt, Duration offset) {}

  private TestClock(AtomicReference<State> state, ZoneId zone, Duration ahead) {
    this.state = state;
    this.zone = zone;
    this.ahead = ahead;
  }

  /** A frozen clock at {@code start}, in UTC. */
  public static TestClock at(Instant start) {
    Objects.requireNonNull(start, "start");
    return new TestClock(
        new AtomicReference<>(new State(start, Duration.ZERO)), ZoneOffset.UTC, Duration.ZERO);
  }

  /** A frozen clock at an ISO-8601 instant such as {@code 2026-03-01T00:00:00Z}. */
  public static TestClock at(String instant) {
    return at(Instant.parse(instant));
  }

  /** A frozen clock at the current system time. */
  public static TestClock frozenNow() {
    return at(Instant.now());
  }

  /** A clock that runs with the system clock, moved ahead by every {@link #advance}. */
  public static TestClock running() {
    return new TestClock(
        new AtomicReference<>(new State(null, Duration.ZERO)), ZoneOffset.UTC, Duration.ZERO);
  }

  /** Moves this clock and every view of it forward (or back, for a negative duration). */
  public void advance(Duration by) {
    state.updateAndGet(s -> new State(s.frozenAt(), s.offset().plus(by)));
  }

  /** A view of this clock that reads {@code by} later; it moves whenever this clock moves. */
  public TestClock ahead(Duration by) {
    return new TestClock(state, zone, ahead.plus(by));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public TestClock withZone(ZoneId other) {
    return new TestClock(state, other, ahead);
  }

  @Override
  public Instant instant() {
    State s = state.get();
    Instant base = s.frozenAt() != null ? s.frozenAt() : Instant.now();
    return base.plus(s.offset()).plus(ahead);
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }
}
