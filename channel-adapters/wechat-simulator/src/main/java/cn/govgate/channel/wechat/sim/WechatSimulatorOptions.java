package cn.govgate.channel.wechat.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Start-time options of the simulator.
 *
 * @param port the port on 127.0.0.1; 0 picks a free one
 * @param clock the simulator's clock for tokens, codes, signatures and timestamp windows
 * @param publicKeyIdSerial whether {@code Wechatpay-Serial} is a public-key id ({@code
 *     PUB_KEY_ID_…}, ❓ format) rather than a 40-hex-digit platform certificate serial
 * @param notifyRetryDelays delays between payment notification attempts after a non-acknowledged
 *     one
 */
public record WechatSimulatorOptions(
    int port, Clock clock, boolean publicKeyIdSerial, List<Duration> notifyRetryDelays) {

  public WechatSimulatorOptions {
    notifyRetryDelays = List.copyOf(notifyRetryDelays);
  }

  /** Port 0, system clock, public-key-id serial, retries after 15 s, 15 s, 30 s, 3 min. */
  public static WechatSimulatorOptions defaults() {
    return new WechatSimulatorOptions(
        0,
        Clock.systemUTC(),
        true,
        List.of(
            Duration.ofSeconds(15),
            Duration.ofSeconds(15),
            Duration.ofSeconds(30),
            Duration.ofMinutes(3)));
  }

  public WechatSimulatorOptions withPort(int port) {
    return new WechatSimulatorOptions(port, clock, publicKeyIdSerial, notifyRetryDelays);
  }

  public WechatSimulatorOptions withClock(Clock clock) {
    return new WechatSimulatorOptions(port, clock, publicKeyIdSerial, notifyRetryDelays);
  }

  public WechatSimulatorOptions withPublicKeyIdSerial(boolean publicKeyIdSerial) {
    return new WechatSimulatorOptions(port, clock, publicKeyIdSerial, notifyRetryDelays);
  }

  public WechatSimulatorOptions withNotifyRetryDelays(List<Duration> delays) {
    return new WechatSimulatorOptions(port, clock, publicKeyIdSerial, delays);
  }
}
