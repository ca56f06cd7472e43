package cn.govgate.partners;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.Provider;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The SQL of partners, keys, versions, nonces, usage counters and consents. Every change of a
 * partner runs in one transaction that bumps its version, stores the snapshot in {@code
 * partner_versions} and NOTIFYs {@value #CHANNEL}, which makes every instance reload its directory.
 */
final class PartnerStore {
  static final String CHANNEL = "govgate_partners";

  private final Pool pool;
  private final Provider rsa;

  /**
   * @param rsa the provider RSA2 keys are read for ({@link RsaProviders#forVerification})
   */
  PartnerStore(Pool pool, Provider rsa) {
    this.pool = pool;
    this.rsa = rsa;
  }

  /** Settings of a partner as the operator gives them. */
  record Settings(String name, Set<String> scopes, int perSecond, int perDay, String callbackUrl) {}

  // ---------- reading ----------

  Future<Map<String, Partner>> loadAll() {
    return pool.withConnection(conn -> partners(conn, null));
  }

  private Future<Map<String, Partner>> partners(SqlClient conn, String onlyAppId) {
    String where = onlyAppId == null ? "" : " WHERE app_id = $1";
    Tuple args = onlyAppId == null ? Tuple.tuple() : Tuple.of(onlyAppId);
    return conn.preparedQuery(
            "SELECT app_id, key_id, algorithm, public_key, sm2_user_id, created_at, revoked_at "
                + "FROM partner_keys"
                + where
                + " ORDER BY app_id, created_at, key_id")
        .execute(args)
        .compose(
            keyRows ->
                conn.preparedQuery(
                        "SELECT app_id, name, status, scopes, quota_per_second, "
                            + "quota_per_day, callback_url, version FROM partners"
                            + where
                            + " ORDER BY app_id")
                    .execute(args)
                    .map(
                        rows -> {
                          Map<String, Map<String, Partner.Key>> keys = new LinkedHashMap<>();
                          for (Row k : keyRows) {
                            keys.computeIfAbsent(k.getString("app_id"), a -> new LinkedHashMap<>())
                                .put(k.getString("key_id"), key(k));
                          }
                          Map<String, Partner> out = new LinkedHashMap<>();
                          for (Row r : rows) {
                            String appId = r.getString("app_id");
                            out.put(
                                appId,
                                new Partner(
                                    appId,
                                    r.getString("name"),
                                    r.getString("status"),
                                    Set.copyOf(List.of(r.getArrayOfStrings("scopes"))),
                                    r.getInteger("quota_per_second"),
                                    r.getInteger("quota_per_day"),
                                    r.getString("callback_url"),
                                    r.getInteger("version"),
                                    Map.copyOf(keys.getOrDefault(appId, Map.of()))));
                          }
                          return out;
                        }));
  }

  private Partner.Key key(Row k) {
    SignatureAlgorithm algorithm = SignatureAlgorithm.valueOf(k.getString("algorithm"));
    String spki = k.getString("public_key");
    OffsetDateTime revoked = k.getOffsetDateTime("revoked_at");
    return new Partner.Key(
        k.getString("key_id"),
        algorithm,
        spki,
        RsaProviders.forVerification(
            algorithm == SignatureAlgorithm.RSA2 ? rsa : null,
            algorithm.publicKey(Base64.getDecoder().decode(spki))),
        k.getString("sm2_user_id"),
        revoked != null,
        k.getOffsetDateTime("created_at").toInstant().toString(),
        revoked == null ? null : revoked.toInstant().toString());
  }

  Future<Partner> partner(String appId) {
    return pool.withConnection(conn -> one(conn, appId));
  }

  private Future<Partner> one(SqlClient conn, String appId) {
    return partners(conn, appId)
        .compose(
            m ->
                m.containsKey(appId)
                    ? Future.succeededFuture(m.get(appId))
                    : Future.failedFuture(PartnerErrors.partnerNotFound()));
  }

  Future<JsonArray> versions(String appId) {
    return partner(appId)
        .compose(
            p ->
                pool.preparedQuery(
                        "SELECT version, change, actor, snapshot, changed_at "
                            + "FROM partner_versions WHERE app_id = $1 ORDER BY version")
                    .execute(Tuple.of(appId)))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              for (Row r : rows) {
                out.add(
                    new JsonObject()
                        .put("version", r.getInteger("version"))
                        .put("change", r.getString("change"))
                        .put("actor", r.getString("actor"))
                        .put("changedAt", r.getOffsetDateTime("changed_at").toInstant().toString())
                        .put("partner", (JsonObject) r.getValue("snapshot")));
              }
              return out;
            });
  }

  // ---------- changes (each a version) ----------

  Future<Partner> create(String appId, Settings s, String actor) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "INSERT INTO partners (app_id, name, status, scopes, "
                        + "quota_per_second, quota_per_day, callback_url, version) VALUES ($1, $2, 'active', $3, $4, $5, $6, 0) "
                        + "ON CONFLICT DO NOTHING")
                .execute(
                    Tuple.of(
                        appId,
                        s.name(),
                        s.scopes().toArray(String[]::new),
                        s.perSecond(),
                        s.perDay(),
                        s.callbackUrl()))
                .compose(
                    r ->
                        r.rowCount() == 0
                            ? Future.failedFuture(PartnerErrors.partnerExists())
                            : versioned(conn, appId, "created", actor)));
  }

  Future<Partner> update(String appId, Settings s, String actor) {
    return change(
        appId,
        "updated",
        actor,
        conn ->
            conn.preparedQuery(
                    "UPDATE partners SET name = $2, scopes = $3, "
                        + "quota_per_second = $4, quota_per_day = $5, callback_url = $6 WHERE app_id = $1")
                .execute(
                    Tuple.of(
                        appId,
                        s.name(),
                        s.scopes().toArray(String[]::new),
                        s.perSecond(),
                        s.perDay(),
                        s.callbackUrl()))
                .mapEmpty());
  }

  Future<Partner> status(String appId, String status, String actor) {
    return change(
        appId,
        status.equals("active") ? "activated" : "suspended",
        actor,
        conn ->
            conn.preparedQuery("UPDATE partners SET status = $2 WHERE app_id = $1")
                .execute(Tuple.of(appId, status))
                .mapEmpty());
  }

  Future<Partner> addKey(
      String appId,
      String keyId,
      SignatureAlgorithm algorithm,
      String spki,
      String sm2UserId,
      String actor) {
    return change(
        appId,
        "key_added:" + keyId,
        actor,
        conn ->
            conn.preparedQuery(
                    "INSERT INTO partner_keys "
                        + "(app_id, key_id, algorithm, public_key, sm2_user_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(appId, keyId, algorithm.name(), spki, sm2UserId))
                .compose(
                    r ->
                        r.rowCount() == 0
                            ? Future.failedFuture(PartnerErrors.keyExists())
                            : Future.succeededFuture()));
  }

  Future<Partner> revokeKey(String appId, String keyId, String actor) {
    return change(
        appId,
        "key_revoked:" + keyId,
        actor,
        conn ->
            conn.preparedQuery(
                    "UPDATE partner_keys "
                        + "SET revoked_at = coalesce(revoked_at, now()) WHERE app_id = $1 AND key_id = $2")
                .execute(Tuple.of(appId, keyId))
                .compose(
                    r ->
                        r.rowCount() == 0
                            ? Future.failedFuture(PartnerErrors.keyNotFound())
                            : Future.succeededFuture()));
  }

  private Future<Partner> change(
      String appId, String change, String actor, Function<SqlConnection, Future<Void>> apply) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery("SELECT 1 FROM partners WHERE app_id = $1 FOR UPDATE")
                .execute(Tuple.of(appId))
                .compose(
                    r ->
                        r.size() == 0
                            ? Future.failedFuture(PartnerErrors.partnerNotFound())
                            : apply.apply(conn))
                .compose(v -> versioned(conn, appId, change, actor)));
  }

  private Future<Partner> versioned(SqlConnection conn, String appId, String change, String actor) {
    return conn.preparedQuery(
            "UPDATE partners SET version = version + 1, updated_at = now() WHERE app_id = $1")
        .execute(Tuple.of(appId))
        .compose(v -> one(conn, appId))
        .compose(
            p ->
                conn.preparedQuery(
                        "INSERT INTO partner_versions (app_id, version, change, actor, snapshot) "
                            + "VALUES ($1, $2, $3, $4, $5)")
                    .execute(Tuple.of(appId, p.version(), change, actor, p.toJson()))
                    .compose(
                        v ->
                            conn.preparedQuery("SELECT pg_notify($1, $2)")
                                .execute(Tuple.of(CHANNEL, appId)))
                    .map(p));
  }

  // ---------- admission of one signed request ----------

  /** What one admission statement found: the nonce was new, the consent row (if named). */
  record Admission(boolean freshNonce, Consent consent) {}

  /** A consent as the partner API checks it. */
  record Consent(String citizenKey, Set<String> scopes, Instant expiresAt, boolean revoked) {}

  /**
   * In one round trip: records the nonce (unique per app, so a replay fails on any instance) and
   * reads the named consent of this partner. Quotas are leased apart ({@link QuotaLeases}): a row
   * every request of a partner updates serialises all of them.
   */
  Future<Admission> admit(String appId, String nonce, Instant nonceExpires, String consentId) {
    String sql =
        "WITH n AS (INSERT INTO partner_nonces (app_id, nonce, expires_at) VALUES ($1, $2, $3) "
            + "ON CONFLICT DO NOTHING RETURNING 1) "
            + "SELECT (SELECT count(*) FROM n) AS fresh, "
            + "c.citizen_key, c.scopes, c.expires_at, c.revoked_at "
            + "FROM (SELECT 1) one LEFT JOIN consents c ON c.id = $4 AND c.app_id = $1";
    return pool.preparedQuery(sql)
        .execute(
            Tuple.of(
                appId, nonce, OffsetDateTime.ofInstant(nonceExpires, ZoneOffset.UTC), consentId))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              Consent consent =
                  r.getString("citizen_key") == null
                      ? null
                      : new Consent(
                          r.getString("citizen_key"),
                          Set.copyOf(List.of(r.getArrayOfStrings("scopes"))),
                          r.getOffsetDateTime("expires_at").toInstant(),
                          r.getOffsetDateTime("revoked_at") != null);
              return new Admission(r.getLong("fresh") > 0, consent);
            });
  }

  /**
   * Asks for {@code chunk} requests of a partner's window ({@code kind} 's': one epoch second, 'd':
   * one Beijing day): adds them to the window's counter of everything asked for, atomically. Once
   * the counter reached the quota it stops growing, at {@code quota + chunk} (so refusals never
   * overflow it, and read as nothing granted).
   *
   * @return the counter after this request: below {@code quota + chunk} it was added to, and what
   *     was asked before is that minus {@code chunk}
   */
  Future<Long> lease(String appId, char kind, long window, int chunk, int quota) {
    return pool.preparedQuery(
            "INSERT INTO partner_usage (app_id, window_kind, window_start, used) VALUES ($1, $2, $3, $4) "
                + "ON CONFLICT (app_id, window_kind, window_start) DO UPDATE SET used = "
                + "CASE WHEN partner_usage.used >= $5 THEN GREATEST(partner_usage.used, $5 + $4) "
                + "ELSE partner_usage.used + $4 END RETURNING used")
        .execute(Tuple.of(appId, String.valueOf(kind), window, chunk, quota))
        .map(rows -> rows.iterator().next().getLong("used"));
  }

  /** Deletes nonces past their window and usage rows no quota looks at any more. */
  Future<Void> purge(Instant now, long epochSecond, long beijingDay) {
    return pool.preparedQuery("DELETE FROM partner_nonces WHERE expires_at < $1")
        .execute(Tuple.of(OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
        .compose(
            v ->
                pool.preparedQuery(
                        "DELETE FROM partner_usage WHERE (window_kind = 's' AND window_start < $1) "
                            + "OR (window_kind = 'd' AND window_start < $2)")
                    .execute(Tuple.of(epochSecond - 60, beijingDay - 2)))
        .mapEmpty();
  }

  // ---------- consents ----------

  Future<JsonObject> grant(
      String id,
      String appId,
      String citizenKey,
      Set<String> scopes,
      String purpose,
      Instant grantedAt,
      Instant expiresAt) {
    return pool.preparedQuery(
            "INSERT INTO consents (id, app_id, citizen_key, scopes, purpose, granted_at, "
                + "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "
                + CONSENT_COLUMNS)
        .execute(
            Tuple.of(
                id,
                appId,
                citizenKey,
                scopes.toArray(String[]::new),
                purpose,
                OffsetDateTime.ofInstant(grantedAt, ZoneOffset.UTC),
                OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)))
        .map(rows -> consentJson(rows.iterator().next(), grantedAt));
  }

  private static final String CONSENT_COLUMNS =
      "id, app_id, scopes, purpose, granted_at, expires_at, revoked_at";

  Future<JsonArray> consentsOf(String citizenKey, Instant now) {
    return pool.preparedQuery(
            "SELECT "
                + CONSENT_COLUMNS
                + " FROM consents WHERE citizen_key = $1 "
                + "ORDER BY granted_at DESC, id LIMIT 200")
        .execute(Tuple.of(citizenKey))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              rows.forEach(r -> out.add(consentJson(r, now)));
              return out;
            });
  }

  /**
   * Revokes the citizen's consent (again: no change); fails {@code consent.not_found} for anyone
   * else's.
   */
  Future<JsonObject> revoke(String citizenKey, String id, Instant now) {
    return pool.preparedQuery(
            "UPDATE consents SET revoked_at = coalesce(revoked_at, $3) "
                + "WHERE id = $1 AND citizen_key = $2 RETURNING "
                + CONSENT_COLUMNS)
        .execute(Tuple.of(id, citizenKey, OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
        .compose(
            rows ->
                rows.size() == 0
                    ? Future.failedFuture(PartnerErrors.consentNotYours())
                    : Future.succeededFuture(consentJson(rows.iterator().next(), now)));
  }

  private static JsonObject consentJson(Row r, Instant now) {
    Instant expires = r.getOffsetDateTime("expires_at").toInstant();
    OffsetDateTime revoked = r.getOffsetDateTime("revoked_at");
    String status = revoked != null ? "revoked" : expires.isAfter(now) ? "live" : "expired";
    JsonObject o =
        new JsonObject()
            .put("consentId", r.getString("id"))
            .put("appId", r.getString("app_id"))
            .put(
                "scopes",
                new JsonArray(
                    List.copyOf(new java.util.TreeSet<>(List.of(r.getArrayOfStrings("scopes"))))))
            .put("purpose", r.getString("purpose"))
            .put("grantedAt", r.getOffsetDateTime("granted_at").toInstant().toString())
            .put("expiresAt", expires.toString())
            .put("status", status);
    if (revoked != null) o.put("revokedAt", revoked.toInstant().toString());
    return o;
  }

  static Set<String> set(JsonArray array) {
    Set<String> out = new HashSet<>();
    array.forEach(v -> out.add((String) v));
    return out;
  }
}
