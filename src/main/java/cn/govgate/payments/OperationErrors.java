package cn.govgate.payments;

import cn.govgate.http.ApiException;
import io.vertx.core.json.JsonObject;

/**
 * Every error code of the operator's payment operations, in one place (they move to the gateway's error catalogue
 * together). Field-level problems use the shared {@code request.invalid}.
 */
final class OperationErrors {
  private OperationErrors() {}

  /** 404 {@code payment.not_found}. */
  static ApiException notFound() {
    return ApiException.notFound("payment.not_found", "No such payment order");
  }

  /** 409 {@code payment.not_in_review}: only an order in {@code needs_review} is resolved; names its status. */
  static ApiException notInReview(String status) {
    return new ApiException(409, "payment.not_in_review", ApiException.Origin.CLIENT,
        "Only an order in needs_review can be resolved", new JsonObject().put("status", status), null, null);
  }

  /** 409 {@code payment.nothing_to_refund}: the channel never reported money for this order. */
  static ApiException nothingToRefund() {
    return ApiException.conflict("payment.nothing_to_refund", "The channel reported no money for this order");
  }

  /** 409 {@code payment.nothing_to_book}: the channel never reported money for this order. */
  static ApiException nothingToBook() {
    return ApiException.conflict("payment.nothing_to_book", "The channel reported no money for this order");
  }
}
