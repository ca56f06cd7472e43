package cn.govgate.cases;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.Session;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /my/cases} and {@code GET /my/cases/:caseId} on the citizen router, for any session
 * (L1 sees what its channel identity did). Each read is audited with the number of items, never
 * their contents.
 */
public final class MyCasesRoutes {
  private static final int DEFAULT_LIMIT = 20;

  private final MyCases cases;
  private final AuditLog audit;

  public MyCasesRoutes(MyCases cases, AuditLog audit) {
    this.cases = cases;
    this.audit = audit;
  }

  /** Mounts both routes behind {@code authenticate} (the session guard). */
  public void mountCitizen(Router router, Handler<RoutingContext> authenticate) {
    router.get("/my/cases").handler(authenticate).respond(this::list);
    router.get("/my/cases/:caseId").handler(authenticate).respond(this::one);
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    Session session = Session.of(ctx);
    String rawCursor = ctx.queryParams().get("cursor");
    String rawKind = ctx.queryParams().get("kind");
    int limit = limit(ctx.queryParams().get("limit"));
    CaseKind kind = rawKind == null ? null : CaseKind.fromWire(rawKind);
    if (rawKind != null && kind == null) {
      return Future.failedFuture(
          CaseErrors.invalid(
              "kind", "one of payment, proof, rating, verification, complaint, consent"));
    }
    CaseCursor cursor = rawCursor == null ? null : CaseCursor.decode(rawCursor);
    return cases
        .list(owner(session), cursor, kind, limit)
        .map(MyCases.Page::toJson)
        .andThen(
            ar ->
                audit(
                    ctx,
                    session,
                    ar.succeeded(),
                    new JsonObject()
                        .put(
                            "count",
                            ar.succeeded() ? ar.result().getJsonArray("items").size() : 0)));
  }

  private Future<JsonObject> one(RoutingContext ctx) {
    Session session = Session.of(ctx);
    String caseId = ctx.pathParam("caseId");
    int dash = caseId.indexOf('-');
    CaseKind kind = dash < 1 ? null : CaseKind.fromWire(caseId.substring(0, dash));
    String id = dash < 1 ? "" : caseId.substring(dash + 1);
    if (kind == null || id.isEmpty() || id.length() > 64)
      return Future.failedFuture(CaseErrors.notFound());
    return cases
        .one(owner(session), kind, id)
        .andThen(ar -> audit(ctx, session, ar.succeeded(), new JsonObject().put("caseId", caseId)));
  }

  private static MyCases.Owner owner(Session session) {
    return new MyCases.Owner(session.identityKey(), session.citizenKey());
  }

  private static int limit(String raw) {
    if (raw == null) return DEFAULT_LIMIT;
    if (!raw.matches("[0-9]{1,3}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > 100) {
      throw CaseErrors.invalid("limit", "an integer from 1 to 100");
    }
    return Integer.parseInt(raw);
  }

  private void audit(RoutingContext ctx, Session s, boolean success, JsonObject details) {
    String actorType = s.bound() ? "citizen" : "channel_user";
    String actor = s.bound() ? s.citizenKey() : s.identityKey();
    audit.record(
        success
            ? AuditEvent.success(
                actorType, actor, "cases.read", s.citizenKey(), RequestIds.of(ctx), details)
            : AuditEvent.failure(
                actorType, actor, "cases.read", s.citizenKey(), RequestIds.of(ctx), details));
  }
}
