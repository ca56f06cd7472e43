package cn.govgate.fuzz;

import cn.govgate.fuzz.ContractOperations.Kind;
import cn.govgate.fuzz.ContractOperations.Operation;
import cn.govgate.fuzz.ContractOperations.Param;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Schema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzzer's generator: case {@code i} of seed {@code s} is always the same request (its own
 * {@link Random}), so a failure names the seed and the index that reproduce it. Each case takes one
 * operation of the contracts, one principal and one mutation of a plausible request — wrong types,
 * non-object JSON, missing and extra fields, huge and deeply nested values, NUL and invalid UTF-8,
 * bad percent-encoding, oversized headers and paths, repeated parameters, bad {@code Content-Type},
 * contradictory framing — or, now and then, none (the control).
 */
final class FuzzCases {
  /** A generated request: its bytes, and what to remember about it. */
  record Case(
      long index,
      Operation op,
      String principal,
      String mutation,
      byte[] bytes,
      boolean head,
      boolean fresh) {
    String summary() {
      String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n");
      return "#"
          + index
          + " "
          + op
          + " as "
          + principal
          + " ["
          + mutation
          + "] "
          + printable(end < 0 ? text : text.substring(0, end));
    }
  }

  enum Mutation {
    NONE(2),
    NOT_AN_OBJECT(4),
    WRONG_TYPE(8),
    MISSING_FIELD(4),
    EXTRA_FIELD(3),
    HUGE_STRING(2),
    OVERSIZED_BODY(1),
    DEEP_NESTING(2),
    HUGE_NUMBER(2),
    NUL_IN_STRING(3),
    LONE_SURROGATE(2),
    INVALID_UTF8_BODY(3),
    BROKEN_JSON(4),
    EMPTY_BODY(2),
    DUPLICATE_KEY(1),
    PATH_NUL(2),
    PATH_INVALID_UTF8(2),
    PATH_BAD_PERCENT(3),
    PATH_HUGE(2),
    PATH_OVERSIZED(1),
    PATH_ODD(3),
    QUERY_REPEATED(3),
    QUERY_MISSING(2),
    QUERY_WRONG_TYPE(4),
    QUERY_BAD_ENCODING(3),
    QUERY_HUGE(2),
    QUERY_ODD(2),
    HEADER_OVERSIZED(1),
    HEADER_CONTROL(2),
    HEADER_NON_ASCII(2),
    HEADER_MANY(1),
    BAD_CONTENT_TYPE(5),
    NO_CONTENT_TYPE(2),
    AUTH_MALFORMED(5),
    AUTH_REPEATED(2),
    IDEMPOTENCY_KEY_ODD(2),
    OTHER_METHOD(3),
    FRAMING(4),
    CHUNKED_BODY(2),
    REQUEST_LINE_ODD(2);

    final int weight;

    Mutation(int weight) {
      this.weight = weight;
    }
  }

  private static final Mutation[] WHEEL = wheel();
  private static final String[] NOT_OBJECTS = {
    "-1", "[]", "true", "\"s\"", "null", "[{}]", "0", "1e999", "\"\"", "[1,2,3]", "false", "{}[]"
  };
  private static final String[] REGIONS = {"330100", "510100", "110000", "999999"};

  private final long seed;
  private final List<Operation> ops;

  /** principal name → Authorization header value (null: none). */
  private final Map<String, String> principals;

  private final List<String> principalNames;

  /**
   * Path parameter name → values the gateway knows (department ids…), so cases reach past the
   * lookups.
   */
  private final Map<String, List<String>> known;

  FuzzCases(
      long seed,
      List<Operation> ops,
      Map<String, String> principals,
      Map<String, List<String>> known) {
    this.seed = seed;
    this.ops = ops;
    this.principals = principals;
    this.principalNames = principals.keySet().stream().sorted().toList();
    this.known = known;
  }

  Case make(long index) {
    Random r = new Random(seed * 1_000_003L + index);
    Operation op = ops.get(r.nextInt(ops.size()));
    String principal = principalNames.get(r.nextInt(principalNames.size()));
    Mutation m = WHEEL[r.nextInt(WHEEL.length)];
    Draft d = plausible(op, principal, r);
    String detail = mutate(d, op, m, r);
    return new Case(
        index,
        op,
        principal,
        m.name().toLowerCase() + (detail.isEmpty() ? "" : ": " + detail),
        d.bytes(),
        d.method.equals("HEAD"),
        d.fresh);
  }

