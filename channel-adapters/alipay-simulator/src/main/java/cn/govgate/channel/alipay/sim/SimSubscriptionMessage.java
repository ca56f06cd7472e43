package cn.govgate.channel.alipay.sim;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A subscription message the simulated platform accepted ({@code
 * alipay.open.app.mini.templatemessage.send}).
 *
 * @param appId the mini-program
 * @param recipient {@code to_user_id} or {@code to_open_id}
 * @param templateId {@code user_template_id}
 * @param page the page it opens, null for none
 * @param data the parsed {@code data} ({@code {keyword: {value}}})
 * @param at when it was accepted (simulator clock)
 */
public record SimSubscriptionMessage(
    String appId, String recipient, String templateId, String page, JsonObject data, Instant at) {
  @Override
  public String toString() {
    return "SimSubscriptionMessage[" + appId + ", " + templateId + "]";
  }
}
