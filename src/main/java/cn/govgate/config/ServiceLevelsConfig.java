package cn.govgate.config;

import java.time.Duration;

/**
 * Published service levels (效能监察).
 *
 * @param flushInterval how often each instance adds its per-minute call counts to PostgreSQL
 *     ({@code serviceLevels.flushInterval}, default 1m; also on shutdown)
 * @param rollupInterval how often per-minute rows are rolled into per-day totals by one instance
 *     ({@code serviceLevels.rollupInterval}, default 10m)
 * @param rollupAfter the age of per-minute rows that are rolled up ({@code
 *     serviceLevels.rollupAfter}, default 1h)
 * @param gaugeInterval how often the month's figures are recomputed for the {@code
 *     govgate_service_level_*} gauges ({@code serviceLevels.gaugeInterval}, default 5m)
 * @param cacheTtl how long a published answer is reused by an instance ({@code
 *     serviceLevels.cacheTtl}, default 30s)
 */
public record ServiceLevelsConfig(
    Duration flushInterval,
    Duration rollupInterval,
    Duration rollupAfter,
    Duration gaugeInterval,
    Duration cacheTtl) {

  static ServiceLevelsConfig from(ConfigValues v) {
    return new ServiceLevelsConfig(
        v.duration(
            "serviceLevels.flushInterval",
            Duration.ofMinutes(1),
            Duration.ofMillis(50),
            Duration.ofMinutes(10)),
        v.duration(
            "serviceLevels.rollupInterval",
            Duration.ofMinutes(10),
            Duration.ofMillis(50),
            Duration.ofDays(1)),
        v.duration(
            "serviceLevels.rollupAfter",
            Duration.ofHours(1),
            Duration.ofMinutes(5),
            Duration.ofDays(7)),
        v.duration(
            "serviceLevels.gaugeInterval",
            Duration.ofMinutes(5),
            Duration.ofMillis(50),
            Duration.ofHours(6)),
        v.duration(
            "serviceLevels.cacheTtl", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1)));
  }

  public static ServiceLevelsConfig defaults() {
    return new ServiceLevelsConfig(
        Duration.ofMinutes(1),
        Duration.ofMinutes(10),
        Duration.ofHours(1),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30));
  }
}
