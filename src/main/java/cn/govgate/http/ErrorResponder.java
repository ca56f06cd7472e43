package cn.govgate.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.error.MessageLanguage;
import cn.govgate.store.StoreFailures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses, in the shape of {@code
 * contracts/schemas/error.json}: {@code {code, message, errorId, origin, requestId, details?,
 * retryAfter?}}. It answers what handlers fail with, what Vert.x Web decides by itself (404, 405,
 * 413, a path it cannot decode) and what the HTTP layer refuses before any router sees it (an
 * over-long request line or header block, a malformed header, contradictory framing: {@link
 * #handleInvalid}). Each error gets an id that is shown to the caller and logged once, here;
 * nothing internal (stack traces, exception messages of unexpected failures) reaches the client.
 */
public final class ErrorResponder implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Every status Vert.x Web may answer on its own; each goes through this responder. */
  private static final List<Integer> ROUTER_STATUSES =
      List.of(400, 401, 403, 404, 405, 406, 408, 413, 414, 415, 431, 500, 501, 502, 503);

  /**
   * Installs the responder on a router: its failure handler and its answer to every status it
   * decides alone.
   */
  static void install(Router router) {
    ErrorResponder responder = new ErrorResponder();
    router.route().failureHandler(responder);
    for (int status : ROUTER_STATUSES) {
      // Vert.x Web calls these without a failure, and sometimes without a status on the context (a
      // path
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
      // The response has started: the best we can do is to end it, the client sees a truncated
      // body.
      response.reset();
      return;
    }
    if (error.status() == 405 && ctx.failure() == null) {
      // Router already knows the allowed methods; keep the Allow header it computed, if any.
      response.headers().remove("Content-Length");
    }
    write(response, error, errorId, RequestIds.of(ctx), language(ctx.request()), ctx);
  }

  /**
   * The server's invalid-request handler: the HTTP decoder refused the request line, the headers or
   * the framing, so no router runs. The connection cannot be trusted to carry another request: it
   * is closed once the answer is written.
   */
  public static void handleInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = ErrorCode.REQUEST_URI_TOO_LONG.error();
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ErrorCode.REQUEST_HEADERS_TOO_LARGE.error();
    } else if (cause instanceof FramingGuard.ContradictoryFraming) {
      error = ErrorCode.REQUEST_BAD_FRAMING.error();
    } else if (cause instanceof FramingGuard.UnsupportedVersion) {
      // Vert.x would answer 501 with no body: only HTTP/1.1 and HTTP/1.0 are spoken here.
      error = ErrorCode.REQUEST_MALFORMED_HTTP.error();
    } else {
      error = ErrorCode.REQUEST_MALFORMED_HTTP.error();
    }
    String requestId = RequestIds.generate();
    String errorId = newErrorId();
    logOnce(error, null, errorId, requestId, "invalid");
    HttpServerResponse response = request.response();
    response.putHeader("Connection", "close").putHeader(RequestIds.HEADER, requestId);
    write(response, error, errorId, requestId, language(request), null)
        .onComplete(ar -> request.connection().close());
  }

  /**
   * The language of the message: Chinese unless the caller's {@code Accept-Language} prefers
   * English.
   */
  static MessageLanguage language(HttpServerRequest request) {
    return MessageLanguage.fromAcceptLanguage(request.getHeader("Accept-Language"));
  }

  /**
   * The bytes of a whole HTTP/1.1 answer to write on a channel directly, where no Vert.x response
   * exists any more (a body the decoder cannot read); logged once like every other error. The
   * connection is to be closed after it.
   */
  static ByteBuf rawAnswer(ApiException error) {
    String requestId = RequestIds.generate();
    String errorId = newErrorId();
    logOnce(error, null, errorId, requestId, "invalid");
    MessageLanguage language = MessageLanguage.fromAcceptLanguage(null);
    byte[] body = errorBody(error, errorId, requestId, language).toBuffer().getBytes();
    String head =
        "HTTP/1.1 "
            + error.status()
            + " "
            + HttpResponseStatus.valueOf(error.status()).reasonPhrase()
            + "\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nContent-Language: "
            + language.tag()
            + "\r\n"
            + RequestIds.HEADER
            + ": "
            + requestId
            + "\r\nConnection: close\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
  }

  private static JsonObject errorBody(
      ApiException error, String errorId, String requestId, MessageLanguage language) {
    JsonObject body =
        new JsonObject()
            .put("code", error.code())
            .put("message", error.errorCode().message(language))
            .put("errorId", errorId)
            .put("origin", error.origin().wireName())
            .put("requestId", requestId);
    if (error.details() != null) body.put("details", error.details());
    if (error.retryAfterSeconds() != null) body.put("retryAfter", error.retryAfterSeconds());
    return body;
  }

  /** Writes the error; {@code ctx} (null when no router ran) may carry an {@link AnswerSigner}. */
  private static io.vertx.core.Future<Void> write(
      HttpServerResponse response,
      ApiException error,
      String errorId,
      String requestId,
      MessageLanguage language,
      RoutingContext ctx) {
    JsonObject body = errorBody(error, errorId, requestId, language);
    if (error.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    io.vertx.core.buffer.Buffer bytes = body.toBuffer();
    response
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Language", language.tag());
    if (ctx != null) AnswerSigner.apply(ctx, error.status(), error.code(), bytes);
    return response.end(bytes);
  }

  static ApiException classify(Throwable failure, int status) {
    if (failure instanceof ApiException api) return api;
    // The database could not serve the request (pool full, statement timeout, server down): a coded
    // 503 with Retry-After, not a 500.
    ApiException store = StoreFailures.classify(failure);
    if (store != null) return store;
    if (failure instanceof HttpClosedException) {
      // The client went away mid-request (or the decoder closed a connection it refused): nobody
      // reads this
      // answer, and it is no server error for the logs and the 5xx metrics.
      return ErrorCode.REQUEST_CONNECTION_CLOSED.error();
    }
    if (failure instanceof DecodeException) {
      return ErrorCode.REQUEST_MALFORMED_JSON.error();
    }
    if (failure instanceof HttpException http) status = http.getStatusCode();
    return switch (status) {
      case 400 -> ErrorCode.REQUEST_BAD_REQUEST.error();
      case 401 -> ErrorCode.AUTH_INVALID_TOKEN.error();
      case 403 -> ErrorCode.AUTH_FORBIDDEN.error();
      case 404 -> ErrorCode.REQUEST_NOT_FOUND.error();
      case 405 -> ErrorCode.REQUEST_METHOD_NOT_ALLOWED.error();
      case 406 -> ErrorCode.REQUEST_NOT_ACCEPTABLE.error();
      case 408 -> ErrorCode.REQUEST_TIMEOUT.error();
      case 413 -> ErrorCode.REQUEST_TOO_LARGE.error();
      case 414 -> ErrorCode.REQUEST_URI_TOO_LONG.error();
      case 415 -> ErrorCode.REQUEST_UNSUPPORTED_MEDIA_TYPE.error();
      case 431 -> ErrorCode.REQUEST_HEADERS_TOO_LARGE.error();
      default -> ErrorCode.GATEWAY_INTERNAL_ERROR.error();
    };
  }

  private static void logOnce(
      ApiException error, Throwable failure, String errorId, String requestId, String route) {
    if (error.status() >= 500 && !(failure instanceof ApiException)) {
      log.error(
          "unexpected failure {} {} {} {}",
          kv("errorId", errorId),
          kv("requestId", requestId),
          kv("code", error.code()),
          kv("route", route),
          failure);
    } else if (error.status() >= 500) {
      log.warn(
          "request failed {} {} {} {} {}",
          kv("errorId", errorId),
          kv("requestId", requestId),
          kv("code", error.code()),
          kv("status", error.status()),
          kv("route", route));
    } else {
      log.info(
          "request refused {} {} {} {} {}",
          kv("errorId", errorId),
          kv("requestId", requestId),
          kv("code", error.code()),
          kv("status", error.status()),
          kv("route", route));
    }
  }

  static String newErrorId() {
    char[] id = new char[12];
    for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return "E" + new String(id);
  }
}
