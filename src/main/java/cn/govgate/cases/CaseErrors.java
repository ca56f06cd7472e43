package cn.govgate.cases;

import cn.govgate.http.ApiException;
import io.vertx.core.json.JsonObject;

/** Every error code of my cases, in one place (they move to the gateway's error catalogue together). */
final class CaseErrors {
  private CaseErrors() {}

  /** 404 {@code case.not_found}: no such item, or not the caller's (ids cannot be probed). */
  static ApiException notFound() {
    return ApiException.notFound("case.not_found", "No such case of yours");
  }

  /** 400 {@code request.invalid} naming the query parameter and what it must be. */
  static ApiException invalid(String field, String reason) {
    return ApiException.invalidFields(new JsonObject().put(field, reason));
  }
}
