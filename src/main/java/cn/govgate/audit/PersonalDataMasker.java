package cn.govgate.audit;

import com.fasterxml.jackson.core.JsonStreamContext;
import java.util.regex.Pattern;
import net.logstash.logback.mask.ValueMasker;

/**
 * Masks personal data in every string a log line carries, whatever code logged it (wired in {@code
 * logback.xml}). ID numbers keep at most their first 6 and last 4 characters (the birth date is
 * hidden), mobile numbers their first 3 and last 4; bearer tokens and JWTs are removed entirely.
 */
public final class PersonalDataMasker implements ValueMasker {
  // Not preceded or followed by a letter or digit, so hex request ids and longer numbers are left
  // alone.
  private static final Pattern ID_NUMBER =
      Pattern.compile("(?<![0-9A-Za-z])([1-9]\\d{5})\\d{8}(\\d{3}[0-9Xx])(?![0-9A-Za-z])");
  private static final Pattern MOBILE =
      Pattern.compile("(?<![0-9A-Za-z])(1[3-9]\\d)\\d{4}(\\d{4})(?![0-9A-Za-z])");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    return value instanceof CharSequence s ? maskText(s.toString()) : null;
  }

  /** The masked form of a text; the same text when there is nothing to mask. */
  public static String maskText(String text) {
    if (text.length() < 11) return text;
    String out = BEARER.matcher(text).replaceAll("$1[masked]");
    out = JWT.matcher(out).replaceAll("[masked-jwt]");
    out = ID_NUMBER.matcher(out).replaceAll("$1********$2");
    out = MOBILE.matcher(out).replaceAll("$1****$2");
    return out;
  }
}
