package cn.govgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.config.DatabaseConfig;
import cn.govgate.testing.TestPostgres;
import io.vertx.core.Vertx;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database migrated by an earlier release that lacked a migration numbered below its newest one
 * (versions are handed out in ranges, so work landing later can bring a lower number) still starts:
 * the gateway applies the missing migration instead of refusing with a validation error.
 */
class MigrationOrderTest {
  @TempDir Path earlier;

  @Test
  void aMigrationNumberedBelowTheNewestAppliedOneIsAppliedAtStart() throws Exception {
    URL url = Database.class.getClassLoader().getResource("db/migration");
    Path migrations = Paths.get(url.toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(migrations)) {
      files =
          s.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql"))
              .sorted(Comparator.comparingInt(MigrationOrderTest::version))
              .toList();
    }
    assertThat(files).hasSizeGreaterThan(2);
    // The "earlier release": every migration but the second newest.
    Path skipped = files.get(files.size() - 2);
    for (Path f : files) {
      if (!f.equals(skipped)) Files.copy(f, earlier.resolve(f.getFileName()));
    }
    Map<String, String> db = TestPostgres.newDatabase();
    String jdbc =
        "jdbc:postgresql://"
            + db.get("db.host")
            + ":"
            + db.get("db.port")
            + "/"
            + db.get("db.database");
    Flyway.configure()
        .dataSource(jdbc, db.get("db.user"), null)
        .locations("filesystem:" + earlier)
        .load()
        .migrate();
    String skippedVersion = Integer.toString(version(skipped));
    assertThat(appliedVersions(jdbc, db.get("db.user"))).doesNotContain(skippedVersion);

    Vertx vertx = Vertx.vertx();
    try {
      Database started =
          Database.start(
                  vertx,
                  new DatabaseConfig(
                      db.get("db.host"),
                      Integer.parseInt(db.get("db.port")),
                      db.get("db.database"),
                      db.get("db.user"),
                      null,
                      2,
                      false,
                      16,
                      Duration.ofSeconds(5),
                      Duration.ofSeconds(5),
                      Duration.ofSeconds(30)))
              .await(2, TimeUnit.MINUTES);
      assertThat(started).isNotNull();
    } finally {
      vertx.close().await(1, TimeUnit.MINUTES);
    }
    assertThat(appliedVersions(jdbc, db.get("db.user"))).contains(skippedVersion);
  }

  private static int version(Path migration) {
    String name = migration.getFileName().toString();
    return Integer.parseInt(name.substring(1, name.indexOf("__")));
  }

  private static List<String> appliedVersions(String jdbc, String user) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc, user, null);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY 1")) {
      List<String> out = new java.util.ArrayList<>();
      while (r.next()) out.add(r.getString(1));
      return out;
    }
  }
}
