package cn.govgate.ratings;

import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /v1/ratings} body.
 *
 * @param interactionId the interaction rated
 * @param level 1 (非常不满意) … 5 (非常满意)
 * @param indicators distinct indicators, possibly empty
 * @param comment 评价内容, required (non-blank) for levels 1–2, at most {@value #MAX_COMMENT}
 *     characters
 */
public record RatingRequest(
    String interactionId, int level, List<Indicator> indicators, String comment) {
  public static final int MAX_COMMENT = 500;

  /** Whether this is a 差评 (不满意 or 非常不满意). */
  public boolean bad() {
    return level <= 2;
  }

  /**
   * Parses and validates a body.
   *
   * @throws ApiException 400 {@code request.invalid} (fields), {@code rating.level_invalid}, {@code
   *     rating.indicator_unknown} or {@code rating.comment_required}
   */
  public static RatingRequest parse(JsonObject body) {
    if (body == null)
      throw ApiException.invalidFields(new JsonObject().put("body", "must be a JSON object"));
    Object id = body.getValue("interactionId");
    if (!(id instanceof String s) || s.isBlank() || s.length() > 64) {
      throw ApiException.invalidFields(new JsonObject().put("interactionId", "required string"));
    }
    Object rawLevel = body.getValue("level");
    if (!(rawLevel instanceof Integer || rawLevel instanceof Long)
        || ((Number) rawLevel).longValue() < 1
        || ((Number) rawLevel).longValue() > 5) {
      throw ErrorCode.RATING_LEVEL_INVALID.error();
    }
    int level = ((Number) rawLevel).intValue();
    List<Indicator> indicators = indicators(body.getValue("indicators"));
    Object rawComment = body.getValue("comment");
    if (rawComment != null && !(rawComment instanceof String)) {
      throw ApiException.invalidFields(new JsonObject().put("comment", "must be a string"));
    }
    String comment =
        rawComment == null || ((String) rawComment).isBlank()
            ? null
            : ((String) rawComment).strip();
    if (comment != null && comment.length() > MAX_COMMENT) {
      throw ApiException.invalidFields(
          new JsonObject().put("comment", "at most " + MAX_COMMENT + " characters"));
    }
    if (level <= 2 && comment == null) {
      throw ErrorCode.RATING_COMMENT_REQUIRED.error();
    }
    return new RatingRequest((String) id, level, indicators, comment);
  }

  private static List<Indicator> indicators(Object raw) {
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray array)) {
      throw ApiException.invalidFields(
          new JsonObject().put("indicators", "must be an array of indicator codes"));
    }
    Set<Indicator> seen = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (Object o : array) {
      if (o instanceof String code && Indicator.ofCode(code).isPresent()) {
        seen.add(Indicator.ofCode(code).get());
      } else {
        unknown.add(String.valueOf(o));
      }
    }
    if (!unknown.isEmpty()) {
      JsonArray allowed = new JsonArray();
      for (Indicator i : Indicator.values()) allowed.add(i.code());
      throw ErrorCode.RATING_INDICATOR_UNKNOWN
          .error()
          .withDetails(new JsonObject().put("allowed", allowed).put("version", Indicator.VERSION));
    }
    return List.copyOf(seen);
  }
}
