package cn.govgate.channel.spi;

import io.vertx.core.Future;
import java.util.Map;

/**
 * Proactive messages to a citizen who subscribed in the mini-program (WeChat {@code
 * wx.requestSubscribeMessage}, Alipay {@code my.requestSubscribeMessage}): one message per one-time
 * grant, repeated messages for a long-term template. Neither platform has an idempotency key: the
 * caller makes sure each message is sent at most once.
 */
public interface SubscriptionMessages {

  /**
   * Sends one message. Succeeds when the platform accepted it. Fails with a {@link
   * ChannelException}: {@link ChannelException.Kind#USER_REFUSED} (no grant left, refused or
   * unsubscribed: never retry), {@link ChannelException.Kind#REJECTED} (template, data or page
   * refused: never retry), {@link ChannelException.Kind#PLATFORM_UNAVAILABLE} / {@link
   * ChannelException.Kind#PLATFORM_ERROR} / {@link ChannelException.Kind#CIRCUIT_OPEN} (the
   * platform did not take it: retry later), {@link ChannelException.Kind#TIMEOUT} (no answer: it
   * may or may not have been sent).
   */
  Future<Void> sendSubscriptionMessage(SubscriptionMessage message);

  /**
   * @param appId the mini-program the citizen subscribed in
   * @param recipient the channel user key (WeChat openid; Alipay user id {@code 2088…} or open id)
   * @param templateId the subscription template
   * @param page the in-app page the message opens (may carry a query), null for none
   * @param data template keyword → value (WeChat {@code thing1}…, Alipay {@code keyword1}…)
   */
  record SubscriptionMessage(
      String appId, String recipient, String templateId, String page, Map<String, String> data) {
    public SubscriptionMessage {
      data = Map.copyOf(data);
    }

    @Override
    public String toString() {
      return "SubscriptionMessage[" + appId + ", " + templateId + "]";
    }
  }
}
