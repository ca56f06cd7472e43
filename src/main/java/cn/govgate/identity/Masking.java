package cn.govgate.identity;

import java.util.Set;

/**
 * Server-side masking of personal data, so that only masked values leave the gateway or reach a
 * log: names keep the surname ({@code 张三丰 → 张**}), mobile phones keep the first 3 and last 4 digits
 * ({@code 138****5678}). ID numbers are masked by {@link IdNumber#mask(String)}.
 */
public final class Masking {

  // The common two-character surnames; for these the whole surname stays visible (欧阳修 → 欧阳*).
  private static final Set<String> COMPOUND_SURNAMES =
      Set.of(
          "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐", "端木",
          "独孤", "南宫", "西门", "轩辕", "申屠", "呼延");

  private Masking() {}

  /**
   * Keeps the surname and replaces each character of the given name by {@code *}. A one-character
   * value is fully masked; null or blank becomes the empty string.
   */
  public static String maskName(String name) {
    if (name == null || name.isBlank()) {
      return "";
    }
    String trimmed = name.strip();
    int length = trimmed.codePointCount(0, trimmed.length());
    if (length == 1) {
      return "*";
    }
    int surnameChars =
        length > 2 && COMPOUND_SURNAMES.contains(firstCodePoints(trimmed, 2)) ? 2 : 1;
    return firstCodePoints(trimmed, surnameChars) + "*".repeat(length - surnameChars);
  }

  /**
   * Masks a phone number: an 11-digit mainland mobile (optionally with {@code +86}/{@code 86})
   * keeps its first 3 and last 4 digits; other numbers keep only their last 4 characters; short
   * values are fully masked.
   */
  public static String maskPhone(String phone) {
    if (phone == null || phone.isBlank()) {
      return "";
    }
    String digits = phone.replaceAll("[\\s-]", "");
    if (digits.startsWith("+86")) {
      digits = digits.substring(3);
    } else if (digits.length() == 13 && digits.startsWith("86")) {
      digits = digits.substring(2);
    }
    if (digits.length() == 11 && digits.charAt(0) == '1') {
      return digits.substring(0, 3) + "****" + digits.substring(7);
    }
    if (digits.length() <= 6) {
      return "*".repeat(digits.length());
    }
    return "*".repeat(digits.length() - 4) + digits.substring(digits.length() - 4);
  }

  private static String firstCodePoints(String s, int count) {
    return s.substring(0, s.offsetByCodePoints(0, count));
  }
}
