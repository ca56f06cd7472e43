package cn.govgate.partners;

import cn.govgate.http.AnswerSigner;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes a JSON answer, signed when the surface installed an {@link AnswerSigner}. */
final class Answers {
  private Answers() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    Buffer bytes = body.toBuffer();
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store");
    AnswerSigner.apply(ctx, status, null, bytes);
    ctx.response().end(bytes);
  }

  static void empty(RoutingContext ctx, int status) {
    ctx.response().setStatusCode(status).putHeader("Cache-Control", "no-store").end();
  }
}
