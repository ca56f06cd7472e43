package cn.govgate.sim.departments;

import cn.govgate.sim.citizens.SyntheticCitizen;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * How to start one {@link DepartmentSimulator}.
 *
 * @param family the department family it implements
 * @param region the six-digit city region it serves (e.g. {@code 330100}); requests for another
 *     region are 400
 * @param keyId the key id the gateway signs with
 * @param secret the shared HMAC secret for that key id
 * @param port TCP port on 127.0.0.1, 0 for any free port
 * @param citizens the people it knows; those whose home region is another city are ignored
 * @param clock decides signature freshness and "today" (Asia/Shanghai) for derived data
 * @param bookingLog the {@link BookingLog} file its payments are booked in, durably, and read back
 *     from on start; null = payments are kept in memory only
 */
public record DepartmentSimulatorOptions(
    DepartmentFamily family,
    String region,
    String keyId,
    String secret,
    int port,
    List<SyntheticCitizen> citizens,
    Clock clock,
    Path bookingLog) {

  /** Payments in memory only. */
  public DepartmentSimulatorOptions(
      DepartmentFamily family,
      String region,
      String keyId,
      String secret,
      int port,
      List<SyntheticCitizen> citizens,
      Clock clock) {
    this(family, region, keyId, secret, port, citizens, clock, null);
  }

  public DepartmentSimulatorOptions {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(clock, "clock");
    if (region == null || !region.matches("\\d{6}")) {
      throw new IllegalArgumentException("region must be a six-digit code");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
    citizens = List.copyOf(citizens);
  }

  /** Any free port and the system clock. */
  public static DepartmentSimulatorOptions create(
      DepartmentFamily family,
      String region,
      String keyId,
      String secret,
      List<SyntheticCitizen> citizens) {
    return new DepartmentSimulatorOptions(
        family, region, keyId, secret, 0, citizens, Clock.systemUTC());
  }

  public DepartmentSimulatorOptions withPort(int value) {
    return new DepartmentSimulatorOptions(
        family, region, keyId, secret, value, citizens, clock, bookingLog);
  }

  public DepartmentSimulatorOptions withClock(Clock value) {
    return new DepartmentSimulatorOptions(
        family, region, keyId, secret, port, citizens, value, bookingLog);
  }

  /** Books payments durably in {@code file} (see {@link BookingLog}); null = in memory only. */
  public DepartmentSimulatorOptions withBookingLog(Path file) {
    return new DepartmentSimulatorOptions(
        family, region, keyId, secret, port, citizens, clock, file);
  }
}
