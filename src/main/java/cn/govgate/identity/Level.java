package cn.govgate.identity;

/**
 * Assurance levels of a session (L1 channel login, L2 real name bound, L3 real name and live face).
 * Ordered: a higher level satisfies every lower one.
 */
public enum Level {
  /** Channel login only. */
  L1,
  /** Real name asserted by the channel and bound (实名). */
  L2,
  /** Real name and live face verified (实人+实名); fresh within a window where a service says so. */
  L3;

  /** Whether this level satisfies {@code required}. */
  public boolean atLeast(Level required) {
    return compareTo(required) >= 0;
  }

  /** Parses {@code L1}…{@code L3}; null for anything else. */
  public static Level parse(String value) {
    if (value == null) return null;
    for (Level l : values()) if (l.name().equals(value)) return l;
    return null;
  }
}
