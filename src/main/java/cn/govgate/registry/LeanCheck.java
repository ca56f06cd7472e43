package cn.govgate.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The check of a department answer on the request path: compiled once from the response schema of
 * the contract into a tree of small checks of what the gateway reads and passes on — types,
 * required fields, enums, patterns, formats ({@code date}, {@code date-time}), lengths, numeric
 * bounds, array sizes, and {@code allOf}/{@code oneOf}. It costs about a microsecond where
 * interpreting the schema cost about 50.
 *
 * <p>It leaves out what cannot change what a citizen gets: {@code additionalProperties} (the
 * services layer passes on contract fields only) and {@code uniqueItems}. Those, and anything this
 * compiler might read differently from a full JSON-schema validator, are caught by the full
 * validation {@link AnswerCheck} samples at run time and that the contract tests run on every
 * golden example. A keyword it does not know stops start-up, so the contract can never silently
 * outgrow it.
 */
final class LeanCheck {

  /**
   * A compiled check of one value (a JSON value as Vert.x parses it: Map/JsonObject,
   * List/JsonArray, ...).
   */
  @FunctionalInterface
  interface Node {
    boolean test(Object value);
  }

  /** Keywords that describe and never constrain. */
  private static final Set<String> DESCRIPTIVE =
      Set.of(
          "description",
          "title",
          "example",
          "examples",
          "default",
          "deprecated",
          "readOnly",
          "writeOnly",
          "externalDocs",
          "xml");

  /** Constraints left to the sampled full validation (see the class comment). */
  private static final Set<String> SAMPLED_ONLY = Set.of("additionalProperties", "uniqueItems");

  private final JsonObject root;

  private LeanCheck(JsonObject root) {
    this.root = root;
  }

  /**
   * Compiles {@code schema}; {@code $ref}s are resolved against {@code document} (local references
   * only).
   *
   * @throws IllegalStateException for a keyword or reference this compiler does not support
   */
  static Node compile(JsonObject document, JsonObject schema) {
    return new LeanCheck(document).node(schema, "#", new HashSet<>());
  }

  private Node node(JsonObject schema, String where, Set<String> refs) {
    if (schema.containsKey("$ref")) {
      String ref = schema.getString("$ref");
      if (!refs.add(ref)) {
        throw new IllegalStateException(
            "recursive schema reference " + ref + " is not supported at " + where);
      }
      Node target = node(resolve(ref), ref, refs);
      refs.remove(ref);
      return target;
    }
    List<Node> checks = new ArrayList<>();
    boolean nullable = schema.getBoolean("nullable", false);
    for (String keyword : schema.fieldNames()) {
      Object arg = schema.getValue(keyword);
      String at = where + "/" + keyword;
      switch (keyword) {
        case "type" -> checks.add(type((String) arg, at));
        case "enum" -> {
          Set<Object> allowed = new HashSet<>(((JsonArray) arg).getList());
          checks.add(v -> allowed.contains(v));
        }
        case "pattern" -> {
          Pattern p = Pattern.compile((String) arg);
          checks.add(v -> !(v instanceof String s) || p.matcher(s).find());
        }
        case "format" -> format((String) arg).ifPresent(checks::add);
        case "minLength" -> {
          int min = ((Number) arg).intValue();
          checks.add(v -> !(v instanceof String s) || s.codePointCount(0, s.length()) >= min);
        }
        case "maxLength" -> {
          int max = ((Number) arg).intValue();
          checks.add(v -> !(v instanceof String s) || s.codePointCount(0, s.length()) <= max);
        }
        case "minimum" -> {
          double min = ((Number) arg).doubleValue();
          checks.add(v -> !(v instanceof Number n) || n.doubleValue() >= min);
        }
        case "maximum" -> {
          double max = ((Number) arg).doubleValue();
          checks.add(v -> !(v instanceof Number n) || n.doubleValue() <= max);
        }
        case "minItems" -> {
          int min = ((Number) arg).intValue();
          checks.add(v -> size(v) < 0 || size(v) >= min);
        }
        case "maxItems" -> {
          int max = ((Number) arg).intValue();
          checks.add(v -> size(v) < 0 || size(v) <= max);
        }
        case "required" -> {
          List<String> names = strings((JsonArray) arg);
          checks.add(
              v -> {
                Map<?, ?> m = map(v);
                if (m == null) return true;
                for (String n : names) {
                  if (!m.containsKey(n)) return false;
                }
                return true;
              });
        }
        case "properties" -> checks.add(properties((JsonObject) arg, at, refs));
        case "items" -> {
          Node item = node((JsonObject) arg, at, refs);
          checks.add(
              v -> {
                List<?> list = list(v);
                if (list == null) return true;
                for (Object e : list) {
                  if (!item.test(e)) return false;
                }
                return true;
              });
        }
        case "allOf" -> {
          List<Node> all = nodes((JsonArray) arg, at, refs);
          checks.add(
              v -> {
                for (Node n : all) {
                  if (!n.test(v)) return false;
                }
                return true;
              });
        }
        case "oneOf" -> {
          List<Node> one = nodes((JsonArray) arg, at, refs);
          checks.add(
              v -> {
                int passed = 0;
                for (Node n : one) {
                  if (n.test(v)) passed++;
                }
                return passed == 1;
              });
        }
        case "nullable" -> {}
        default -> {
          // Vert.x marks resolved schemas with __...__ keys; $id, $schema, $comment and x-
          // extensions constrain nothing.
          boolean annotation =
              keyword.startsWith("__")
                  || keyword.startsWith("x-")
                  || keyword.equals("$id")
                  || keyword.equals("$schema")
                  || keyword.equals("$comment")
                  || keyword.equals("$anchor");
          if (!annotation && !DESCRIPTIVE.contains(keyword) && !SAMPLED_ONLY.contains(keyword)) {
            throw new IllegalStateException(
                "the answer check does not support keyword '" + keyword + "' at " + at);
          }
        }
      }
    }
    Node[] all = checks.toArray(Node[]::new);
    return v -> {
      if (v == null) return nullable;
      for (Node n : all) {
        if (!n.test(v)) return false;
      }
      return true;
    };
  }

