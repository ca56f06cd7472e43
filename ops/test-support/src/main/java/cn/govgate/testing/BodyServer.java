package cn.govgate.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A real HTTP server for tests, on a free port of {@code 127.0.0.1}, that hands each request over
 * with its whole body: the base of the merchant endpoints and proxies tests stand up.
 */
public final class BodyServer {
  private final HttpServer server;

  private BodyServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts the server and waits until it listens (blocking: call from the test thread); {@code
   * handler} answers each request once its body has arrived.
   */
  public static BodyServer start(Vertx vertx, BiConsumer<HttpServerRequest, Buffer> handler) {
    Future<HttpServer> listening =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.body().onSuccess(body -> handler.accept(req, body)))
            .listen(0, "127.0.0.1");
    try {
      return new BodyServer(listening.await(20, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("the test server did not start: " + e.getMessage(), e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Stops listening. */
  public Future<Void> close() {
    return server.close();
  }
}
