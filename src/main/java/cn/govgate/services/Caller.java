package cn.govgate.services;

/**
 * Who calls a citizen endpoint, as far as services need to know.
 *
 * @param citizenKey the pseudonymous citizen key, null for an anonymous caller (channel login only,
 *     or none)
 * @param level assurance level 1–3 (L1 channel login, L2 real name, L3 real name + fresh face)
 * @param channel {@code alipay}, {@code wechat}, {@code partner}, or null when unknown
 */
public record Caller(String citizenKey, int level, String channel) {

  public Caller {
    if (level < 1 || level > 3) throw new IllegalArgumentException("level must be 1..3");
    if (citizenKey == null && level > 1)
      throw new IllegalArgumentException("a level above L1 needs a citizen");
  }

  /** A caller without a session or without a bound citizen: L1. */
  public static Caller anonymous() {
    return new Caller(null, 1, null);
  }

  public boolean isAnonymous() {
    return citizenKey == null;
  }
}
