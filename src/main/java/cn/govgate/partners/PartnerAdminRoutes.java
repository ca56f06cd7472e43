package cn.govgate.partners;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The operator's partner register, below {@code /admin/v1/partners} ({@code
 * contracts/admin-api.yaml}): create, read, update settings (name, scopes, quotas, callback),
 * suspend and activate, add a key, revoke one key, list the versions. Operator only; every change
 * is a version, audited, and NOTIFYed to every instance.
 */
final class PartnerAdminRoutes {
  private static final Pattern APP_ID = Pattern.compile("[a-z][a-z0-9-]{2,31}");
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern SM2_USER_ID = Pattern.compile("[\\x21-\\x7e]{1,64}");

  private final PartnerStore store;
  private final AuditLog audit;
  private final Function<RoutingContext, Future<String>> operator;

  /**
   * @param operator the admin API's check that the caller is the operator (succeeds with the actor
   *     id)
   */
  PartnerAdminRoutes(
      PartnerStore store, AuditLog audit, Function<RoutingContext, Future<String>> operator) {
    this.store = store;
    this.audit = audit;
    this.operator = operator;
  }

  void mount(Router router) {
    router
        .post("/partners")
        .handler(ctx -> change(ctx, 201, "partner.created", (c, actor) -> create(c, actor)));
    router
        .get("/partners/:appId")
        .handler(ctx -> read(ctx, c -> store.partner(c.pathParam("appId")).map(Partner::toJson)));
    router
        .put("/partners/:appId")
        .handler(
            ctx ->
                change(
                    ctx,
                    200,
                    "partner.updated",
                    (c, actor) ->
                        store.update(c.pathParam("appId"), settings(JsonBody.required(c)), actor)));
    router
        .post("/partners/:appId/suspend")
        .handler(
            ctx ->
                change(
                    ctx,
                    200,
                    "partner.suspended",
                    (c, actor) -> store.status(c.pathParam("appId"), "suspended", actor)));
    router
        .post("/partners/:appId/activate")
        .handler(
            ctx ->
                change(
                    ctx,
                    200,
                    "partner.activated",
                    (c, actor) -> store.status(c.pathParam("appId"), "active", actor)));
    router
        .post("/partners/:appId/keys")
        .handler(ctx -> change(ctx, 201, "partner.key_added", (c, actor) -> addKey(c, actor)));
    router
        .delete("/partners/:appId/keys/:keyId")
        .handler(
            ctx ->
                change(
                    ctx,
                    200,
                    "partner.key_revoke",
                    (c, actor) ->
                        store.revokeKey(c.pathParam("appId"), c.pathParam("keyId"), actor)));
    router
        .get("/partners/:appId/versions")
        .handler(
            ctx ->
                read(
                    ctx,
                    c ->
                        store
                            .versions(c.pathParam("appId"))
                            .map(v -> new JsonObject().put("versions", v))));
  }

