package cn.govgate.channel.wechat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/** A clock that runs a fixed offset ahead of another, so one party of a test can live in the future. */
final class MutableClockShift extends Clock {

  private final Clock base;
  private final Duration offset;

  private MutableClockShift(Clock base, Duration offset) {
    this.base = base;
    this.offset = offset;
  }

  static Clock of(Clock base, Duration offset) {
    return new MutableClockShift(base, offset);
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset);
  }
}
