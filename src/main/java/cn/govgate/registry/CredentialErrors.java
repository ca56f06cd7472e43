package cn.govgate.registry;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;

/**
 * The failures of department-credential operations, as entries of the gateway's error catalogue
 * ({@link ErrorCode}). Field-level problems use the shared {@code request.invalid}.
 */
final class CredentialErrors {
  private CredentialErrors() {}

  /** 404 {@code registry.credential_not_found}: no such credential of this department. */
  static ApiException notFound() {
    return ErrorCode.REGISTRY_CREDENTIAL_NOT_FOUND.error();
  }

  /**
   * 409 {@code registry.credential_not_active}: only an active credential (not rotated, revoked) is
   * rotated.
   */
  static ApiException notActive() {
    return ErrorCode.REGISTRY_CREDENTIAL_NOT_ACTIVE.error();
  }
}
