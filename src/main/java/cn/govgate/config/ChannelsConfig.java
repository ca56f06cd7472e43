package cn.govgate.config;

import cn.govgate.channel.alipay.AlipayApp;
import cn.govgate.channel.alipay.AlipayConfig;
import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.wechat.WechatApp;
import cn.govgate.channel.wechat.WechatConfig;
import cn.govgate.channel.wechat.WechatMerchant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The channel adapters' settings. A channel is on when its app list is set; every app listed must
 * then have its keys (the demo points them at its channel simulators). Values marked "secret"
 * accept {@code file:/path}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code alipay.apps}</td><td>off</td><td>comma-separated Alipay app ids served</td></tr>
 *   <tr><td>{@code alipay.gatewayUrl}</td><td>{@code https://openapi.alipay.com/gateway.do}</td><td>the
 *       {@code gateway.do} URL</td></tr>
 *   <tr><td>{@code alipay.timeout}</td><td>5s</td><td>deadline of one Alipay call</td></tr>
 *   <tr><td>{@code alipay.app.<appId>.signType}</td><td>RSA2</td><td>RSA2 or SM2</td></tr>
 *   <tr><td>{@code alipay.app.<appId>.privateKey}</td><td>required</td><td>secret: app private key, PKCS#8
 *       Base64 (PEM tolerated)</td></tr>
 *   <tr><td>{@code alipay.app.<appId>.alipayPublicKey}</td><td>required</td><td>Alipay public key, SPKI
 *       Base64</td></tr>
 *   <tr><td>{@code alipay.app.<appId>.sm2UserId}</td><td>SDK default</td><td>SM2 user id</td></tr>
 *   <tr><td>{@code alipay.app.<appId>.notifyUrl}</td><td>none</td><td>default trade notify URL</td></tr>
 *   <tr><td>{@code wechat.apps}</td><td>off</td><td>comma-separated mini-program app ids served</td></tr>
 *   <tr><td>{@code wechat.apiBaseUrl}</td><td>{@code https://api.weixin.qq.com}</td><td>server API</td></tr>
 *   <tr><td>{@code wechat.payBaseUrl}</td><td>{@code https://api.mch.weixin.qq.com}</td><td>Pay v3 API</td></tr>
 *   <tr><td>{@code wechat.timeout}</td><td>5s</td><td>deadline of one WeChat call</td></tr>
 *   <tr><td>{@code wechat.app.<appId>.secret}</td><td>required</td><td>secret: the app secret</td></tr>
 *   <tr><td>{@code wechat.merchant.mchId}</td><td>payments off</td><td>WeChat Pay merchant number</td></tr>
 *   <tr><td>{@code wechat.merchant.privateKey}</td><td>required with mchId</td><td>secret: merchant API
 *       private key, PKCS#8 Base64 (PEM tolerated)</td></tr>
 *   <tr><td>{@code wechat.merchant.serialNo}</td><td>required with mchId</td><td>merchant certificate
 *       serial</td></tr>
 *   <tr><td>{@code wechat.merchant.apiV3Key}</td><td>required with mchId</td><td>secret: 32-character APIv3
 *       key</td></tr>
 *   <tr><td>{@code wechat.merchant.platformPublicKey}</td><td>required with mchId</td><td>WeChat Pay platform
 *       public key, SPKI Base64</td></tr>
 *   <tr><td>{@code wechat.merchant.platformSerial}</td><td>required with mchId</td><td>platform serial or
 *       {@code PUB_KEY_ID_…}</td></tr>
 *   <tr><td>{@code wechat.merchant.notifyUrl}</td><td>required with mchId</td><td>payment callback URL</td></tr>
 * </table>
 *
 * @param alipay the Alipay adapter's settings, null when Alipay is off
 * @param wechat the WeChat adapter's settings, null when WeChat is off
 */
public record ChannelsConfig(AlipayConfig alipay, WechatConfig wechat) {

  /** Whether any channel is configured. */
  public boolean any() {
    return alipay != null || wechat != null;
  }

  static ChannelsConfig from(ConfigValues v) {
    return new ChannelsConfig(alipay(v), wechat(v));
  }

  private static AlipayConfig alipay(ConfigValues v) {
    String url = v.string("alipay.gatewayUrl", AlipayConfig.PRODUCTION_GATEWAY);
    Duration timeout =
        v.duration(
            "alipay.timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1));
    String list = v.raw("alipay.apps");
    if (list == null) return null;
    List<AlipayApp> apps = new ArrayList<>();
    for (String appId : ids(list)) {
      String p = "alipay.app." + appId + ".";
      SignType type = SignType.valueOf(v.oneOf(p + "signType", "RSA2", "RSA2", "SM2"));
      apps.add(
          new AlipayApp(
              appId,
              type,
              secret(v, p + "privateKey"),
              secret(v, p + "alipayPublicKey"),
              v.raw(p + "sm2UserId"),
              v.raw(p + "notifyUrl")));
    }
    return new AlipayConfig(url, timeout, apps);
  }

  private static WechatConfig wechat(ConfigValues v) {
    String api = v.string("wechat.apiBaseUrl", "https://api.weixin.qq.com");
    String pay = v.string("wechat.payBaseUrl", "https://api.mch.weixin.qq.com");
    Duration timeout =
        v.duration(
            "wechat.timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1));
    WechatMerchant merchant = null;
    if (v.isSet("wechat.merchant.mchId")) {
      String p = "wechat.merchant.";
      try {
        merchant =
            new WechatMerchant(
                v.required(p + "mchId"),
                secret(v, p + "privateKey"),
                v.required(p + "serialNo"),
                secret(v, p + "apiV3Key"),
                secret(v, p + "platformPublicKey"),
                v.required(p + "platformSerial"),
                v.required(p + "notifyUrl"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(p + "apiV3Key", e.getMessage());
      }
    }
    String list = v.raw("wechat.apps");
    if (list == null) return null;
    List<WechatApp> apps = new ArrayList<>();
    for (String appId : ids(list))
      apps.add(new WechatApp(appId, secret(v, "wechat.app." + appId + ".secret")));
    return new WechatConfig(api, pay, timeout, apps, merchant);
  }

  private static List<String> ids(String list) {
    List<String> ids = new ArrayList<>();
    for (String s : list.split(",")) if (!s.isBlank()) ids.add(s.trim());
    return ids;
  }

  /** A required value, or the content of {@code file:/path}. */
  static String secret(ConfigValues v, String key) {
    String raw = v.required(key);
    if (!raw.startsWith("file:")) return raw;
    return KeyFiles.read(key, Path.of(raw.substring(5))).trim();
  }
}
