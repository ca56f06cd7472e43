package cn.govgate.testing;

import cn.govgate.channel.spi.Payments;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The merchant's notify endpoint in tests: a real HTTP server ({@link BodyServer}) that records
 * every callback as received (header names lower-cased) and answers as {@code handler} decides.
 */
public final class CallbackServer {

  /** Every callback, in the order received. */
  public final List<CallbackRequest> received = new CopyOnWriteArrayList<>();

  /** The payment events {@link #verifying} verified. */
  public final List<PaymentEvent> events = new CopyOnWriteArrayList<>();

  private BodyServer server;

  private CallbackServer() {}

  /** A server that verifies with {@code payments} and acknowledges valid callbacks. */
  public static CallbackServer verifying(Vertx vertx, Payments payments) {
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

  /** A server that answers every callback with what {@code handler} decides (500 if it fails). */
  public static CallbackServer start(
      Vertx vertx, Function<CallbackRequest, Future<CallbackReply>> handler) {
    CallbackServer s = new CallbackServer();
    s.server =
        BodyServer.start(
            vertx,
            (req, body) -> {
              CallbackRequest callback =
                  new CallbackRequest(headers(req), req.getHeader("Content-Type"), body.toString());
              s.received.add(callback);
              handler
                  .apply(callback)
                  .onComplete(
                      ar -> {
                        CallbackReply reply =
                            ar.succeeded()
                                ? ar.result()
                                : new CallbackReply(500, "text/plain", "handler failed");
                        req.response().setStatusCode(reply.status());
                        if (reply.contentType() != null)
                          req.response().putHeader("Content-Type", reply.contentType());
                        req.response().end(reply.body() == null ? "" : reply.body());
                      });
            });
    return s;
  }

  /** The notify URL: {@code /pay/notify} on this server. */
  public String url() {
    return url("/pay/notify");
  }

  /** {@code path} on this server. */
  public String url(String path) {
    return server.baseUrl() + path;
  }

  /** Stops listening. */
  public Future<Void> close() {
    return server.close();
  }

  private static Map<String, String> headers(HttpServerRequest req) {
    Map<String, String> map = new HashMap<>();
    req.headers().forEach((k, v) -> map.put(k.toLowerCase(Locale.ROOT), v));
    return map;
  }
}
