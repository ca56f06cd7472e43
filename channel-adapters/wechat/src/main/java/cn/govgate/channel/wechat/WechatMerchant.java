package cn.govgate.channel.wechat;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The WeChat Pay merchant the gateway collects payments as.
 *
 * @param mchId the merchant number
 * @param merchantPrivateKey the merchant API private key, PKCS#8 DER in Base64 (PEM armour is
 *     tolerated)
 * @param merchantSerialNo the serial number of the merchant API certificate, sent as {@code
 *     serial_no}
 * @param apiV3Key the APIv3 key: exactly 32 ASCII characters, used to decrypt callbacks
 * @param platformPublicKey the WeChat Pay platform public key, SPKI DER in Base64 (PEM armour is
 *     tolerated)
 * @param platformSerial the serial (platform certificate serial or public-key id) the platform
 *     signs with, compared with {@code Wechatpay-Serial}
 * @param notifyUrl the default callback URL for prepay (HTTPS in production, no query string)
 */
public record WechatMerchant(
    String mchId,
    String merchantPrivateKey,
    String merchantSerialNo,
    String apiV3Key,
    String platformPublicKey,
    String platformSerial,
    String notifyUrl) {

  public WechatMerchant {
    Objects.requireNonNull(mchId, "mchId");
    Objects.requireNonNull(merchantPrivateKey, "merchantPrivateKey");
    Objects.requireNonNull(merchantSerialNo, "merchantSerialNo");
    Objects.requireNonNull(platformPublicKey, "platformPublicKey");
    Objects.requireNonNull(platformSerial, "platformSerial");
    if (apiV3Key == null
        || apiV3Key.getBytes(StandardCharsets.US_ASCII).length != 32
        || !StandardCharsets.US_ASCII.newEncoder().canEncode(apiV3Key)) {
      throw new IllegalArgumentException("apiV3Key must be 32 ASCII characters");
    }
  }

  @Override
  public String toString() {
    return "WechatMerchant[mchId=" + mchId + ", platformSerial=" + platformSerial + "]";
  }
}
