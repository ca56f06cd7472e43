package cn.govgate.registry;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.bouncycastle.crypto.digests.SM3Digest;

/**
 * Request authentication of the department-backend contract ({@code
 * contracts/department-backend.yaml}).
 *
 * <p>Every gateway-to-department request carries {@value #KEY_ID_HEADER}, {@value
 * #TIMESTAMP_HEADER} (epoch seconds), {@value #REQUEST_ID_HEADER}, {@value #ALGORITHM_HEADER}
 * ({@code HMAC-SHA256} or {@code HMAC-SM3}; absent means HMAC-SHA256) and {@value
 * #SIGNATURE_HEADER} = {@code Base64(HMAC-SHA256(secret, METHOD + "\n" + PATH + "\n" + TIMESTAMP +
 * "\n" + hex(SHA-256(body)) + "\n"))}, or with HMAC-SM3 the same string with {@code hex(SM3(body))}
 * under HMAC-SM3 (商用密码: no SHA-2 anywhere), where METHOD is upper case, PATH is the request path
 * exactly as sent without the query string, the hex digest is lower case and the secret is used as
 * its UTF-8 bytes. An empty body hashes as the empty byte string.
 *
 * <p>The department side ({@link Verifier}) refuses an unknown key id, a signature that does not
 * match (compared in constant time) and a timestamp more than {@link #MAX_SKEW} away from its own
 * clock.
 */
public final class DepartmentAuth {

  public static final String KEY_ID_HEADER = "X-Govgate-Key-Id";
  public static final String TIMESTAMP_HEADER = "X-Govgate-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Govgate-Signature";
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  public static final String ALGORITHM_HEADER = "X-Govgate-Signature-Algorithm";

  /** Largest accepted difference between the request timestamp and the verifier's clock. */
  public static final Duration MAX_SKEW = Duration.ofSeconds(300);

  private DepartmentAuth() {}

  /** The headers of one signed request, in the order they are documented. */
  public record SignedHeaders(
      String keyId, long timestamp, String signature, String requestId, MacAlgorithm algorithm) {

    public Map<String, String> asMap() {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(KEY_ID_HEADER, keyId);
      headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
      headers.put(ALGORITHM_HEADER, algorithm.configName());
      headers.put(SIGNATURE_HEADER, signature);
      headers.put(REQUEST_ID_HEADER, requestId);
      return headers;
    }

    /** Adds the headers to a Vert.x header map (e.g. {@code HttpRequest.headers()}). */
    public MultiMap addTo(MultiMap headers) {
      asMap().forEach(headers::set);
      return headers;
    }
  }

  /**
   * Outcome of a verification; {@code reason} is a short diagnostic for logs, never for the caller.
   */
  public record Verification(boolean valid, String keyId, String reason) {

    static Verification ok(String keyId) {
      return new Verification(true, keyId, null);
    }

    static Verification refused(String keyId, String reason) {
      return new Verification(false, keyId, reason);
    }
  }

  /** Signs a request at the clock's current time with HMAC-SHA256. */
  public static SignedHeaders sign(
      String method,
      String path,
      Buffer body,
      Clock clock,
      String keyId,
      String secret,
      String requestId) {
    return sign(
        MacAlgorithm.HMAC_SHA256,
        method,
        path,
        body,
        clock.millis() / 1000,
        keyId,
        secret,
        requestId);
  }

  /**
   * Signs a request at the clock's current time with {@code algorithm} ({@code
   * crypto.departmentSigning}).
   */
  public static SignedHeaders sign(
      MacAlgorithm algorithm,
      String method,
      String path,
      Buffer body,
      Clock clock,
      String keyId,
      String secret,
      String requestId) {
    return sign(algorithm, method, path, body, clock.millis() / 1000, keyId, secret, requestId);
  }

  /** Signs a request at a given epoch-second timestamp with HMAC-SHA256. */
  public static SignedHeaders sign(
      String method,
      String path,
      Buffer body,
      long epochSeconds,
      String keyId,
      String secret,
      String requestId) {
    return sign(
        MacAlgorithm.HMAC_SHA256, method, path, body, epochSeconds, keyId, secret, requestId);
  }

