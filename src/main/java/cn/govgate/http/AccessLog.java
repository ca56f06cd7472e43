package cn.govgate.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON log line per request on logger {@code govgate.access}: method, route template (never the raw
 * path, which may carry identifiers), status, duration and request id.
 */
final class AccessLog implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger("govgate.access");

  @Override
  public void handle(RoutingContext ctx) {
    if (log.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> log.info("{} {} {} {} {}",
          kv("method", ctx.request().method().name()),
          kv("route", RouteLabel.of(ctx)),
          kv("status", ctx.response().getStatusCode()),
          kv("durationMs", (System.nanoTime() - start) / 1_000_000.0),
          kv("requestId", RequestIds.of(ctx))));
    }
    ctx.next();
  }
}
