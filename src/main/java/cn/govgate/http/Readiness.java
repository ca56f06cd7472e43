package cn.govgate.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Readiness: the named checks that must pass before the instance takes traffic (migrations done,
 * database reachable, registry loaded). One open breaker of one department never makes the gateway
 * unready.
 */
public final class Readiness {
  private final List<Map.Entry<String, Supplier<Future<Void>>>> checks =
      new CopyOnWriteArrayList<>();

  /** Adds a check; it fails its Future with a short, non-personal reason when not ready. */
  public Readiness add(String name, Supplier<Future<Void>> check) {
    checks.add(Map.entry(name, check));
    return this;
  }

  /** Runs every check; the result holds {@code status} (UP/DOWN) and each check's outcome. */
  public Future<JsonObject> evaluate() {
    List<Future<JsonObject>> results =
        checks.stream()
            .map(
                c ->
                    run(c.getValue())
                        .map(v -> new JsonObject().put("name", c.getKey()).put("status", "UP"))
                        .otherwise(
                            e ->
                                new JsonObject()
                                    .put("name", c.getKey())
                                    .put("status", "DOWN")
                                    .put(
                                        "reason",
                                        e.getMessage() == null
                                            ? e.getClass().getSimpleName()
                                            : e.getMessage())))
            .toList();
    return Future.join(results)
        .transform(
            ar -> {
              var checksJson = new io.vertx.core.json.JsonArray();
              boolean up = true;
              for (Future<JsonObject> f : results) {
                JsonObject r = f.result();
                checksJson.add(r);
                up &= "UP".equals(r.getString("status"));
              }
              return Future.succeededFuture(
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checksJson));
            });
  }

  private static Future<Void> run(Supplier<Future<Void>> check) {
    try {
      return check.get().timeout(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
