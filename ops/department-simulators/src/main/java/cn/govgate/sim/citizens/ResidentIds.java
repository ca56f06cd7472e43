package cn.govgate.sim.citizens;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Objects;

/**
 * The 18-character resident identity number of GB 11643-1999 as a department's own system handles
 * it: six digits of address code, eight of birth date ({@code yyyyMMdd}), three of sequence (odd
 * for men) and an ISO 7064 MOD 11-2 check character. The simulators keep their own implementation
 * instead of the gateway's, as a real department would: the gateway and a department agree through
 * the standard, not through shared code.
 */
public final class ResidentIds {
  private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final String CHECK_CHARS = "10X98765432";

  private ResidentIds() {}

  /**
   * A well-formed number (not an issued one) for an address code, a birth date and a sequence
   * 0–999.
   */
  public static String generate(String addressCode, LocalDate birthDate, int sequence) {
    Objects.requireNonNull(birthDate, "birthDate");
    if (addressCode == null || !addressCode.matches("\\d{6}")) {
      throw new IllegalArgumentException("address code must be six digits");
    }
    if (sequence < 0 || sequence > 999) {
      throw new IllegalArgumentException("sequence must be 0..999");
    }
    String body =
        addressCode
            + String.format(
                Locale.ROOT,
                "%04d%02d%02d%03d",
                birthDate.getYear(),
                birthDate.getMonthValue(),
                birthDate.getDayOfMonth(),
                sequence);
    return body + checkChar(body);
  }

  /**
   * Whether {@code id} is exactly 17 digits and the right check character, with a real birth date
   * not after today.
   */
  public static boolean isValid(String id, LocalDate today) {
    if (id == null
        || !id.matches("\\d{17}[0-9X]")
        || checkChar(id.substring(0, 17)) != id.charAt(17)) {
      return false;
    }
    LocalDate birth = birthDateOrNull(id);
    return birth != null && !birth.isBefore(LocalDate.of(1900, 1, 1)) && !birth.isAfter(today);
  }

  /** The birth date a valid number encodes. */
  public static LocalDate birthDate(String id) {
    LocalDate birth = birthDateOrNull(id);
    if (birth == null) throw new IllegalArgumentException("not a valid resident ID number");
    return birth;
  }

  /** For logs and assertion messages: address code and last four characters only. */
  public static String mask(String id) {
    return id == null || id.length() != 18
        ? "******************"
        : id.substring(0, 6) + "********" + id.substring(14);
  }

  static char checkChar(String first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (first17.charAt(i) - '0') * WEIGHTS[i];
    return CHECK_CHARS.charAt(sum % 11);
  }

  private static LocalDate birthDateOrNull(String id) {
    if (id == null || id.length() != 18) return null;
    try {
      return LocalDate.of(
          Integer.parseInt(id.substring(6, 10)),
          Integer.parseInt(id.substring(10, 12)),
          Integer.parseInt(id.substring(12, 14)));
    } catch (DateTimeException | NumberFormatException e) {
      return null;
    }
  }
}
