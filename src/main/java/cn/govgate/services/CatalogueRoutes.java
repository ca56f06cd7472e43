package cn.govgate.services;

import cn.govgate.error.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /v1/catalog?region=&q=}: public, no session needed. */
public final class CatalogueRoutes {
  private static final int MAX_QUERY_CHARS = 50;

  private CatalogueRoutes() {}

  public static void mount(Router router, Catalogue catalogue) {
    router
        .get("/catalog")
        .respond(
            ctx -> {
              String region = ctx.queryParams().get("region");
              String q = ctx.queryParams().get("q");
              JsonObject fields = new JsonObject();
              if (region == null || !region.matches("[0-9]{6}"))
                fields.put("region", "must be a six-digit GB/T 2260 code");
              if (q != null && q.length() > MAX_QUERY_CHARS)
                fields.put("q", "at most " + MAX_QUERY_CHARS + " characters");
              if (!fields.isEmpty()) return Future.failedFuture(ApiException.invalidFields(fields));
              return Future.succeededFuture(catalogue.search(region, q));
            });
  }
}
