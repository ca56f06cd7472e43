package cn.govgate.complaints;

import cn.govgate.error.ApiException;
import cn.govgate.registry.ServiceTypes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A validated {@code POST /v1/complaints} body.
 *
 * @param kind consultation or complaint
 * @param serviceType the service it is about, one of the department contract's service types
 * @param region GB/T 2260 code of the region
 * @param text what the citizen writes, 1–{@value #MAX_TEXT} characters (Unicode code points),
 *     stripped
 * @param interactionId the service answer it is about (the citizen's own), may be null
 * @param caseId the case of the citizen's 我的办件 it is about ({@code <kind>-<id>}), may be null
 */
public record ComplaintRequest(
    ComplaintKind kind,
    String serviceType,
    String region,
    String text,
    String interactionId,
    String caseId) {
  private static final java.util.regex.Pattern CASE_ID =
      java.util.regex.Pattern.compile(
          "(payment|proof|rating|verification|complaint|consent)-[\\x21-\\x7e]{1,64}");

  public static final int MAX_TEXT = 2000;

  /** Parses a body; every field problem at once in a 400 {@code request.invalid}. */
  public static ComplaintRequest parse(JsonObject body) {
    if (body == null)
      throw ApiException.invalidFields(new JsonObject().put("body", "must be a JSON object"));
    JsonObject errors = new JsonObject();
    ComplaintKind kind =
        body.getValue("kind") instanceof String s ? ComplaintKind.fromWire(s) : null;
    if (kind == null) errors.put("kind", "one of consultation, complaint");
    String serviceType = body.getValue("serviceType") instanceof String s ? s : null;
    if (serviceType == null || ServiceTypes.find(serviceType).isEmpty()) {
      errors.put("serviceType", "one of " + String.join(", ", ServiceTypes.names()));
    }
    String region = body.getValue("region") instanceof String s ? s : null;
    if (region == null || !region.matches("[0-9]{6}"))
      errors.put("region", "a six-digit GB/T 2260 code");
    String text = body.getValue("text") instanceof String s ? s.strip() : null;
    if (text == null || text.isEmpty() || text.codePointCount(0, text.length()) > MAX_TEXT) {
      errors.put("text", "required, 1 to " + MAX_TEXT + " characters");
    } else if (text.chars()
        .anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
      errors.put("text", "must not contain control characters");
    }
    Object link = body.getValue("interactionId");
    if (link != null && (!(link instanceof String s) || s.isBlank() || s.length() > 64)) {
      errors.put("interactionId", "a string of at most 64 characters");
    }
    Object caseLink = body.getValue("caseId");
    if (caseLink != null && (!(caseLink instanceof String c) || !CASE_ID.matcher(c).matches())) {
      errors.put("caseId", "a caseId of GET /v1/my/cases: <kind>-<id>");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    return new ComplaintRequest(kind, serviceType, region, text, (String) link, (String) caseLink);
  }

  /**
   * The request as one unambiguous string (each part length-prefixed): what its fingerprint, a
   * keyed MAC in the blind-index algorithm ({@code Complaints.REQUEST_PURPOSE}), is made of, to
   * tell a repeated request from another one under the same Idempotency-Key. Contains the text:
   * never stored or logged as such.
   */
  String canonical() {
    StringBuilder sb = new StringBuilder();
    for (String part :
        new String[] {
          kind.wireName(),
          serviceType,
          region,
          text,
          interactionId == null ? "" : interactionId,
          // Only when named, so requests stored before the case link keep their fingerprint.
          caseId
        }) {
      if (part == null) continue;
      sb.append(part.getBytes(StandardCharsets.UTF_8).length).append(':').append(part);
    }
    return sb.toString();
  }

  /**
   * The unkeyed SHA-256 (hex) of {@link #canonical} that releases before the keyed fingerprint
   * stored; still compared, so a retry of a request filed before the upgrade replays.
   */
  String legacyHash() {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JRE", e);
    }
  }

  @Override
  public String toString() {
    return "ComplaintRequest[" + kind + ", " + serviceType + ", " + region + "]";
  }
}
