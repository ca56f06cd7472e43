package cn.govgate.services;

/**
 * Who calls a citizen endpoint, as far as services need to know.
 *
 * @param citizenKey the pseudonymous citizen key, null for an anonymous caller (channel login only,
 *     or none)
 * @param level assurance level 1–3 (L1 channel login, L2 real name, L3 real name + fresh face)
 * @param channel {@code alipay}, {@code wechat}, {@code partner}, or null when unknown
 * @param identityKey the session's channel identity (pseudonymous), null without a session (or for
 *     a partner): whom an answer was given to, so that my cases can list an unbound login's ratings
 */
public record Caller(String citizenKey, int level, String channel, String identityKey) {

  public Caller {
    if (level < 1 || level > 3) throw new IllegalArgumentException("level must be 1..3");
    if (citizenKey == null && level > 1)
      throw new IllegalArgumentException("a level above L1 needs a citizen");
  }

  /** A caller known by its citizen only (no channel login: a partner, the complaints desk). */
  public Caller(String citizenKey, int level, String channel) {
    this(citizenKey, level, channel, null);
  }

  /** A caller without a session: L1. */
  public static Caller anonymous() {
    return new Caller(null, 1, null, null);
  }

  /** An unbound (L1) channel login: anonymous to services, but its answers are its own. */
  public static Caller unbound(String identityKey) {
    return new Caller(null, 1, null, identityKey);
  }

  public boolean isAnonymous() {
    return citizenKey == null;
  }
}
