package cn.govgate.complaints;

import cn.govgate.http.ApiException;
import io.vertx.core.json.JsonObject;

/**
 * Every error code of consultations and complaints, in one place (they move to the gateway's error catalogue
 * together). Field-level problems use the shared {@code request.invalid}.
 */
final class ComplaintErrors {
  private ComplaintErrors() {}

  /** 404 {@code complaint.not_found}: no such item, or not the caller's (ids cannot be probed). */
  static ApiException notFound() {
    return ApiException.notFound("complaint.not_found", "No such consultation or complaint of yours");
  }

  /** 404 {@code complaint.interaction_unknown}: the linked interaction is not one of the citizen's. */
  static ApiException interactionUnknown() {
    return ApiException.notFound("complaint.interaction_unknown", "No interaction of yours has this id");
  }

  /** 409 {@code complaint.already_replied}: replied items can be closed, not replied to again or transferred. */
  static ApiException alreadyReplied() {
    return ApiException.conflict("complaint.already_replied", "The item has already been replied to");
  }

  /** 409 {@code complaint.closed}. */
  static ApiException closed() {
    return ApiException.conflict("complaint.closed", "The item is closed");
  }

  /** 409 {@code complaint.not_replied}: an item is closed only after its reply. */
  static ApiException notReplied() {
    return ApiException.conflict("complaint.not_replied", "Reply to the item before closing it");
  }

  /** 422 {@code complaint.transfer_target_unknown}. */
  static ApiException transferTargetUnknown() {
    return new ApiException(422, "complaint.transfer_target_unknown", ApiException.Origin.CLIENT,
        "There is no department with this id to transfer to");
  }

  /** 422 {@code complaint.idempotency_key_reused}: the key was used for another item. */
  static ApiException idempotencyKeyReused() {
    return new ApiException(422, "complaint.idempotency_key_reused", ApiException.Origin.CLIENT,
        "This Idempotency-Key was used for a different item");
  }

  /** 429 {@code complaint.daily_limit}, with the seconds until the next day in China. */
  static ApiException dailyLimit(int limit, int retryAfterSeconds) {
    return new ApiException(429, "complaint.daily_limit", ApiException.Origin.CLIENT,
        "You have filed the most items allowed for one day", new JsonObject().put("limit", limit),
        retryAfterSeconds, null);
  }
}
