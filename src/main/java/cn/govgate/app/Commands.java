package cn.govgate.app;

import cn.govgate.audit.AuditChain;
import cn.govgate.complaints.Complaints;
import cn.govgate.config.ConfigException;
import cn.govgate.config.GovgateConfig;
import cn.govgate.identity.PersonalDataCipher;
import cn.govgate.identity.Reencryption;
import cn.govgate.identity.Reindexing;
import cn.govgate.registry.RegistryStore;
import cn.govgate.reminders.Reminders;
import cn.govgate.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Operator commands that run against the configured database without starting the HTTP server:
 * {@code audit-check} verifies the audit hash chain, archived partitions from their files (exit 0
 * when intact, 3 when broken); {@code reencrypt} re-encrypts every personal-data row under the
 * current data key ({@code identity.dataKeys}, first entry) and sealing algorithm ({@code
 * crypto.dataSealing}), and every backend secret in that algorithm, after which retired data keys
 * can be removed from the configuration; {@code reindex} rebuilds the blind indexes in the current
 * algorithm ({@code crypto.blindIndex}).
 */
final class Commands {
  static final int EXIT_CHECK_FAILED = 3;
  static final List<String> NAMES = List.of("audit-check", "reencrypt", "reindex");

  private Commands() {}

  static int run(
      String name, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    GovgateConfig config;
    try {
      config = Main.loadConfig(args, env);
    } catch (ConfigException e) {
      err.println("govgate: configuration error: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    return switch (name) {
      case "audit-check" ->
          withDatabase(
              config,
              out,
              err,
              (db, vertx) ->
                  AuditChain.verify(
                          vertx, db.pool(), config.audit().hmacKey(), config.audit().archiveDir())
                      .map(
                          r -> {
                            if (r.intact()) {
                              out.println(
                                  "audit chain intact: "
                                      + r.records()
                                      + " records checked"
                                      + (r.archives() == 0
                                          ? ""
                                          : " (from "
                                              + r.archives()
                                              + " archive files, re-hashed, and the database)"));
                              return 0;
                            }
                            out.println(
                                "audit chain BROKEN at record "
                                    + r.brokenAt()
                                    + ": "
                                    + r.reason()
                                    + " ("
                                    + r.records()
                                    + " records verified before it)");
                            return EXIT_CHECK_FAILED;
                          }));
      case "reencrypt" ->
          withDatabase(
              config,
              out,
              err,
              (db, vertx) -> {
                PersonalDataCipher cipher = cipher(config);
                List<Reencryption.SealedTable> others = new ArrayList<>(Complaints.sealedTables());
                others.addAll(Reminders.sealedTables());
                return Reencryption.create(db.pool(), cipher, others)
                    .run()
                    .compose(
                        moved ->
                            RegistryStore.create(
                                    db.pool(),
                                    config.registry().secretKey(),
                                    config.registry().sm4SecretKey(),
                                    config.crypto().dataSealing())
                                .resealSecrets(100)
                                .map(
                                    secrets -> {
                                      out.println(
                                          "re-encrypted under "
                                              + config.crypto().dataSealing().configName()
                                              + " with data key "
                                              + cipher.currentKeyRef()
                                              + ": "
                                              + counts(moved)
                                              + "; "
                                              + secrets
                                              + " backend secrets");
                                      return 0;
                                    }));
              });
      case "reindex" ->
          withDatabase(
              config,
              out,
              err,
              (db, vertx) -> {
                PersonalDataCipher cipher = cipher(config);
                return Reindexing.create(db.pool(), cipher)
                    .run()
                    .map(
                        moved -> {
                          out.println(
                              "re-indexed with "
                                  + cipher.indexing().configName()
                                  + ": "
                                  + counts(moved));
                          return 0;
                        });
              });
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static PersonalDataCipher cipher(GovgateConfig config) {
    return PersonalDataCipher.create(
        config.identity().dataKeys(),
        config.identity().sm4DataKeys(),
        config.identity().blindIndexKey(),
        config.crypto());
  }

  private static String counts(Map<String, Long> moved) {
    StringBuilder sb = new StringBuilder();
    moved.forEach(
        (table, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(table));
    return sb.toString();
  }

  /**
   * Runs {@code command} with a migrated database, then closes everything. Blocking: main thread
   * only.
   */
  static int withDatabase(
      GovgateConfig config,
      PrintStream out,
      PrintStream err,
      BiFunction<Database, Vertx, Future<Integer>> command) {
    Vertx vertx = Vertx.vertx();
    try {
      Database db = Database.start(vertx, config.db()).await(5, TimeUnit.MINUTES);
      try {
        return command.apply(db, vertx).await(30, TimeUnit.MINUTES);
      } finally {
        db.close().await(1, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      err.println("govgate: command failed: " + Main.reason(e));
      return Main.EXIT_STARTUP;
    } finally {
      vertx.close();
    }
  }
}
