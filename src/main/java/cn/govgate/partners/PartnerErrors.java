package cn.govgate.partners;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * The failures of partners and consents, as entries of the gateway's error catalogue ({@link
 * ErrorCode}), with their details. Field-level problems use the shared {@code request.invalid}. The
 * table in {@code contracts/partner-api.yaml} lists the partner API's codes.
 */
final class PartnerErrors {
  private PartnerErrors() {}

  static ApiException signatureMissing() {
    return ErrorCode.PARTNER_SIGNATURE_MISSING.error();
  }

  /** 401 {@code partner.signature_malformed}, {@code details.reason} saying what is expected. */
  static ApiException signatureMalformed(String why) {
    return ErrorCode.PARTNER_SIGNATURE_MALFORMED.error(new JsonObject().put("reason", why));
  }

  /**
   * 401 {@code partner.unknown_app}: no such app, no such key id of it, or the partner is
   * suspended.
   */
  static ApiException unknownApp() {
    return ErrorCode.PARTNER_UNKNOWN_APP.error();
  }

  static ApiException keyRevoked() {
    return ErrorCode.PARTNER_KEY_REVOKED.error();
  }

  static ApiException algorithmMismatch() {
    return ErrorCode.PARTNER_ALGORITHM_MISMATCH.error();
  }

  /** 401, with the gateway's clock in {@code details.serverTime} (Unix seconds). */
  static ApiException timestampOutOfWindow(long serverTime) {
    return ErrorCode.PARTNER_TIMESTAMP_OUT_OF_WINDOW.error(
        new JsonObject().put("serverTime", serverTime));
  }

  static ApiException signatureInvalid() {
    return ErrorCode.PARTNER_SIGNATURE_INVALID.error();
  }

  static ApiException nonceReplayed() {
    return ErrorCode.PARTNER_NONCE_REPLAYED.error();
  }

  static ApiException scopeDenied(String scope) {
    return ErrorCode.PARTNER_SCOPE_DENIED.error(new JsonObject().put("scope", scope));
  }

  /**
   * 429, {@code details.quota} = {@code second} or {@code day}, with the seconds until that window
   * ends.
   */
  static ApiException quotaExceeded(String window, int retryAfter) {
    return ErrorCode.PARTNER_QUOTA_EXCEEDED
        .error(new JsonObject().put("quota", window))
        .withRetryAfter(retryAfter);
  }

  static ApiException consentRequired() {
    return ErrorCode.CONSENT_REQUIRED.error();
  }

  /**
   * 403 on the partner API: no consent with this id was granted to this partner (ids cannot be
   * probed).
   */
  static ApiException consentNotGranted() {
    return ErrorCode.CONSENT_NOT_GRANTED.error();
  }

  static ApiException consentRevoked() {
    return ErrorCode.CONSENT_REVOKED.error();
  }

  static ApiException consentExpired() {
    return ErrorCode.CONSENT_EXPIRED.error();
  }

  static ApiException consentScopeNotCovered(String scope) {
    return ErrorCode.CONSENT_SCOPE_NOT_COVERED.error(new JsonObject().put("scope", scope));
  }

  /** 404 on the citizen API: no such consent of the citizen's. */
  static ApiException consentNotYours() {
    return ErrorCode.CONSENT_NOT_FOUND.error();
  }

  static ApiException consentPartnerUnknown() {
    return ErrorCode.CONSENT_PARTNER_UNKNOWN.error();
  }

  static ApiException consentScopeNotOffered(String scope) {
    return ErrorCode.CONSENT_SCOPE_NOT_OFFERED.error(new JsonObject().put("scope", scope));
  }

  static ApiException partnerNotFound() {
    return ErrorCode.PARTNER_NOT_FOUND.error();
  }

  static ApiException partnerExists() {
    return ErrorCode.PARTNER_ALREADY_EXISTS.error();
  }

  static ApiException keyExists() {
    return ErrorCode.PARTNER_KEY_EXISTS.error();
  }

  static ApiException keyNotFound() {
    return ErrorCode.PARTNER_KEY_NOT_FOUND.error();
  }
}
