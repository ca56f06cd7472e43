package cn.govgate.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.security.SecureRandom;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses, in the shape of {@code contracts/schemas/error.json}:
 * {@code {code, message, errorId, origin, requestId, details?, retryAfter?}}. It answers what handlers fail
 * with, what Vert.x Web decides by itself (404, 405, 413, a path it cannot decode) and what the HTTP layer
 * refuses before any router sees it (an over-long request line or header block, a malformed header,
 * contradictory framing: {@link #handleInvalid}). Each error gets an id that is shown to the caller and logged
 * once, here; nothing internal (stack traces, exception messages of unexpected failures) reaches the client.
 */
public final class ErrorResponder implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Every status Vert.x Web may answer on its own; each goes through this responder. */
  private static final List<Integer> ROUTER_STATUSES =
      List.of(400, 401, 403, 404, 405, 406, 408, 413, 414, 415, 431, 500, 501, 502, 503);

  /** Installs the responder on a router: its failure handler and its answer to every status it decides alone. */
  static void install(Router router) {
    ErrorResponder responder = new ErrorResponder();
    router.route().failureHandler(responder);
    for (int status : ROUTER_STATUSES) {
      // Vert.x Web calls these without a failure, and sometimes without a status on the context (a path
      // parameter it cannot decode): the status they are registered for is the one to answer.
      router.errorHandler(status, ctx -> responder.respond(ctx, classify(ctx.failure(), status)));
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    respond(ctx, classify(ctx.failure(), ctx.statusCode()));
  }

  private void respond(RoutingContext ctx, ApiException error) {
    String errorId = newErrorId();
    logOnce(error, ctx.failure(), errorId, RequestIds.of(ctx), RouteLabel.of(ctx));
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // The response has started: the best we can do is to end it, the client sees a truncated body.
      response.reset();
      return;
    }
    if (error.status() == 405 && ctx.failure() == null) {
      // Router already knows the allowed methods; keep the Allow header it computed, if any.
      response.headers().remove("Content-Length");
    }
    write(response, error, errorId, RequestIds.of(ctx), ctx);
  }

  /**
   * The server's invalid-request handler: the HTTP decoder refused the request line, the headers or the
   * framing, so no router runs. The connection cannot be trusted to carry another request: it is closed
   * once the answer is written.
   */
  public static void handleInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(414, "request.uri_too_long", ApiException.Origin.CLIENT,
          "The request line is longer than allowed");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiException(431, "request.headers_too_large", ApiException.Origin.CLIENT,
          "The request headers are larger than allowed");
    } else if (cause instanceof FramingGuard.ContradictoryFraming) {
      error = ApiException.badRequest("request.bad_framing",
          "The request's Content-Length and Transfer-Encoding do not frame one body");
    } else {
      error = ApiException.badRequest("request.malformed_http", "The request is not well-formed HTTP");
    }
    String requestId = RequestIds.generate();
    String errorId = newErrorId();
    logOnce(error, null, errorId, requestId, "invalid");
    HttpServerResponse response = request.response();
    response.putHeader("Connection", "close").putHeader(RequestIds.HEADER, requestId);
    write(response, error, errorId, requestId, null).onComplete(ar -> request.connection().close());
  }

  /** Writes the error; {@code ctx} (null when no router ran) may carry an {@link AnswerSigner}. */
  private static io.vertx.core.Future<Void> write(HttpServerResponse response, ApiException error, String errorId,
      String requestId, RoutingContext ctx) {
    JsonObject body = new JsonObject()
        .put("code", error.code())
        .put("message", error.getMessage())
        .put("errorId", errorId)
        .put("origin", error.origin().wireName())
        .put("requestId", requestId);
    if (error.details() != null) body.put("details", error.details());
    if (error.retryAfterSeconds() != null) {
      body.put("retryAfter", error.retryAfterSeconds());
      response.putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    io.vertx.core.buffer.Buffer bytes = body.toBuffer();
    response
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store");
    if (ctx != null) AnswerSigner.apply(ctx, error.status(), error.code(), bytes);
    return response.end(bytes);
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
      case 406 -> new ApiException(406, "request.not_acceptable", ApiException.Origin.CLIENT,
          "None of the accepted media types can be produced");
      case 408 -> new ApiException(408, "request.timeout", ApiException.Origin.CLIENT,
          "The request was not received in time");
      case 413 -> new ApiException(413, "request.too_large", ApiException.Origin.CLIENT,
          "The request body is larger than allowed");
      case 414 -> new ApiException(414, "request.uri_too_long", ApiException.Origin.CLIENT,
          "The request line is longer than allowed");
      case 415 -> new ApiException(415, "request.unsupported_media_type", ApiException.Origin.CLIENT,
          "The request content type is not supported");
      case 431 -> new ApiException(431, "request.headers_too_large", ApiException.Origin.CLIENT,
          "The request headers are larger than allowed");
      default -> new ApiException(500, "gateway.internal_error", ApiException.Origin.GATEWAY,
          "An unexpected error occurred; quote the errorId when reporting it");
    };
  }

  private static void logOnce(ApiException error, Throwable failure, String errorId, String requestId, String route) {
    if (error.status() >= 500 && !(failure instanceof ApiException)) {
      log.error("unexpected failure {} {} {} {}", kv("errorId", errorId), kv("requestId", requestId),
          kv("code", error.code()), kv("route", route), failure);
    } else if (error.status() >= 500) {
      log.warn("request failed {} {} {} {} {}", kv("errorId", errorId), kv("requestId", requestId),
          kv("code", error.code()), kv("status", error.status()), kv("route", route));
    } else {
      log.info("request refused {} {} {} {} {}", kv("errorId", errorId), kv("requestId", requestId),
          kv("code", error.code()), kv("status", error.status()), kv("route", route));
    }
  }

  static String newErrorId() {
    char[] id = new char[12];
    for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return "E" + new String(id);
  }
}
