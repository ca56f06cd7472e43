package cn.govgate.partners;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The gateway's own rendering of the strings that are signed ({@code contracts/partner-api.yaml},
 * "The request signature" and "Signed answers"); independent of the reference client, and checked
 * against the contract's worked examples. The query is read from the raw request, decoded as the
 * router decodes it ({@code +} is a space), so the signature covers exactly the values the services
 * read.
 */
final class CanonicalRequest {
  private CanonicalRequest() {}

  static String of(RoutingContext ctx, long timestamp, String nonce) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    return of(
        ctx.request().method().name(),
        ctx.request().path(),
        ctx.request().query(),
        timestamp,
        nonce,
        body == null ? new byte[0] : body.getBytes());
  }

  static String of(
      String method, String path, String rawQuery, long timestamp, String nonce, byte[] body) {
    return method
        + "\n"
        + path
        + "\n"
        + query(rawQuery)
        + "\n"
        + timestamp
        + "\n"
        + nonce
        + "\n"
        + sha256Hex(body)
        + "\n";
  }

  static String answer(int status, String nonce, long timestamp, byte[] body) {
    return status
        + "\n"
        + (nonce == null ? "" : nonce)
        + "\n"
        + timestamp
        + "\n"
        + sha256Hex(body)
        + "\n";
  }

  static String query(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return "";
    List<String[]> pairs = new ArrayList<>();
    for (String piece : rawQuery.split("&")) {
      if (piece.isEmpty()) continue;
      int eq = piece.indexOf('=');
      String name = eq < 0 ? piece : piece.substring(0, eq);
      String value = eq < 0 ? "" : piece.substring(eq + 1);
      pairs.add(
          new String[] {
            encode(URLDecoder.decode(name, StandardCharsets.UTF_8)),
            encode(URLDecoder.decode(value, StandardCharsets.UTF_8))
          });
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (out.length() > 0) out.append('&');
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  static String encode(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean unreserved =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~';
      if (unreserved) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xf]);
      }
    }
    return out.toString();
  }

  static String sha256Hex(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
