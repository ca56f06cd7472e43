package cn.govgate.registry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The SQL of department credentials beyond issuing one: the list, rotation (a new credential; the
 * old one expires after a grace period) and revocation. Each change commits with a NOTIFY {@code
 * credentials:<department>} on the registry channel, so that every instance reloads its {@link
 * Credentials} table.
 */
final class CredentialStore {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS =
      "id, department_id, secret_sha256, created_at, expires_at, revoked_at, "
          + "replaces, replaced_by";

  private final Pool pool;

  CredentialStore(Pool pool) {
    this.pool = pool;
  }

  /** One stored credential (its secret only as a hash). */
  record CredentialRow(
      String id,
      String departmentId,
      byte[] secretSha256,
      OffsetDateTime createdAt,
      OffsetDateTime expiresAt,
      OffsetDateTime revokedAt,
      String replaces,
      String replacedBy) {

    /**
     * {@code revoked}, {@code expired}, {@code expiring} (rotated, in its grace period) or {@code
     * active}.
     */
    String status(Instant now) {
      if (revokedAt != null) return "revoked";
      if (expiresAt == null) return "active";
      return expiresAt.toInstant().isAfter(now) ? "expiring" : "expired";
    }

    JsonObject toJson(Instant now) {
      JsonObject json =
          new JsonObject()
              .put("credentialId", id)
              .put("departmentId", departmentId)
              .put("status", status(now))
              .put("createdAt", createdAt.toString());
      if (expiresAt != null) json.put("expiresAt", expiresAt.toString());
      if (revokedAt != null) json.put("revokedAt", revokedAt.toString());
      if (replaces != null) json.put("replaces", replaces);
      if (replacedBy != null) json.put("replacedBy", replacedBy);
      return json;
    }
  }

  /**
   * A new credential: its row and its token ({@code gdc_<id>.<secret>}), which exists only in this
   * answer.
   */
  record Issued(CredentialRow row, String token) {}

  /**
   * Every credential that can still authenticate (not revoked), for the in-memory table of each
   * instance.
   */
  Future<Map<String, CredentialRow>> loadUsable() {
    return pool.query("SELECT " + COLUMNS + " FROM department_credentials WHERE revoked_at IS NULL")
        .execute()
        .map(
            rows -> {
              Map<String, CredentialRow> map = new HashMap<>();
              rows.forEach(r -> map.put(r.getString("id"), row(r)));
              return map;
            });
  }

  /** The department's credentials, newest first. */
  Future<List<CredentialRow>> list(String departmentId) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM department_credentials WHERE department_id = $1 "
                + "ORDER BY created_at DESC, id")
        .execute(Tuple.of(departmentId))
        .map(
            rows -> {
              List<CredentialRow> list = new ArrayList<>();
              rows.forEach(r -> list.add(row(r)));
              return list;
            });
  }

  /**
   * Rotates an active credential: a new one that {@code replaces} it, and the old one expiring at
   * {@code oldExpiresAt}. Fails 404 {@code registry.credential_not_found}, 409 {@code
   * registry.credential_not_active}.
   */
  Future<Issued> rotate(String departmentId, String credentialId, Instant oldExpiresAt) {
    byte[] idBytes = new byte[9];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    String id = HexFormat.of().formatHex(idBytes);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return pool.withTransaction(
        conn ->
            locked(conn, departmentId, credentialId)
                .compose(
                    old -> {
                      if (old.revokedAt() != null || old.expiresAt() != null) {
                        return Future.failedFuture(CredentialErrors.notActive());
                      }
                      return conn.preparedQuery(
                              "INSERT INTO department_credentials (id, department_id, secret_sha256, replaces) "
                                  + "VALUES ($1, $2, $3, $4) RETURNING "
                                  + COLUMNS)
                          .execute(
                              Tuple.of(
                                  id, departmentId, RegistryStore.sha256(secretText), credentialId))
                          .compose(
                              rows ->
                                  conn.preparedQuery(
                                          "UPDATE department_credentials SET expires_at = $2, "
                                              + "replaced_by = $3 WHERE id = $1")
                                      .execute(Tuple.of(credentialId, utc(oldExpiresAt), id))
                                      .map(rows.iterator().next()));
                    })
                .compose(
                    r ->
                        notify(conn, departmentId)
                            .map(new Issued(row(r), "gdc_" + id + "." + secretText))));
  }

  /**
   * Revokes a credential at {@code at} (at once, whatever its grace period); revoking a revoked one
   * changes nothing. Succeeds with the row and whether this call revoked it; fails 404 {@code
   * registry.credential_not_found}.
   */
  Future<Map.Entry<CredentialRow, Boolean>> revoke(
      String departmentId, String credentialId, Instant at) {
    return pool.withTransaction(
        conn ->
            locked(conn, departmentId, credentialId)
                .compose(
                    old -> {
                      if (old.revokedAt() != null) {
                        return Future.succeededFuture(Map.entry(old, false));
                      }
                      return conn.preparedQuery(
                              "UPDATE department_credentials SET revoked_at = $2 WHERE id = $1 RETURNING "
                                  + COLUMNS)
                          .execute(Tuple.of(credentialId, utc(at)))
                          .compose(
                              rows ->
                                  notify(conn, departmentId)
                                      .map(Map.entry(row(rows.iterator().next()), true)));
                    }));
  }

  private static Future<CredentialRow> locked(
      SqlConnection conn, String departmentId, String credentialId) {
    return conn.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM department_credentials WHERE id = $1 "
                + "AND department_id = $2 FOR UPDATE")
        .execute(Tuple.of(credentialId, departmentId))
        .compose(
            rows ->
                rows.size() == 0
                    ? Future.failedFuture(CredentialErrors.notFound())
                    : Future.succeededFuture(row(rows.iterator().next())));
  }

  private static Future<Void> notify(SqlConnection conn, String departmentId) {
    return conn.preparedQuery("SELECT pg_notify('" + RegistryStore.CHANNEL + "', $1)")
        .execute(Tuple.of(Credentials.NOTIFY_PREFIX + departmentId))
        .mapEmpty();
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static CredentialRow row(Row r) {
    return new CredentialRow(
        r.getString("id"),
        r.getString("department_id"),
        r.getBuffer("secret_sha256").getBytes(),
        r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("expires_at"),
        r.getOffsetDateTime("revoked_at"),
        r.getString("replaces"),
        r.getString("replaced_by"));
  }
}
