package cn.govgate.channel.alipay;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the Alipay adapter.
 *
 * @param gatewayUrl full URL of {@code gateway.do}: {@code https://openapi.alipay.com/gateway.do}
 *     or a simulator's
 * @param timeout deadline of one gateway call, connection included
 * @param apps the Alipay apps (mini-programs) the gateway serves, at least one, distinct app ids
 */
public record AlipayConfig(String gatewayUrl, Duration timeout, List<AlipayApp> apps) {

  /** Production gateway URL. */
  public static final String PRODUCTION_GATEWAY = "https://openapi.alipay.com/gateway.do";

  public AlipayConfig {
    Objects.requireNonNull(gatewayUrl, "gatewayUrl");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero())
      throw new IllegalArgumentException("timeout must be positive");
    apps = List.copyOf(apps);
    if (apps.isEmpty()) throw new IllegalArgumentException("at least one Alipay app");
    if (apps.stream().map(AlipayApp::appId).distinct().count() != apps.size()) {
      throw new IllegalArgumentException("duplicate Alipay app id");
    }
  }
}
