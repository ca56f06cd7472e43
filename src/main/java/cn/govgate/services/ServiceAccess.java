package cn.govgate.services;

import io.vertx.core.json.JsonObject;

/**
 * Whose records a service read selects and who asks for them: the citizen of a session, or a
 * partner platform under the consent a citizen granted it. The citizen is always named by the
 * caller's credentials (session or consent), never by a request parameter.
 *
 * @param citizenKey the pseudonymous key of the citizen whose records are read
 * @param caller the caller as interactions record it
 * @param actorType the audit actor type ({@code citizen}, {@code partner})
 * @param actorId the audit actor id (the citizen key, the partner app id)
 * @param auditContext non-personal context added to every audit record of the read (partner and
 *     consent ids), may be null
 */
public record ServiceAccess(
    String citizenKey, Caller caller, String actorType, String actorId, JsonObject auditContext) {

  /** The citizen of the session reads their own records. */
  public static ServiceAccess citizen(String citizenKey, Caller caller) {
    return new ServiceAccess(citizenKey, caller, "citizen", citizenKey, null);
  }

  /** A partner reads a consenting citizen's records. */
  public static ServiceAccess partner(String appId, String consentId, String citizenKey) {
    return new ServiceAccess(
        citizenKey,
        new Caller(citizenKey, 3, "partner"),
        "partner",
        appId,
        new JsonObject().put("partner", appId).put("consentId", consentId));
  }

  /**
   * A partner acting on no citizen's records (verifying a presented proof): no citizen, no consent.
   */
  public static ServiceAccess partnerOnly(String appId) {
    return new ServiceAccess(
        null,
        new Caller(null, 1, "partner"),
        "partner",
        appId,
        new JsonObject().put("partner", appId));
  }

  JsonObject details(String serviceType) {
    JsonObject d = new JsonObject().put("serviceType", serviceType);
    if (auditContext != null) d.mergeIn(auditContext);
    return d;
  }
}