  // ---------- a plausible request ----------

  private Draft plausible(Operation op, String principal, Random r) {
    Draft d = new Draft();
    d.method = op.method();
    d.path = op.path();
    for (Param p : op.in("path")) {
      d.path = d.path.replace("{" + p.name() + "}", enc(pathValue(p, r)));
    }
    for (Param p : op.in("query")) {
      if (p.required() || r.nextInt(3) == 0)
        d.query.add(new String[] {p.name(), enc(scalar(p.name(), p.schema(), r))});
    }
    String auth = principals.get(principal);
    if (auth != null) d.headers.add(new String[] {"Authorization", auth});
    for (Param p : op.in("header")) {
      if (p.name().equalsIgnoreCase("Idempotency-Key"))
        d.headers.add(new String[] {p.name(), "fz-" + r.nextLong()});
      else if (p.required() || r.nextBoolean())
        d.headers.add(new String[] {p.name(), scalar(p.name(), p.schema(), r)});
    }
    if (op.kind() == Kind.CALLBACK) {
      callbackBody(d, op, r);
    } else if (op.body() != null) {
      d.json = value("body", op.body(), r, 0);
      d.contentType = "application/json";
    }
    return d;
  }

  private void callbackBody(Draft d, Operation op, Random r) {
    if (op.path().endsWith("alipay")) {
      d.contentType = "application/x-www-form-urlencoded; charset=utf-8";
      d.raw =
          ("notify_type=trade_status_sync&out_trade_no="
                  + r.nextInt(1_000_000)
                  + "&trade_status=TRADE_SUCCESS"
                  + "&total_amount=1.00&app_id=2021000000000042&sign_type=RSA2&sign="
                  + enc("AAAA" + r.nextLong()))
              .getBytes(StandardCharsets.UTF_8);
    } else {
      d.contentType = "application/json";
      d.headers.add(
          new String[] {"Wechatpay-Timestamp", String.valueOf(System.currentTimeMillis() / 1000)});
      d.headers.add(new String[] {"Wechatpay-Nonce", "n" + r.nextLong()});
      d.headers.add(new String[] {"Wechatpay-Serial", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"});
      d.headers.add(new String[] {"Wechatpay-Signature", "c2lnbmF0dXJl"});
      d.json =
          new JsonObject()
              .put("id", "EV-" + r.nextInt(1000))
              .put("event_type", "TRANSACTION.SUCCESS")
              .put("resource_type", "encrypt-resource")
              .put(
                  "resource",
                  new JsonObject()
                      .put("algorithm", "AEAD_AES_256_GCM")
                      .put("ciphertext", "AAAA")
                      .put("nonce", "abcdefabcdef")
                      .put("associated_data", "transaction"));
    }
  }

  private String pathValue(Param p, Random r) {
    List<String> values = known.get(p.name());
    if (values != null && !values.isEmpty() && r.nextInt(4) != 0)
      return values.get(r.nextInt(values.size()));
    return scalar(p.name(), p.schema(), r);
  }

  /**
   * A plausible scalar for a parameter or property: by name first (what the gateway would look up),
   * then schema.
   */
  private String scalar(String name, Schema<?> schema, Random r) {
    List<String> values = known.get(name);
    if (values != null && !values.isEmpty() && r.nextBoolean())
      return values.get(r.nextInt(values.size()));
    switch (name) {
      case "region", "regions":
        return REGIONS[r.nextInt(REGIONS.length)];
      case "from":
        return "2025-0" + (1 + r.nextInt(9));
      case "to":
        return "2026-0" + (1 + r.nextInt(9));
      case "month":
        return "2026-" + (10 + r.nextInt(3));
      case "plate":
        return "浙A" + (10000 + r.nextInt(90000));
      case "plateType":
        return "02";
      case "vinLast6":
        return String.valueOf(100000 + r.nextInt(900000));
      case "accountNo":
        return String.valueOf(1_000_000_000L + r.nextInt(1_000_000_000));
      case "decisionNumber":
        return "3301" + (100000000000L + r.nextInt(1_000_000_000));
      case "serviceType":
        return pick(
            r,
            "social-security.account",
            "traffic.fines",
            "utilities.bill",
            "housing-fund.account");
      case "department", "departmentId", "toDepartment":
        return pick(r, "hz-rsj", "hz-jj", "cd-rsj", "nobody");
      default:
        break;
    }
    if (schema == null) return "x" + r.nextInt(1000);
    if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
      return String.valueOf(schema.getEnum().get(r.nextInt(schema.getEnum().size())));
    }
    if (schema.getExample() != null && r.nextBoolean()) return String.valueOf(schema.getExample());
    String type = schema.getType() == null ? "string" : schema.getType();
    return switch (type) {
      case "integer", "number" ->
          String.valueOf(
              schema.getMinimum() != null
                  ? schema.getMinimum().intValue() + r.nextInt(3)
                  : r.nextInt(30));
      case "boolean" -> String.valueOf(r.nextBoolean());
      default -> {
        int min = schema.getMinLength() == null ? 1 : schema.getMinLength();
        String s = "fz" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
        while (s.length() < min) s += "0";
        yield schema.getMaxLength() != null && s.length() > schema.getMaxLength()
            ? s.substring(0, schema.getMaxLength())
            : s;
      }
    };
  }

  private Object value(String name, Schema<?> schema, Random r, int depth) {
    if (schema == null) return scalar(name, null, r);
    String type = schema.getType();
    if (type == null && schema.getProperties() != null) type = "object";
    if ("object".equals(type)) {
      JsonObject o = new JsonObject();
      if (schema.getProperties() != null && depth < 4) {
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        schema
            .getProperties()
            .forEach(
                (k, v) -> {
                  if (required.contains(k) || r.nextInt(3) == 0)
                    o.put(k, value(k, v, r, depth + 1));
                });
      }
      return o;
    }
    if ("array".equals(type)) {
      Schema<?> items = schema instanceof ArraySchema a ? a.getItems() : schema.getItems();
      JsonArray a = new JsonArray();
      int n = 1 + r.nextInt(2);
      for (int i = 0; i < n; i++) a.add(value(name, items, r, depth + 1));
      return a;
    }
    String s = scalar(name, schema, r);
    if ("integer".equals(type)) return Long.parseLong(s.matches("-?\\d+") ? s : "1");
    if ("number".equals(type)) return Double.parseDouble(s.matches("-?[\\d.]+") ? s : "1");
    if ("boolean".equals(type)) return Boolean.parseBoolean(s);
    return s;
  }

  // ---------- the mutations ----------

  private String mutate(Draft d, Operation op, Mutation m, Random r) {
    switch (m) {
      case NONE:
        return "";
      case NOT_AN_OBJECT:
        {
          String v = NOT_OBJECTS[r.nextInt(NOT_OBJECTS.length)];
          d.setRaw(v, "application/json");
          return v;
        }
      case WRONG_TYPE:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          Object wrong = wrongValue(r);
          o.put(key, wrong);
          return key + "=" + abbreviate(String.valueOf(wrong));
        }
      case MISSING_FIELD:
        {
          JsonObject o = d.object();
          if (o.isEmpty()) {
            d.json = null;
            d.raw = null;
            return "no body";
          }
          String key = someKey(o, r);
          o.remove(key);
          return key;
        }
      case EXTRA_FIELD:
        {
          String key =
              pick(
                  r,
                  "zzz",
                  "__proto__",
                  "constructor",
                  "citizenKey",
                  "departmentId",
                  "status",
                  "level",
                  "$where",
                  "amountFen",
                  "sub");
          d.object().put(key, wrongValue(r));
          return key;
        }
      case HUGE_STRING:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          o.put(key, "字".repeat(1_000 + r.nextInt(60_000)));
          return key;
        }
      case OVERSIZED_BODY:
        {
          d.object().put("pad", "x".repeat(1024 * 1024 + r.nextInt(100_000)));
          return "over the body limit";
        }
      case DEEP_NESTING:
        {
          int depth = pick(r, 31, 33, 64, 1000, 5_000);
          boolean arrays = r.nextBoolean();
          String open = arrays ? "[" : "{\"a\":";
          String close = arrays ? "]" : "}";
          String nested = open.repeat(depth) + "1" + close.repeat(depth);
          JsonObject o = d.object();
          String key = someKey(o, r);
          o.remove(key);
          String encoded = o.encode();
          String field = "\"" + key + "\":" + nested;
          d.setRaw(
              encoded.length() == 2 ? "{" + field + "}" : "{" + field + "," + encoded.substring(1),
              "application/json");
          return key + " depth " + depth;
        }
      case HUGE_NUMBER:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          String n =
              pick(
                  r,
                  "1e400",
                  "-1e400",
                  "123456789012345678901234567890",
                  "9223372036854775808",
                  "-0",
                  "1E-400",
                  "0.0000000000000000000000001",
                  "2147483648",
                  "-2147483649",
                  "1" + "0".repeat(5000));
          o.remove(key);
          String encoded = o.encode();
          String field = "\"" + key + "\":" + n;
          d.setRaw(
              encoded.length() == 2 ? "{" + field + "}" : "{" + field + "," + encoded.substring(1),
              "application/json");
          return key + "=" + abbreviate(n);
        }
      case NUL_IN_STRING:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          if (r.nextBoolean()) {
            o.put(key, "a\u0000b");
            return key + " escaped NUL";
          }
          d.setRaw(o.put(key, "a@b").encode().replace("a@b", "a\u0000b"), "application/json");
          return key + " raw NUL";
        }
      case LONE_SURROGATE:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          d.setRaw(
              o.put(key, "a@b").encode().replace("a@b", pick(r, "\\ud800", "\\udc00x", "x\\udbff")),
              "application/json");
          return key;
        }
      case INVALID_UTF8_BODY:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          byte[] bad =
              pick(
                  r,
                  new byte[] {(byte) 0xC3, 0x28},
                  new byte[] {(byte) 0xFF},
                  new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                  new byte[] {(byte) 0xE9},
                  new byte[] {(byte) 0xC0, (byte) 0xAF});
          String encoded = o.put(key, "a@b").encode();
          int at = encoded.indexOf("a@b") + 1;
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.writeBytes(encoded.substring(0, at).getBytes(StandardCharsets.UTF_8));
          b.writeBytes(bad);
          b.writeBytes(encoded.substring(at + 1).getBytes(StandardCharsets.UTF_8));
          d.raw = b.toByteArray();
          d.json = null;
          d.contentType = "application/json";
          return key;
        }
      case BROKEN_JSON:
        {
          String encoded = d.object().encode();
          String broken =
              switch (r.nextInt(6)) {
                case 0 -> encoded.substring(0, r.nextInt(encoded.length()));
                case 1 -> encoded + "}";
                case 2 -> encoded.replace(":", "=");
                case 3 -> "{'a':1}";
                case 4 -> "{\"a\":1,}";
                default -> garbage(r);
              };
          d.setRaw(broken, "application/json");
          return abbreviate(broken);
        }
      case EMPTY_BODY:
        d.setRaw("", "application/json");
        return "";
      case DUPLICATE_KEY:
        {
          JsonObject o = d.object();
          String key = someKey(o, r);
          String encoded = o.encode();
          d.setRaw("{\"" + key + "\":1," + encoded.substring(1), "application/json");
          return key;
        }
      case PATH_NUL:
        return replaceSegment(d, op, r, pick(r, "%00", "a%00b", "%00%00"));
      case PATH_INVALID_UTF8:
        return replaceSegment(
            d, op, r, pick(r, "%C3%28", "%FF", "%ED%A0%80", "%E9", "%C0%AF", "%F8%88%80%80%80"));
      case PATH_BAD_PERCENT:
        return replaceSegment(d, op, r, pick(r, "%", "%zz", "a%2", "%%", "%g0", "%2", "x%"));
      case PATH_HUGE:
        return replaceSegment(d, op, r, "a".repeat(500 + r.nextInt(3000)));
      case PATH_OVERSIZED:
        d.path = d.path + "/" + "b".repeat(5000 + r.nextInt(5000));
        return "request line over the limit";
      case PATH_ODD:
        return replaceSegment(
            d,
            op,
            r,
            pick(
                r,
                "..",
                "%2e%2e",
                "..%2f..%2fetc",
                "%E6%9D%AD%E5%B7%9E",
                "%20",
                "+",
                ";",
                "a;b=c",
                "%2F",
                "-1",
                "0",
                "99999999999999999999",
                "%0A",
                "%0D%0AX-Injected:%201",
                "%7F",
                "~",
                "'",
                "%22",
                "%3Cscript%3E",
                "*"));
      case QUERY_REPEATED:
        {
          if (d.query.isEmpty()) d.query.add(new String[] {"region", "330100"});
          String[] q = d.query.get(r.nextInt(d.query.size()));
          d.query.add(new String[] {q[0], pick(r, q[1], "510100", "", "x")});
          return q[0];
        }
      case QUERY_MISSING:
        {
          if (d.query.isEmpty()) return "none to drop";
          return d.query.remove(r.nextInt(d.query.size()))[0];
        }
      case QUERY_WRONG_TYPE:
        {
          String value =
              pick(
                  r,
                  "abc",
                  "-1",
                  "0",
                  "1.5",
                  "true",
                  "2026-13",
                  "2026-1",
                  "9999-99",
                  "[]",
                  "{}",
                  "99999999999999999999",
                  "%E6%9D%AD",
                  "null",
                  "",
                  "2026-02-30",
                  "1e3");
          List<Param> qs = op.in("query");
          String name = qs.isEmpty() ? "region" : qs.get(r.nextInt(qs.size())).name();
          d.query.removeIf(q -> q[0].equals(name));
          d.query.add(new String[] {name, value});
          return name + "=" + value;
        }
      case QUERY_BAD_ENCODING:
        {
          String value = pick(r, "%00", "%FF", "%", "%zz", "a%2", "%C3%28", "%0A", "%ED%A0%80");
          String name = d.query.isEmpty() ? "region" : d.query.get(r.nextInt(d.query.size()))[0];
          d.query.removeIf(q -> q[0].equals(name));
          d.query.add(new String[] {name, value});
          return name + "=" + value;
        }
      case QUERY_HUGE:
        {
          String name = d.query.isEmpty() ? "region" : d.query.get(0)[0];
          d.query.add(new String[] {name, "9".repeat(1000 + r.nextInt(2500))});
          return name;
        }
      case QUERY_ODD:
        {
          String raw =
              pick(
                  r,
                  "&&&",
                  "=",
                  "region",
                  "==1",
                  "a=1=2",
                  "%3D%3D",
                  "region[]=1",
                  "region=330100#x",
                  "?");
          d.query.add(new String[] {raw, null});
          return raw;
        }
      case HEADER_OVERSIZED:
        d.headers.add(new String[] {"X-Pad", "p".repeat(9000 + r.nextInt(10_000))});
        return "over the header limit";
      case HEADER_CONTROL:
        {
          String name =
              pick(r, "Idempotency-Key", "X-Request-Id", "User-Agent", "Authorization", "Accept");
          d.headers.removeIf(
              h -> h[0].equalsIgnoreCase(name) && name.equals("Authorization") && r.nextBoolean());
          d.headers.add(
              new String[] {
                name, "a" + pick(r, "\u0001", "\u0000", "\u007f", "\u001b", "\u0008") + "b"
              });
          return name;
        }
      case HEADER_NON_ASCII:
        d.headers.add(
            new String[] {
              pick(r, "Idempotency-Key", "X-Request-Id", "Accept-Language"),
              pick(r, "杭州", "\u00e9t\u00e9", "\ud83d\ude00")
            });
        return "";
      case HEADER_MANY:
        {
          int n = 50 + r.nextInt(150);
          for (int i = 0; i < n; i++) d.headers.add(new String[] {"X-H" + i, "v"});
          return n + " headers";
        }
      case BAD_CONTENT_TYPE:
        {
          if (d.json == null && d.raw == null) d.json = new JsonObject().put("a", 1);
          d.contentType =
              pick(
                  r,
                  "text/plain",
                  "application/xml",
                  "application/json; charset=gbk",
                  "multipart/form-data; boundary=x",
                  "application/x-www-form-urlencoded",
                  "application/json;;;",
                  "json",
                  "*/*",
                  "application/javascript",
                  "application/json; charset=\"utf-16\"",
                  "application/problem+json",
                  "",
                  " ");
          return d.contentType;
        }
      case NO_CONTENT_TYPE:
        if (d.json == null && d.raw == null) d.json = new JsonObject().put("a", 1);
        d.contentType = null;
        return "";
      case AUTH_MALFORMED:
        {
          String token =
              principals.values().stream()
                  .filter(v -> v != null && v.length() > 80)
                  .findFirst()
                  .orElse("Bearer x")
                  .substring(7);
          String value =
              pick(
                  r,
                  "Bearer",
                  "Bearer ",
                  "Bearer  " + token,
                  "bearer " + token,
                  "Basic dXNlcjpwYXNz",
                  "Bearer " + token + ".",
                  "Bearer " + token + "..",
                  "Bearer " + token.substring(0, token.length() - 3),
                  "Bearer " + token.replace('.', ','),
                  "Bearer a.b.c",
                  "Bearer ..",
                  "Bearer " + "A".repeat(4000),
                  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
                  "Token " + token,
                  token,
                  "Bearer \u6d59");
          d.headers.removeIf(h -> h[0].equals("Authorization"));
          d.headers.add(new String[] {"Authorization", value});
          return abbreviate(value.replace(token, "<token>"));
        }
      case AUTH_REPEATED:
        {
          String other =
              principals.values().stream()
                  .filter(v -> v != null)
                  .skip(r.nextInt(3))
                  .findFirst()
                  .orElse("Bearer x");
          d.headers.add(new String[] {"Authorization", other});
          return "";
        }
      case IDEMPOTENCY_KEY_ODD:
        {
          String value =
              pick(
                  r,
                  "",
                  "a",
                  "k".repeat(65),
                  "k".repeat(2000),
                  "杭州杭州杭州杭州",
                  "a b c d e f",
                  "--------");
          d.headers.removeIf(h -> h[0].equalsIgnoreCase("Idempotency-Key"));
          d.headers.add(new String[] {"Idempotency-Key", value});
          if (r.nextBoolean())
            d.headers.add(new String[] {"Idempotency-Key", "fz-second-" + r.nextInt()});
          return abbreviate(value);
        }
      case OTHER_METHOD:
        d.method =
            pick(
                r, "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "get", "POST",
                "GET", "CONNECT");
        return d.method;
      case FRAMING:
        return framing(d, r);
      case CHUNKED_BODY:
        if (d.json == null && d.raw == null) d.json = new JsonObject();
        d.chunked = true;
        return "";
      case REQUEST_LINE_ODD:
        {
          String odd =
              pick(
                  r,
                  "HTTP/1.0",
                  "HTTP/2.0",
                  "HTTP/1.1 extra",
                  "HTTP/9.9",
                  "http/1.1",
                  "HTTP/1.1\u0000");
          d.version = odd;
          d.fresh = true;
          return odd;
        }
      default:
        throw new IllegalStateException(m.name());
    }
  }

  private String framing(Draft d, Random r) {
    d.fresh = true;
    if (d.json == null && d.raw == null) d.json = new JsonObject().put("a", 1);
    if (d.contentType == null) d.contentType = "application/json";
    int kind = r.nextInt(8);
    d.framing =
        switch (kind) {
          case 0 -> "Transfer-Encoding: chunked\r\nContent-Length: 5";
          case 1 -> "Transfer-Encoding: chunked, identity";
          case 2 -> "Content-Length: 3\r\nContent-Length: 4";
          case 3 ->
              pick(
                  r,
                  "Content-Length: -1",
                  "Content-Length: abc",
                  "Content-Length: 1e3",
                  "Content-Length: 0x10",
                  "Content-Length: 99999999999999999999");
          case 4 -> "Transfer-Encoding: identity";
          case 5 -> "Transfer-Encoding: gzip, chunked";
          case 6 -> "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked";
          default -> "Transfer-Encoding: chunked";
        };
    if (kind == 7) d.badChunks = true;
    if (r.nextInt(4) == 0) d.version = "HTTP/1.0";
    return d.framing.replace("\r\n", " + ") + (d.badChunks ? " with a bad chunk size" : "");
  }

  private static String replaceSegment(Draft d, Operation op, Random r, String segment) {
    String[] parts = d.path.split("/", -1);
    List<Integer> params = new ArrayList<>();
    String[] template = op.path().split("/", -1);
    for (int i = 0; i < template.length && i < parts.length; i++)
      if (template[i].startsWith("{")) params.add(i);
    int at = !params.isEmpty() ? params.get(r.nextInt(params.size())) : parts.length - 1;
    parts[at] = segment;
    d.path = String.join("/", parts);
    return abbreviate(segment);
  }

  private static Object wrongValue(Random r) {
    return switch (r.nextInt(12)) {
      case 0 -> 12345;
      case 1 -> -1;
      case 2 -> true;
      case 3 -> new JsonArray().add("a").add(1);
      case 4 -> new JsonObject().put("x", new JsonObject().put("y", 1));
      case 5 -> null;
      case 6 -> "";
      case 7 -> 1.5e308;
      case 8 -> "杭州" + "\u202e";
      case 9 -> Long.MIN_VALUE;
      case 10 -> "2026-13-45T99:99:99Z";
      default -> new JsonArray();
    };
  }

  private static String someKey(JsonObject o, Random r) {
    if (o.isEmpty()) return "a";
    List<String> keys = new ArrayList<>(o.fieldNames());
    keys.sort(null);
    return keys.get(r.nextInt(keys.size()));
  }

  private static String garbage(Random r) {
    byte[] b = new byte[1 + r.nextInt(64)];
    r.nextBytes(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... values) {
    return values[r.nextInt(values.length)];
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…(" + s.length() + ")" : s;
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
      else b.append(c);
    }
    return b.length() > 200 ? b.substring(0, 200) + "…" : b.toString();
  }

  private static Mutation[] wheel() {
    List<Mutation> w = new ArrayList<>();
    for (Mutation m : Mutation.values()) for (int i = 0; i < m.weight; i++) w.add(m);
    return w.toArray(new Mutation[0]);
  }

  /**
   * A request being built; {@link #bytes()} writes it as HTTP/1.1 (or what a mutation made of it).
   */
  private static final class Draft {
    String method;
    String path;
    String version = "HTTP/1.1";
    final List<String[]> query = new ArrayList<>();
    final List<String[]> headers = new ArrayList<>();
    Object json;
    byte[] raw;
    String contentType;
    boolean chunked;
    String framing;
    boolean badChunks;
    boolean fresh;

    JsonObject object() {
      if (json instanceof JsonObject o) return o;
      JsonObject o = new JsonObject();
      json = o;
      raw = null;
      if (contentType == null) contentType = "application/json";
      return o;
    }

    void setRaw(String text, String type) {
      raw = text.getBytes(StandardCharsets.UTF_8);
      json = null;
      contentType = type;
    }

    byte[] bytes() {
      byte[] body =
          raw != null
              ? raw
              : json != null ? ((JsonObject) json).encode().getBytes(StandardCharsets.UTF_8) : null;
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(path);
      if (!query.isEmpty()) {
        head.append('?');
        for (int i = 0; i < query.size(); i++) {
          if (i > 0) head.append('&');
          head.append(query.get(i)[0]);
          if (query.get(i)[1] != null) head.append('=').append(query.get(i)[1]);
        }
      }
      head.append(' ').append(version).append("\r\nHost: 127.0.0.1\r\n");
      for (String[] h : headers) head.append(h[0]).append(": ").append(h[1]).append("\r\n");
      if (body != null && contentType != null)
        head.append("Content-Type: ").append(contentType).append("\r\n");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (framing != null) {
        head.append(framing).append("\r\n");
        if (fresh) head.append("Connection: close\r\n");
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (framing.contains("chunked")) {
          byte[] b = body == null ? new byte[0] : body;
          out.writeBytes(
              ((badChunks ? "zz" : Integer.toHexString(b.length)) + "\r\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.writeBytes(b);
          out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        } else if (body != null) {
          out.writeBytes(body);
        }
        return out.toByteArray();
      }
      if (fresh) head.append("Connection: close\r\n");
      if (body != null && chunked) {
        head.append("Transfer-Encoding: chunked\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        int at = 0;
        while (at < body.length) {
          int n = Math.min(body.length - at, 7);
          out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.UTF_8));
          out.write(body, at, n);
          out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
          at += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
      }
      if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
      head.append("\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      if (body != null) out.writeBytes(body);
      return out.toByteArray();
    }
  }
}
