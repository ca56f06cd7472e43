package cn.govgate.partners;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.Session;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Consents (授权), below {@code /v1}: a citizen at L3 grants a partner named scopes for a purpose and
 * a number of days ({@code POST /consents}), lists theirs ({@code GET /consents}) and revokes one
 * ({@code DELETE /consents/{id}}). The consent id is random and opaque; the answer's {@code
 * redirectUrl} is the partner's registered callback with the id, which the citizen's page opens.
 * Revocation and expiry are checked in PostgreSQL on every partner request, so they hold on every
 * instance at once. Every grant and revocation is audited.
 */
final class ConsentRoutes {
  static final int MAX_DAYS = 365;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PartnerStore store;
  private final PartnerDirectory directory;
  private final AuditLog audit;
  private final Clock clock;

  ConsentRoutes(PartnerStore store, PartnerDirectory directory, AuditLog audit, Clock clock) {
    this.store = store;
    this.directory = directory;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * @param authenticate the session guard
   * @param l3 the assurance gate for granting (L3 with a fresh face)
   * @param l2 the gate for listing and revoking (a bound citizen)
   */
  void mount(
      Router router,
      Handler<RoutingContext> authenticate,
      Handler<RoutingContext> l3,
      Handler<RoutingContext> l2) {
    router
        .post("/consents")
        .handler(authenticate)
        .handler(l3)
        .handler(ctx -> reply(ctx, 201, grant(ctx)));
    router
        .get("/consents")
        .handler(authenticate)
        .handler(l2)
        .handler(
            ctx ->
                reply(
                    ctx,
                    200,
                    store
                        .consentsOf(citizen(ctx), clock.instant())
                        .map(list -> new JsonObject().put("consents", list))));
    router
        .delete("/consents/:consentId")
        .handler(authenticate)
        .handler(l2)
        .handler(ctx -> revoke(ctx).onSuccess(v -> Answers.empty(ctx, 204)).onFailure(ctx::fail));
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> answer) {
    answer.onSuccess(json -> Answers.json(ctx, status, json)).onFailure(ctx::fail);
  }

  private static String citizen(RoutingContext ctx) {
    return Session.of(ctx).citizenKey();
  }

  private Future<JsonObject> grant(RoutingContext ctx) {
    String citizenKey = citizen(ctx);
    JsonObject body;
    Partner partner;
    Set<String> scopes;
    String purpose;
    int days;
    try {
      body = JsonBody.required(ctx);
      JsonObject errors = new JsonObject();
      String appId = body.getValue("appId") instanceof String s ? s : null;
      if (appId == null) errors.put("appId", "required: the partner's app id");
      scopes = scopes(body.getValue("scopes"), errors);
      purpose = body.getValue("purpose") instanceof String s ? s.trim() : null;
      if (purpose == null || purpose.isEmpty() || purpose.length() > 200) {
        errors.put("purpose", "required, 1-200 characters");
      }
      days = body.getValue("days") instanceof Integer i ? i : -1;
      if (days < 1 || days > MAX_DAYS) errors.put("days", "an integer from 1 to " + MAX_DAYS);
      if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
      partner = directory.find(appId);
      if (partner == null || !partner.active()) throw PartnerErrors.consentPartnerUnknown();
      for (String scope : scopes) {
        if (!partner.scopes().contains(scope)) throw PartnerErrors.consentScopeNotOffered(scope);
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    Instant now = clock.instant();
    String id = newId();
    return store
        .grant(
            id, partner.appId(), citizenKey, scopes, purpose, now, now.plus(Duration.ofDays(days)))
        .map(
            consent -> {
              audit.record(
                  AuditEvent.success(
                      "citizen",
                      citizenKey,
                      "consent.granted",
                      citizenKey,
                      RequestIds.of(ctx),
                      new JsonObject()
                          .put("partner", partner.appId())
                          .put("consentId", id)
                          .put("scopes", consent.getJsonArray("scopes"))
                          .put("days", days)));
              String callback = partner.callbackUrl();
              return consent
                  .put("partnerName", partner.name())
                  .put(
                      "redirectUrl",
                      callback
                          + (callback.contains("?") ? "&" : "?")
                          + "consentId="
                          + id
                          + "&appId="
                          + partner.appId());
            });
  }

  private static Set<String> scopes(Object value, JsonObject errors) {
    Set<String> out = new LinkedHashSet<>();
    if (!(value instanceof JsonArray array)
        || array.isEmpty()
        || array.size() > Scopes.ALL.size()) {
      errors.put("scopes", "a non-empty array of scopes: " + String.join(", ", Scopes.ALL));
      return out;
    }
    for (int i = 0; i < array.size(); i++) {
      Object s = array.getValue(i);
      if (!(s instanceof String scope) || !Scopes.ALL.contains(scope) || !out.add(scope)) {
        errors.put("scopes[" + i + "]", "one of " + String.join(", ", Scopes.ALL) + ", each once");
      }
    }
    return out;
  }

  private Future<Void> revoke(RoutingContext ctx) {
    String citizenKey = citizen(ctx);
    String id = ctx.pathParam("consentId");
    return store
        .revoke(citizenKey, id, clock.instant())
        .andThen(
            ar ->
                audit.record(
                    ar.succeeded()
                        ? AuditEvent.success(
                            "citizen",
                            citizenKey,
                            "consent.revoke",
                            citizenKey,
                            RequestIds.of(ctx),
                            new JsonObject()
                                .put("partner", ar.result().getString("appId"))
                                .put("consentId", id))
                        : AuditEvent.failure(
                            "citizen",
                            citizenKey,
                            "consent.revoke",
                            citizenKey,
                            RequestIds.of(ctx),
                            new JsonObject()
                                .put(
                                    "code",
                                    ar.cause() instanceof ApiException e
                                        ? e.code()
                                        : ErrorCode.GATEWAY_INTERNAL_ERROR.wire()))))
        .mapEmpty();
  }

  static String newId() {
    char[] id = new char[22];
    for (int i = 0; i < id.length; i++) id[i] = BASE62[RANDOM.nextInt(BASE62.length)];
    return "cst_" + new String(id);
  }
}
