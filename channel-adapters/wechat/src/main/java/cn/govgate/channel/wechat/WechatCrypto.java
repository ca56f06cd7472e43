package cn.govgate.channel.wechat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The WeChat cryptographic recipes of channel-adapters/WIRE-FORMATS.md §5–7, shared by the adapter
 * and the simulator: RSA keys, SHA256withRSA signatures, the WeChat Pay v3 messages,
 * AEAD_AES_256_GCM, the {@code encryptedData} AES-128-CBC and the face {@code cert_hash}. All
 * methods are CPU-only and thread-safe.
 */
public final class WechatCrypto {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private WechatCrypto() {}

  /** Parses a PKCS#8 RSA private key given as Base64 DER, PEM armour and whitespace tolerated. */
  public static PrivateKey parsePrivateKey(String base64) {
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(derOf(base64)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PKCS#8 RSA private key", e);
    }
  }

  /**
   * Parses an SPKI (X.509) RSA public key given as Base64 DER, PEM armour and whitespace tolerated.
   */
  public static PublicKey parsePublicKey(String base64) {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(derOf(base64)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an SPKI RSA public key", e);
    }
  }

  private static byte[] derOf(String text) {
    String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(b64);
  }

  /** Base64 of SHA256withRSA over the UTF-8 bytes of {@code message}. */
  public static String sign(PrivateKey key, String message) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(message.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA256withRSA signing failed", e);
    }
  }

  /**
   * Whether {@code signatureBase64} is a valid SHA256withRSA signature of {@code message}; false on
   * any garbage.
   */
  public static boolean verify(PublicKey key, String message, String signatureBase64) {
    if (signatureBase64 == null) return false;
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initVerify(key);
      s.update(message.getBytes(StandardCharsets.UTF_8));
      return s.verify(Base64.getDecoder().decode(signatureBase64));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * WeChat Pay v3 request string to sign (§7.1): method, canonical URL, timestamp, nonce, body,
   * each + LF.
   */
  public static String requestMessage(
      String method, String canonicalUrl, String timestamp, String nonce, String body) {
    return method
        + "\n"
        + canonicalUrl
        + "\n"
        + timestamp
        + "\n"
        + nonce
        + "\n"
        + (body == null ? "" : body)
        + "\n";
  }

  /**
   * WeChat Pay v3 response / notification string to sign (§7.2, §7.4): timestamp, nonce, body, each
   * + LF.
   */
  public static String responseMessage(String timestamp, String nonce, String body) {
    return timestamp + "\n" + nonce + "\n" + (body == null ? "" : body) + "\n";
  }

  /**
   * {@code wx.requestPayment} paySign message (§7.3): appId, timeStamp, nonceStr, package, each +
   * LF.
   */
  public static String paySignMessage(String appId, String timeStamp, String nonceStr, String pkg) {
    return appId + "\n" + timeStamp + "\n" + nonceStr + "\n" + pkg + "\n";
  }

  /** AEAD_AES_256_GCM decryption (§7.4); the ciphertext is Base64 of ciphertext || 16-byte tag. */
  public static String decryptAesGcm(
      String apiV3Key, String nonce, String associatedData, String ciphertextBase64)
      throws GeneralSecurityException {
    Cipher cipher = gcm(Cipher.DECRYPT_MODE, apiV3Key, nonce, associatedData);
    byte[] plain = cipher.doFinal(Base64.getDecoder().decode(ciphertextBase64));
    return new String(plain, StandardCharsets.UTF_8);
  }

  /** AEAD_AES_256_GCM encryption; returns Base64 of ciphertext || tag. */
  public static String encryptAesGcm(
      String apiV3Key, String nonce, String associatedData, String plaintext) {
    try {
      Cipher cipher = gcm(Cipher.ENCRYPT_MODE, apiV3Key, nonce, associatedData);
      return Base64.getEncoder()
          .encodeToString(cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  private static Cipher gcm(int mode, String key, String nonce, String aad)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        mode,
        new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "AES"),
        new GCMParameterSpec(128, nonce.getBytes(StandardCharsets.UTF_8)));
    cipher.updateAAD((aad == null ? "" : aad).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  /**
   * {@code encryptedData} decryption (§5.3): AES-128-CBC, key and iv Base64, PKCS#7; returns the
   * UTF-8 JSON.
   */
  public static String decryptAesCbc(String sessionKey, String iv, String encryptedData)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
    Base64.Decoder b64 = Base64.getDecoder();
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(b64.decode(sessionKey), "AES"),
        new IvParameterSpec(b64.decode(iv)));
    return new String(cipher.doFinal(b64.decode(encryptedData)), StandardCharsets.UTF_8);
  }

  /**
   * The inverse of {@link #decryptAesCbc}, as the platform encrypts {@code encryptedData}; returns
   * Base64.
   */
  public static String encryptAesCbc(String sessionKey, String iv, String plaintext) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      Base64.Decoder b64 = Base64.getDecoder();
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(b64.decode(sessionKey), "AES"),
          new IvParameterSpec(b64.decode(iv)));
      return Base64.getEncoder()
          .encodeToString(cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CBC encryption failed", e);
    }
  }

  /**
   * The face {@code cert_hash} (§6.2): lower-case hex SHA-256 of the Base64-encoded type, name and
   * number.
   */
  public static String certHash(String certType, String certName, String certNo) {
    Base64.Encoder b64 = Base64.getEncoder();
    String raw =
        "cert_type="
            + b64.encodeToString(utf8(certType))
            + "&cert_name="
            + b64.encodeToString(utf8(certName))
            + "&cert_no="
            + b64.encodeToString(utf8(certNo));
    return HexFormat.of().formatHex(digest("SHA-256", utf8(raw)));
  }

  /** Lower-case hex MD5 of the UTF-8 bytes, as in the legacy face {@code getinfo} (§6.1). */
  public static String md5Hex(String text) {
    return HexFormat.of().formatHex(digest("MD5", utf8(text)));
  }

  /** A random string of ASCII letters and digits, for nonces. */
  public static String nonce(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++)
      sb.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
    return sb.toString();
  }

  /** Constant-time comparison of two strings' UTF-8 bytes; false if either is null. */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(utf8(a), utf8(b));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }
}
