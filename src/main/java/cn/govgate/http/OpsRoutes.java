package cn.govgate.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Ops endpoints: {@code /health/live} (the process answers), {@code /health/ready} (all readiness
 * checks pass; 503 with the reasons otherwise) and {@code /metrics} (Prometheus text format).
 */
final class OpsRoutes {
  private OpsRoutes() {}

  static void mount(Router router, Readiness readiness, PrometheusMeterRegistry registry) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router
        .get("/health/ready")
        .handler(
            ctx ->
                readiness
                    .evaluate()
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            ctx.fail(ar.cause());
                            return;
                          }
                          JsonObject result = ar.result();
                          ctx.response()
                              .setStatusCode("UP".equals(result.getString("status")) ? 200 : 503)
                              .putHeader("Content-Type", "application/json")
                              .putHeader("Cache-Control", "no-store")
                              .end(result.toBuffer());
                        }));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
  }
}
