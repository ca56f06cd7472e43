package cn.govgate.channel.wechat;

import java.util.Objects;

/**
 * One mini-program the gateway serves.
 *
 * @param appId the mini-program app id ({@code wx…})
 * @param appSecret the app secret used for {@code jscode2session} and access tokens; never logged
 */
public record WechatApp(String appId, String appSecret) {
  public WechatApp {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(appSecret, "appSecret");
  }

  @Override
  public String toString() {
    return "WechatApp[appId=" + appId + "]";
  }
}
