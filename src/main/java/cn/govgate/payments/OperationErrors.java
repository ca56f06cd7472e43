package cn.govgate.payments;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * The failures of the operator's payment operations, as entries of the gateway's error catalogue
 * ({@link ErrorCode}). Field-level problems use the shared {@code request.invalid}.
 */
final class OperationErrors {
  private OperationErrors() {}

  /** 404 {@code payment.not_found}. */
  static ApiException notFound() {
    return ErrorCode.PAYMENT_NOT_FOUND.error();
  }

  /**
   * 409 {@code payment.not_in_review}: only an order in {@code needs_review} is resolved; names its
   * status.
   */
  static ApiException notInReview(String status) {
    return ErrorCode.PAYMENT_NOT_IN_REVIEW.error(new JsonObject().put("status", status));
  }

  /** 409 {@code payment.nothing_to_refund}: the channel never reported money for this order. */
  static ApiException nothingToRefund() {
    return ErrorCode.PAYMENT_NOTHING_TO_REFUND.error();
  }

  /** 409 {@code payment.nothing_to_book}: the channel never reported money for this order. */
  static ApiException nothingToBook() {
    return ErrorCode.PAYMENT_NOTHING_TO_BOOK.error();
  }
}
