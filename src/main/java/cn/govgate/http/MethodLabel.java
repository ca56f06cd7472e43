package cn.govgate.http;

import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code method} label of HTTP metrics: the method itself when the gateway serves it, {@code
 * other} for any other token (an HTTP method is any token a client sends, so the raw method would
 * make one series per token). Used by the gateway's request timer and for Vert.x's own {@code
 * vertx_http_server_*} and {@code vertx_http_client_*} metrics.
 */
public final class MethodLabel {
  /** The methods the gateway serves and calls. */
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private static final Tags OTHER = Tags.of("method", "other");
  private static final Map<String, Tags> TAGS = tags();

  private MethodLabel() {}

  /** The label value for {@code method}. */
  public static String of(String method) {
    return METHODS.contains(method) ? method : "other";
  }

  /** The one-tag set {@code method=<label>}, made once per label (no allocation per request). */
  public static Tags tags(String method) {
    return TAGS.getOrDefault(method, OTHER);
  }

  private static Map<String, Tags> tags() {
    Map<String, Tags> m = new HashMap<>();
    for (String method : METHODS) m.put(method, Tags.of("method", method));
    return Map.copyOf(m);
  }
}
