package cn.govgate.config;

import java.time.Duration;

/**
 * 好差评 settings. The national figures in GB/T 39734 are unconfirmed, so both are configurable.
 *
 * @param window how long after an answer its interaction may be rated ({@code ratings.window},
 *     default 7 days, the 广东 rule)
 * @param rectificationDeadline how long a department has to close a 差评's rectification item ({@code
 *     ratings.rectificationDeadline}, default 5 days: "5 working days" counted as calendar days,
 *     since the gateway has no holiday calendar)
 */
public record RatingsConfig(Duration window, Duration rectificationDeadline) {

  static RatingsConfig from(ConfigValues v) {
    return new RatingsConfig(
        v.duration(
            "ratings.window", Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(365)),
        v.duration(
            "ratings.rectificationDeadline",
            Duration.ofDays(5),
            Duration.ofMinutes(1),
            Duration.ofDays(90)));
  }

  public static RatingsConfig defaults() {
    return new RatingsConfig(Duration.ofDays(7), Duration.ofDays(5));
  }
}
