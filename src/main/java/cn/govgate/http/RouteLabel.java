package cn.govgate.http;

import io.vertx.ext.web.RoutingContext;

/** The route template of a request (e.g. {@code /v1/proofs/:serial}), never the raw path: bounded for logs. */
final class RouteLabel {
  private RouteLabel() {}

  static String of(RoutingContext ctx) {
    String mount = ctx.mountPoint();
    var route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    if (path == null) return "unmatched";
    return (mount == null ? "" : mount.replaceAll("/$", "")) + path;
  }
}
