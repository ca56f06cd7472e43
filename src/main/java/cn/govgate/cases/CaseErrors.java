package cn.govgate.cases;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/** The failures of my cases, as entries of the gateway's error catalogue ({@link ErrorCode}). */
final class CaseErrors {
  private CaseErrors() {}

  /** 404 {@code case.not_found}: no such item, or not the caller's (ids cannot be probed). */
  static ApiException notFound() {
    return ErrorCode.CASE_NOT_FOUND.error();
  }

  /** 400 {@code request.invalid} naming the query parameter and what it must be. */
  static ApiException invalid(String field, String reason) {
    return ApiException.invalidFields(new JsonObject().put(field, reason));
  }
}
