package cn.govgate.http;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one check of every request's text, on the root router before any route: before the body is
 * read ({@link #beforeBody}) the path and the query must percent-decode to UTF-8 without control
 * characters and header values must hold no control character; once it is read ({@link #handle}) a
 * JSON body (by {@code Content-Type}) must be one JSON object — strict JSON, no comments, no
 * repeated key, nested at most {@value #MAX_DEPTH} deep — whose keys and strings are proper Unicode
 * text without NUL. PostgreSQL refuses NUL in text and invalid UTF-8, so what passes here can be
 * stored; and handlers read the parsed object with {@link JsonBody}, never the raw bytes.
 *
 * <p>Refusals are 400 {@code request.invalid_encoding} ({@code details.where}: path, query, header,
 * body) and 400 {@code request.malformed_json}.
 */
final class InputGuard implements Handler<RoutingContext> {
  static final String BODY_KEY = "govgate.jsonBody";
  static final int MAX_DEPTH = 32;
  private static final Set<HttpMethod> FORM_METHODS =
      Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

  private static final JsonFactory STRICT_JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    RequestBody body = ctx.body();
    if (body != null && !body.isEmpty() && JsonBody.isJson(request.getHeader("Content-Type"))) {
      JsonObject json;
      try {
        json = parseObject(body.buffer());
      } catch (ApiException e) {
        ctx.fail(e);
        return;
      }
      ctx.put(BODY_KEY, json);
    }
    ctx.next();
  }

  /**
   * Before the body handler, what needs no body: the path, the query and the header values must be
   * text (400 {@code request.invalid_encoding}) — the body handler decodes the query of a form
   * request itself and throws on a broken escape, leaving the request unanswered — and a form
   * {@code Content-Type} ({@code multipart/form-data}, {@code application/x-www-form-urlencoded})
   * comes only with POST, PUT, PATCH or DELETE, the methods Vert.x decodes forms for (it throws on
   * any other): 415 {@code request.unsupported_media_type}.
   */
  static void beforeBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String where =
        !urlText(request.path())
            ? "path"
            : request.query() != null && !urlText(request.query())
                ? "query"
                : !headerValues(request) ? "header" : null;
    if (where != null) {
      ctx.fail(invalidEncoding(where));
      return;
    }
    HttpMethod method = request.method();
    String type = request.getHeader("Content-Type");
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    // The body handler's own test, prefix for prefix.
    boolean form =
        lower.startsWith("multipart/form-data")
            || lower.startsWith("application/x-www-form-urlencoded");
    if (form && !FORM_METHODS.contains(method)) {
      ctx.fail(ErrorCode.REQUEST_UNSUPPORTED_MEDIA_TYPE.error());
      return;
    }
    ctx.next();
  }

  static ApiException invalidEncoding(String where) {
    return ErrorCode.REQUEST_INVALID_ENCODING
        .error()
        .withDetails(new JsonObject().put("where", where));
  }

  /** One strict JSON object whose text is storable, or a 400. */
  static JsonObject parseObject(Buffer bytes) {
    Object value;
    try {
      value = JacksonCodec.fromParser(STRICT_JSON.createParser(bytes.getBytes()), Object.class);
    } catch (DecodeException e) {
      throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(value instanceof JsonObject object)) {
      throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    }
    if (!storableTree(object.getMap())) throw invalidEncoding("body");
    return object;
  }

  /**
   * Every key and string of a parsed tree (maps and lists, as the codec builds them; at most
   * MAX_DEPTH deep).
   */
  private static boolean storableTree(Object value) {
    if (value instanceof String s) return storable(s);
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!storable((String) e.getKey()) || !storableTree(e.getValue())) return false;
      }
    } else if (value instanceof List<?> list) {
      for (Object item : list) if (!storableTree(item)) return false;
    } else if (value instanceof JsonObject o) {
      return storableTree(o.getMap());
    } else if (value instanceof JsonArray a) {
      return storableTree(a.getList());
    }
    return true;
  }

  /**
   * No NUL and no lone surrogate (a {@code \ud800} escape decodes to one): text PostgreSQL can
   * store.
   */
  private static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) return false;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A raw path or query: well-formed percent escapes that decode to UTF-8 text without control
   * characters.
   */
  static boolean urlText(String raw) {
    int n = raw.length();
    boolean plain = true;
    for (int i = 0; i < n && plain; i++) {
      char c = raw.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '%';
    }
    if (plain) return true;
    byte[] bytes = new byte[n];
    int len = 0;
    for (int i = 0; i < n; i++) {
      int b = raw.charAt(i);
      if (b == '%') {
        int hi = i + 2 < n ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (lo < 0) return false;
        b = hi << 4 | lo;
        i += 2;
      } else if (b > 0xff) {
        return false;
      }
      if (b < 0x20 || b == 0x7f) return false;
      bytes[len++] = (byte) b;
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean headerValues(HttpServerRequest request) {
    for (Map.Entry<String, String> header : request.headers()) {
      String v = header.getValue();
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c < 0x20 && c != '\t' || c == 0x7f) return false;
      }
    }
    return true;
  }

  /** Lower-case media type without parameters, or null. */
  static String mediaType(String contentType) {
    if (contentType == null) return null;
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
