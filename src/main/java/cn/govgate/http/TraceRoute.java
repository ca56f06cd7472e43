package cn.govgate.http;

import cn.govgate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Names the server span Vert.x made for the request after its route template ({@code GET
 * /v1/social-security/account}, attribute {@code http.route}), from the same {@link RouteLabel} the
 * access log uses — never the raw path — and remembers the span as the request's for the log lines
 * written after Vert.x ended it. Installed only when tracing is on.
 */
final class TraceRoute implements Handler<RoutingContext> {
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

  @Override
  public void handle(RoutingContext ctx) {
    Span span = Span.current();
    Tracing.rememberRequest(span);
    if (span.isRecording()) {
      // Headers-end handlers run last-added first: this one, added on the root router, runs after
      // the
      // sub-router's, which records the template of the route that answered.
      ctx.addHeadersEndHandler(
          v -> {
            String route = RouteLabel.of(ctx);
            span.setAttribute(HTTP_ROUTE, route);
            span.updateName(ctx.request().method().name() + " " + route);
          });
    }
    ctx.next();
  }
}
