package cn.govgate.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses, in the shape of {@code contracts/schemas/error.json}:
 * {@code {code, message, errorId, origin, requestId, details?, retryAfter?}}. It also answers 404, 405 and
 * 413. Each error gets an id that is shown to the caller and logged once, here; nothing internal (stack
 * traces, exception messages of unexpected failures) reaches the client.
 */
public final class ErrorResponder implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public void handle(RoutingContext ctx) {
    ApiException error = classify(ctx.failure(), ctx.statusCode());
    String errorId = newErrorId();
    logOnce(ctx, error, errorId);
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // The response has started: the best we can do is to end it, the client sees a truncated body.
      response.reset();
      return;
    }
    JsonObject body = new JsonObject()
        .put("code", error.code())
        .put("message", error.getMessage())
        .put("errorId", errorId)
        .put("origin", error.origin().wireName())
        .put("requestId", RequestIds.of(ctx));
    if (error.details() != null) body.put("details", error.details());
    if (error.retryAfterSeconds() != null) {
      body.put("retryAfter", error.retryAfterSeconds());
      response.putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.status() == 405 && ctx.failure() == null) {
      // Router already knows the allowed methods; keep the Allow header it computed, if any.
      response.headers().remove("Content-Length");
    }
    response
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body.toBuffer());
  }

  static ApiException classify(Throwable failure, int status) {
    if (failure instanceof ApiException api) return api;
    if (failure instanceof DecodeException) {
      return ApiException.badRequest("request.malformed_json", "The request body is not valid JSON");
    }
    if (failure instanceof HttpException http) status = http.getStatusCode();
    return switch (status) {
      case 400 -> ApiException.badRequest("request.bad_request", "The request is malformed");
      case 401 -> ApiException.unauthorized("auth.invalid_token", "Authentication is required");
      case 403 -> ApiException.forbidden("auth.forbidden", "Access is not allowed");
      case 404 -> ApiException.notFound("request.not_found", "No such resource");
      case 405 -> new ApiException(405, "request.method_not_allowed", ApiException.Origin.CLIENT,
          "The method is not allowed on this resource");
      case 413 -> new ApiException(413, "request.too_large", ApiException.Origin.CLIENT,
          "The request body is larger than allowed");
      case 415 -> new ApiException(415, "request.unsupported_media_type", ApiException.Origin.CLIENT,
          "The request content type is not supported");
      default -> new ApiException(500, "gateway.internal_error", ApiException.Origin.GATEWAY,
          "An unexpected error occurred; quote the errorId when reporting it");
    };
  }

  private static void logOnce(RoutingContext ctx, ApiException error, String errorId) {
    Throwable failure = ctx.failure();
    if (error.status() >= 500 && !(failure instanceof ApiException)) {
      log.error("unexpected failure {} {} {} {}", kv("errorId", errorId), kv("requestId", RequestIds.of(ctx)),
          kv("code", error.code()), kv("route", RouteLabel.of(ctx)), failure);
    } else if (error.status() >= 500) {
      log.warn("request failed {} {} {} {} {}", kv("errorId", errorId), kv("requestId", RequestIds.of(ctx)),
          kv("code", error.code()), kv("status", error.status()), kv("route", RouteLabel.of(ctx)));
    } else {
      log.info("request refused {} {} {} {} {}", kv("errorId", errorId), kv("requestId", RequestIds.of(ctx)),
          kv("code", error.code()), kv("status", error.status()), kv("route", RouteLabel.of(ctx)));
    }
  }

  static String newErrorId() {
    char[] id = new char[12];
    for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return "E" + new String(id);
  }
}
