package cn.govgate.channel.wechat;

import cn.govgate.testing.BodyServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.util.function.BiFunction;

/**
 * A real HTTP server between the adapter and the simulator that forwards requests untouched and
 * lets a test rewrite the answer (headers and body), to stand for a man in the middle or a broken
 * platform.
 */
final class TamperingProxy {

  private final BodyServer server;

  private TamperingProxy(BodyServer server) {
    this.server = server;
  }

  /** {@code tamper} may edit the response headers in place and returns the body to send. */
  static TamperingProxy start(
      Vertx vertx, String target, BiFunction<MultiMap, String, String> tamper) {
    WebClient client = WebClient.create(vertx);
    return new TamperingProxy(
        BodyServer.start(
            vertx,
            (req, body) -> {
              var forward = client.requestAbs(req.method(), target + req.uri());
              req.headers()
                  .forEach(
                      (k, v) -> {
                        if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length"))
                          forward.putHeader(k, v);
                      });
              forward
                  .sendBuffer(body)
                  .onSuccess(
                      answer -> {
                        MultiMap headers =
                            MultiMap.caseInsensitiveMultiMap().addAll(answer.headers());
                        headers.remove("content-length");
                        String text =
                            tamper.apply(
                                headers, answer.body() == null ? "" : answer.body().toString());
                        req.response().setStatusCode(answer.statusCode()).headers().addAll(headers);
                        req.response().end(Buffer.buffer(text));
                      })
                  .onFailure(e -> req.response().setStatusCode(502).end());
            }));
  }

  String baseUrl() {
    return server.baseUrl();
  }
}
