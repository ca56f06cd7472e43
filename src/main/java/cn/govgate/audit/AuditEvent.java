package cn.govgate.audit;

import io.vertx.core.json.JsonObject;

/**
 * One audited access to personal data or security-relevant action. Never carries plaintext personal
 * data: the citizen is named by their pseudonymous key, actors by a pseudonymous id.
 *
 * @param actorType who acted: {@code citizen}, {@code channel_user}, {@code partner}, {@code
 *     department}, {@code operator}, {@code gateway}
 * @param actorId pseudonymous id of the actor (e.g. citizen key, department id, partner app id),
 *     may be null
 * @param action what happened, {@code area.verb} (e.g. {@code identity.login}, {@code
 *     social_security.read})
 * @param citizenKey the pseudonymous key of the citizen concerned, null when none
 * @param outcome {@code success}, {@code failure} or {@code denied}
 * @param requestId the request id, may be null
 * @param details non-personal context (codes, department, service type), may be null
 * @param interactionId the interaction a read's answer names, null for anything else: the record is
 *     then also the interaction (who may rate it is the citizen actor, else the citizen concerned;
 *     service type, department and region are in {@code details}), so a read writes one row
 */
public record AuditEvent(
    String actorType,
    String actorId,
    String action,
    String citizenKey,
    String outcome,
    String requestId,
    JsonObject details,
    String interactionId) {

  public AuditEvent(
      String actorType,
      String actorId,
      String action,
      String citizenKey,
      String outcome,
      String requestId,
      JsonObject details) {
    this(actorType, actorId, action, citizenKey, outcome, requestId, details, null);
  }

  /** This event as the record of the read whose answer names {@code interactionId}. */
  public AuditEvent withInteraction(String interactionId) {
    return new AuditEvent(
        actorType, actorId, action, citizenKey, outcome, requestId, details, interactionId);
  }

  public static AuditEvent success(
      String actorType,
      String actorId,
      String action,
      String citizenKey,
      String requestId,
      JsonObject details) {
    return new AuditEvent(actorType, actorId, action, citizenKey, "success", requestId, details);
  }

  public static AuditEvent failure(
      String actorType,
      String actorId,
      String action,
      String citizenKey,
      String requestId,
      JsonObject details) {
    return new AuditEvent(actorType, actorId, action, citizenKey, "failure", requestId, details);
  }
}
