/**
 * The Alipay channel adapter: the {@link cn.govgate.channel.spi.ChannelAdapter} over Alipay's
 * classic {@code gateway.do} (login, real-name share, certify face verification, mini-program
 * trade, notifications), with RSA2 and SM2 signing, circuit breakers and call metrics; and the wire
 * rules shared with the simulator.
 */
package cn.govgate.channel.alipay;
