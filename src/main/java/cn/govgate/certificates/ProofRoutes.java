package cn.govgate.certificates;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.services.Caller;
import cn.govgate.services.CallerResolver;
import cn.govgate.services.Catalogue;
import cn.govgate.services.DepartmentAccess;
import cn.govgate.services.Interactions;
import cn.govgate.services.OfferedServices;
import cn.govgate.services.ServiceAccess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The routes of proofs: {@code POST /v1/housing-fund/proofs} (L3), {@code GET /v1/proofs/{serial}}
 * (the holder), public {@code POST /v1/proofs/verify}, the department's {@code POST
 * /admin/v1/departments/{departmentId}/proofs/{serial}/revoke}, and the JWKS at {@code
 * /.well-known/jwks.json}.
 */
public final class ProofRoutes {
  public static final String SERVICE_TYPE = "housing-fund.proof-data";
  private static final int MAX_PROOF_CHARS = 16_384;

  private final Proofs proofs;
  private final ProofKeys keys;
  private final HousingFundProofSource source;
  private final Interactions interactions;
  private final CallerResolver callers;
  private final DepartmentAccess access;
  private final OfferedServices offered;
  private final AuditLog audit;

  /**
   * {@code source} may be null: then the issuing endpoint is not mounted (nothing to issue from).
   */
  public ProofRoutes(
      Proofs proofs,
      ProofKeys keys,
      HousingFundProofSource source,
      Interactions interactions,
      CallerResolver callers,
      DepartmentAccess access,
      OfferedServices offered,
      AuditLog audit) {
    this.proofs = proofs;
    this.keys = keys;
    this.source = source;
    this.interactions = interactions;
    this.callers = callers;
    this.access = access;
    this.offered = offered;
    this.audit = audit;
  }

  public void mountCitizen(Router router) {
    if (source != null) router.post("/housing-fund/proofs").respond(this::issueHousingFundProof);
    router.post("/proofs/verify").respond(ctx -> verify(JsonBody.required(ctx)));
    router
        .get("/proofs/:serial")
        .respond(
            ctx -> {
              Caller caller = callers.resolve(ctx);
              if (caller.isAnonymous()) return Future.failedFuture(sessionRequired());
              return proofs
                  .find(ctx.pathParam("serial"), caller.citizenKey())
                  .andThen(
                      ar ->
                          audit(
                              ctx,
                              "citizen",
                              caller.citizenKey(),
                              "certificates.read",
                              caller.citizenKey(),
                              ar.succeeded(),
                              new JsonObject().put("serial", ctx.pathParam("serial"))));
            });
  }

  public void mountAdmin(Router router) {
    router
        .post("/departments/:departmentId/proofs/:serial/revoke")
        .respond(
            ctx -> {
              String department = ctx.pathParam("departmentId");
              String serial = ctx.pathParam("serial");
              Object reason = JsonBody.optional(ctx).getValue("reason");
              if (reason != null && (!(reason instanceof String r) || r.length() > 200)) {
                return Future.failedFuture(
                    ApiException.invalidFields(
                        new JsonObject().put("reason", "at most 200 characters")));
              }
              return access
                  .authorize(ctx, department)
                  .compose(
                      actor ->
                          proofs
                              .revoke(department, serial, (String) reason)
                              .andThen(
                                  ar ->
                                      audit(
                                          ctx,
                                          "department",
                                          actor,
                                          "certificates.revoke",
                                          null,
                                          ar.succeeded(),
                                          new JsonObject()
                                              .put("departmentId", department)
                                              .put("serial", serial))));
            });
  }

  /**
   * Publishes the proof keys; to be replaced by identity's JWKS (which then includes these keys)
   * once it lands.
   */
  public void mountPublic(Router router) {
    router
        .get("/.well-known/jwks.json")
        .respond(
            ctx -> {
              ctx.response().putHeader("Cache-Control", "public, max-age=300");
              return Future.succeededFuture(keys.jwks());
            });
  }

  private Future<JsonObject> issueHousingFundProof(RoutingContext ctx) {
    Caller caller = callers.resolve(ctx);
    if (caller.isAnonymous()) return Future.failedFuture(sessionRequired());
    if (caller.level() < 3) {
      return Future.failedFuture(
          ErrorCode.IDENTITY_STEP_UP_REQUIRED
              .error()
              .withDetails(new JsonObject().put("required", "L3")));
    }
    return issueHousingFundProof(
        ctx, JsonBody.required(ctx), ServiceAccess.citizen(caller.citizenKey(), caller));
  }

