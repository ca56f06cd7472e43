package cn.govgate.http;

import cn.govgate.config.HttpConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server, deployed once per event loop. Builds the root router — request id, access log, body
 * limit, one sub-router per surface, the ops endpoints — and the one error responder. On undeploy it stops
 * accepting and lets in-flight requests finish within the configured grace period.
 */
public final class ServerVerticle extends VerticleBase {
  /** Port value that makes every instance share one randomly chosen port (Vert.x server sharing). */
  private static final int SHARED_RANDOM_PORT = -1;
  private static final int SHARED_RANDOM_OPS_PORT = -2;

  private final HttpConfig config;
  private final Routes routes;
  private final Readiness readiness;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;
  private HttpServer opsServer;
  private long lagTimer;

  public ServerVerticle(HttpConfig config, Routes routes, Readiness readiness, PrometheusMeterRegistry registry) {
    this.config = config;
    this.routes = routes;
    this.readiness = readiness;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    lagTimer = EventLoopLag.start(vertx, registry);
    Router root = Router.router(vertx);
    installCommon(root);
    for (Surface surface : Surface.values()) {
      if (surface == Surface.PUBLIC) {
        routes.of(surface).forEach(c -> c.accept(vertx, root));
        continue;
      }
      Router sub = Router.router(vertx);
      routes.of(surface).forEach(c -> c.accept(vertx, sub));
      RouteLabel.recordOnFailure(sub, surface.mountPoint());
      root.route(surface.mountPoint() + "/*").subRouter(sub);
    }
    Router ops = root;
    if (config.separateOpsPort()) {
      ops = Router.router(vertx);
      installCommon(ops);
    }
    OpsRoutes.mount(ops, readiness, registry);
    installErrors(root);

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port() == 0 ? SHARED_RANDOM_PORT : config.port())
        .setCompressionSupported(false)
        .setTcpNoDelay(true)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    server = vertx.createHttpServer(options).requestHandler(root);
    Future<HttpServer> main = server.listen();
    if (!config.separateOpsPort()) return main;
    installErrors(ops);
    opsServer = vertx.createHttpServer(new HttpServerOptions(options)
            .setPort(config.opsPort() == 0 ? SHARED_RANDOM_OPS_PORT : config.opsPort()))
        .requestHandler(ops);
    return main.compose(s -> opsServer.listen());
  }

  private void installCommon(Router router) {
    router.route().handler(new RequestIds());
    router.route().handler(new AccessLog());
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));
  }

  private static void installErrors(Router router) {
    ErrorResponder responder = new ErrorResponder();
    router.route().failureHandler(responder);
    router.errorHandler(404, responder);
    router.errorHandler(405, responder);
    router.errorHandler(413, responder);
    router.errorHandler(500, responder);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(lagTimer);
    long graceMs = config.shutdownGrace().toMillis();
    Future<Void> ops = opsServer == null ? Future.succeededFuture() : opsServer.shutdown(graceMs, TimeUnit.MILLISECONDS);
    return Future.join(server.shutdown(graceMs, TimeUnit.MILLISECONDS), ops);
  }

  /** The port the public server actually listens on. */
  public int actualPort() {
    return server.actualPort();
  }

  /** The port of the ops server, or the public one when they share. */
  public int actualOpsPort() {
    return opsServer == null ? server.actualPort() : opsServer.actualPort();
  }
}
