package cn.govgate.channel.wechat;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the WeChat adapter.
 *
 * @param apiBaseUrl base URL of the mini-program server API, {@code https://api.weixin.qq.com} or a
 *     simulator
 * @param payBaseUrl base URL of WeChat Pay v3, {@code https://api.mch.weixin.qq.com} or a simulator
 * @param timeout deadline of one channel call, including connection and reading the body
 * @param apps the mini-programs served; at least one
 * @param merchant the WeChat Pay merchant; null disables payments (they then fail as INTEGRATION)
 */
public record WechatConfig(
    String apiBaseUrl,
    String payBaseUrl,
    Duration timeout,
    List<WechatApp> apps,
    WechatMerchant merchant) {

  public WechatConfig {
    Objects.requireNonNull(apiBaseUrl, "apiBaseUrl");
    Objects.requireNonNull(payBaseUrl, "payBaseUrl");
    Objects.requireNonNull(timeout, "timeout");
    apps = List.copyOf(apps);
    if (apps.isEmpty()) throw new IllegalArgumentException("at least one app is required");
    apiBaseUrl = stripSlash(apiBaseUrl);
    payBaseUrl = stripSlash(payBaseUrl);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