  /** Signs a request at a given epoch-second timestamp. */
  public static SignedHeaders sign(
      MacAlgorithm algorithm,
      String method,
      String path,
      Buffer body,
      long epochSeconds,
      String keyId,
      String secret,
      String requestId) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(requestId, "requestId");
    String signature =
        signature(
            algorithm, secret, stringToSign(algorithm, method, path, epochSeconds, bytesOf(body)));
    return new SignedHeaders(keyId, epochSeconds, signature, requestId, algorithm);
  }

  /** The exact string the HMAC-SHA256 covers. */
  public static String stringToSign(String method, String path, long epochSeconds, byte[] body) {
    return stringToSign(MacAlgorithm.HMAC_SHA256, method, path, epochSeconds, body);
  }

  /**
   * The exact string the MAC covers: the body digest is SHA-256 for HMAC-SHA256, SM3 for HMAC-SM3.
   */
  public static String stringToSign(
      MacAlgorithm algorithm, String method, String path, long epochSeconds, byte[] body) {
    String digest = algorithm == MacAlgorithm.HMAC_SM3 ? sm3Hex(body) : sha256Hex(body);
    return method.toUpperCase(Locale.ROOT)
        + "\n"
        + path
        + "\n"
        + epochSeconds
        + "\n"
        + digest
        + "\n";
  }

  /** Base64 (standard alphabet, padded) of HMAC-SHA256 over the string to sign. */
  public static String signature(String secret, String stringToSign) {
    return signature(MacAlgorithm.HMAC_SHA256, secret, stringToSign);
  }

  /** Base64 (standard alphabet, padded) of the MAC over the string to sign. */
  public static String signature(MacAlgorithm algorithm, String secret, String stringToSign) {
    return Base64.getEncoder()
        .encodeToString(
            algorithm.mac(
                secret.getBytes(StandardCharsets.UTF_8),
                stringToSign.getBytes(StandardCharsets.UTF_8)));
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] body) {
    return HexFormat.of().formatHex(SHA256.get().digest(body));
  }

  /** One digest per thread, reused ({@code digest} resets it): no provider look-up per request. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("SHA-256 unavailable", e);
            }
          });

  /** Lower-case hex SM3 (GB/T 32905). */
  public static String sm3Hex(byte[] body) {
    SM3Digest digest = new SM3Digest();
    digest.update(body, 0, body.length);
    byte[] out = new byte[digest.getDigestSize()];
    digest.doFinal(out, 0);
    return HexFormat.of().formatHex(out);
  }

  /**
   * A department-side verifier; {@code secrets} answers the secret of a key id or null when
   * unknown.
   */
  public static Verifier verifier(Clock clock, Function<String, String> secrets) {
    return new Verifier(clock, secrets);
  }

  /** Checks signed requests on the department side. Thread-safe. */
  public static final class Verifier {

    private final Clock clock;
    private final Function<String, String> secrets;

    private Verifier(Clock clock, Function<String, String> secrets) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    public Verification verify(String method, String path, MultiMap headers, Buffer body) {
      String keyId = headers.get(KEY_ID_HEADER);
      String timestamp = headers.get(TIMESTAMP_HEADER);
      String signature = headers.get(SIGNATURE_HEADER);
      if (keyId == null || timestamp == null || signature == null) {
        return Verification.refused(keyId, "missing authentication header");
      }
      long epochSeconds;
      try {
        epochSeconds = Long.parseLong(timestamp.trim());
      } catch (NumberFormatException e) {
        return Verification.refused(keyId, "timestamp is not epoch seconds");
      }
      if (Math.abs(clock.millis() / 1000 - epochSeconds) > MAX_SKEW.toSeconds()) {
        return Verification.refused(keyId, "timestamp outside the accepted window");
      }
      String secret = secrets.apply(keyId);
      if (secret == null) {
        return Verification.refused(keyId, "unknown key id");
      }
      String named = headers.get(ALGORITHM_HEADER);
      MacAlgorithm algorithm =
          named == null ? MacAlgorithm.HMAC_SHA256 : MacAlgorithm.ofConfigName(named.trim());
      if (algorithm == null) {
        return Verification.refused(keyId, "unknown signature algorithm");
      }
      String expected =
          signature(
              algorithm,
              secret,
              stringToSign(algorithm, method, path, epochSeconds, bytesOf(body)));
      boolean same =
          MessageDigest.isEqual(
              expected.getBytes(StandardCharsets.US_ASCII),
              signature.trim().getBytes(StandardCharsets.US_ASCII));
      return same ? Verification.ok(keyId) : Verification.refused(keyId, "signature mismatch");
    }
  }

  private static byte[] bytesOf(Buffer body) {
    return body == null ? new byte[0] : body.getBytes();
  }
}
