package cn.govgate.demo;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;

/**
 * {@code demo-manifest.json}: everything a client needs to try the demo — base URL, ops URLs,
 * simulators, app ids, key files and test citizens. Written atomically into the data directory.
 */
public final class DemoManifest {
  private DemoManifest() {}

  /** The part every demo has: gateway URLs and the embedded database. */
  public static JsonObject base(
      Path dataDir, String baseUrl, String opsUrl, Map<String, String> db) {
    return new JsonObject()
        .put("generatedAt", Instant.now().toString())
        .put("baseUrl", baseUrl)
        .put(
            "ops",
            new JsonObject()
                .put("live", opsUrl + "/health/live")
                .put("ready", opsUrl + "/health/ready")
                .put("metrics", opsUrl + "/metrics"))
        .put("dataDir", dataDir.toString())
        .put(
            "database",
            new JsonObject()
                .put("embedded", true)
                .put("host", db.get("db.host"))
                .put("port", Integer.parseInt(db.get("db.port")))
                .put("database", db.get("db.database"))
                .put("user", db.get("db.user")));
  }

  /**
   * Writes the manifest atomically (temp file + move), so a reader never sees half of it. Blocking.
   */
  public static void write(Path path, JsonObject manifest) {
    try {
      Files.createDirectories(path.getParent());
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.writeString(tmp, manifest.encodePrettily());
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo manifest " + path, e);
    }
  }
}
