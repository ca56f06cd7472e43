package cn.govgate.registry;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.registry.RegistryStore.Actor;
import cn.govgate.registry.RegistryStore.BackendRow;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The admin API ({@code contracts/admin-api.yaml}), mounted under {@code /admin/v1}. The operator
 * authenticates with the bootstrap key, a department with a credential the operator issued; a
 * department credential reaches only its own department ({@code 403 auth.forbidden_department}).
 * The operator assigns each (service type, region) to one department; a department registers
 * backends only for its assigned routes ({@code 403 registry.route_not_assigned}). Every change is
 * versioned ({@code backend_versions}, {@code route_assignment_versions}), audited — refusals too —
 * and reaches every instance through the registry's NOTIFY.
 */
public final class AdminApi {

  private static final String PRINCIPAL = "govgate.admin.principal";
  private static final long DEFAULT_GRACE_SECONDS = 86_400;
  private static final long MAX_GRACE_SECONDS = 30L * 86_400;

  private final Registry registry;
  private final RegistryStore store;
  private final AuditLog audit;
  private final byte[] bootstrapKey;

  /** Who is calling: the operator, or one department through one of its credentials. */
  record Principal(String type, String id, String departmentId) {
    boolean operator() {
      return "operator".equals(type);
    }

    Actor actor() {
      return new Actor(type, id);
    }
  }

  /** A reply with its status. */
  private record Reply(int status, Object body) {}

  private AdminApi(Registry registry, AuditLog audit, byte[] bootstrapKey) {
    this.registry = registry;
    this.store = registry.store();
    this.audit = audit;
    this.bootstrapKey = bootstrapKey == null ? null : bootstrapKey.clone();
  }

  /**
   * @param bootstrapKey the operator key ({@code admin.bootstrapKey}); null disables operator
   *     access
   */
  public static AdminApi create(Registry registry, AuditLog audit, byte[] bootstrapKey) {
    return new AdminApi(registry, audit, bootstrapKey);
  }

