package cn.govgate.channel.spi;

import io.vertx.core.Future;

/** Turns a mini-program auth code into a channel subject. */
public interface ChannelLogin {

  /**
   * Exchanges an auth code ({@code my.getAuthCode} / {@code wx.login}) for the channel subject,
   * server-side. Fails with a {@link ChannelException}: {@link ChannelException.Fault#CITIZEN} for
   * an invalid, used or expired code; {@link ChannelException.Fault#PLATFORM} when the channel is
   * unavailable.
   *
   * @param appId the app id the code was issued for; must be one the adapter is configured with
   * @param authCode the code as the mini-program got it
   */
  Future<ChannelSubject> exchangeCode(String appId, String authCode);
}
