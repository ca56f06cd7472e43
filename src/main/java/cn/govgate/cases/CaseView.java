package cn.govgate.cases;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One case as the citizen sees it: {@code caseId}, {@code kind}, {@code id}, {@code status}, {@code
 * startedAt}, {@code updatedAt}, the progress {@code steps} ({@code name}, {@code state} done /
 * current / pending / failed / overdue, {@code at} when it happened, {@code due} when it must) and
 * the family's {@code summary}, plus the link to its {@code detail} and, where the family has its
 * own endpoint this login may open, that {@code resource}. Statuses are derived from the stored
 * times with the gateway's clock, exactly as each family derives them.
 */
final class CaseView {
  private CaseView() {}

  static JsonObject of(
      String kind, String id, Instant at, String storedStatus, JsonObject facts, Instant now) {
    String caseId = kind + "-" + id;
    JsonObject item =
        new JsonObject()
            .put("caseId", caseId)
            .put("kind", kind)
            .put("id", id)
            .put("startedAt", at.toString())
            .put("detail", "/v1/my/cases/" + caseId);
    JsonArray steps = new JsonArray();
    JsonObject summary = new JsonObject();
    String status;
    String resource = null;
    switch (CaseKind.fromWire(kind)) {
      case PAYMENT -> {
        status = storedStatus;
        payment(status, at, facts, steps);
        copy(
            facts,
            summary,
            "billType",
            "region",
            "department",
            "amountFen",
            "description",
            "receiptNo",
            "statusReason");
        put(summary, "expiresAt", time(facts, "expiresAt"));
        if (Boolean.TRUE.equals(facts.getBoolean("byThisLogin"))) resource = "/v1/payments/" + id;
      }
      case PROOF -> {
        Instant expires = time(facts, "expiresAt");
        Instant revoked = time(facts, "revokedAt");
        status = revoked != null ? "revoked" : now.isBefore(expires) ? "valid" : "expired";
        steps.add(step("issued", "done", at, null));
        if (revoked != null) steps.add(step("revoked", "failed", revoked, null));
        else
          steps.add(
              step(
                  "expired",
                  now.isBefore(expires) ? "pending" : "done",
                  now.isBefore(expires) ? null : expires,
                  expires));
        copy(facts, summary, "proofType", "department");
        put(summary, "expiresAt", expires);
        resource = "/v1/proofs/" + id;
      }
      case RATING -> {
        status = rating(at, facts, now, steps);
        copy(facts, summary, "level", "serviceType", "department", "region", "indicators");
        put(summary, "rectificationDeadline", time(facts, "deadline"));
      }
      case VERIFICATION -> {
        status = storedStatus;
        verification(status, at, facts, steps);
        copy(facts, summary, "channel");
      }
      case COMPLAINT -> {
        status = complaint(at, facts, now, steps);
        copy(
            facts,
            summary,
            "kind",
            "serviceType",
            "region",
            "department",
            "workingDays",
            "transfers");
        put(summary, "deadline", time(facts, "deadline"));
        resource = "/v1/complaints/" + id;
      }
      case CONSENT -> {
        // As consents derive it: revoked wins, else live (here: granted) until it expires.
        Instant expires = time(facts, "expiresAt");
        Instant revoked = time(facts, "revokedAt");
        boolean live = now.isBefore(expires);
        status = revoked != null ? "revoked" : live ? "granted" : "expired";
        steps.add(step("granted", "done", at, null));
        if (revoked != null) steps.add(step("revoked", "done", revoked, null));
        else steps.add(step("expired", live ? "pending" : "done", live ? null : expires, expires));
        copy(facts, summary, "appId", "partnerName", "scopes", "purpose");
        put(summary, "expiresAt", expires);
        put(summary, "revokedAt", revoked);
        if ("granted".equals(status)) resource = "/v1/consents/" + id;
      }
      default -> throw new IllegalStateException(kind);
    }
    Instant updated = at;
    for (Object s : steps) {
      String when = ((JsonObject) s).getString("at");
      if (when != null && Instant.parse(when).isAfter(updated)) updated = Instant.parse(when);
    }
    item.put("status", status)
        .put("updatedAt", updated.toString())
        .put("steps", steps)
        .put("summary", summary);
    if (resource != null) item.put("resource", resource);
    return item;
  }

