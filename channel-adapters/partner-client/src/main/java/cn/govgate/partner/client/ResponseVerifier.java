package cn.govgate.partner.client;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies {@code X-Govgate-Signature} of a gateway answer with the gateway's published keys
 * ({@code GET /open/v1/keys}):
 *
 * <pre>
 * X-Govgate-Signature: GOVGATE-RSA2 keyid="…",timestamp="…",nonce="…",signature="…"
 * signed string = STATUS \n NONCE \n TIMESTAMP \n HEX_SHA256(BODY) \n
 * </pre>
 */
public final class ResponseVerifier {
  private static final Pattern PARAM = Pattern.compile("([a-z]+)=\"([^\"]*)\"");

  /** One published gateway key. */
  public record GatewayKey(String keyId, Algorithm algorithm, PublicKey publicKey) {}

  private final Map<String, GatewayKey> keys = new LinkedHashMap<>();

  /** A verifier trusting exactly {@code keys}. */
  public ResponseVerifier(Iterable<GatewayKey> keys) {
    keys.forEach(k -> this.keys.put(k.keyId(), k));
  }

  /**
   * Whether the answer was signed by one of the gateway keys, for this status, body and request
   * nonce; false for a missing, malformed or wrong signature.
   */
  public boolean verify(String header, int status, String requestNonce, byte[] body) {
    if (header == null) return false;
    int space = header.indexOf(' ');
    if (space < 0) return false;
    Algorithm algorithm = Algorithm.ofScheme(header.substring(0, space));
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(header.substring(space + 1));
    while (m.find()) params.put(m.group(1), m.group(2));
    GatewayKey key = keys.get(params.get("keyid"));
    if (algorithm == null || key == null || key.algorithm() != algorithm) return false;
    String nonce = params.getOrDefault("nonce", "");
    if (!nonce.equals(requestNonce == null ? "" : requestNonce)) return false;
    long timestamp;
    byte[] signature;
    try {
      timestamp = Long.parseLong(params.get("timestamp"));
      signature = Base64.getDecoder().decode(params.get("signature"));
    } catch (RuntimeException e) {
      return false;
    }
    String canonical = Canonical.response(status, nonce, timestamp, body);
    return algorithm.verify(
        key.publicKey(), null, canonical.getBytes(StandardCharsets.UTF_8), signature);
  }
}
