package cn.govgate.services;

import cn.govgate.error.ApiException;
import cn.govgate.http.JsonBody;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks the parameters of the citizen service endpoints, collecting every field error
 * before failing with one 400 {@code request.invalid} ({@code details.fields = {field: reason}}).
 */
final class ServiceParams {
  static final int MAX_MONTHS = 36;
  static final Set<String> UTILITY_TYPES = Set.of("water", "power", "gas");

  private static final Pattern REGION = Pattern.compile("[0-9]{6}");
  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-(0[1-9]|1[0-2])");
  // GA 36 plates: province abbreviation, issuing-authority letter, 5 characters (6 for new-energy
  // vehicles);
  // I and O are never used.
  private static final Pattern PLATE =
      Pattern.compile(
          "[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警]");
  private static final Pattern PLATE_TYPE = Pattern.compile("[0-9]{2}");
  private static final Pattern VIN_LAST6 = Pattern.compile("[0-9A-HJ-NPR-Z]{6}");
  private static final Pattern UTILITY_ACCOUNT = Pattern.compile("[0-9]{10}");

  private final JsonObject errors = new JsonObject();
  private final Source source;

  /** Where the values come from: the query string or a JSON body. */
  private interface Source {
    /**
     * The value, null when absent; a wrong type or a repeated parameter is reported as {@code bad}.
     */
    Object get(String name);
  }

  private static final Object BAD = new Object();

  private ServiceParams(Source source) {
    this.source = source;
  }

  static ServiceParams query(RoutingContext ctx) {
    return new ServiceParams(
        name -> {
          List<String> values = ctx.queryParam(name);
          if (values.isEmpty()) return null;
          return values.size() > 1 ? BAD : values.get(0);
        });
  }

  static ServiceParams body(RoutingContext ctx) {
    JsonObject json = JsonBody.required(ctx);
    return new ServiceParams(
        name -> {
          Object v = json.getValue(name);
          return v == null || v instanceof String ? v : BAD;
        });
  }

  private String text(String name, Pattern pattern, String reason) {
    Object v = source.get(name);
    if (v == null) {
      errors.put(name, "required; " + reason);
      return null;
    }
    if (v == BAD || !pattern.matcher((String) v).matches()) {
      errors.put(name, reason);
      return null;
    }
    return (String) v;
  }

  String region() {
    return text("region", REGION, "a six-digit GB/T 2260 region code");
  }

  String plate() {
    return text("plate", PLATE, "a plate number without separator, e.g. 浙A12345");
  }

  String plateType() {
    return text("plateType", PLATE_TYPE, "a two-digit GA 24.7 plate type, e.g. 02");
  }

  String vinLast6() {
    return text("vinLast6", VIN_LAST6, "the last 6 characters of the VIN (no I, O or Q)");
  }

  String utilityType() {
    Object v = source.get("utilityType");
    if (v instanceof String s && UTILITY_TYPES.contains(s)) return s;
    errors.put("utilityType", "one of water, power, gas");
    return null;
  }

  String utilityAccountNo() {
    return text("accountNo", UTILITY_ACCOUNT, "the 10-digit household account number");
  }

  /**
   * {@code {from, to}}: months {@code YYYY-MM}, from ≤ to, at most {@value #MAX_MONTHS} months
   * inclusive.
   */
  JsonObject monthRange() {
    String from = text("from", MONTH, "a month YYYY-MM");
    String to = text("to", MONTH, "a month YYYY-MM");
    if (from == null || to == null) return null;
    YearMonth f = YearMonth.parse(from);
    YearMonth t = YearMonth.parse(to);
    if (f.isAfter(t)) {
      errors.put("from", "must not be after to");
      return null;
    }
    if (ChronoUnit.MONTHS.between(f, t) + 1 > MAX_MONTHS) {
      errors.put("to", "at most " + MAX_MONTHS + " months from from");
      return null;
    }
    return new JsonObject().put("from", from).put("to", to);
  }

  /** Fails with 400 {@code request.invalid} when any field was wrong. */
  void check() {
    if (!errors.isEmpty()) throw ApiException.invalidFields(errors);
  }
}