  private Node properties(JsonObject properties, String where, Set<String> refs) {
    Map<String, Node> byName = new LinkedHashMap<>();
    for (String name : properties.fieldNames()) {
      // Vert.x annotates resolved schemas with __...__ entries, which are no properties.
      if (properties.getValue(name) instanceof JsonObject schema) {
        byName.put(name, node(schema, where + "/" + name, refs));
      }
    }
    String[] names = byName.keySet().toArray(String[]::new);
    Node[] nodes = byName.values().toArray(Node[]::new);
    return v -> {
      Map<?, ?> m = map(v);
      if (m == null) return true;
      for (int i = 0; i < names.length; i++) {
        // A present property must match its schema; JSON null is checked too (only nullable allows
        // it).
        if (m.containsKey(names[i]) && !nodes[i].test(m.get(names[i]))) return false;
      }
      return true;
    };
  }

  private List<Node> nodes(JsonArray schemas, String where, Set<String> refs) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < schemas.size(); i++) {
      out.add(node(schemas.getJsonObject(i), where + "/" + i, refs));
    }
    return out;
  }

  private JsonObject resolve(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalStateException("only local schema references are supported, not " + ref);
    }
    Object at = root;
    for (String part : ref.substring(2).split("/")) {
      at =
          at instanceof JsonObject o
              ? o.getValue(part.replace("~1", "/").replace("~0", "~"))
              : null;
    }
    if (!(at instanceof JsonObject schema)) {
      throw new IllegalStateException("unresolvable schema reference " + ref);
    }
    return schema;
  }

  private static Node type(String type, String where) {
    return switch (type) {
      case "object" -> v -> v instanceof Map || v instanceof JsonObject;
      case "array" -> v -> v instanceof List || v instanceof JsonArray;
      case "string" -> v -> v instanceof String;
      case "boolean" -> v -> v instanceof Boolean;
      case "integer" ->
          v ->
              v instanceof Integer
                  || v instanceof Long
                  || v instanceof java.math.BigInteger
                  || v instanceof Short
                  || v instanceof Byte
                  || (v instanceof Number n && !(v instanceof Float) && isWhole(n.doubleValue()));
      case "number" -> v -> v instanceof Number;
      default ->
          throw new IllegalStateException(
              "the answer check does not support type '" + type + "' at " + where);
    };
  }

  private static boolean isWhole(double d) {
    return !Double.isInfinite(d) && d == Math.rint(d);
  }

  private static java.util.Optional<Node> format(String format) {
    return switch (format) {
      case "date" ->
          java.util.Optional.of(v -> !(v instanceof String s) || parses(() -> LocalDate.parse(s)));
      case "date-time" ->
          java.util.Optional.of(
              v -> !(v instanceof String s) || parses(() -> OffsetDateTime.parse(s)));
      // int32/int64 and the like only annotate a type; unknown formats are annotations in JSON
      // Schema.
      default -> java.util.Optional.empty();
    };
  }

  private static boolean parses(Runnable parse) {
    try {
      parse.run();
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static Map<?, ?> map(Object v) {
    if (v instanceof JsonObject o) return o.getMap();
    return v instanceof Map<?, ?> m ? m : null;
  }

  private static List<?> list(Object v) {
    if (v instanceof JsonArray a) return a.getList();
    return v instanceof List<?> l ? l : null;
  }

  private static int size(Object v) {
    List<?> l = list(v);
    return l == null ? -1 : l.size();
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) out.add(a.getString(i));
    return out;
  }
}
