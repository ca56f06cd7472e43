package cn.govgate.cases;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * Where a page ended: the last item's start time (microseconds, PostgreSQL's precision), kind and
 * id — the sort key of the list — as opaque URL-safe Base64, so the next page starts exactly after
 * it even when several items share the same instant.
 */
record CaseCursor(Instant at, String kind, String id) {

  String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
    String raw = micros + "|" + kind + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The cursor of {@code value}, or a 400 naming {@code cursor} when it is not one this gateway
   * wrote.
   */
  static CaseCursor decode(String value) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
      String[] parts = raw.split("\\|", 3);
      if (parts.length != 3
          || CaseKind.fromWire(parts[1]) == null
          || parts[2].isEmpty()
          || parts[2].length() > 64) {
        throw new IllegalArgumentException("shape");
      }
      Instant at = Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS);
      return new CaseCursor(at, parts[1], parts[2]);
    } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
      throw CaseErrors.invalid("cursor", "the nextCursor of an earlier page");
    }
  }
}
