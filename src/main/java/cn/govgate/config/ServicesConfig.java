package cn.govgate.config;

import java.time.Duration;

/**
 * Citizen service settings.
 *
 * @param vehicleLookupLimit how many lookups of vehicles not registered to them a citizen may make
 *     within {@code vehicleLookupWindow} ({@code services.vehicleLookupLimit}, default 10)
 * @param vehicleLookupWindow the sliding window of that limit ({@code
 *     services.vehicleLookupWindow}, default 1h)
 */
public record ServicesConfig(int vehicleLookupLimit, Duration vehicleLookupWindow) {

  static ServicesConfig from(ConfigValues v) {
    return new ServicesConfig(
        v.integer("services.vehicleLookupLimit", 10, 1, 10_000),
        v.duration(
            "services.vehicleLookupWindow",
            Duration.ofHours(1),
            Duration.ofMinutes(1),
            Duration.ofDays(7)));
  }

  public static ServicesConfig defaults() {
    return new ServicesConfig(10, Duration.ofHours(1));
  }
}