  /** created → paid → delivered (with the receipt); or closed, held for review, refunded. */
  private static void payment(String status, Instant at, JsonObject f, JsonArray steps) {
    Instant paid = time(f, "paidAt");
    Instant updated = time(f, "updatedAt");
    steps.add(step("created", "done", at, null));
    switch (status) {
      case "pending" -> {
        steps.add(step("paid", "current", null, time(f, "expiresAt")));
        steps.add(step("delivered", "pending", null, null));
      }
      case "paid" -> {
        steps.add(step("paid", "done", paid, null));
        steps.add(step("delivered", "current", null, null));
      }
      case "delivered" -> {
        steps.add(step("paid", "done", paid, null));
        steps.add(step("delivered", "done", time(f, "deliveredAt"), null));
      }
      case "closed" -> steps.add(step("closed", "failed", updated, null));
      case "refunding",
          "refunded" -> { // an operator resolved a held payment by giving the money back
        if (paid != null) steps.add(step("paid", "done", paid, null));
        steps.add(
            "refunded".equals(status)
                ? step("refund", "done", updated, null)
                : step("refund", "current", null, null));
      }
      default -> { // needs_review: money is held until an operator refunds or books it
        if (paid != null) steps.add(step("paid", "done", paid, null));
        steps.add(step("review", "current", updated, null));
      }
    }
  }

  /**
   * rated, and for a 差评 its rectification: opened → answered → closed (overdue past its deadline).
   */
  private static String rating(Instant at, JsonObject f, Instant now, JsonArray steps) {
    steps.add(step("rated", "done", at, null));
    Instant opened = time(f, "openedAt");
    if (opened == null) return "rated";
    Instant deadline = time(f, "deadline");
    Instant answered = time(f, "answeredAt");
    Instant closed = time(f, "closedAt");
    // As ratings derive it: overdue wins over answered, an answer without closing does not stop the
    // deadline.
    boolean overdue = closed == null && now.isAfter(deadline);
    steps.add(step("rectification_opened", "done", opened, null));
    steps.add(
        answered != null
            ? step("rectification_answered", "done", answered, null)
            : step(
                "rectification_answered",
                closed != null ? "done" : overdue ? "overdue" : "current",
                null,
                deadline));
    steps.add(
        closed != null
            ? step("rectification_closed", "done", closed, null)
            : step("rectification_closed", overdue ? "overdue" : "pending", null, deadline));
    if (closed != null) return "rectification_closed";
    if (overdue) return "rectification_overdue";
    return answered != null ? "rectification_answered" : "rectification_open";
  }

  /** started → face check → bound to the real name (or failed / refused). */
  private static void verification(String status, Instant at, JsonObject f, JsonArray steps) {
    Instant completed = time(f, "completedAt");
    steps.add(step("started", "start_failed".equals(status) ? "failed" : "done", at, null));
    switch (status) {
      case "starting", "started" -> {
        steps.add(step("face_check", "current", null, time(f, "expiresAt")));
        steps.add(step("bound", "pending", null, null));
      }
      case "passed" -> {
        steps.add(step("face_check", "done", completed, null));
        steps.add(step("bound", "done", completed, null));
      }
      case "refused" -> {
        steps.add(step("face_check", "done", completed, null));
        steps.add(step("bound", "failed", completed, null));
      }
      case "failed" -> steps.add(step("face_check", "failed", completed, null));
      default -> {} // start_failed: the channel never started the check
    }
  }

  /** submitted → replied (by the deadline) → closed; status as complaints derive it. */
  private static String complaint(Instant at, JsonObject f, Instant now, JsonArray steps) {
    Instant deadline = time(f, "deadline");
    Instant replied = time(f, "repliedAt");
    Instant closed = time(f, "closedAt");
    boolean overdue = replied == null && !now.isBefore(deadline);
    steps.add(step("submitted", "done", at, null));
    steps.add(
        replied != null
            ? step("replied", "done", replied, deadline)
            : step("replied", overdue ? "overdue" : "current", null, deadline));
    steps.add(
        closed != null
            ? step("closed", "done", closed, null)
            : step("closed", "pending", null, null));
    if (closed != null) return "closed";
    if (replied != null) return "answered";
    return overdue ? "overdue" : "open";
  }

  private static JsonObject step(String name, String state, Instant at, Instant due) {
    JsonObject s = new JsonObject().put("name", name).put("state", state);
    put(s, "at", at);
    put(s, "due", due);
    return s;
  }

  private static void copy(JsonObject from, JsonObject to, String... keys) {
    for (String k : keys) {
      Object v = from.getValue(k);
      if (v != null) to.put(k, v);
    }
  }

  private static void put(JsonObject to, String key, Instant value) {
    if (value != null) to.put(key, value.toString());
  }

  /** A timestamp of the facts (PostgreSQL writes them into JSON with their offset), or null. */
  private static Instant time(JsonObject f, String key) {
    String raw = f.getString(key);
    return raw == null ? null : OffsetDateTime.parse(raw).toInstant();
  }
}
