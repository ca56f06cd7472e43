package cn.govgate.sim.departments;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The request authentication of {@code contracts/department-backend.yaml} as a department
 * implements it from the contract's text, independently of the gateway's signer (so the gateway's
 * tests check its signatures against a second implementation): {@code X-Govgate-Signature =
 * Base64(HMAC-SHA256(secret, METHOD \n PATH \n TIMESTAMP \n hex(SHA-256(body)) \n))}, or, when
 * {@code X-Govgate-Signature-Algorithm} is {@code HMAC-SM3}, the same with SM3 in both places
 * (through Bouncy Castle's JCA provider, not the gateway's code path); {@code X-Govgate-Timestamp}
 * in epoch seconds within {@value #MAX_SKEW_SECONDS} s of the department's clock, {@code
 * X-Govgate-Key-Id} naming the secret. Thread-safe.
 */
public final class RequestSignatures {
  public static final String KEY_ID_HEADER = "X-Govgate-Key-Id";
  public static final String TIMESTAMP_HEADER = "X-Govgate-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Govgate-Signature";
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  public static final String ALGORITHM_HEADER = "X-Govgate-Signature-Algorithm";
  public static final String HMAC_SHA256 = "HMAC-SHA256";
  public static final String HMAC_SM3 = "HMAC-SM3";
  private static final Provider BC = new BouncyCastleProvider();

  /** Largest accepted distance between the request's timestamp and the department's clock. */
  public static final long MAX_SKEW_SECONDS = 300;

  private final Clock clock;
  private final Function<String, String> secrets;

  private RequestSignatures(Clock clock, Function<String, String> secrets) {
    this.clock = clock;
    this.secrets = secrets;
  }

  /**
   * A verifier; {@code secrets} answers the secret of a key id, or null when the key id is unknown.
   */
  public static RequestSignatures verifier(Clock clock, Function<String, String> secrets) {
    return new RequestSignatures(clock, secrets);
  }

  /** Null when the request is authentic; otherwise a short reason for the department's own log. */
  public String refusal(String method, String path, MultiMap headers, Buffer body) {
    String keyId = headers.get(KEY_ID_HEADER);
    String timestamp = headers.get(TIMESTAMP_HEADER);
    String signature = headers.get(SIGNATURE_HEADER);
    if (keyId == null || timestamp == null || signature == null)
      return "missing authentication header";
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return "timestamp is not epoch seconds";
    }
    if (Math.abs(clock.millis() / 1000 - seconds) > MAX_SKEW_SECONDS)
      return "timestamp outside the window";
    String algorithm =
        headers.get(ALGORITHM_HEADER) == null ? HMAC_SHA256 : headers.get(ALGORITHM_HEADER).trim();
    if (!algorithm.equals(HMAC_SHA256) && !algorithm.equals(HMAC_SM3))
      return "unknown signature algorithm";
    String secret = secrets.apply(keyId);
    if (secret == null) return "unknown key id";
    byte[] expected =
        signature(algorithm, secret, method, path, seconds, body)
            .getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signature.trim().getBytes(StandardCharsets.US_ASCII))
        ? null
        : "signature mismatch";
  }

  /**
   * The signature headers of a request signed at {@code epochSeconds} (what a client of the
   * contract sends).
   */
  public static MultiMap sign(
      String method,
      String path,
      Buffer body,
      long epochSeconds,
      String keyId,
      String secret,
      String requestId) {
    return sign(HMAC_SHA256, method, path, body, epochSeconds, keyId, secret, requestId);
  }

  /**
   * The same with {@code algorithm} ({@value #HMAC_SHA256} or {@value #HMAC_SM3}), named in its
   * header.
   */
  public static MultiMap sign(
      String algorithm,
      String method,
      String path,
      Buffer body,
      long epochSeconds,
      String keyId,
      String secret,
      String requestId) {
    return MultiMap.caseInsensitiveMultiMap()
        .set(KEY_ID_HEADER, keyId)
        .set(TIMESTAMP_HEADER, Long.toString(epochSeconds))
        .set(ALGORITHM_HEADER, algorithm)
        .set(SIGNATURE_HEADER, signature(algorithm, secret, method, path, epochSeconds, body))
        .set(REQUEST_ID_HEADER, requestId);
  }

  static String signature(
      String algorithm, String secret, String method, String path, long epochSeconds, Buffer body) {
    boolean sm = algorithm.equals(HMAC_SM3);
    try {
      MessageDigest digest =
          sm ? MessageDigest.getInstance("SM3", BC) : MessageDigest.getInstance("SHA-256");
      String bodyHash =
          HexFormat.of().formatHex(digest.digest(body == null ? new byte[0] : body.getBytes()));
      String toSign =
          method.toUpperCase(Locale.ROOT)
              + "\n"
              + path
              + "\n"
              + epochSeconds
              + "\n"
              + bodyHash
              + "\n";
      Mac mac = sm ? Mac.getInstance("HMACSM3", BC) : Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac.getAlgorithm()));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }
}
