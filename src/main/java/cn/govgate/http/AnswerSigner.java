package cn.govgate.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Adds headers that depend on the exact answer (status and body bytes) just before it is written: a
 * surface installs one per request (the partner API signs every answer, errors included). The error
 * responder applies it to the errors it writes; a handler that writes an answer itself applies it
 * too.
 */
@FunctionalInterface
public interface AnswerSigner {
  String KEY = "govgate.answerSigner";

  /**
   * Adds the headers of this answer to {@code ctx.response()}.
   *
   * @param errorCode the error code of an error answer, null for a success
   */
  void sign(RoutingContext ctx, int status, String errorCode, Buffer body);

  /** Makes {@code signer} sign every answer of this request. */
  static void install(RoutingContext ctx, AnswerSigner signer) {
    ctx.put(KEY, signer);
  }

  /** Applies the signer installed on this request, if any. */
  static void apply(RoutingContext ctx, int status, String errorCode, Buffer body) {
    AnswerSigner signer = ctx.get(KEY);
    if (signer != null) signer.sign(ctx, status, errorCode, body);
  }
}
