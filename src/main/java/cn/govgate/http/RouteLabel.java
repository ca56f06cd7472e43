package cn.govgate.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The route template of a request (e.g. {@code /v1/proofs/:serial}), never the raw path: bounded for logs. */
final class RouteLabel {
  private static final String KEY = "govgate.failedRoute";

  private RouteLabel() {}

  /**
   * Lets each route of a sub-router name itself when its handling fails: the error responder runs on the root
   * router, where the sub-router's matched route is no longer current.
   */
  static void recordOnFailure(Router sub, String mountPoint) {
    for (Route route : sub.getRoutes()) {
      String path = route.getPath();
      if (path == null) continue;
      String label = mountPoint + path;
      route.failureHandler(ctx -> {
        if (ctx.get(KEY) == null) ctx.put(KEY, label);
        ctx.next();
      });
    }
  }

  static String of(RoutingContext ctx) {
    String failed = ctx.get(KEY);
    if (failed != null) return failed;
    String mount = ctx.mountPoint();
    var route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    if (path == null) return "unmatched";
    return (mount == null ? "" : mount.replaceAll("/$", "")) + path;
  }
}
