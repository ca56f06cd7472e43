package cn.govgate.error;

import java.util.List;
import java.util.Locale;

/**
 * The language of error messages: Chinese (zh-CN) unless the caller's {@code Accept-Language}
 * prefers English. The header is parsed by the JDK's RFC 4647 parser ({@link
 * Locale.LanguageRange#parse}), q-values included: English wins when some {@code en} or {@code
 * en-*} range with {@code q > 0} weighs more than every Chinese range (or as much, and comes
 * first). A header that does not parse, or names neither language, gets Chinese.
 */
public enum MessageLanguage {
  ZH("zh-CN"),
  EN("en");

  private final String tag;

  MessageLanguage(String tag) {
    this.tag = tag;
  }

  /** The BCP 47 tag sent as {@code Content-Language}. */
  public String tag() {
    return tag;
  }

  /** The language for a request with this {@code Accept-Language} header (null = none). */
  public static MessageLanguage fromAcceptLanguage(String header) {
    if (header == null || header.isBlank()) return ZH;
    List<Locale.LanguageRange> ranges;
    try {
      // Sorted by weight, highest first; equal weights keep the header's order.
      ranges = Locale.LanguageRange.parse(header);
    } catch (IllegalArgumentException e) {
      return ZH;
    }
    for (Locale.LanguageRange range : ranges) {
      if (range.getWeight() <= 0) break;
      String primary = range.getRange().split("-", 2)[0];
      if (primary.equals("en")) return EN;
      if (primary.equals("zh")) return ZH;
    }
    return ZH;
  }
}
