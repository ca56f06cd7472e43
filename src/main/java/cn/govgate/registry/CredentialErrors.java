package cn.govgate.registry;

import cn.govgate.http.ApiException;

/**
 * Every error code of department-credential operations, in one place (they move to the gateway's error catalogue
 * together). Field-level problems use the shared {@code request.invalid}.
 */
final class CredentialErrors {
  private CredentialErrors() {}

  /** 404 {@code registry.credential_not_found}: no such credential of this department. */
  static ApiException notFound() {
    return ApiException.notFound("registry.credential_not_found", "The department has no credential with this id");
  }

  /** 409 {@code registry.credential_not_active}: only an active credential (not rotated, revoked) is rotated. */
  static ApiException notActive() {
    return ApiException.conflict("registry.credential_not_active",
        "Only an active credential can be rotated; this one was rotated or revoked");
  }
}
