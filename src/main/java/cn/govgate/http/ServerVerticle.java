package cn.govgate.http;

import cn.govgate.config.HttpConfig;
import cn.govgate.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server, deployed once per event loop. Builds the root router — request id, access log,
 * body limit, the input guard, one sub-router per surface, the ops endpoints — and the one error
 * responder, which also answers what the HTTP decoder refuses (limits below, contradictory
 * framing). On undeploy it stops accepting and lets in-flight requests finish within the configured
 * grace period.
 */
public final class ServerVerticle extends VerticleBase {
  /**
   * Port value that makes every instance share one randomly chosen port (Vert.x server sharing).
   */
  private static final int SHARED_RANDOM_PORT = -1;

  private static final int SHARED_RANDOM_OPS_PORT = -2;

  /**
   * Request line: the longest documented URL is under 300 bytes; longer is 414 {@code
   * request.uri_too_long}.
   */
  static final int MAX_REQUEST_LINE = 4096;

  /**
   * All headers together: a session token is under 1 KiB; more is 431 {@code
   * request.headers_too_large}.
   */
  static final int MAX_HEADERS = 8192;

  private final HttpConfig config;
  private final Routes routes;
  private final Readiness readiness;
  private final PrometheusMeterRegistry registry;
  private final Tracing tracing;
  private HttpServer server;
  private HttpServer opsServer;
  private long lagTimer;
  private List<ServedRoute> served = List.of();

  public ServerVerticle(
      HttpConfig config, Routes routes, Readiness readiness, PrometheusMeterRegistry registry) {
    this(config, routes, readiness, registry, Tracing.OFF);
  }

  public ServerVerticle(
      HttpConfig config,
      Routes routes,
      Readiness readiness,
      PrometheusMeterRegistry registry,
      Tracing tracing) {
    this.config = config;
    this.routes = routes;
    this.readiness = readiness;
    this.registry = registry;
    this.tracing = tracing;
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
      RouteLabel.record(sub, surface.mountPoint());
      // A sub-router answers what it decides alone (a path parameter it cannot decode) with its own
      // handlers.
      ErrorResponder.install(sub);
      root.route(surface.mountPoint() + "/*").subRouter(sub);
    }
    Router ops = root;
    if (config.separateOpsPort()) {
      ops = Router.router(vertx);
      installCommon(ops);
    }
    OpsRoutes.mount(ops, readiness, registry);
    ErrorResponder.install(root);
    served = ops == root ? ServedRoute.of(root) : concat(ServedRoute.of(root), ServedRoute.of(ops));

    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setPort(config.port() == 0 ? SHARED_RANDOM_PORT : config.port())
            .setCompressionSupported(false)
            .setTcpNoDelay(true)
            .setIdleTimeout(60)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxInitialLineLength(MAX_REQUEST_LINE)
            .setMaxHeaderSize(MAX_HEADERS)
            // HTTP/1.1 only (the ingress speaks HTTP/2 to clients): with h2c on, Vert.x sets a
            // connection up after
            // decoding its first request, too late for the framing guard to check that request.
            .setHttp2ClearTextEnabled(false)
            // A server span for every request (sampled by tracing.samplerRatio); a client's
            // traceparent is linked, not joined (see cn.govgate.tracing.ClientTraceLink).
            // PROPAGATE would trace only the requests that arrive with a traceparent.
            .setTracingPolicy(TracingPolicy.ALWAYS);
    server = listening(options, root);
    Future<HttpServer> main = server.listen();
    if (!config.separateOpsPort()) return main;
    ErrorResponder.install(ops);
    opsServer =
        listening(
            new HttpServerOptions(options)
                .setPort(config.opsPort() == 0 ? SHARED_RANDOM_OPS_PORT : config.opsPort())
                // Probes and scrapes are not traced.
                .setTracingPolicy(TracingPolicy.IGNORE),
            ops);
    return main.compose(s -> opsServer.listen());
  }

  private HttpServer listening(HttpServerOptions options, Router router) {
    return vertx
        .createHttpServer(options)
        .connectionHandler(connection -> FramingGuard.install(connection, options))
        .invalidRequestHandler(ErrorResponder::handleInvalid)
        .requestHandler(router);
  }

  private void installCommon(Router router) {
    router.route().handler(new RequestIds());
    if (tracing.on()) router.route().handler(new TraceRoute());
    router.route().handler(new AccessLog(registry));
    router.route().handler(InputGuard::beforeBody);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));
    router.route().handler(new InputGuard());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(lagTimer);
    long graceMs = config.shutdownGrace().toMillis();
    Future<Void> ops =
        opsServer == null
            ? Future.succeededFuture()
            : opsServer.shutdown(graceMs, TimeUnit.MILLISECONDS);
    return Future.join(server.shutdown(graceMs, TimeUnit.MILLISECONDS), ops);
  }

  private static List<ServedRoute> concat(List<ServedRoute> a, List<ServedRoute> b) {
    List<ServedRoute> all = new java.util.ArrayList<>(a);
    b.stream().filter(r -> !a.contains(r)).forEach(all::add);
    return List.copyOf(all);
  }

  /** Every route this server answers (both ports), once started. */
  public List<ServedRoute> served() {
    return served;
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
