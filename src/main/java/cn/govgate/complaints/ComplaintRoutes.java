package cn.govgate.complaints;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.complaints.ComplaintStore.Row0;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.RequestIds;
import cn.govgate.services.Caller;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.DepartmentAccess;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The routes of consultations and complaints: the citizen's {@code /v1/complaints} (L2 and above,
 * their own items only) and the department's {@code
 * /admin/v1/departments/{departmentId}/complaints} (the department's credential, or the operator).
 * Every read and every change is audited; the text itself never reaches a log or the audit.
 */
public final class ComplaintRoutes {
  private static final String DEPARTMENT_ID = "[a-z0-9][a-z0-9._-]{0,63}";
  private static final String ITEM_ID = "[0-9A-Z]{16}";
  private static final String IDEMPOTENCY_KEY = "[A-Za-z0-9_-]{8,64}";

  private final Complaints complaints;
  private final CallerResolver callers;
  private final DepartmentAccess access;
  private final AuditLog audit;

  public ComplaintRoutes(
      Complaints complaints, CallerResolver callers, DepartmentAccess access, AuditLog audit) {
    this.complaints = complaints;
    this.callers = callers;
    this.access = access;
    this.audit = audit;
  }

  /**
   * {@code POST /complaints}, {@code GET /complaints}, {@code GET /complaints/:id} on the citizen
   * router.
   *
   * @param authenticate the session guard
   * @param l2 the assurance gate for L2 (real name)
   */
  public void mountCitizen(
      Router router, Handler<RoutingContext> authenticate, Handler<RoutingContext> l2) {
    router.post("/complaints").handler(authenticate).handler(l2).respond(this::file);
    router
        .get("/complaints")
        .handler(authenticate)
        .handler(l2)
        .respond(
            ctx -> {
              Caller caller = callers.resolve(ctx);
              return complaints
                  .listOfCitizen(caller.citizenKey(), before(ctx), limit(ctx))
                  .andThen(
                      ar ->
                          citizenAudit(
                              ctx,
                              caller,
                              "complaints.read",
                              ar.succeeded(),
                              new JsonObject()
                                  .put(
                                      "count",
                                      ar.succeeded()
                                          ? ar.result().getJsonArray("items").size()
                                          : 0)));
            });
    router
        .get("/complaints/:id")
        .handler(authenticate)
        .handler(l2)
        .respond(
            ctx -> {
              Caller caller = callers.resolve(ctx);
              String id = ctx.pathParam("id");
              if (!id.matches(ITEM_ID)) return Future.failedFuture(ComplaintErrors.notFound());
              return complaints
                  .ofCitizen(caller.citizenKey(), id)
                  .andThen(
                      ar ->
                          citizenAudit(
                              ctx,
                              caller,
                              "complaints.read",
                              ar.succeeded(),
                              new JsonObject().put("complaintId", id)));
            });
  }

  private Future<JsonObject> file(RoutingContext ctx) {
    Caller caller = callers.resolve(ctx);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && !key.matches(IDEMPOTENCY_KEY)) {
      return Future.failedFuture(
          ApiException.invalidFields(
              new JsonObject().put("Idempotency-Key", "8 to 64 letters, digits, '-' or '_'")));
    }
    ComplaintRequest request = ComplaintRequest.parse(jsonBody(ctx));
    JsonObject details =
        new JsonObject()
            .put("kind", request.kind().wireName())
            .put("serviceType", request.serviceType())
            .put("region", request.region());
    return complaints
        .file(caller, request, key)
        .map(
            filed -> {
              ctx.response().setStatusCode(filed.created() ? 201 : 200);
              details
                  .put("complaintId", filed.item().getString("id"))
                  .put("departmentId", filed.item().getString("departmentId"));
              return filed.item();
            })
        .andThen(ar -> citizenAudit(ctx, caller, "complaints.filed", ar.succeeded(), details));
  }

  /** The department's routes on the admin router ({@code /admin/v1}). */
  public void mountAdmin(Router router) {
    String base = "/departments/:departmentId/complaints";
    router
        .get(base)
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor -> {
                          String kind = ctx.queryParams().get("kind");
                          String status = ctx.queryParams().get("status");
                          JsonObject errors = new JsonObject();
                          ComplaintKind k = kind == null ? null : ComplaintKind.fromWire(kind);
                          if (kind != null && k == null)
                            errors.put("kind", "one of consultation, complaint");
                          ComplaintStatus s =
                              status == null ? null : ComplaintStatus.fromWire(status);
                          if (status != null && s == null)
                            errors.put("status", "one of open, overdue, answered, closed");
                          if (!errors.isEmpty())
                            return Future.failedFuture(ApiException.invalidFields(errors));
                          String department = department(ctx);
                          return complaints
                              .listOfDepartment(department, k, s, before(ctx), limit(ctx))
                              .map(
                                  rows -> {
                                    JsonArray items = new JsonArray();
                                    for (Row0 r : rows) {
                                      items.add(complaints.departmentView(r, null));
                                      departmentAudit(
                                          ctx,
                                          actor,
                                          "complaints.department_read",
                                          r.citizenKey(),
                                          true,
                                          new JsonObject().put("complaintId", r.id()));
                                    }
                                    return new JsonObject()
                                        .put("departmentId", department)
                                        .put("items", items);
                                  });
                        }));
    router
        .get(base + "/:id")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor ->
                            item(ctx)
                                .compose(
                                    row ->
                                        complaints
                                            .departmentView(row)
                                            .andThen(
                                                ar ->
                                                    departmentAudit(
                                                        ctx,
                                                        actor,
                                                        "complaints.department_read",
                                                        row.citizenKey(),
                                                        ar.succeeded(),
                                                        new JsonObject()
                                                            .put("complaintId", row.id()))))));
    router
        .post(base + "/:id/reply")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor -> {
                          String reply = text(jsonBody(ctx), "reply", Complaints.MAX_REPLY);
                          return change(
                              ctx,
                              actor,
                              "complaints.replied",
                              new JsonObject(),
                              (type, id) ->
                                  complaints.reply(department(ctx), itemId(ctx), reply, type, id));
                        }));
    router
        .post(base + "/:id/transfer")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor -> {
                          JsonObject body = jsonBody(ctx);
                          Object to = body == null ? null : body.getValue("toDepartment");
                          if (!(to instanceof String target) || !target.matches(DEPARTMENT_ID)) {
                            return Future.failedFuture(
                                ApiException.invalidFields(
                                    new JsonObject().put("toDepartment", "a department id")));
                          }
                          String reason = text(body, "reason", Complaints.MAX_REASON);
                          return change(
                              ctx,
                              actor,
                              "complaints.transferred",
                              new JsonObject().put("toDepartment", target),
                              (type, id) ->
                                  complaints.transfer(
                                      department(ctx), itemId(ctx), target, reason, type, id));
                        }));
    router
        .post(base + "/:id/close")
        .respond(
            ctx ->
                authorized(ctx)
                    .compose(
                        actor ->
                            change(
                                ctx,
                                actor,
                                "complaints.closed",
                                new JsonObject(),
                                (type, id) ->
                                    complaints.close(department(ctx), itemId(ctx), type, id))));
  }

  private interface Change {
    Future<Row0> apply(String actorType, String actorId);
  }

  /**
   * Runs a department's change with its actor, audits it (with the citizen concerned) and answers
   * the item.
   */
  private Future<JsonObject> change(
      RoutingContext ctx, String actor, String action, JsonObject details, Change change) {
    String[] who = actor.split(":", 2);
    details.put("complaintId", ctx.pathParam("id")).put("departmentId", department(ctx));
    return change
        .apply(who[0], who.length > 1 ? who[1] : null)
        .compose(
            row ->
                complaints
                    .departmentView(row)
                    .map(
                        view -> {
                          departmentAudit(ctx, actor, action, row.citizenKey(), true, details);
                          return view;
                        }))
        .onFailure(
            e ->
                departmentAudit(
                    ctx,
                    actor,
                    action,
                    null,
                    false,
                    details
                        .copy()
                        .put(
                            "code",
                            e instanceof ApiException a
                                ? a.code()
                                : ErrorCode.GATEWAY_INTERNAL_ERROR.wire())));
  }

  private Future<Row0> item(RoutingContext ctx) {
    return complaints.ofDepartment(department(ctx), itemId(ctx));
  }

  private Future<String> authorized(RoutingContext ctx) {
    if (!department(ctx).matches(DEPARTMENT_ID)) {
      return Future.failedFuture(ErrorCode.DEPARTMENT_UNKNOWN.error());
    }
    return access.authorize(ctx, department(ctx));
  }

  private static String department(RoutingContext ctx) {
    return ctx.pathParam("departmentId");
  }

  private static String itemId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches(ITEM_ID)) throw ComplaintErrors.notFound();
    return id;
  }

  private static String text(JsonObject body, String field, int max) {
    Object value = body == null ? null : body.getValue(field);
    String text = value instanceof String s ? s.strip() : null;
    if (text == null || text.isEmpty() || text.codePointCount(0, text.length()) > max) {
      throw ApiException.invalidFields(
          new JsonObject().put(field, "required, 1 to " + max + " characters"));
    }
    return text;
  }

  private static int limit(RoutingContext ctx) {
    String raw = ctx.queryParams().get("limit");
    if (raw == null) return 50;
    if (!raw.matches("[0-9]{1,3}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > 100) {
      throw ApiException.invalidFields(new JsonObject().put("limit", "an integer from 1 to 100"));
    }
    return Integer.parseInt(raw);
  }

  private static Instant before(RoutingContext ctx) {
    String raw = ctx.queryParams().get("before");
    if (raw == null) return null;
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiException.invalidFields(
          new JsonObject().put("before", "an ISO-8601 instant such as 2026-03-02T01:00:00Z"));
    }
  }

  private void citizenAudit(
      RoutingContext ctx, Caller caller, String action, boolean success, JsonObject details) {
    String requestId = RequestIds.of(ctx);
    audit.record(
        success
            ? AuditEvent.success(
                "citizen", caller.citizenKey(), action, caller.citizenKey(), requestId, details)
            : AuditEvent.failure(
                "citizen", caller.citizenKey(), action, caller.citizenKey(), requestId, details));
  }

  private void departmentAudit(
      RoutingContext ctx,
      String actor,
      String action,
      String citizenKey,
      boolean success,
      JsonObject details) {
    String[] who = actor.split(":", 2);
    String requestId = RequestIds.of(ctx);
    JsonObject d = details.copy().put("departmentId", department(ctx));
    audit.record(
        success
            ? AuditEvent.success(
                who[0], who.length > 1 ? who[1] : actor, action, citizenKey, requestId, d)
            : AuditEvent.failure(
                who[0], who.length > 1 ? who[1] : actor, action, citizenKey, requestId, d));
  }

  static JsonObject jsonBody(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ErrorCode.REQUEST_MALFORMED_JSON.error();
    }
  }
}