  /** Adds the routes to the admin sub-router (mounted at {@code /admin/v1}). */
  public void mount(Vertx vertx, Router router) {
    router.route("/departments*").handler(this::authenticate);
    router.route("/backends/*").handler(this::authenticate);
    router.route("/payments*").handler(this::authenticate);
    router.route("/partners*").handler(this::authenticate);
    router.post("/departments").handler(ctx -> handle(ctx, true, p -> createDepartment(ctx, p)));
    router
        .get("/departments")
        .handler(
            ctx ->
                handle(
                    ctx,
                    true,
                    p ->
                        store
                            .departments()
                            .map(
                                list ->
                                    ok(
                                        new JsonObject()
                                            .put(
                                                "departments",
                                                new JsonArray(
                                                    list.stream()
                                                        .map(d -> d.toJson())
                                                        .toList()))))));
    router
        .get("/departments/:departmentId")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p -> store.department(ctx.pathParam("departmentId")).map(d -> ok(d.toJson()))));
    router
        .post("/departments/:departmentId/credentials")
        .handler(ctx -> scoped(ctx, true, p -> issueCredential(ctx, p)));
    router
        .get("/departments/:departmentId/credentials")
        .handler(ctx -> scoped(ctx, false, p -> listCredentials(ctx)));
    router
        .post("/departments/:departmentId/credentials/:credentialId/rotate")
        .handler(ctx -> scoped(ctx, false, p -> rotateCredential(ctx, p)));
    router
        .delete("/departments/:departmentId/credentials/:credentialId")
        .handler(ctx -> scoped(ctx, false, p -> revokeCredential(ctx, p)));
    router
        .get("/departments/:departmentId/assignments")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p -> store.assignments(ctx.pathParam("departmentId")).map(AdminApi::ok)));
    router
        .post("/departments/:departmentId/assignments")
        .handler(ctx -> scoped(ctx, true, p -> assign(ctx, p)));
    router
        .get("/departments/:departmentId/assignments/versions")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        store
                            .assignmentVersions(ctx.pathParam("departmentId"))
                            .map(v -> ok(new JsonObject().put("versions", v)))));
    router
        .delete("/departments/:departmentId/assignments/:serviceType/:region")
        .handler(ctx -> scoped(ctx, true, p -> withdraw(ctx, p)));
    router
        .get("/departments/:departmentId/backends")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        store
                            .department(ctx.pathParam("departmentId"))
                            .compose(d -> store.backends(d.id(), false))
                            .map(
                                list ->
                                    ok(
                                        new JsonObject()
                                            .put(
                                                "backends",
                                                new JsonArray(
                                                    list.stream()
                                                        .map(this::withRuntime)
                                                        .toList()))))));
    router
        .post("/departments/:departmentId/backends")
        .handler(ctx -> scoped(ctx, false, p -> register(ctx, p)));
    router
        .get("/departments/:departmentId/backends/:backendId")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        store
                            .backend(ctx.pathParam("departmentId"), ctx.pathParam("backendId"))
                            .map(b -> ok(withRuntime(b)))));
    router
        .put("/departments/:departmentId/backends/:backendId")
        .handler(ctx -> scoped(ctx, false, p -> update(ctx, p)));
    router
        .post("/departments/:departmentId/backends/:backendId/disable")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p -> status(ctx, p, "disabled", "disabled", "registry.backend_disabled")));
    router
        .post("/departments/:departmentId/backends/:backendId/enable")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        status(ctx, p, "active", "enabled", "registry.backend_enabled")
                            .andThen(ar -> auditRefusal(ctx, p, "enable", ar))));
    router
        .delete("/departments/:departmentId/backends/:backendId")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        status(
                            ctx,
                            p,
                            "deregistered",
                            "deregistered",
                            "registry.backend_deregistered")));
    router
        .get("/departments/:departmentId/backends/:backendId/versions")
        .handler(
            ctx ->
                scoped(
                    ctx,
                    false,
                    p ->
                        store
                            .versions(ctx.pathParam("departmentId"), ctx.pathParam("backendId"))
                            .map(v -> ok(new JsonObject().put("versions", v)))));
    router
        .post("/backends/:backendId/breaker")
        .handler(ctx -> handle(ctx, true, p -> breaker(ctx, p)));
  }

  /**
   * For other concerns' routes under {@code /departments/:departmentId/...} (rectifications, proof
   * revocation): the credential authenticated by this API's guard must be the operator's or one of
   * that department's. Succeeds with the pseudonymous actor id; fails 401/403 otherwise.
   */
  public Future<String> authorizeDepartment(RoutingContext ctx, String departmentId) {
    Principal p = ctx.get(PRINCIPAL);
    if (p == null) {
      return Future.failedFuture(ErrorCode.AUTH_MISSING_CREDENTIALS.error());
    }
    if (!p.operator() && !p.departmentId().equals(departmentId)) {
      auditOtherDepartment(ctx, p, departmentId);
      return Future.failedFuture(ErrorCode.AUTH_FORBIDDEN_DEPARTMENT.error());
    }
    return Future.succeededFuture(p.type() + ":" + p.id());
  }

  /**
   * For other concerns' operator-only routes (payment resolution, partners): succeeds with the
   * operator's id when the credential authenticated by this API's guard is the operator's; a
   * department's is 403 {@code auth.operator_only}, audited.
   */
  public Future<String> authorizeOperator(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    if (p == null) {
      return Future.failedFuture(ErrorCode.AUTH_MISSING_CREDENTIALS.error());
    }
    if (!p.operator()) {
      auditOperatorOnly(ctx, p);
      return Future.failedFuture(ErrorCode.AUTH_OPERATOR_ONLY.error());
    }
    return Future.succeededFuture(p.id());
  }

  // ---------- authentication and scoping ----------

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).trim()
            : null;
    if (token == null || token.isEmpty()) {
      ctx.fail(ErrorCode.AUTH_MISSING_CREDENTIALS.error());
      return;
    }
    if (token.startsWith("gdc_")) {
      registry
          .credentials()
          .authenticate(token)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  ctx.fail(ar.cause());
                } else if (ar.result() == null) {
                  ctx.fail(invalidCredentials());
                } else {
                  String credentialId = token.substring(4, token.indexOf('.'));
                  ctx.put(PRINCIPAL, new Principal("department", credentialId, ar.result()));
                  ctx.next();
                }
              });
      return;
    }
    if (bootstrapKey != null && operatorKeyMatches(token)) {
      ctx.put(PRINCIPAL, new Principal("operator", "bootstrap", null));
      ctx.next();
      return;
    }
    ctx.fail(invalidCredentials());
  }

  private boolean operatorKeyMatches(String token) {
    byte[] presented;
    try {
      presented = Base64.getDecoder().decode(token.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      presented = token.getBytes(StandardCharsets.UTF_8);
    }
    // MessageDigest.isEqual is constant-time for equal lengths and leaks nothing useful about a
    // 32-byte key.
    return MessageDigest.isEqual(presented, bootstrapKey);
  }

  private static ApiException invalidCredentials() {
    return ErrorCode.AUTH_INVALID_CREDENTIALS.error();
  }

  private void handle(
      RoutingContext ctx, boolean operatorOnly, Function<Principal, Future<Reply>> action) {
    Principal p = ctx.get(PRINCIPAL);
    if (operatorOnly && !p.operator()) {
      auditOperatorOnly(ctx, p);
      ctx.fail(ErrorCode.AUTH_OPERATOR_ONLY.error());
      return;
    }
    Future<Reply> reply;
    try {
      reply = action.apply(p);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(
        ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          Object body = ar.result().body();
          ctx.response()
              .setStatusCode(ar.result().status())
              .putHeader("Content-Type", "application/json; charset=utf-8")
              .putHeader("Cache-Control", "no-store")
              .end(body instanceof JsonObject o ? o.toBuffer() : ((JsonArray) body).toBuffer());
        });
  }

  /**
   * A route under {@code /departments/:departmentId}: a department credential reaches only its own.
   */
  private void scoped(
      RoutingContext ctx, boolean operatorOnly, Function<Principal, Future<Reply>> action) {
    Principal p = ctx.get(PRINCIPAL);
    String departmentId = ctx.pathParam("departmentId");
    if (!p.operator() && !p.departmentId().equals(departmentId)) {
      auditOtherDepartment(ctx, p, departmentId);
      ctx.fail(ErrorCode.AUTH_FORBIDDEN_DEPARTMENT.error());
      return;
    }
    handle(ctx, operatorOnly, action);
  }

  /** Audits a department credential refused another department's resources (403). */
  private void auditOtherDepartment(RoutingContext ctx, Principal p, String departmentId) {
    auditAccessDenied(
        ctx, "department", p, new JsonObject().put("target", safeLabel(departmentId)));
  }

  /** Audits a department credential refused an operator-only route (403). */
  private void auditOperatorOnly(RoutingContext ctx, Principal p) {
    auditAccessDenied(
        ctx, p.type(), p, new JsonObject().put("code", ErrorCode.AUTH_OPERATOR_ONLY.wire()));
  }

  /**
   * The one shape of a refused {@code registry.access}: who, their department, why ({@code
   * reason}'s one field) and the method.
   */
  private void auditAccessDenied(
      RoutingContext ctx, String actorType, Principal p, JsonObject reason) {
    JsonObject details = new JsonObject().put("department", p.departmentId());
    details.mergeIn(reason);
    details.put("method", ctx.request().method().name());
    audit.record(
        new AuditEvent(
            actorType, p.id(), "registry.access", null, "denied", RequestIds.of(ctx), details));
  }

  private static String safeLabel(String value) {
    return value != null && value.matches("[a-z0-9-]{1,64}") ? value : "invalid";
  }

  private static Reply ok(JsonObject body) {
    return new Reply(200, body);
  }

  private static JsonObject body(RoutingContext ctx) {
    return JsonBody.required(ctx);
  }

  // ---------- departments ----------

  private Future<Reply> createDepartment(RoutingContext ctx, Principal p) {
    JsonObject body = body(ctx);
    JsonObject errors = new JsonObject();
    String id = body.getValue("id") instanceof String s ? s : null;
    String name = body.getValue("name") instanceof String s ? s.trim() : null;
    String kind = body.getValue("kind") instanceof String s ? s : null;
    if (id == null || !id.matches("[a-z][a-z0-9-]{1,31}")) {
      errors.put(
          "id", "2-32 characters: lower-case letters, digits and '-', starting with a letter");
    }
    if (name == null || name.isEmpty() || name.length() > 100) {
      errors.put("name", "required, at most 100 characters");
    }
    if (kind == null || !ServiceTypes.FAMILIES.contains(kind)) {
      errors.put("kind", "one of " + String.join(", ", ServiceTypes.FAMILIES));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalidFields(errors);
    }
    return store
        .createDepartment(id, name, kind)
        .map(
            d -> {
              audit.record(
                  AuditEvent.success(
                      "operator",
                      p.id(),
                      "registry.department_created",
                      null,
                      RequestIds.of(ctx),
                      new JsonObject().put("department", d.id()).put("kind", d.kind())));
              return new Reply(201, d.toJson());
            });
  }

  private Future<Reply> issueCredential(RoutingContext ctx, Principal p) {
    return store
        .issueCredential(ctx.pathParam("departmentId"))
        .map(
            json -> {
              audit.record(
                  AuditEvent.success(
                      "operator",
                      p.id(),
                      "registry.credential_issued",
                      null,
                      RequestIds.of(ctx),
                      new JsonObject()
                          .put("department", json.getString("departmentId"))
                          .put("credentialId", json.getString("credentialId"))));
              return new Reply(201, json);
            });
  }

  private Future<Reply> listCredentials(RoutingContext ctx) {
    Instant now = registry.clock().instant();
    return store
        .department(ctx.pathParam("departmentId"))
        .compose(d -> registry.credentialStore().list(d.id()))
        .map(
            rows ->
                ok(
                    new JsonObject()
                        .put(
                            "credentials",
                            new JsonArray(rows.stream().map(r -> r.toJson(now)).toList()))));
  }

  /**
   * A new credential for the department; the presented one keeps working for {@code graceSeconds}
   * (default {@value #DEFAULT_GRACE_SECONDS}) so that the department can roll the new secret out
   * without an outage.
   */
  private Future<Reply> rotateCredential(RoutingContext ctx, Principal p) {
    JsonObject body = JsonBody.optional(ctx);
    Object grace = body == null ? null : body.getValue("graceSeconds");
    if (grace != null && !(grace instanceof Integer || grace instanceof Long)
        || grace != null
            && (((Number) grace).longValue() < 0
                || ((Number) grace).longValue() > MAX_GRACE_SECONDS)) {
      throw ApiException.invalidFields(
          new JsonObject().put("graceSeconds", "an integer from 0 to " + MAX_GRACE_SECONDS));
    }
    long seconds = grace == null ? DEFAULT_GRACE_SECONDS : ((Number) grace).longValue();
    String departmentId = ctx.pathParam("departmentId");
    String credentialId = ctx.pathParam("credentialId");
    Instant oldExpiresAt = registry.clock().instant().plusSeconds(seconds);
    return store
        .department(departmentId)
        .compose(d -> registry.credentialStore().rotate(departmentId, credentialId, oldExpiresAt))
        // This instance refuses the old secret after its grace period, and at once on a revocation,
        // without waiting
        // for the notification to come back.
        .compose(issued -> registry.credentials().reload().otherwiseEmpty().map(issued))
        .map(
            issued -> {
              audit.record(
                  AuditEvent.success(
                      p.type(),
                      p.id(),
                      "registry.credential_rotated",
                      null,
                      RequestIds.of(ctx),
                      new JsonObject()
                          .put("department", departmentId)
                          .put("credentialId", credentialId)
                          .put("newCredentialId", issued.row().id())
                          .put("graceSeconds", seconds)));
              return new Reply(
                  201,
                  new JsonObject()
                      .put("credentialId", issued.row().id())
                      .put("departmentId", departmentId)
                      .put("token", issued.token())
                      .put("createdAt", issued.row().createdAt().toString())
                      .put("replaces", credentialId)
                      .put(
                          "replacedExpiresAt",
                          OffsetDateTime.ofInstant(oldExpiresAt, ZoneOffset.UTC).toString()));
            });
  }

  private Future<Reply> revokeCredential(RoutingContext ctx, Principal p) {
    String departmentId = ctx.pathParam("departmentId");
    String credentialId = ctx.pathParam("credentialId");
    Instant now = registry.clock().instant();
    return store
        .department(departmentId)
        .compose(d -> registry.credentialStore().revoke(departmentId, credentialId, now))
        .compose(result -> registry.credentials().reload().otherwiseEmpty().map(result))
        .map(
            result -> {
              if (result.getValue()) {
                audit.record(
                    AuditEvent.success(
                        p.type(),
                        p.id(),
                        "registry.credential_revoked",
                        null,
                        RequestIds.of(ctx),
                        new JsonObject()
                            .put("department", departmentId)
                            .put("credentialId", credentialId)));
              }
              return ok(result.getKey().toJson(now));
            });
  }

  // ---------- backends ----------

  private Future<Reply> register(RoutingContext ctx, Principal p) {
    JsonObject body = body(ctx);
    return store
        .department(ctx.pathParam("departmentId"))
        .compose(
            d -> {
              BackendSpec.Parsed parsed = BackendSpec.parse(body, d.kind(), null);
              return store
                  .register(d, parsed, p.actor())
                  .map(
                      row -> {
                        audit.record(
                            AuditEvent.success(
                                p.type(),
                                p.id(),
                                "registry.backend_registered",
                                null,
                                RequestIds.of(ctx),
                                change(row).put("replaces", parsed.replaces())));
                        return new Reply(201, withRuntime(row));
                      });
            })
        .andThen(ar -> auditRefusal(ctx, p, "register", ar));
  }

  private Future<Reply> update(RoutingContext ctx, Principal p) {
    JsonObject body = body(ctx);
    String departmentId = ctx.pathParam("departmentId");
    String backendId = ctx.pathParam("backendId");
    return store
        .department(departmentId)
        .compose(
            d ->
                store
                    .backend(departmentId, backendId)
                    .compose(existing -> store.secrets(backendId))
                    .compose(
                        previous -> {
                          BackendSpec.Parsed parsed = BackendSpec.parse(body, d.kind(), previous);
                          return store.update(departmentId, backendId, parsed, p.actor());
                        }))
        .map(
            row -> {
              audit.record(
                  AuditEvent.success(
                      p.type(),
                      p.id(),
                      "registry.backend_updated",
                      null,
                      RequestIds.of(ctx),
                      change(row)));
              return ok(withRuntime(row));
            })
        .andThen(ar -> auditRefusal(ctx, p, "update", ar));
  }

  /**
   * A registration, update or re-enabling the route rules refused (a route not assigned to the
   * department, a foreign {@code replaces}, an unshared route): recorded, since it may be an
   * attempt to take over a route.
   */
  private void auditRefusal(RoutingContext ctx, Principal p, String change, AsyncResult<?> result) {
    if (result.succeeded() || !(result.cause() instanceof ApiException e) || e.status() >= 500)
      return;
    JsonObject details =
        new JsonObject()
            .put("department", ctx.pathParam("departmentId"))
            .put("change", change)
            .put("code", e.code());
    JsonObject context = e.details() == null ? new JsonObject() : e.details();
    if (context.getValue("routes") != null) details.put("routes", context.getValue("routes"));
    if (context.getValue("fields") instanceof JsonObject fields) {
      details.put("fields", new JsonArray(List.copyOf(fields.fieldNames())));
    }
    audit.record(
        new AuditEvent(
            p.type(),
            p.id(),
            "registry.backend_refused",
            null,
            "denied",
            RequestIds.of(ctx),
            details));
  }

  // ---------- route assignments (operator) ----------

  private Future<Reply> assign(RoutingContext ctx, Principal p) {
    JsonObject body = body(ctx);
    return store
        .department(ctx.pathParam("departmentId"))
        .compose(
            d -> {
              JsonObject errors = new JsonObject();
              List<String> serviceTypes = BackendSpec.serviceTypes(body, d.kind(), errors);
              List<String> regions = BackendSpec.regions(body, errors);
              if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
              return store
                  .assign(d, serviceTypes, regions, p.actor())
                  .map(
                      state -> {
                        audit.record(
                            AuditEvent.success(
                                p.type(),
                                p.id(),
                                "registry.routes_assigned",
                                null,
                                RequestIds.of(ctx),
                                new JsonObject()
                                    .put("department", d.id())
                                    .put("version", state.getInteger("version"))
                                    .put("serviceTypes", new JsonArray(serviceTypes))
                                    .put("regions", new JsonArray(regions))));
                        return ok(state);
                      });
            });
  }

  private Future<Reply> withdraw(RoutingContext ctx, Principal p) {
    String departmentId = ctx.pathParam("departmentId");
    String serviceType = ctx.pathParam("serviceType");
    String region = ctx.pathParam("region");
    return store
        .department(departmentId)
        .compose(d -> store.withdraw(departmentId, serviceType, region, p.actor()))
        .map(
            state -> {
              audit.record(
                  AuditEvent.success(
                      p.type(),
                      p.id(),
                      "registry.route_withdrawn",
                      null,
                      RequestIds.of(ctx),
                      new JsonObject()
                          .put("department", departmentId)
                          .put("version", state.getInteger("version"))
                          .put("serviceType", serviceType)
                          .put("region", region)));
              return ok(state);
            });
  }

  private Future<Reply> status(
      RoutingContext ctx, Principal p, String status, String change, String action) {
    return store
        .setStatus(
            ctx.pathParam("departmentId"), ctx.pathParam("backendId"), status, change, p.actor())
        .map(
            row -> {
              audit.record(
                  AuditEvent.success(
                      p.type(), p.id(), action, null, RequestIds.of(ctx), change(row)));
              return ok(withRuntime(row));
            });
  }

  private Future<Reply> breaker(RoutingContext ctx, Principal p) {
    JsonObject body = body(ctx);
    String action = body.getValue("action") instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
    String override =
        switch (action == null ? "" : action) {
          case "open" -> "open";
          case "closed" -> "closed";
          case "reset" -> null;
          default ->
              throw ApiException.invalidFields(
                  new JsonObject().put("action", "one of open, closed, reset"));
        };
    String backendId = ctx.pathParam("backendId");
    return store
        .overrideBreaker(backendId, override)
        .compose(row -> registry.reload().otherwiseEmpty().map(row))
        .map(
            row -> {
              audit.record(
                  AuditEvent.success(
                      "operator",
                      p.id(),
                      "registry.breaker_override",
                      null,
                      RequestIds.of(ctx),
                      new JsonObject()
                          .put("department", row.departmentId())
                          .put("backend", row.id())
                          .put("action", action)));
              return ok(withRuntime(row));
            });
  }

  private static JsonObject change(BackendRow row) {
    return new JsonObject()
        .put("department", row.departmentId())
        .put("backend", row.id())
        .put("version", row.version())
        .put("status", row.status());
  }

  /** The stored backend plus what this instance sees of it right now. */
  private JsonObject withRuntime(BackendRow row) {
    JsonObject json = row.toJson();
    Backend live = registry.routes().backend(row.id());
    if (live != null && live.row().version() == row.version()) {
      JsonObject runtime =
          new JsonObject()
              .put("breakerState", live.guard().state().name().toLowerCase(Locale.ROOT))
              .put("inFlight", live.guard().inFlight());
      Boolean healthy = registry.healthy(row.id());
      if (healthy != null) {
        runtime.put("healthy", healthy);
      }
      json.put("runtime", runtime);
    }
    return json;
  }
}
