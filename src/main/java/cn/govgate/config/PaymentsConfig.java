package cn.govgate.config;

import java.time.Duration;

/**
 * Payment settings.
 *
 * @param notifyBaseUrl the public base URL the channels send callbacks to ({@code
 *     payments.notifyBaseUrl}, e.g. {@code https://gov.example.cn}); {@code /callbacks/alipay} or
 *     {@code /callbacks/wechat} is appended. Default: the gateway's own base URL once it listens
 *     (right for the demo and tests, not behind a proxy)
 * @param orderTtl how long an order stays payable at the channel ({@code payments.orderTtl},
 *     default 15m)
 * @param outboxInterval how often the outbox worker looks for due deliveries ({@code
 *     payments.outboxInterval}, default 2s)
 * @param outboxBatch deliveries claimed per round ({@code payments.outboxBatch}, default 20)
 * @param outboxBackoff the wait after the first failed delivery, doubled per further failure
 *     ({@code payments.outboxBackoff}, default 10s)
 * @param outboxMaxBackoff the longest wait between deliveries ({@code payments.outboxMaxBackoff},
 *     default 10m)
 * @param outboxLease how long a claimed delivery stays claimed before another worker may retry it
 *     (an instance that crashed mid-delivery) ({@code payments.outboxLease}, default 2m)
 * @param reconcileInterval how often the reconciler runs ({@code payments.reconcileInterval},
 *     default 30s)
 * @param reconcileAfter the age after which a pending order is asked about at the channel ({@code
 *     payments.reconcileAfter}, default 2m)
 * @param reconcileBatch orders asked about per round ({@code payments.reconcileBatch}, default 50)
 */
public record PaymentsConfig(
    String notifyBaseUrl,
    Duration orderTtl,
    Duration outboxInterval,
    int outboxBatch,
    Duration outboxBackoff,
    Duration outboxMaxBackoff,
    Duration outboxLease,
    Duration reconcileInterval,
    Duration reconcileAfter,
    int reconcileBatch) {

  static PaymentsConfig from(ConfigValues v) {
    String base = v.raw("payments.notifyBaseUrl");
    if (base != null && !base.matches("https?://[^\\s?#]+")) {
      throw new ConfigException(
          "payments.notifyBaseUrl", "must be an absolute http(s) URL without query");
    }
    return new PaymentsConfig(
        base == null ? null : base.replaceAll("/+$", ""),
        v.duration(
            "payments.orderTtl", Duration.ofMinutes(15), Duration.ofMinutes(1), Duration.ofDays(1)),
        v.duration(
            "payments.outboxInterval",
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMinutes(10)),
        v.integer("payments.outboxBatch", 20, 1, 1000),
        v.duration(
            "payments.outboxBackoff",
            Duration.ofSeconds(10),
            Duration.ofMillis(10),
            Duration.ofHours(1)),
        v.duration(
            "payments.outboxMaxBackoff",
            Duration.ofMinutes(10),
            Duration.ofMillis(10),
            Duration.ofDays(1)),
        v.duration(
            "payments.outboxLease",
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofHours(1)),
        v.duration(
            "payments.reconcileInterval",
            Duration.ofSeconds(30),
            Duration.ofMillis(50),
            Duration.ofHours(1)),
        v.duration(
            "payments.reconcileAfter",
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        v.integer("payments.reconcileBatch", 50, 1, 1000));
  }

  public static PaymentsConfig defaults() {
    return new PaymentsConfig(
        null,
        Duration.ofMinutes(15),
        Duration.ofSeconds(2),
        20,
        Duration.ofSeconds(10),
        Duration.ofMinutes(10),
        Duration.ofMinutes(2),
        Duration.ofSeconds(30),
        Duration.ofMinutes(2),
        50);
  }
}
