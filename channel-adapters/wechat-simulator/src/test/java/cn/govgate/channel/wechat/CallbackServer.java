package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Payments;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The merchant's notify endpoint in tests: a real Vert.x server that records every callback as
 * received and answers as {@code handler} decides (by default: verify with the adapter, then
 * acknowledge or reject).
 */
final class CallbackServer {

  final List<CallbackRequest> received = new CopyOnWriteArrayList<>();
  final List<PaymentEvent> events = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private CallbackServer(Vertx vertx, Function<CallbackRequest, Future<CallbackReply>> handler) {
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              CallbackRequest callback =
                                  new CallbackRequest(
                                      headers(req), req.getHeader("Content-Type"), body.toString());
                              received.add(callback);
                              handler
                                  .apply(callback)
                                  .onComplete(
                                      ar -> {
                                        CallbackReply reply =
                                            ar.succeeded()
                                                ? ar.result()
                                                : new CallbackReply(
                                                    500, "text/plain", "handler failed");
                                        req.response().setStatusCode(reply.status());
                                        if (reply.contentType() != null)
                                          req.response()
                                              .putHeader("Content-Type", reply.contentType());
                                        req.response()
                                            .end(reply.body() == null ? "" : reply.body());
                                      });
                            }));
  }

  /** A server that verifies with {@code payments} and acknowledges valid callbacks. */
  static CallbackServer verifying(Vertx vertx, Payments payments) {
    CallbackServer[] self = new CallbackServer[1];
    self[0] =
        start(
            vertx,
            callback ->
                payments
                    .verifyCallback(callback)
                    .map(
                        event -> {
                          self[0].events.add(event);
                          return payments.acknowledgeReply();
                        })
                    .otherwise(e -> payments.rejectReply()));
    return self[0];
  }

  static CallbackServer start(
      Vertx vertx, Function<CallbackRequest, Future<CallbackReply>> handler) {
    CallbackServer s = new CallbackServer(vertx, handler);
    WechatTestBed.await(s.server.listen(0, "127.0.0.1"));
    return s;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/pay/notify";
  }

  private static Map<String, String> headers(HttpServerRequest req) {
    Map<String, String> map = new HashMap<>();
    req.headers().forEach((k, v) -> map.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return map;
  }
}
