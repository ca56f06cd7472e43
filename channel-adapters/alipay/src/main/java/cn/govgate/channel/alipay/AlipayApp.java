package cn.govgate.channel.alipay;

import java.util.Objects;

/**
 * One Alipay app (mini-program) and its keys.
 *
 * @param appId the Alipay {@code app_id}
 * @param signType {@link SignType#RSA2} or {@link SignType#SM2}
 * @param appPrivateKey the app's private key, PKCS#8, Base64 DER; signs requests
 * @param alipayPublicKey Alipay's public key for this app, SPKI, Base64 DER; verifies responses and
 *     notifications
 * @param sm2UserId the SM2 user id for both directions, default {@link
 *     AlipayCrypto#DEFAULT_SM2_USER_ID}; ignored for RSA2
 * @param notifyUrl the default {@code notify_url} of trades when the prepay request names none, may
 *     be null
 */
public record AlipayApp(
    String appId,
    SignType signType,
    String appPrivateKey,
    String alipayPublicKey,
    String sm2UserId,
    String notifyUrl) {

  public AlipayApp {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(signType, "signType");
    Objects.requireNonNull(appPrivateKey, "appPrivateKey");
    Objects.requireNonNull(alipayPublicKey, "alipayPublicKey");
    if (sm2UserId == null || sm2UserId.isEmpty()) sm2UserId = AlipayCrypto.DEFAULT_SM2_USER_ID;
  }

  /** An RSA2 app with no default notify URL. */
  public static AlipayApp rsa2(String appId, String appPrivateKey, String alipayPublicKey) {
    return new AlipayApp(appId, SignType.RSA2, appPrivateKey, alipayPublicKey, null, null);
  }

  /** An SM2 app with the default SM2 user id and no default notify URL. */
  public static AlipayApp sm2(String appId, String appPrivateKey, String alipayPublicKey) {
    return new AlipayApp(appId, SignType.SM2, appPrivateKey, alipayPublicKey, null, null);
  }

  @Override
  public String toString() {
    return "AlipayApp[appId=" + appId + ", signType=" + signType + "]";
  }
}
