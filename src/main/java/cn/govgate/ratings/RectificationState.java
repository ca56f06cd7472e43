package cn.govgate.ratings;

import java.time.Instant;
import java.util.Locale;

/**
 * Where a rectification item stands. {@code OVERDUE} wins over {@code ANSWERED}: an answer without
 * closing does not stop the deadline.
 */
public enum RectificationState {
  OPEN,
  ANSWERED,
  CLOSED,
  OVERDUE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RectificationState of(
      Instant answeredAt, Instant closedAt, Instant deadline, Instant now) {
    if (closedAt != null) return CLOSED;
    if (now.isAfter(deadline)) return OVERDUE;
    return answeredAt != null ? ANSWERED : OPEN;
  }

  static RectificationState parse(String wire) {
    for (RectificationState s : values()) {
      if (s.wireName().equals(wire)) return s;
    }
    return null;
  }
}