  /**
   * Issues a housing-fund deposit proof to the citizen {@code access} names, from the body's {@code
   * region}, {@code purpose} and {@code validDays} (other fields are the caller's to refuse): the
   * citizen API for the session's citizen, the partner API ({@code /open/v1}) for the citizen of a
   * consent — same checks, department data, signature, interaction and audit (actor and context
   * from {@code access}). Sets the status to 201.
   */
  public Future<JsonObject> issueHousingFundProof(
      RoutingContext ctx, JsonObject body, ServiceAccess access) {
    if (source == null) {
      return Future.failedFuture(ErrorCode.REQUEST_NOT_FOUND.error());
    }
    Caller caller = access.caller();
    Object region = body.getValue("region");
    Object days = body.getValue("validDays");
    Object purpose = body.getValue("purpose");
    String departmentId;
    try {
      if (!(region instanceof String r) || !r.matches("[0-9]{6}")) {
        throw ApiException.invalidFields(
            new JsonObject().put("region", "must be a six-digit GB/T 2260 code"));
      }
      Proofs.validate(purpose instanceof String p ? p : null, days instanceof Integer d ? d : null);
      departmentId = department(r);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    String r = (String) region;
    String requestId = RequestIds.of(ctx);
    return source
        .load(caller, r, departmentId, requestId)
        .compose(
            subject ->
                proofs.issue(
                    new ProofIssue(
                        access.citizenKey(),
                        ProofType.HOUSING_FUND_DEPOSIT,
                        r,
                        departmentId,
                        subject.departmentName(),
                        subject.holderName(),
                        subject.holderIdNumber(),
                        subject.data(),
                        (String) purpose,
                        (Integer) days)))
        .compose(
            issued ->
                interactions
                    .record(caller, SERVICE_TYPE, departmentId, r)
                    .map(interaction -> issued.toJson().put("interactionId", interaction.id())))
        .andThen(
            ar ->
                audit(
                    ctx,
                    access.actorType(),
                    access.actorId(),
                    "certificates.issue",
                    access.citizenKey(),
                    ar.succeeded(),
                    withContext(
                        access,
                        new JsonObject()
                            .put("departmentId", departmentId)
                            .put("serviceType", SERVICE_TYPE)
                            .put(
                                "serial",
                                ar.succeeded() ? ar.result().getString("serial") : null))))
        .map(
            answer -> {
              ctx.response().setStatusCode(201);
              return answer;
            });
  }

  /**
   * Verifies the presented proof of {@code body.proof}: the public {@code POST /v1/proofs/verify},
   * and the partner API's (which adds no consent: the presented proof is what the caller holds).
   */
  public Future<JsonObject> verify(JsonObject body) {
    Object proof = body.getValue("proof");
    if (!(proof instanceof String p) || p.isBlank() || p.length() > MAX_PROOF_CHARS) {
      return Future.failedFuture(
          ApiException.invalidFields(new JsonObject().put("proof", "a compact JWS")));
    }
    return proofs.verify(p);
  }

  /**
   * The partner API's verify: {@link #verify(JsonObject)}, audited as {@code certificates.verify}
   * with the actor and context of {@code access} (the serial and verdict, nothing of the holder).
   */
  public Future<JsonObject> verify(RoutingContext ctx, JsonObject body, ServiceAccess access) {
    return verify(body)
        .andThen(
            ar ->
                audit(
                    ctx,
                    access.actorType(),
                    access.actorId(),
                    "certificates.verify",
                    null,
                    ar.succeeded(),
                    withContext(
                        access,
                        ar.succeeded()
                            ? new JsonObject()
                                .put("serial", ar.result().getString("serial"))
                                .put("valid", ar.result().getBoolean("valid"))
                            : new JsonObject())));
  }

  private static JsonObject withContext(ServiceAccess access, JsonObject details) {
    if (access.auditContext() != null) details.mergeIn(access.auditContext());
    return details;
  }

  private String department(String region) {
    if (!offered.knownRegions().contains(region)) throw Catalogue.unknownRegion(offered);
    return offered
        .departmentFor(SERVICE_TYPE, region)
        .orElseThrow(
            () -> {
              JsonArray regions = new JsonArray();
              offered.knownRegions().stream()
                  .filter(r -> offered.departmentFor(SERVICE_TYPE, r).isPresent())
                  .forEach(regions::add);
              return ErrorCode.SERVICE_NOT_OFFERED
                  .error()
                  .withDetails(new JsonObject().put("offeredIn", regions));
            });
  }

  private void audit(
      RoutingContext ctx,
      String actorType,
      String actor,
      String action,
      String citizenKey,
      boolean success,
      JsonObject details) {
    String requestId = RequestIds.of(ctx);
    audit.record(
        success
            ? AuditEvent.success(actorType, actor, action, citizenKey, requestId, details)
            : AuditEvent.failure(actorType, actor, action, citizenKey, requestId, details));
  }

  private static ApiException sessionRequired() {
    return ErrorCode.IDENTITY_SESSION_REQUIRED.error();
  }
}
