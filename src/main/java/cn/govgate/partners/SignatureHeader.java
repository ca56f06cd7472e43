package cn.govgate.partners;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed {@code Authorization: GOVGATE-<ALG>
 * appid="…",keyid="…",timestamp="…",nonce="…",signature="…"} header: exactly these five parameters,
 * each once, in any order.
 */
record SignatureHeader(
    SignatureAlgorithm algorithm,
    String appId,
    String keyId,
    long timestamp,
    String nonce,
    byte[] signature) {

  private static final List<String> NAMES =
      List.of("appid", "keyid", "timestamp", "nonce", "signature");
  private static final Pattern PARAM = Pattern.compile("\\s*([a-z]+)=\"([^\"]*)\"\\s*");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");

  /** Whether the request carries a header of a partner scheme at all. */
  static boolean present(String header) {
    return header != null && header.startsWith("GOVGATE-");
  }

  /**
   * The algorithm of the header's scheme, or null (for signing the answer to a malformed request).
   */
  static SignatureAlgorithm schemeOf(String header) {
    if (header == null) return null;
    int space = header.indexOf(' ');
    return SignatureAlgorithm.ofScheme(space < 0 ? header : header.substring(0, space));
  }

  /**
   * Parses a header of a partner scheme; fails {@code partner.signature_malformed} with the reason.
   */
  static SignatureHeader parse(String header) {
    int space = header.indexOf(' ');
    SignatureAlgorithm algorithm = schemeOf(header);
    if (space < 0 || algorithm == null)
      throw PartnerErrors.signatureMalformed("scheme GOVGATE-RSA2 or GOVGATE-SM2");
    Map<String, String> params = new HashMap<>();
    for (String part : header.substring(space + 1).split(",", -1)) {
      Matcher m = PARAM.matcher(part);
      if (!m.matches()
          || !NAMES.contains(m.group(1))
          || params.put(m.group(1), m.group(2)) != null) {
        throw PartnerErrors.signatureMalformed(
            "exactly appid, keyid, timestamp, nonce, signature, each once");
      }
    }
    if (params.size() != NAMES.size()) {
      throw PartnerErrors.signatureMalformed(
          "exactly appid, keyid, timestamp, nonce, signature, each once");
    }
    if (!ID.matcher(params.get("appid")).matches() || !ID.matcher(params.get("keyid")).matches()) {
      throw PartnerErrors.signatureMalformed("appid and keyid of 1-64 characters [A-Za-z0-9_.-]");
    }
    if (!TIMESTAMP.matcher(params.get("timestamp")).matches()) {
      throw PartnerErrors.signatureMalformed("timestamp in Unix seconds");
    }
    if (!NONCE.matcher(params.get("nonce")).matches()) {
      throw PartnerErrors.signatureMalformed("nonce of 16-64 characters [A-Za-z0-9_-]");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(params.get("signature"));
    } catch (IllegalArgumentException e) {
      throw PartnerErrors.signatureMalformed("signature in Base64");
    }
    if (signature.length == 0) throw PartnerErrors.signatureMalformed("signature in Base64");
    return new SignatureHeader(
        algorithm,
        params.get("appid"),
        params.get("keyid"),
        Long.parseLong(params.get("timestamp")),
        params.get("nonce"),
        signature);
  }
}
