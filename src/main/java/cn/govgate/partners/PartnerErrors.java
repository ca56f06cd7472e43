package cn.govgate.partners;

import cn.govgate.http.ApiException;
import io.vertx.core.json.JsonObject;

/**
 * Every error code of partners and consents, in one place (they move to the gateway's error catalogue together).
 * Field-level problems use the shared {@code request.invalid}. The table in {@code contracts/partner-api.yaml}
 * lists the same codes.
 */
final class PartnerErrors {
  private PartnerErrors() {}

  static ApiException signatureMissing() {
    return ApiException.unauthorized("partner.signature_missing",
        "A GOVGATE-RSA2 or GOVGATE-SM2 Authorization header is required");
  }

  static ApiException signatureMalformed(String why) {
    return ApiException.unauthorized("partner.signature_malformed", "The Authorization header is malformed: " + why);
  }

  static ApiException unknownApp() {
    return ApiException.unauthorized("partner.unknown_app", "Unknown or suspended app, or unknown key id");
  }

  static ApiException keyRevoked() {
    return ApiException.unauthorized("partner.key_revoked", "This key id was revoked");
  }

  static ApiException algorithmMismatch() {
    return ApiException.unauthorized("partner.algorithm_mismatch",
        "The scheme is not the algorithm this key id was registered for");
  }

  static ApiException timestampOutOfWindow(long serverTime) {
    return ApiException.unauthorized("partner.timestamp_out_of_window",
        "The timestamp is more than 300 seconds from the gateway's clock")
        .withDetails(new JsonObject().put("serverTime", serverTime));
  }

  static ApiException signatureInvalid() {
    return ApiException.unauthorized("partner.signature_invalid",
        "The signature does not verify over the canonical request");
  }

  static ApiException nonceReplayed() {
    return ApiException.unauthorized("partner.nonce_replayed", "This nonce was already used within the window");
  }

  static ApiException scopeDenied(String scope) {
    return ApiException.forbidden("partner.scope_denied", "The partner was not granted this scope")
        .withDetails(new JsonObject().put("scope", scope));
  }

  /** 429 with the seconds until the spent window ends. */
  static ApiException quotaExceeded(String window, int retryAfter) {
    return new ApiException(429, "partner.quota_exceeded", ApiException.Origin.CLIENT,
        "The partner's quota is spent", new JsonObject().put("quota", window), retryAfter, null);
  }

  static ApiException consentRequired() {
    return ApiException.forbidden("consent.required", "This endpoint reaches personal data: name a consentId");
  }

  static ApiException consentNotFound() {
    return ApiException.forbidden("consent.not_found", "No consent with this id was granted to this partner");
  }

  static ApiException consentRevoked() {
    return ApiException.forbidden("consent.revoked", "The citizen revoked this consent");
  }

  static ApiException consentExpired() {
    return ApiException.forbidden("consent.expired", "This consent has expired");
  }

  static ApiException consentScopeNotCovered(String scope) {
    return ApiException.forbidden("consent.scope_not_covered", "The consent does not cover this scope")
        .withDetails(new JsonObject().put("scope", scope));
  }

  /** 404 on the citizen API: no such consent of the citizen's (ids cannot be probed). */
  static ApiException consentNotYours() {
    return ApiException.notFound("consent.not_found", "No consent of yours has this id");
  }

  /** 422: the partner named in a grant does not exist or is suspended. */
  static ApiException consentPartnerUnknown() {
    return new ApiException(422, "consent.partner_unknown", ApiException.Origin.CLIENT,
        "There is no active partner with this app id");
  }

  /** 422: a scope of the grant was not granted to the partner by the operator. */
  static ApiException consentScopeNotOffered(String scope) {
    return new ApiException(422, "consent.scope_not_offered", ApiException.Origin.CLIENT,
        "The partner may not be granted this scope", new JsonObject().put("scope", scope), null, null);
  }

  static ApiException partnerNotFound() {
    return ApiException.notFound("partner.not_found", "No partner with this app id");
  }

  static ApiException partnerExists() {
    return ApiException.conflict("partner.already_exists", "A partner with this app id exists");
  }

  static ApiException keyExists() {
    return ApiException.conflict("partner.key_exists", "The partner already has a key with this key id");
  }

  static ApiException keyNotFound() {
    return ApiException.notFound("partner.key_not_found", "The partner has no key with this key id");
  }
}
