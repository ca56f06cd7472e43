package cn.govgate.channel.alipay;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The byte-level rules of the Alipay classic gateway (channel-adapters/WIRE-FORMATS.md §1, §4),
 * shared by the adapter and the simulator: the string to sign, the notification string to verify,
 * form encoding, the signed substring of a response, GMT+8 timestamps and yuan amounts.
 */
public final class AlipayWire {

  /**
   * Alipay's wall-clock zone for {@code timestamp}, {@code notify_time}, {@code gmt_payment}:
   * GMT+8.
   */
  public static final ZoneId ZONE = ZoneOffset.ofHours(8);

  /** {@code yyyy-MM-dd HH:mm:ss} in GMT+8. */
  public static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZONE);

  private AlipayWire() {}

  /**
   * The request string to sign (§1.3): every parameter except {@code sign} (so {@code sign_type} is
   * included), empty keys and values dropped, keys sorted by ASCII, joined {@code k=v&...} with raw
   * values.
   */
  public static String requestSignContent(Map<String, String> params) {
    return signContent(params, Set.of("sign"));
  }

  /**
   * The notification string to verify (§4.2 {@code rsaCheckV1}): decoded values, {@code sign} and
   * {@code sign_type} removed, empty values dropped, sorted, joined raw.
   */
  public static String notificationSignContent(Map<String, String> params) {
    return signContent(params, Set.of("sign", "sign_type"));
  }

  private static String signContent(Map<String, String> params, Set<String> excluded) {
    TreeMap<String, String> sorted = new TreeMap<>();
    params.forEach(
        (k, v) -> {
          if (k != null && !k.isEmpty() && v != null && !v.isEmpty() && !excluded.contains(k))
            sorted.put(k, v);
        });
    StringJoiner joined = new StringJoiner("&");
    sorted.forEach((k, v) -> joined.add(k + "=" + v));
    return joined.toString();
  }

  /**
   * URL-encodes parameters as {@code URLEncoder.encode(value, "UTF-8")} does, dropping empty
   * values.
   */
  public static String formEncode(Map<String, String> params) {
    StringJoiner joined = new StringJoiner("&");
    params.forEach(
        (k, v) -> {
          if (k != null && !k.isEmpty() && v != null && !v.isEmpty())
            joined.add(encode(k) + "=" + encode(v));
        });
    return joined.toString();
  }

  /** One {@code application/x-www-form-urlencoded} value encoding, UTF-8. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Parses a form-encoded string, decoding each key and value exactly once (UTF-8, {@code +} is a
   * space).
   *
   * @throws IllegalArgumentException on malformed percent escapes or a repeated key
   */
  public static Map<String, String> parseForm(String form) {
    Map<String, String> out = new LinkedHashMap<>();
    if (form == null || form.isEmpty()) return out;
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.putIfAbsent(key, value) != null)
        throw new IllegalArgumentException("repeated parameter " + key);
    }
    return out;
  }

  /** The response node of a method: dots replaced by underscores, plus {@code _response}. */
  public static String responseNode(String method) {
    return method.replace('.', '_') + "_response";
  }

  /**
   * The exact substring of a gateway response that Alipay signed (§1.6).
   *
   * @param node the node found ({@code <method>_response} or {@code error_response})
   * @param content the raw inner object, byte for byte as received
   */
  public record SignedPart(String node, String content) {}

  /** Why a response cannot be verified. */
  public static final class UnsignableResponseException extends Exception {
    private final boolean duplicateNode;

    UnsignableResponseException(String message, boolean duplicateNode) {
      super(message, null, false, false);
      this.duplicateNode = duplicateNode;
    }

    /** Whether the root node appeared twice (the SDK refuses such a response). */
    public boolean duplicateNode() {
      return duplicateNode;
    }
  }

  /**
   * Finds the signed inner object of a response the way the Java SDK does: the method's node if present
   * after the first character, else {@code error_response}; from the first {@code {} after the node to its
   * matching brace, ignoring braces inside JSON strings; refusing a node that occurs again afterwards.
   */
  public static SignedPart extractSigned(String body, String method)
      throws UnsignableResponseException {
    String node = responseNode(method);
    int at = body.indexOf("\"" + node + "\"");
    if (at <= 0) {
      node = "error_response";
      at = body.indexOf("\"" + node + "\"");
    }
    if (at <= 0) throw new UnsignableResponseException("no response node", false);
    int i = at + node.length() + 2;
    while (i < body.length() && (body.charAt(i) == ':' || Character.isWhitespace(body.charAt(i))))
      i++;
    if (i >= body.length() || body.charAt(i) != '{') {
      throw new UnsignableResponseException("response node is not an object", false);
    }
    int end = matchingBrace(body, i);
    if (end < 0) throw new UnsignableResponseException("unterminated response object", false);
    if (body.indexOf("\"" + node + "\"", end) >= 0) {
      throw new UnsignableResponseException("duplicated response node " + node, true);
    }
    return new SignedPart(node, body.substring(i, end + 1));
  }

  private static int matchingBrace(String s, int open) {
    int depth = 0;
    boolean inString = false;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') i++;
        else if (c == '"') inString = false;
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Yuan string with two decimals ({@code 8850} → {@code "88.50"}). */
  public static String yuan(long fen) {
    return BigDecimal.valueOf(fen, 2).toPlainString();
  }

  /**
   * Fen from a yuan string ({@code "88.50"} → 8850).
   *
   * @throws ArithmeticException or NumberFormatException when not a yuan amount with at most 2
   *     decimals
   */
  public static long fen(String yuan) {
    return new BigDecimal(yuan).movePointRight(2).longValueExact();
  }

  /** Formats an instant as an Alipay GMT+8 timestamp. */
  public static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  /** Parses an Alipay GMT+8 timestamp; null when absent or malformed. */
  public static Instant parseTimestamp(String value) {
    if (value == null || value.isEmpty()) return null;
    try {
      return LocalDateTime.parse(value, TIMESTAMP).toInstant(ZoneOffset.ofHours(8));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
