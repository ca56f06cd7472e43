package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.SubscriptionMessages.SubscriptionMessage;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of a mini-program subscribe message (§10.2): {@code touser}, {@code template_id},
 * optional {@code page}, {@code data = {keyword: {value}}}, {@code miniprogram_state}, {@code
 * lang}. Values are fitted to their keyword's type by its name prefix, as the platform counts them:
 * {@code thing} ≤ 20 characters, {@code phrase} ≤ 5, {@code character_string}, {@code number},
 * {@code letter} ≤ 32, {@code car_number} ≤ 8, {@code phone_number} ≤ 17, {@code name} ≤ 10, {@code
 * symbol} ≤ 5; an empty value becomes "-" (the platform refuses empty values).
 */
final class SubscribeMessages {
  static final String API = "subscribe_send";

  private static final Map<String, Integer> MAX =
      Map.of(
          "thing",
          20,
          "phrase",
          5,
          "character_string",
          32,
          "number",
          32,
          "letter",
          32,
          "car_number",
          8,
          "phone_number",
          17,
          "name",
          10,
          "symbol",
          5);

  private SubscribeMessages() {}

  static JsonObject body(SubscriptionMessage message) {
    JsonObject data = new JsonObject();
    new TreeMap<>(message.data())
        .forEach(
            (keyword, value) ->
                data.put(keyword, new JsonObject().put("value", fit(keyword, value))));
    JsonObject body =
        new JsonObject()
            .put("touser", message.recipient())
            .put("template_id", message.templateId())
            .put("data", data)
            .put("miniprogram_state", "formal")
            .put("lang", "zh_CN");
    if (message.page() != null && !message.page().isEmpty()) body.put("page", message.page());
    return body;
  }

  /** The value cut to what its keyword's type allows, counted in code points. */
  static String fit(String keyword, String value) {
    String v = value == null || value.isBlank() ? "-" : value.strip();
    Integer max = MAX.get(keyword.replaceAll("[0-9]+$", ""));
    if (max == null || v.codePointCount(0, v.length()) <= max) return v;
    return v.substring(0, v.offsetByCodePoints(0, max));
  }
}
