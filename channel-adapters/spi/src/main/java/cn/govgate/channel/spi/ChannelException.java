package cn.govgate.channel.spi;

/**
 * A typed failure of a channel call. Stackless: it is expected and is rendered as an error code.
 *
 * <p>{@link #fault()} says whose fault it is: the citizen's (bad auth code, face failed) never
 * counts for a circuit breaker; a platform failure (system busy, 5xx, timeout) does; an integration
 * failure (bad signature, unknown app id, malformed body) means the two sides disagree on the
 * protocol or the keys.
 */
public final class ChannelException extends RuntimeException {

  /** Whose fault a failure is. */
  public enum Fault {
    /** Caused by the citizen or their input: invalid or used auth code, failed face check. */
    CITIZEN,
    /**
     * The channel platform failed or is unavailable: counts for the breaker, may be retried later.
     */
    PLATFORM,
    /** Signature, key, app id or format problem between the gateway and the channel. */
    INTEGRATION
  }

  /** Well-known kinds of failure, so callers do not parse channel codes. */
  public enum Kind {
    INVALID_AUTH_CODE,
    FACE_NOT_PASSED,
    SIGNATURE_INVALID,
    TIMESTAMP_OUT_OF_WINDOW,
    APP_ID_MISMATCH,
    UNKNOWN_APP,
    MALFORMED_RESPONSE,
    PLATFORM_ERROR,
    PLATFORM_UNAVAILABLE,
    TIMEOUT,
    CIRCUIT_OPEN,
    REJECTED,
    /**
     * The citizen refused, unsubscribed or has no subscription grant left (WeChat 43101): never
     * retry.
     */
    USER_REFUSED
  }

  private final Channel channel;
  private final String api;
  private final Kind kind;
  private final Fault fault;
  private final String channelCode;

  public ChannelException(
      Channel channel, String api, Kind kind, Fault fault, String channelCode, String message) {
    super(message, null, false, false);
    this.channel = channel;
    this.api = api;
    this.kind = kind;
    this.fault = fault;
    this.channelCode = channelCode;
  }

  public Channel channel() {
    return channel;
  }

  /**
   * The channel API that failed, e.g. {@code alipay.system.oauth.token} or {@code jscode2session}.
   */
  public String api() {
    return api;
  }

  public Kind kind() {
    return kind;
  }

  public Fault fault() {
    return fault;
  }

  /**
   * The channel's own error code ({@code sub_code}, {@code errcode}, WeChat Pay {@code code}), may
   * be null.
   */
  public String channelCode() {
    return channelCode;
  }

  /** Whether this failure should count against the channel API's circuit breaker. */
  public boolean countsForBreaker() {
    return fault == Fault.PLATFORM;
  }
}
