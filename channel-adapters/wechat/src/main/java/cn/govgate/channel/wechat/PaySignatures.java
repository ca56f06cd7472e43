package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException.Kind;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * WeChat Pay v3 signatures for one merchant (§7.1, §7.2, §7.4): signs requests with the merchant
 * key and checks the platform's {@code Wechatpay-*} headers, including the 5-minute timestamp
 * window. Keys are parsed once.
 */
final class PaySignatures {

  static final String SCHEMA = "WECHATPAY2-SHA256-RSA2048";
  static final Duration WINDOW = Duration.ofMinutes(5);

  private final WechatMerchant merchant;
  private final PrivateKey merchantKey;
  private final PublicKey platformKey;
  private final Clock clock;

  PaySignatures(WechatMerchant merchant, Clock clock) {
    this.merchant = merchant;
    this.merchantKey = WechatCrypto.parsePrivateKey(merchant.merchantPrivateKey());
    this.platformKey = WechatCrypto.parsePublicKey(merchant.platformPublicKey());
    this.clock = clock;
  }

  WechatMerchant merchant() {
    return merchant;
  }

  /**
   * The {@code Authorization} header for a request; {@code canonicalUrl} is the raw path plus raw
   * query.
   */
  String authorization(String method, String canonicalUrl, String body) {
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    String nonce = WechatCrypto.nonce(32);
    String signature =
        WechatCrypto.sign(
            merchantKey, WechatCrypto.requestMessage(method, canonicalUrl, timestamp, nonce, body));
    return SCHEMA
        + " mchid=\""
        + merchant.mchId()
        + "\",nonce_str=\""
        + nonce
        + "\",timestamp=\""
        + timestamp
        + "\",serial_no=\""
        + merchant.merchantSerialNo()
        + "\",signature=\""
        + signature
        + "\"";
  }

  /** Base64 SHA256withRSA with the merchant key, e.g. the {@code paySign}. */
  String signWithMerchantKey(String message) {
    return WechatCrypto.sign(merchantKey, message);
  }

  /**
   * Checks the platform signature headers of a response or a notification over the raw body.
   *
   * @param headers header values by lower-case name
   * @throws cn.govgate.channel.spi.ChannelException INTEGRATION with SIGNATURE_INVALID or
   *     TIMESTAMP_OUT_OF_WINDOW
   */
  void verifyPlatformSignature(String api, Map<String, String> headers, String body) {
    String serial = headers.get("wechatpay-serial");
    String timestamp = headers.get("wechatpay-timestamp");
    String nonce = headers.get("wechatpay-nonce");
    String signature = headers.get("wechatpay-signature");
    if (serial == null || timestamp == null || nonce == null || signature == null) {
      throw WechatErrors.signature(api, "Wechatpay-* signature headers missing");
    }
    if (!merchant.platformSerial().equals(serial)) {
      throw WechatErrors.signature(api, "signed with an unknown platform serial");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw WechatErrors.integration(
          api, Kind.TIMESTAMP_OUT_OF_WINDOW, "Wechatpay-Timestamp is not numeric");
    }
    long skew = Math.abs(clock.instant().getEpochSecond() - seconds);
    if (skew >= WINDOW.toSeconds()) {
      throw WechatErrors.integration(
          api, Kind.TIMESTAMP_OUT_OF_WINDOW, "Wechatpay-Timestamp outside 5 minutes");
    }
    if (!WechatCrypto.verify(
        platformKey, WechatCrypto.responseMessage(timestamp, nonce, body), signature)) {
      throw WechatErrors.signature(api, "platform signature does not verify");
    }
  }
}
