package cn.govgate.complaints;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * The failures of consultations and complaints, as entries of the gateway's error catalogue ({@link
 * ErrorCode}), with their details. Field-level problems use the shared {@code request.invalid}.
 */
final class ComplaintErrors {
  private ComplaintErrors() {}

  /** 404 {@code complaint.not_found}: no such item, or not the caller's (ids cannot be probed). */
  static ApiException notFound() {
    return ErrorCode.COMPLAINT_NOT_FOUND.error();
  }

  /**
   * 404 {@code complaint.interaction_unknown}: the linked interaction is not one of the citizen's.
   */
  static ApiException interactionUnknown() {
    return ErrorCode.COMPLAINT_INTERACTION_UNKNOWN.error();
  }

  /** 404 {@code complaint.case_unknown}: the linked case is not in the citizen's 我的办件. */
  static ApiException caseUnknown() {
    return ErrorCode.COMPLAINT_CASE_UNKNOWN.error();
  }

  /**
   * 409 {@code complaint.already_replied}: replied items can be closed, not replied to again or
   * transferred.
   */
  static ApiException alreadyReplied() {
    return ErrorCode.COMPLAINT_ALREADY_REPLIED.error();
  }

  /** 409 {@code complaint.closed}. */
  static ApiException closed() {
    return ErrorCode.COMPLAINT_CLOSED.error();
  }

  /** 409 {@code complaint.not_replied}: an item is closed only after its reply. */
  static ApiException notReplied() {
    return ErrorCode.COMPLAINT_NOT_REPLIED.error();
  }

  /** 422 {@code complaint.transfer_target_unknown}. */
  static ApiException transferTargetUnknown() {
    return ErrorCode.COMPLAINT_TRANSFER_TARGET_UNKNOWN.error();
  }

  /** 422 {@code complaint.idempotency_key_reused}: the key was used for another item. */
  static ApiException idempotencyKeyReused() {
    return ErrorCode.COMPLAINT_IDEMPOTENCY_KEY_REUSED.error();
  }

  /** 429 {@code complaint.daily_limit}, with the seconds until the next day in China. */
  static ApiException dailyLimit(int limit, int retryAfterSeconds) {
    return ErrorCode.COMPLAINT_DAILY_LIMIT
        .error(new JsonObject().put("limit", limit))
        .withRetryAfter(retryAfterSeconds);
  }
}
