package cn.govgate.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock plus an offset tests move by hand: real calls still take real time (so a slow department is
 * measured as slow), while a breaker's open wait passes by {@link #advance} instead of sleeping.
 */
public final class ShiftClock extends Clock {

  private final AtomicReference<Duration> offset;
  private final ZoneId zone;

  public ShiftClock() {
    this(new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
  }

  private ShiftClock(AtomicReference<Duration> offset, ZoneId zone) {
    this.offset = offset;
    this.zone = zone;
  }

  public void advance(Duration by) {
    offset.updateAndGet(o -> o.plus(by));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** The same moving instant seen in another zone (the simulators derive "today" in Asia/Shanghai). */
  @Override
  public Clock withZone(ZoneId other) {
    return new ShiftClock(offset, other);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset.get());
  }
}
