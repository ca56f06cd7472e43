package cn.govgate.channel.spi;

import java.util.Locale;

/**
 * A super-app channel through which citizens arrive. Wire name: lower case ({@code alipay}, {@code
 * wechat}).
 */
public enum Channel {
  ALIPAY,
  WECHAT;

  /** The lower-case name used in APIs, metrics and storage. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; returns null for anything else. */
  public static Channel fromWire(String value) {
    if (value == null) return null;
    for (Channel c : values()) {
      if (c.wireName().equals(value)) return c;
    }
    return null;
  }
}
