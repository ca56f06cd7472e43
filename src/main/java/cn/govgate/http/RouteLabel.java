package cn.govgate.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The route template of a request (e.g. {@code /v1/proofs/:serial}), never the raw path: bounded
 * for logs.
 */
final class RouteLabel {
  private static final String KEY = "govgate.failedRoute";

  private RouteLabel() {}

  /**
   * Lets each route of a sub-router name itself, whether it answers or fails: the access log, the
   * request timer and the error responder run on the root router, where the sub-router's matched
   * route is no longer current (the root only knows the mount route, and Vert.x's own metrics join
   * both with {@code >}).
   */
  static void record(Router sub, String mountPoint) {
    for (Route route : sub.getRoutes()) {
      String path = route.getPath();
      if (path == null) continue;
      String label = mountPoint + path;
      route.failureHandler(
          ctx -> {
            if (ctx.get(KEY) == null) ctx.put(KEY, label);
            ctx.next();
          });
    }
    // First on the sub-router: when the response head is written, the sub-router's current route is
    // the one
    // that answered.
    sub.route()
        .order(Integer.MIN_VALUE)
        .handler(
            ctx -> {
              ctx.addHeadersEndHandler(
                  v -> {
                    Route current = ctx.currentRoute();
                    if (ctx.get(KEY) == null
                        && current != null
                        && current.getPath() != null
                        && current.isExactPath()) {
                      ctx.put(KEY, mountPoint + current.getPath());
                    }
                  });
              ctx.next();
            });
  }

  static String of(RoutingContext ctx) {
    String failed = ctx.get(KEY);
    if (failed != null) return failed;
    String mount = ctx.mountPoint();
    var route = ctx.currentRoute();
    // A mount route ("/v1/*") or a catch-all handled it: no route of the gateway matched.
    String path = route == null || !route.isExactPath() ? null : route.getPath();
    if (path == null) return "unmatched";
    return (mount == null ? "" : mount.replaceAll("/$", "")) + path;
  }
}
