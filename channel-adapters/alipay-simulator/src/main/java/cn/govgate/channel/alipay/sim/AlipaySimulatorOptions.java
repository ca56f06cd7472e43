package cn.govgate.channel.alipay.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Start-up options of the {@link AlipaySimulator}. Behaviour knobs are set later on the running
 * simulator.
 *
 * @param port TCP port on 127.0.0.1, 0 for any free port
 * @param clock the simulator's clock: timestamps, auth-code expiry, payment times
 * @param authCodeTtl how long an issued auth code stays usable (❓ not documented; default 5
 *     minutes)
 * @param notifyRetryDelays delays before each re-delivery of a notification that was not answered
 *     {@code success}; Alipay's real schedule is 4m, 10m, 10m, 1h, 2h, 6h, 15h
 */
public record AlipaySimulatorOptions(
    int port, Clock clock, Duration authCodeTtl, List<Duration> notifyRetryDelays) {

  /** Alipay's real notification retry schedule. */
  public static final List<Duration> ALIPAY_RETRY_SCHEDULE =
      List.of(
          Duration.ofMinutes(4),
          Duration.ofMinutes(10),
          Duration.ofMinutes(10),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofHours(15));

  public AlipaySimulatorOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(authCodeTtl, "authCodeTtl");
    notifyRetryDelays = List.copyOf(notifyRetryDelays);
  }

  /** Any port, system clock, 5-minute auth codes, Alipay's retry schedule. */
  public static AlipaySimulatorOptions defaults() {
    return new AlipaySimulatorOptions(
        0, Clock.systemUTC(), Duration.ofMinutes(5), ALIPAY_RETRY_SCHEDULE);
  }

  public AlipaySimulatorOptions withPort(int port) {
    return new AlipaySimulatorOptions(port, clock, authCodeTtl, notifyRetryDelays);
  }

  public AlipaySimulatorOptions withClock(Clock clock) {
    return new AlipaySimulatorOptions(port, clock, authCodeTtl, notifyRetryDelays);
  }

  public AlipaySimulatorOptions withAuthCodeTtl(Duration ttl) {
    return new AlipaySimulatorOptions(port, clock, ttl, notifyRetryDelays);
  }

  public AlipaySimulatorOptions withNotifyRetryDelays(List<Duration> delays) {
    return new AlipaySimulatorOptions(port, clock, authCodeTtl, delays);
  }
}
