package cn.govgate.channel.spi;

/**
 * Who the channel says the user is, after an auth-code exchange.
 *
 * @param channel the channel
 * @param appId the mini-program / open-platform app id the code was issued for
 * @param userId the channel's stable user key: Alipay {@code user_id} (2088…) or {@code open_id};
 *     WeChat {@code openid}
 * @param unionId WeChat {@code unionid} or Alipay {@code union_id}, null when the channel gives
 *     none
 * @param realName the real-name data the channel asserts for this user, null when it gives none
 * @param sessionSecret a per-login secret the channel hands the server (WeChat {@code session_key},
 *     Alipay {@code access_token}); needed for follow-up calls, never logged or stored; null when
 *     absent
 */
public record ChannelSubject(
    Channel channel,
    String appId,
    String userId,
    String unionId,
    RealName realName,
    String sessionSecret) {

  @Override
  public String toString() {
    // Subjects end up in debug output; never print the user key, the real name or the secret.
    return "ChannelSubject[" + channel + ", appId=" + appId + "]";
  }
}
