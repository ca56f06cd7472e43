package cn.govgate.app;

import cn.govgate.audit.AuditChain;
import cn.govgate.config.ConfigException;
import cn.govgate.config.GovgateConfig;
import cn.govgate.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Operator commands that run against the configured database without starting the HTTP server:
 * {@code audit-check} verifies the audit hash chain (exit 0 when intact, 3 when broken).
 */
final class Commands {
  static final int EXIT_CHECK_FAILED = 3;
  static final List<String> NAMES = List.of("audit-check");

  private Commands() {}

  static int run(String name, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    GovgateConfig config;
    try {
      config = Main.loadConfig(args, env);
    } catch (ConfigException e) {
      err.println("govgate: configuration error: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    return switch (name) {
      case "audit-check" -> withDatabase(config, out, err, (db, vertx) -> AuditChain.verify(db.pool(),
          config.audit().hmacKey()).map(r -> {
            if (r.intact()) {
              out.println("audit chain intact: " + r.records() + " records checked");
              return 0;
            }
            out.println("audit chain BROKEN at record " + r.brokenAt() + ": " + r.reason()
                + " (" + r.records() + " records verified before it)");
            return EXIT_CHECK_FAILED;
          }));
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Runs {@code command} with a migrated database, then closes everything. Blocking: main thread only. */
  static int withDatabase(GovgateConfig config, PrintStream out, PrintStream err,
      BiFunction<Database, Vertx, Future<Integer>> command) {
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.start(vertx, config.db(), config.dataDir()).await(5, TimeUnit.MINUTES);
      try {
        return command.apply(db, vertx).await(30, TimeUnit.MINUTES);
      } finally {
        db.close(vertx).await(1, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      err.println("govgate: command failed: " + Main.reason(e));
      return Main.EXIT_STARTUP;
    } finally {
      vertx.close();
    }
  }
}
