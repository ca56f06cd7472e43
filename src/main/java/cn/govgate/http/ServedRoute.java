package cn.govgate.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One route a server answers, as its router holds it: the method and the full path template, e.g.
 * {@code GET /v1/proofs/:serial}. Handlers that apply to every method or to a path prefix (guards)
 * are not listed.
 *
 * @param method upper-case HTTP method
 * @param path path template with {@code :name} parameters, from the server's root
 */
public record ServedRoute(String method, String path) {

  @Override
  public String toString() {
    return method + " " + path;
  }

  /**
   * Every route of {@code root} and of the sub-routers mounted in it, once each, in router order.
   */
  static List<ServedRoute> of(Router root) {
    Set<ServedRoute> served = new LinkedHashSet<>();
    collect(root, "", served);
    return List.copyOf(new ArrayList<>(served));
  }

  private static void collect(Router router, String prefix, Set<ServedRoute> served) {
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (route.getSubRouter() != null) {
        collect(
            route.getSubRouter(), prefix + (path == null ? "" : path.replaceAll("/$", "")), served);
        continue;
      }
      Set<HttpMethod> methods = route.methods();
      // Guards (no method, or a path prefix such as /departments*) are not routes of their own.
      if (path == null || methods == null || methods.isEmpty()) continue;
      for (HttpMethod m : methods) served.add(new ServedRoute(m.name(), prefix + path));
    }
  }
}