  private void read(RoutingContext ctx, Function<RoutingContext, Future<JsonObject>> action) {
    operator
        .apply(ctx)
        .compose(actor -> action.apply(ctx))
        .onSuccess(json -> Answers.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  private void change(
      RoutingContext ctx,
      int status,
      String action,
      BiFunction<RoutingContext, String, Future<Partner>> apply) {
    operator
        .apply(ctx)
        .compose(
            actor -> {
              Future<Partner> changed;
              try {
                changed = apply.apply(ctx, actor);
              } catch (RuntimeException e) {
                changed = Future.failedFuture(e);
              }
              return changed.andThen(
                  ar -> {
                    JsonObject details =
                        new JsonObject().put("partner", safe(ctx.pathParam("appId"), ar));
                    if (ctx.pathParam("keyId") != null)
                      details.put("keyId", ctx.pathParam("keyId"));
                    if (ar.succeeded()) {
                      details.put("version", ar.result().version());
                      audit.record(
                          AuditEvent.success(
                              "operator", actor, action, null, RequestIds.of(ctx), details));
                    } else {
                      details.put(
                          "code",
                          ar.cause() instanceof ApiException e
                              ? e.code()
                              : ErrorCode.GATEWAY_INTERNAL_ERROR.wire());
                      audit.record(
                          AuditEvent.failure(
                              "operator", actor, action, null, RequestIds.of(ctx), details));
                    }
                  });
            })
        .onSuccess(p -> Answers.json(ctx, status, p.toJson()))
        .onFailure(ctx::fail);
  }

  private static String safe(String pathAppId, io.vertx.core.AsyncResult<Partner> ar) {
    if (ar.succeeded()) return ar.result().appId();
    return pathAppId != null && APP_ID.matcher(pathAppId).matches() ? pathAppId : "invalid";
  }

  private Future<Partner> create(RoutingContext ctx, String actor) {
    JsonObject body = JsonBody.required(ctx);
    String appId = body.getValue("appId") instanceof String s ? s : null;
    PartnerStore.Settings settings;
    JsonObject errors = new JsonObject();
    if (appId == null || !APP_ID.matcher(appId).matches()) {
      errors.put(
          "appId", "3-32 characters: lower-case letters, digits and '-', starting with a letter");
    }
    try {
      settings = settings(body);
    } catch (ApiException e) {
      if (e.details() == null) throw e;
      throw ApiException.invalidFields(e.details().getJsonObject("fields").mergeIn(errors));
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    return store.create(appId, settings, actor);
  }

  private static PartnerStore.Settings settings(JsonObject body) {
    JsonObject errors = new JsonObject();
    String name = body.getValue("name") instanceof String s ? s.trim() : null;
    if (name == null || name.isEmpty() || name.length() > 100)
      errors.put("name", "required, at most 100 characters");
    Set<String> scopes = new LinkedHashSet<>();
    if (body.getValue("scopes") instanceof JsonArray array && !array.isEmpty()) {
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String s) || !Scopes.ALL.contains(s) || !scopes.add(s)) {
          errors.put(
              "scopes[" + i + "]", "one of " + String.join(", ", Scopes.ALL) + ", each once");
        }
      }
    } else {
      errors.put("scopes", "a non-empty array of scopes: " + String.join(", ", Scopes.ALL));
    }
    JsonObject quota = body.getValue("quota") instanceof JsonObject q ? q : new JsonObject();
    int perSecond = quota.getValue("perSecond") instanceof Integer i ? i : -1;
    int perDay = quota.getValue("perDay") instanceof Integer i ? i : -1;
    if (perSecond < 1 || perSecond > 100_000)
      errors.put("quota.perSecond", "an integer from 1 to 100000");
    if (perDay < 1 || perDay > 100_000_000)
      errors.put("quota.perDay", "an integer from 1 to 100000000");
    String callback = body.getValue("callbackUrl") instanceof String s ? s : null;
    if (callback == null || callback.length() > 500 || !callback.matches("https?://[^\\s#]+")) {
      errors.put("callbackUrl", "an http(s) URL without fragment, at most 500 characters");
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    return new PartnerStore.Settings(name, scopes, perSecond, perDay, callback);
  }

  private Future<Partner> addKey(RoutingContext ctx, String actor) {
    JsonObject body = JsonBody.required(ctx);
    JsonObject errors = new JsonObject();
    String keyId = body.getValue("keyId") instanceof String s ? s : null;
    if (keyId == null || !KEY_ID.matcher(keyId).matches())
      errors.put("keyId", "1-64 characters [A-Za-z0-9_.-]");
    SignatureAlgorithm algorithm =
        body.getValue("algorithm") instanceof String s ? SignatureAlgorithm.ofName(s) : null;
    if (algorithm == null) errors.put("algorithm", "RSA2 or SM2");
    String sm2UserId = body.getValue("sm2UserId") instanceof String s ? s : null;
    if (body.containsKey("sm2UserId")
        && (algorithm != SignatureAlgorithm.SM2
            || sm2UserId == null
            || !SM2_USER_ID.matcher(sm2UserId).matches())) {
      errors.put("sm2UserId", "for SM2 keys only: 1-64 printable ASCII characters");
    }
    String spki =
        body.getValue("publicKey") instanceof String s
            ? s.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "")
            : null;
    if (spki == null) {
      errors.put("publicKey", "required: the SPKI public key in Base64 (or PEM)");
    } else if (algorithm != null) {
      try {
        algorithm.publicKey(Base64.getDecoder().decode(spki));
      } catch (IllegalArgumentException e) {
        errors.put(
            "publicKey",
            e.getMessage() == null || e.getMessage().contains("Illegal")
                ? "an SPKI " + algorithm + " public key in Base64"
                : e.getMessage());
      }
    }
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
    String userId =
        algorithm == SignatureAlgorithm.SM2
            ? (sm2UserId == null ? SignatureAlgorithm.DEFAULT_SM2_USER_ID : sm2UserId)
            : null;
    return store.addKey(ctx.pathParam("appId"), keyId, algorithm, spki, userId, actor);
  }
}
