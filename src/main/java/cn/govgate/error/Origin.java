package cn.govgate.error;

import java.util.Locale;

/**
 * Where a failure comes from, as shown to clients ({@code origin} in the error shape) and in logs.
 */
public enum Origin {
  /** The request itself: invalid input, missing rights, a resource that is not the caller's. */
  CLIENT,
  /** Alipay or WeChat: the platform is down or answered something the gateway cannot accept. */
  CHANNEL,
  /** A department backend: unavailable, too slow, or answering outside its contract. */
  DEPARTMENT,
  /** The gateway itself. */
  GATEWAY;

  /** The lower-case name on the wire, e.g. {@code department}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
