package cn.govgate.http;

import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The JSON object body of a request, as {@link InputGuard} parsed and checked it once for every
 * route. Handlers read bodies only through here: a body that is not one JSON object never reaches
 * them (400 {@code request.malformed_json}), nor one of another media type (415 {@code
 * request.unsupported_media_type}).
 */
public final class JsonBody {
  private JsonBody() {}

  /** The body; an empty object when the request has none. */
  public static JsonObject optional(RoutingContext ctx) {
    JsonObject parsed = parsed(ctx);
    return parsed == null ? new JsonObject() : parsed;
  }

  /** The body; 400 {@code request.malformed_json} when the request has none. */
  public static JsonObject required(RoutingContext ctx) {
    JsonObject parsed = parsed(ctx);
    if (parsed == null) {
      throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    }
    return parsed;
  }

  private static JsonObject parsed(RoutingContext ctx) {
    JsonObject parsed = ctx.get(InputGuard.BODY_KEY);
    if (parsed != null) return parsed;
    if (ctx.body() != null && !ctx.body().isEmpty()) {
      throw ErrorCode.REQUEST_UNSUPPORTED_MEDIA_TYPE.error();
    }
    return null;
  }

  /** {@code application/json} or {@code application/*+json}, in UTF-8 when a charset is named. */
  static boolean isJson(String contentType) {
    String type = InputGuard.mediaType(contentType);
    boolean json =
        type != null
            && (type.equals("application/json")
                || type.startsWith("application/") && type.endsWith("+json"));
    if (!json) return false;
    String lower = contentType.toLowerCase(Locale.ROOT);
    int charset = lower.indexOf("charset=");
    if (charset < 0) return true;
    String name = lower.substring(charset + 8).split(";")[0].trim().replace("\"", "");
    return name.equals("utf-8") || name.equals("utf8");
  }
}
