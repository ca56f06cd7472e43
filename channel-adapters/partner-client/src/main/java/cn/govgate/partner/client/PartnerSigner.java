package cn.govgate.partner.client;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs requests of one partner app with one of its keys. Thread-safe.
 *
 * <pre>
 * Authorization: GOVGATE-RSA2 appid="…",keyid="…",timestamp="…",nonce="…",signature="…"
 * </pre>
 */
public final class PartnerSigner {
  private static final char[] NONCE_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String appId;
  private final String keyId;
  private final Algorithm algorithm;
  private final PrivateKey key;
  private final String sm2UserId;

  private PartnerSigner(
      String appId, String keyId, Algorithm algorithm, PrivateKey key, String sm2UserId) {
    this.appId = Objects.requireNonNull(appId);
    this.keyId = Objects.requireNonNull(keyId);
    this.algorithm = Objects.requireNonNull(algorithm);
    this.key = Objects.requireNonNull(key);
    this.sm2UserId = sm2UserId;
  }

  /** A signer with the default SM2 user id. */
  public static PartnerSigner create(
      String appId, String keyId, Algorithm algorithm, PrivateKey key) {
    return new PartnerSigner(appId, keyId, algorithm, key, null);
  }

  /** A signer whose SM2 key was registered with another user id. */
  public static PartnerSigner create(
      String appId, String keyId, Algorithm algorithm, PrivateKey key, String sm2UserId) {
    return new PartnerSigner(appId, keyId, algorithm, key, sm2UserId);
  }

  /** A signed request: the header value and, for diagnosis, the string that was signed. */
  public record Signed(String authorization, String canonical, long timestamp, String nonce) {}

  /** Signs a request now, with a fresh nonce. */
  public Signed sign(
      String method, String path, List<Map.Entry<String, String>> query, byte[] body) {
    return sign(method, path, query, body, System.currentTimeMillis() / 1000, newNonce());
  }

  /** Signs a request with the given Unix timestamp (seconds) and nonce. */
  public Signed sign(
      String method,
      String path,
      List<Map.Entry<String, String>> query,
      byte[] body,
      long timestamp,
      String nonce) {
    String canonical = Canonical.request(method, path, query, timestamp, nonce, body);
    byte[] signature = algorithm.sign(key, sm2UserId, canonical.getBytes(StandardCharsets.UTF_8));
    String header =
        algorithm.scheme()
            + " appid=\""
            + appId
            + "\",keyid=\""
            + keyId
            + "\",timestamp=\""
            + timestamp
            + "\",nonce=\""
            + nonce
            + "\",signature=\""
            + Base64.getEncoder().encodeToString(signature)
            + "\"";
    return new Signed(header, canonical, timestamp, nonce);
  }

  /** 32 random characters of {@code [A-Za-z0-9_-]}. */
  public static String newNonce() {
    char[] n = new char[32];
    for (int i = 0; i < n.length; i++) n[i] = NONCE_ALPHABET[RANDOM.nextInt(NONCE_ALPHABET.length)];
    return new String(n);
  }

  public String appId() {
    return appId;
  }

  public Algorithm algorithm() {
    return algorithm;
  }
}
