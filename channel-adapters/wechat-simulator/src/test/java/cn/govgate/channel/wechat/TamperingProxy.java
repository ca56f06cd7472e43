package cn.govgate.channel.wechat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.util.function.BiFunction;

/**
 * A real HTTP server between the adapter and the simulator that forwards requests untouched and
 * lets a test rewrite the answer (headers and body), to stand for a man in the middle or a broken
 * platform.
 */
final class TamperingProxy {

  private final HttpServer server;

  private TamperingProxy(HttpServer server) {
    this.server = server;
  }

  /** {@code tamper} may edit the response headers in place and returns the body to send. */
  static TamperingProxy start(
      Vertx vertx, String target, BiFunction<MultiMap, String, String> tamper) {
    WebClient client = WebClient.create(vertx);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              var forward = client.requestAbs(req.method(), target + req.uri());
                              req.headers()
                                  .forEach(
                                      (k, v) -> {
                                        if (!k.equalsIgnoreCase("host")
                                            && !k.equalsIgnoreCase("content-length"))
                                          forward.putHeader(k, v);
                                      });
                              forward
                                  .sendBuffer(body)
                                  .onSuccess(
                                      answer -> {
                                        MultiMap headers =
                                            MultiMap.caseInsensitiveMultiMap()
                                                .addAll(answer.headers());
                                        headers.remove("content-length");
                                        String text =
                                            tamper.apply(
                                                headers,
                                                answer.body() == null
                                                    ? ""
                                                    : answer.body().toString());
                                        req.response()
                                            .setStatusCode(answer.statusCode())
                                            .headers()
                                            .addAll(headers);
                                        req.response().end(Buffer.buffer(text));
                                      })
                                  .onFailure(e -> req.response().setStatusCode(502).end());
                            }));
    return new TamperingProxy(WechatTestBed.await(server.listen(0, "127.0.0.1")));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }
}
