package cn.govgate.complaints;

import java.time.Instant;
import java.util.Locale;

/**
 * Where an item stands, derived from its times: {@code closed} (办结), {@code answered} (replied, not
 * closed), {@code overdue} (no reply and the deadline has passed), else {@code open}.
 */
public enum ComplaintStatus {
  OPEN,
  OVERDUE,
  ANSWERED,
  CLOSED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static ComplaintStatus of(Instant repliedAt, Instant closedAt, Instant deadline, Instant now) {
    if (closedAt != null) return CLOSED;
    if (repliedAt != null) return ANSWERED;
    return now.isBefore(deadline) ? OPEN : OVERDUE;
  }

  /** The status of a wire name, null for anything else. */
  public static ComplaintStatus fromWire(String value) {
    for (ComplaintStatus s : values()) {
      if (s.wireName().equals(value)) return s;
    }
    return null;
  }
}
