package cn.govgate.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The merged, flat view of configuration: built-in defaults (in the section records), then an
 * optional file (JSON, nested or dotted keys, or {@code .properties}), then environment variables
 * {@code GOVGATE_<KEY>} where the key is matched ignoring case, dots and underscores ({@code
 * GOVGATE_HTTP_BODY_LIMIT_BYTES} → {@code http.bodyLimitBytes}).
 *
 * <p>Typed getters fail with a {@link ConfigException} naming the key and the reason. Every key
 * read is remembered, so that {@link #rejectUnknown()} can refuse typos instead of silently
 * ignoring them.
 */
public final class ConfigValues {
  private static final String ENV_PREFIX = "GOVGATE_";

  /** normalized key → (source description, raw value) */
  private final Map<String, Entry> values = new LinkedHashMap<>();

  private final Set<String> known = new TreeSet<>();

  private record Entry(String key, String value, String source) {}

  private ConfigValues() {}

  /** Loads the file (may be null) and the environment. */
  public static ConfigValues load(Path file, Map<String, String> env) {
    ConfigValues v = new ConfigValues();
    if (file != null) v.readFile(file);
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && !name.equals("GOVGATE_CONFIG")) {
            String key = name.substring(ENV_PREFIX.length());
            v.values.put(normalize(key), new Entry(name, value, "environment variable " + name));
          }
        });
    return v;
  }

  /** A view over explicit values, for tests and embedding. */
  public static ConfigValues of(Map<String, String> settings) {
    ConfigValues v = new ConfigValues();
    settings.forEach((k, value) -> v.values.put(normalize(k), new Entry(k, value, "setting " + k)));
    return v;
  }

  /**
   * Adds {@code defaults} for the keys the file and the environment leave unset: how a program that
   * embeds the gateway (the demo) supplies what it generated, while every setting of the operator
   * still wins. Returns this.
   */
  public ConfigValues withDefaults(Map<String, String> defaults) {
    defaults.forEach(
        (k, value) -> values.putIfAbsent(normalize(k), new Entry(k, value, "default " + k)));
    return this;
  }

  private void readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(
          "config", "cannot read file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> flat = new HashMap<>();
    if (file.toString().endsWith(".properties")) {
      Properties p = new Properties();
      try {
        p.load(new StringReader(text));
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("config", "file " + file + " is not a valid properties file");
      }
      p.forEach((k, val) -> flat.put(k.toString(), val.toString()));
    } else {
      JsonObject json;
      try {
        json = new JsonObject(text);
      } catch (RuntimeException e) {
        throw new ConfigException("config", "file " + file + " is not valid JSON");
      }
      flatten("", json, flat);
    }
    flat.forEach((k, val) -> values.put(normalize(k), new Entry(k, val, "file " + file)));
  }

  private static void flatten(String prefix, JsonObject json, Map<String, String> out) {
    for (Map.Entry<String, Object> e : json) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject nested) {
        flatten(key, nested, out);
      } else if (e.getValue() != null) {
        out.put(key, String.valueOf(e.getValue()));
      }
    }
  }

  static String normalize(String key) {
    return key.replace(".", "").replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** The raw value, or null when not set. Marks the key as known. */
  public String raw(String key) {
    known.add(normalize(key));
    Entry e = values.get(normalize(key));
    return e == null || e.value().isBlank() ? null : e.value().trim();
  }

  public boolean isSet(String key) {
    return raw(key) != null;
  }

  public String string(String key, String def) {
    String v = raw(key);
    return v == null ? def : v;
  }

  /** A value that must be present. */
  public String required(String key) {
    String v = raw(key);
    if (v == null) throw new ConfigException(key, "is required but not set");
    return v;
  }

  public int integer(String key, int def, int min, int max) {
    String v = raw(key);
    if (v == null) return def;
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be an integer, got '" + printable(key, v) + "'");
    }
    if (n < min || n > max)
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + n);
    return n;
  }

  public long longValue(String key, long def, long min, long max) {
    String v = raw(key);
    if (v == null) return def;
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be an integer, got '" + printable(key, v) + "'");
    }
    if (n < min || n > max)
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + n);
    return n;
  }

  public boolean bool(String key, boolean def) {
    String v = raw(key);
    if (v == null) return def;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default ->
          throw new ConfigException(key, "must be true or false, got '" + printable(key, v) + "'");
    };
  }

  /**
   * A duration in ISO-8601 ({@code PT15M}) or with a unit suffix ({@code 500ms}, {@code 20s},
   * {@code 15m}, {@code 1h}).
   */
  public Duration duration(String key, Duration def, Duration min, Duration max) {
    String v = raw(key);
    if (v == null) return def;
    Duration d = parseDuration(v);
    if (d == null)
      throw new ConfigException(
          key, "must be a duration like 500ms, 20s, 15m or PT15M, got '" + v + "'");
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + d);
    }
    return d;
  }

  static Duration parseDuration(String v) {
    try {
      if (v.startsWith("P") || v.startsWith("p")) return Duration.parse(v);
      String s = v.toLowerCase(Locale.ROOT);
      if (s.endsWith("ms"))
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> null;
      };
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** One of the allowed values (case-insensitive), returned in lower case. */
  public String oneOf(String key, String def, String... allowed) {
    String v = raw(key);
    if (v == null) return def;
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v)) return a;
    }
    throw new ConfigException(
        key, "must be one of " + String.join(", ", allowed) + ", got '" + printable(key, v) + "'");
  }

  /**
   * Refuses keys nobody read: a typo must not silently fall back to a default. Call after all
   * sections.
   */
  public void rejectUnknown() {
    for (Map.Entry<String, Entry> e : values.entrySet()) {
      if (!known.contains(e.getKey())) {
        throw new ConfigException(
            e.getValue().key(), "unknown configuration key (from " + e.getValue().source() + ")");
      }
    }
  }

  private static String printable(String key, String v) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.contains("password") || k.contains("secret") || k.contains("key")) return "***";
    return v.length() > 60 ? v.substring(0, 60) + "…" : v;
  }
}
