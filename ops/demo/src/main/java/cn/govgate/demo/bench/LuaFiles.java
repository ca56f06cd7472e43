package cn.govgate.demo.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The data files the wrk scripts load with {@code dofile}: Lua tables of strings. Blocking file
 * I/O.
 */
final class LuaFiles {

  private LuaFiles() {}

  /** {@code return { "a", "b", ... }}. */
  static void writeStrings(Path file, List<String> values) throws IOException {
    StringBuilder lua = new StringBuilder(values.size() * 64).append("return {\n");
    for (String v : values) {
      lua.append(quote(v)).append(",\n");
    }
    write(file, lua.append("}\n"));
  }

  /** {@code return { keyId = ..., path = ..., requests = { {body=, ts=, sig=, rid=}, ... } }}. */
  static void writeSignedRequests(Path file, String keyId, List<BenchData.SignedRequest> requests)
      throws IOException {
    StringBuilder lua =
        new StringBuilder(requests.size() * 400)
            .append("return {\n  keyId = ")
            .append(quote(keyId))
            .append(",\n  path = ")
            .append(quote(requests.isEmpty() ? "" : requests.get(0).path()))
            .append(",\n  requests = {\n");
    for (BenchData.SignedRequest r : requests) {
      lua.append("    {body = ")
          .append(quote(r.body()))
          .append(", ts = \"")
          .append(r.timestamp())
          .append("\", sig = ")
          .append(quote(r.signature()))
          .append(", rid = ")
          .append(quote(r.requestId()))
          .append("},\n");
    }
    write(file, lua.append("  }\n}\n"));
  }

  /**
   * {@code return { path = { ... }, auth = { ... } }}: scenario (e)'s signed partner requests, as
   * two flat arrays of strings, one value per line. Not a table of tables: LuaJIT makes each inner
   * table a constant of the chunk's main function, which may hold at most 65,536 — a run of (e) at
   * a few thousand requests per second needs more.
   */
  static void writePartnerRequests(Path file, List<PartnerRequests.Signed> requests)
      throws IOException {
    StringBuilder lua = new StringBuilder(requests.size() * 500).append("return {\npath = {\n");
    for (PartnerRequests.Signed r : requests) {
      lua.append(quote(r.path())).append(",\n");
    }
    lua.append("},\nauth = {\n");
    for (PartnerRequests.Signed r : requests) {
      lua.append(quote(r.authorization())).append(",\n");
    }
    write(file, lua.append("}\n}\n"));
  }

  /**
   * A Lua string literal; non-ASCII text is kept as its UTF-8 bytes, which Lua strings hold as they
   * are.
   */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\%03d", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void write(Path file, CharSequence content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
