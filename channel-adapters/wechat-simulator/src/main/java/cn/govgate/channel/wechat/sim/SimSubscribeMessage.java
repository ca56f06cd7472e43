package cn.govgate.channel.wechat.sim;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A subscribe message the simulated platform accepted (and would have shown the user).
 *
 * @param appId the mini-program
 * @param openid the recipient
 * @param templateId the template
 * @param page the page it opens, null for none
 * @param data {@code {keyword: {value}}} as sent
 * @param at when it was accepted (simulator clock)
 */
public record SimSubscribeMessage(
    String appId, String openid, String templateId, String page, JsonObject data, Instant at) {
  @Override
  public String toString() {
    return "SimSubscribeMessage[" + appId + ", " + templateId + "]";
  }
}
