package cn.govgate.cases;

import java.util.Locale;

/** The families of things a citizen starts, as they appear in {@code kind} and in a case id. */
public enum CaseKind {
  PAYMENT,
  PROOF,
  RATING,
  VERIFICATION,
  COMPLAINT,
  CONSENT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind of a wire name, null for anything else. */
  public static CaseKind fromWire(String value) {
    for (CaseKind k : values()) {
      if (k.wireName().equals(value)) return k;
    }
    return null;
  }
}
