package cn.govgate.audit;

import cn.govgate.app.MainAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the {@code audit-check} command as an operator would, with {@code settings} as {@code
 * GOVGATE_*} environment variables; its exit code and what it printed.
 */
record AuditCheckCommand(int code, String stdout) {

  static AuditCheckCommand run(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    settings.forEach((k, v) -> env.put("GOVGATE_" + k.replace('.', '_').toUpperCase(), v));
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = MainAccess.run(new String[] {"audit-check"}, env, System.err);
      return new AuditCheckCommand(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
