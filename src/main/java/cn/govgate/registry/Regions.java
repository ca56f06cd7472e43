package cn.govgate.registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GB/T 2260 region codes a backend may be registered for, from the resource {@code
 * registry/regions.tsv} (province-level divisions and the prefecture-level ones listed there).
 */
public final class Regions {

  private static final Map<String, String> NAMES = load();

  private Regions() {}

  public static boolean known(String code) {
    return code != null && NAMES.containsKey(code);
  }

  /** The official name of a known code, null otherwise. */
  public static String name(String code) {
    return code == null ? null : NAMES.get(code);
  }

  public static Map<String, String> all() {
    return NAMES;
  }

  private static Map<String, String> load() {
    Map<String, String> names = new LinkedHashMap<>();
    try (InputStream in =
        Regions.class.getClassLoader().getResourceAsStream("registry/regions.tsv")) {
      if (in == null) {
        throw new IllegalStateException("registry/regions.tsv is missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\t", 2);
        if (parts.length != 2 || !parts[0].matches("\\d{6}")) {
          throw new IllegalStateException("bad line in registry/regions.tsv: " + line);
        }
        names.put(parts[0], parts[1].trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableMap(names);
  }
}
