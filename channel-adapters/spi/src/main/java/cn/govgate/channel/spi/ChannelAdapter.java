package cn.govgate.channel.spi;

import java.util.Set;

/**
 * One channel's implementation of everything the gateway needs from it. Implementations use the
 * Vert.x {@code WebClient}, never block, put a circuit breaker around each channel API and export
 * call metrics ({@code govgate_channel_calls} by channel, api and outcome). They never expose
 * vendor types.
 */
public interface ChannelAdapter
    extends ChannelLogin, FaceVerification, Payments, SubscriptionMessages {

  /** The channel this adapter speaks to. */
  Channel channel();

  /** The app ids this adapter is configured for. */
  Set<String> appIds();
}
