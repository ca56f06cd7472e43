package cn.govgate.identity;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The 18-character resident identity number of GB 11643-1999: six digits of address code (GB/T
 * 2260), eight of birth date ({@code yyyyMMdd}), three of sequence (odd for men, even for women)
 * and an ISO 7064 MOD 11-2 check character ({@code 0-9} or {@code X}).
 *
 * <p>Validation is structural: it cannot tell whether a number was ever issued, only whether it
 * could have been. Never log these numbers; use {@link #mask(String)}.
 */
public final class IdNumber {

  /** Why a number was refused; {@link #wireName()} is the stable reason code. */
  public enum Failure {
    /** Not exactly 18 characters after normalisation. */
    LENGTH,
    /** Not 17 digits followed by a digit or {@code X}. */
    FORMAT,
    /** The MOD 11-2 check character does not match. */
    CHECK_DIGIT,
    /** The birth date is not a calendar date, lies in the future or before 1900. */
    BIRTH_DATE,
    /** The first two digits are not a GB/T 2260 province code. */
    REGION;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Outcome of {@link #validate(String)}: the normalised number and, when invalid, the first
   * failure found (checks run in the order length, format, check digit, birth date, region).
   */
  public record Validation(String normalized, Failure failure) {

    public boolean valid() {
      return failure == null;
    }

    /** The stable reason code ({@code length}, {@code format}, …) or null when valid. */
    public String reason() {
      return failure == null ? null : failure.wireName();
    }
  }

  private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final char[] CHECK_CHARS = "10X98765432".toCharArray();
  private static final Set<String> PROVINCES =
      Set.of(
          "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
          "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
          "65", "71", "81", "82");
  private static final LocalDate EARLIEST_BIRTH = LocalDate.of(1900, 1, 1);

  private IdNumber() {}

  /** Validates against today's date in China Standard Time. */
  public static Validation validate(String raw) {
    return validate(raw, Clock.system(java.time.ZoneId.of("Asia/Shanghai")));
  }

  /** Validates; the clock decides what "born in the future" means. */
  public static Validation validate(String raw, Clock clock) {
    String id = normalize(raw);
    if (id.length() != 18) {
      return new Validation(id, Failure.LENGTH);
    }
    if (!isFormatted(id)) {
      return new Validation(id, Failure.FORMAT);
    }
    if (checkChar(id.substring(0, 17)) != id.charAt(17)) {
      return new Validation(id, Failure.CHECK_DIGIT);
    }
    LocalDate birth = birthDateOrNull(id);
    if (birth == null || birth.isBefore(EARLIEST_BIRTH) || birth.isAfter(LocalDate.now(clock))) {
      return new Validation(id, Failure.BIRTH_DATE);
    }
    if (!PROVINCES.contains(id.substring(0, 2))) {
      return new Validation(id, Failure.REGION);
    }
    return new Validation(id, null);
  }

  /** Trims and upper-cases a trailing {@code x}; null becomes the empty string. */
  public static String normalize(String raw) {
    return raw == null ? "" : raw.trim().toUpperCase(Locale.ROOT);
  }

  /**
   * Masks for display and logs: the first 6 and last 4 characters of an 18-character number, the
   * birth date and sequence hidden ({@code 330106********1234}). Anything else is masked entirely
   * but for its last 4 characters, and short values are masked entirely.
   */
  public static String mask(String raw) {
    String id = normalize(raw);
    if (id.length() == 18) {
      return id.substring(0, 6) + "********" + id.substring(14);
    }
    if (id.length() <= 8) {
      return "*".repeat(id.length());
    }
    return "*".repeat(id.length() - 4) + id.substring(id.length() - 4);
  }

  /** The birth date encoded in a valid number. */
  public static LocalDate birthDate(String validId) {
    LocalDate birth = birthDateOrNull(normalize(validId));
    if (birth == null) {
      throw new IllegalArgumentException("not a valid ID number");
    }
    return birth;
  }

  /**
   * A valid synthetic number for a six-digit address code, a birth date and a sequence number 0–999
   * (odd sequence numbers denote men). Meant for tests and the demo: the result is well-formed, not
   * issued.
   */
  public static String generate(String regionCode, LocalDate birthDate, int sequence) {
    Objects.requireNonNull(birthDate, "birthDate");
    if (regionCode == null
        || !regionCode.matches("\\d{6}")
        || !PROVINCES.contains(regionCode.substring(0, 2))) {
      throw new IllegalArgumentException(
          "region code must be six digits with a known province prefix");
    }
    if (sequence < 0 || sequence > 999) {
      throw new IllegalArgumentException("sequence must be 0..999");
    }
    if (birthDate.getYear() < 1900 || birthDate.getYear() > 9999) {
      throw new IllegalArgumentException("birth year out of range");
    }
    String body =
        regionCode
            + String.format(
                Locale.ROOT,
                "%04d%02d%02d%03d",
                birthDate.getYear(),
                birthDate.getMonthValue(),
                birthDate.getDayOfMonth(),
                sequence);
    return body + checkChar(body);
  }

  /** ISO 7064 MOD 11-2 check character of the first 17 digits. */
  static char checkChar(String first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (first17.charAt(i) - '0') * WEIGHTS[i];
    }
    return CHECK_CHARS[sum % 11];
  }

  private static boolean isFormatted(String id) {
    for (int i = 0; i < 17; i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    char last = id.charAt(17);
    return (last >= '0' && last <= '9') || last == 'X';
  }

  private static LocalDate birthDateOrNull(String id) {
    if (id.length() != 18 || !isFormatted(id)) {
      return null;
    }
    try {
      return LocalDate.of(
          Integer.parseInt(id.substring(6, 10)),
          Integer.parseInt(id.substring(10, 12)),
          Integer.parseInt(id.substring(12, 14)));
    } catch (DateTimeException e) {
      return null;
    }
  }
}
