package cn.govgate.partner.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The strings that are signed, exactly as {@code contracts/partner-api.yaml} specifies them.
 *
 * <pre>
 * request  = METHOD \n PATH \n CANONICAL_QUERY \n TIMESTAMP \n NONCE \n HEX_SHA256(BODY) \n
 * response = STATUS \n NONCE \n TIMESTAMP \n HEX_SHA256(BODY) \n
 * </pre>
 */
public final class Canonical {
  private static final HexFormat HEX = HexFormat.of();

  private Canonical() {}

  /** The canonical request string; {@code query} holds decoded names and values, in any order. */
  public static String request(
      String method,
      String path,
      List<Map.Entry<String, String>> query,
      long timestamp,
      String nonce,
      byte[] body) {
    return method
        + "\n"
        + path
        + "\n"
        + query(query)
        + "\n"
        + timestamp
        + "\n"
        + nonce
        + "\n"
        + sha256Hex(body)
        + "\n";
  }

  /** The canonical response string the gateway signs. */
  public static String response(int status, String nonce, long timestamp, byte[] body) {
    return status
        + "\n"
        + (nonce == null ? "" : nonce)
        + "\n"
        + timestamp
        + "\n"
        + sha256Hex(body)
        + "\n";
  }

  /**
   * Every parameter as {@code name=value}, both RFC 3986 percent-encoded (unreserved characters
   * kept, the rest as upper-case {@code %XX} of UTF-8), sorted by encoded name then encoded value,
   * joined with {@code &}.
   */
  public static String query(List<Map.Entry<String, String>> query) {
    List<String[]> pairs = new ArrayList<>();
    for (Map.Entry<String, String> e : query) {
      pairs.add(
          new String[] {encode(e.getKey()), encode(e.getValue() == null ? "" : e.getValue())});
    }
    pairs.sort(
        (a, b) -> {
          int byName = a[0].compareTo(b[0]);
          return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (out.length() > 0) out.append('&');
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  /**
   * RFC 3986 percent-encoding: {@code A-Z a-z 0-9 - . _ ~} kept, every other UTF-8 byte as {@code
   * %XX}.
   */
  public static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Lower-case hex SHA-256 of {@code body} (of no bytes when null). */
  public static String sha256Hex(byte[] body) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
