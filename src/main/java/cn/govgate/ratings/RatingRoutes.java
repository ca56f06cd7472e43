package cn.govgate.ratings;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.Catalogue;
import cn.govgate.services.DepartmentAccess;
import cn.govgate.services.OfferedServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The routes of 好差评: {@code POST /v1/ratings} and {@code GET /v1/stats/ratings} on the citizen
 * surface, the department's rectification items under {@code
 * /admin/v1/departments/{departmentId}/rectifications}.
 */
public final class RatingRoutes {
  private static final String DEPARTMENT_ID = "[a-z0-9][a-z0-9._-]{0,63}";

  private final Ratings ratings;
  private final Rectifications rectifications;
  private final RatingStats stats;
  private final CallerResolver callers;
  private final DepartmentAccess access;
  private final OfferedServices offered;
  private final AuditLog audit;

  public RatingRoutes(
      Ratings ratings,
      Rectifications rectifications,
      RatingStats stats,
      CallerResolver callers,
      DepartmentAccess access,
      OfferedServices offered,
      AuditLog audit) {
    this.ratings = ratings;
    this.rectifications = rectifications;
    this.stats = stats;
    this.callers = callers;
    this.access = access;
    this.offered = offered;
    this.audit = audit;
  }

  public void mountCitizen(Router router) {
    router
        .post("/ratings")
        .respond(
            ctx -> {
              RatingRequest request = RatingRequest.parse(JsonBody.required(ctx));
              return ratings
                  .rate(callers.resolve(ctx), request)
                  .map(
                      answer -> {
                        ctx.response().setStatusCode(201);
                        return answer;
                      });
            });
    router
        .get("/stats/ratings")
        .respond(
            ctx -> {
              String region = ctx.queryParams().get("region");
              String department = ctx.queryParams().get("department");
              JsonObject fields = new JsonObject();
              if (region != null && !region.matches("[0-9]{6}"))
                fields.put("region", "must be a six-digit GB/T 2260 code");
              if (department != null && !department.matches(DEPARTMENT_ID))
                fields.put("department", "not a department id");
              if (!fields.isEmpty()) return Future.failedFuture(ApiException.invalidFields(fields));
              if (region != null && !offered.knownRegions().contains(region)) {
                return Future.failedFuture(Catalogue.unknownRegion(offered));
              }
              return stats.publish(region, department);
            });
  }

  public void mountAdmin(Router router) {
    String base = "/departments/:departmentId/rectifications";
    router
        .get(base)
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor -> {
                          String state = ctx.queryParams().get("state");
                          RectificationState filter =
                              state == null ? null : RectificationState.parse(state);
                          if (state != null && filter == null) {
                            return Future.failedFuture(
                                ApiException.invalidFields(
                                    new JsonObject()
                                        .put("state", "one of open, answered, closed, overdue")));
                          }
                          return rectifications.list(department(ctx), filter);
                        }));
    router
        .post(base + "/:id/answer")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor -> {
                          Object answer = JsonBody.required(ctx).getValue("answer");
                          if (!(answer instanceof String text)
                              || text.isBlank()
                              || text.length() > Rectifications.MAX_ANSWER) {
                            return Future.failedFuture(
                                ApiException.invalidFields(
                                    new JsonObject()
                                        .put(
                                            "answer",
                                            "required, at most "
                                                + Rectifications.MAX_ANSWER
                                                + " characters")));
                          }
                          return rectifications
                              .answer(department(ctx), itemId(ctx), text.strip())
                              .andThen(
                                  ar ->
                                      audited(
                                          ctx,
                                          actor,
                                          "ratings.rectification_answer",
                                          ar.succeeded()));
                        }));
    router
        .post(base + "/:id/close")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor ->
                            rectifications
                                .close(department(ctx), itemId(ctx))
                                .andThen(
                                    ar ->
                                        audited(
                                            ctx,
                                            actor,
                                            "ratings.rectification_close",
                                            ar.succeeded()))));
  }

  private Future<String> authorized(RoutingContext ctx) {
    if (!department(ctx).matches(DEPARTMENT_ID)) {
      return Future.failedFuture(ErrorCode.DEPARTMENT_UNKNOWN.error());
    }
    return access.authorize(ctx, department(ctx));
  }

  private void audited(RoutingContext ctx, String actor, String action, boolean success) {
    JsonObject details =
        new JsonObject()
            .put("departmentId", department(ctx))
            .put("rectificationId", ctx.pathParam("id"));
    String requestId = RequestIds.of(ctx);
    audit.record(
        success
            ? AuditEvent.success("department", actor, action, null, requestId, details)
            : AuditEvent.failure("department", actor, action, null, requestId, details));
  }

  private static String department(RoutingContext ctx) {
    return ctx.pathParam("departmentId");
  }

  private static long itemId(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw ErrorCode.RECTIFICATION_UNKNOWN.error();
    }
  }
}
