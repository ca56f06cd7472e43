package cn.govgate.complaints;

import java.util.Locale;

/** What a citizen files: a question (咨询) or a complaint (投诉). Each has its own reply deadline. */
public enum ComplaintKind {
  /** 咨询: a question about a service; default deadline 3 working days. */
  CONSULTATION,
  /** 投诉: a complaint about how a service was delivered; default deadline 5 working days. */
  COMPLAINT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind of a wire name, null for anything else. */
  public static ComplaintKind fromWire(String value) {
    for (ComplaintKind k : values()) {
      if (k.wireName().equals(value)) return k;
    }
    return null;
  }
}
