package cn.govgate.resilience;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A tiny department on port 0 whose behaviour tests switch: answer, 500, 404, 500 once then answer,
 * or hang. Comes with the minimal backend client a service would have: 2xx → body, 404 → citizen
 * error, 5xx → department error.
 */
final class FakeDepartment {

  enum Mode {
    OK,
    FAIL_500,
    FAIL_500_ONCE,
    NOT_FOUND,
    HANG
  }

  private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
  private final AtomicInteger hits = new AtomicInteger();
  private final ConcurrentLinkedQueue<HttpServerRequest> hanging = new ConcurrentLinkedQueue<>();
  private final HttpServer server;
  private final HttpClient client;
  private final Context context;

  private FakeDepartment(HttpServer server, HttpClient client, Context context) {
    this.server = server;
    this.client = client;
    this.context = context;
  }

  static FakeDepartment start(Vertx vertx) {
    FakeDepartment[] self = new FakeDepartment[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req));
    self[0] =
        new FakeDepartment(
            server,
            vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(5)),
            vertx.getOrCreateContext());
    Settle.result(server.listen(0, "127.0.0.1"));
    // Warm the connection and JIT up, so that the first guarded call is not judged by a cold start.
    Settle.result(self[0].fetchBalance());
    self[0].hits.set(0);
    return self[0];
  }

  private void handle(HttpServerRequest req) {
    hits.incrementAndGet();
    Mode current = mode.get();
    switch (current) {
      case OK -> req.response().end("{\"balance\":1024}");
      case FAIL_500 -> req.response().setStatusCode(500).end("boom");
      case FAIL_500_ONCE -> {
        mode.set(Mode.OK);
        req.response().setStatusCode(500).end("boom");
      }
      case NOT_FOUND -> req.response().setStatusCode(404).end("no such citizen");
      case HANG -> hanging.add(req);
      default -> throw new IllegalStateException(current.name());
    }
  }

  void mode(Mode newMode) {
    mode.set(newMode);
  }

  int hits() {
    return hits.get();
  }

  /** Answers the requests held by {@link Mode#HANG}. */
  void releaseHanging() {
    HttpServerRequest req;
    while ((req = hanging.poll()) != null) {
      req.response().end("{\"balance\":1}");
    }
  }

  /** Sent from the department's own context, as a backend client on an event loop would. */
  Future<String> fetchBalance() {
    Promise<String> answer = Promise.promise();
    context.runOnContext(v -> send().onComplete(answer));
    return answer.future();
  }

  private Future<String> send() {
    return client
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/balance")
        .compose(req -> req.send())
        .compose(
            resp ->
                resp.body()
                    .compose(
                        body -> {
                          int status = resp.statusCode();
                          if (status == 200) {
                            return Future.succeededFuture(body.toString());
                          }
                          if (status == 404) {
                            return Future.failedFuture(
                                ErrorCode.DEPARTMENT_CITIZEN_NOT_FOUND.error());
                          }
                          return Future.failedFuture(
                              ApiException.ofDepartment(ErrorCode.DEPARTMENT_BAD_RESPONSE, "hrss"));
                        }));
  }

  void close() {
    releaseHanging();
    Settle.settled(client.close());
    Settle.settled(server.close());
  }
}
