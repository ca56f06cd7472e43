package cn.govgate.registry;

import cn.govgate.crypto.SealAlgorithm;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry's SQL. Every backend and route-assignment change runs in one transaction that takes
 * the registry's advisory lock (so that two concurrent changes cannot both pass the route checks),
 * writes the new version to {@code backend_versions} or {@code route_assignment_versions} and
 * NOTIFYs {@value #CHANNEL}, which PostgreSQL delivers only on commit.
 */
public final class RegistryStore {

  /**
   * The LISTEN/NOTIFY channel of registry changes. The payload (a backend id, or {@code
   * assignments:<department>}) is informative only: every notification reloads the whole registry.
   */
  public static final String CHANNEL = "govgate_registry";

  private static final long REGISTRY_LOCK = 0x476f76_5265676973L; // "GovRegis"
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final SecretBox secrets;

  RegistryStore(Pool pool, byte[] secretKey, byte[] sm4SecretKey, SealAlgorithm sealing) {
    this.pool = pool;
    this.secrets = new SecretBox(secretKey, sm4SecretKey, sealing);
  }

  /**
   * A store on {@code pool} (the {@code reencrypt} command uses it without a running registry);
   * {@code sm4SecretKey} may be null unless SM4-GCM seals.
   */
  public static RegistryStore create(
      Pool pool, byte[] secretKey, byte[] sm4SecretKey, SealAlgorithm sealing) {
    return new RegistryStore(pool, secretKey, sm4SecretKey, sealing);
  }

  /**
   * Re-seals every backend secret not in the current sealing algorithm, {@code batch} rows per
   * round, each row guarded by its old value (a row changed meanwhile is picked up by the next
   * round). Safe to re-run; instances keep reading both formats meanwhile. Returns how many rows
   * moved.
   */
  public Future<Long> resealSecrets(int batch) {
    return resealRound(batch, 0);
  }

  private Future<Long> resealRound(int batch, long done) {
    return pool.preparedQuery(
            "SELECT id, auth_secret FROM backends WHERE auth_secret IS NOT NULL "
                + "AND NOT starts_with(auth_secret, $1) ORDER BY id LIMIT $2")
        .execute(Tuple.of(secrets.currentPrefix(), batch))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture(done);
              Future<Void> chain = Future.succeededFuture();
              for (Row r : rows) {
                String id = r.getString("id");
                String old = r.getString("auth_secret");
                String resealed = secrets.seal(id, secrets.open(id, old));
                chain =
                    chain.compose(
                        v ->
                            pool.preparedQuery(
                                    "UPDATE backends SET auth_secret = $2 WHERE id = $1 "
                                        + "AND auth_secret = $3")
                                .execute(Tuple.of(id, resealed, old))
                                .mapEmpty());
              }
              return chain.compose(v -> resealRound(batch, done + rows.size()));
            });
  }

  /** A department. */
  public record Department(String id, String name, String kind, OffsetDateTime createdAt) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("id", id)
          .put("name", name)
          .put("kind", kind)
          .put("createdAt", createdAt.toString());
    }
  }

  /** A stored backend with its current version. */
  public record BackendRow(
      String id,
      String departmentId,
      int version,
      String status,
      BackendSpec spec,
      String breakerOverride,
      long overrideSeq,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt) {

    public JsonObject toJson() {
      JsonObject json = spec.toJson();
      json.remove("weightExplicit");
      json.put("id", id)
          .put("departmentId", departmentId)
          .put("version", version)
          .put("status", status);
      if (breakerOverride != null) {
        json.put("breakerOverride", breakerOverride);
      }
      return json.put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
    }
  }

  /** A backend as instances load it: row plus decrypted secrets (memory only). */
  public record LoadedBackend(BackendRow row, BackendSpec.Secrets secrets) {}

  /** Who made a change, for the version history. */
  public record Actor(String type, String id) {}

  // ---------- departments and credentials ----------

  Future<Department> createDepartment(String id, String name, String kind) {
    return pool.preparedQuery(
            "INSERT INTO departments (id, name, kind) VALUES ($1, $2, $3) ON CONFLICT (id) DO "
                + "NOTHING RETURNING id, name, kind, created_at")
        .execute(Tuple.of(id, name, kind))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ErrorCode.ADMIN_DEPARTMENT_EXISTS.error();
              }
              return department(rows.iterator().next());
            });
  }

  /** A department by id; fails 404 {@code admin.department_not_found}. */
  public Future<Department> department(String id) {
    return pool.preparedQuery("SELECT id, name, kind, created_at FROM departments WHERE id = $1")
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ErrorCode.ADMIN_DEPARTMENT_NOT_FOUND.error();
              }
              return department(rows.iterator().next());
            });
  }

  Future<List<Department>> departments() {
    return pool.query("SELECT id, name, kind, created_at FROM departments ORDER BY id")
        .execute()
        .map(
            rows -> {
              List<Department> list = new ArrayList<>();
              rows.forEach(r -> list.add(department(r)));
              return list;
            });
  }

  private static Department department(Row r) {
    return new Department(
        r.getString("id"),
        r.getString("name"),
        r.getString("kind"),
        r.getOffsetDateTime("created_at"));
  }

  /**
   * Issues a credential; the token ({@code gdc_<id>.<secret>}) is returned once and only its hash
   * is kept.
   */
  Future<JsonObject> issueCredential(String departmentId) {
    byte[] idBytes = new byte[9];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    String id = HexFormat.of().formatHex(idBytes);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    // The NOTIFY lets every instance hold the new credential in memory (Credentials); until it
    // arrives, an instance
    // looks an unknown credential up here.
    return department(departmentId)
        .compose(
            d ->
                pool.withTransaction(
                    conn ->
                        conn.preparedQuery(
                                "INSERT INTO department_credentials (id, "
                                    + "department_id, secret_sha256) VALUES ($1, $2, $3) RETURNING created_at")
                            .execute(Tuple.of(id, departmentId, sha256(secretText)))
                            .compose(
                                rows ->
                                    notify(conn, Credentials.NOTIFY_PREFIX + departmentId)
                                        .map(rows))))
        .map(
            rows ->
                new JsonObject()
                    .put("credentialId", id)
                    .put("departmentId", departmentId)
                    .put("token", "gdc_" + id + "." + secretText)
                    .put(
                        "createdAt",
                        rows.iterator().next().getOffsetDateTime("created_at").toString()));
  }

  /**
   * The department of a valid, unrevoked credential token, not expired at {@code now}; null for
   * anything else.
   */
  Future<String> authenticate(String token, java.time.Instant now) {
    if (token == null || !token.startsWith("gdc_") || token.indexOf('.') < 0) {
      return Future.succeededFuture(null);
    }
    String id = token.substring(4, token.indexOf('.'));
    byte[] presented = sha256(token.substring(token.indexOf('.') + 1));
    return pool.preparedQuery(
            "SELECT department_id, secret_sha256 FROM department_credentials "
                + "WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)")
        .execute(Tuple.of(id, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC)))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              Row r = rows.iterator().next();
              return MessageDigest.isEqual(r.getBuffer("secret_sha256").getBytes(), presented)
                  ? r.getString("department_id")
                  : null;
            });
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------- backends ----------

  private static final String BACKEND_COLUMNS =
      "id, department_id, version, status, spec, breaker_override, override_seq, created_at, updated_at";

  Future<BackendRow> register(Department department, BackendSpec.Parsed parsed, Actor actor) {
    return pool.withTransaction(
        conn ->
            lock(conn)
                .compose(v -> conn.query("SELECT nextval('backend_ids') AS n").execute())
                .compose(
                    rows -> {
                      String id = department.id() + "-" + rows.iterator().next().getLong("n");
                      return checkRoutes(conn, department.id(), id, parsed)
                          .compose(
                              v ->
                                  conn.preparedQuery(
                                          "INSERT INTO backends (id, department_id, version, status, spec, "
                                              + "auth_secret) VALUES ($1, $2, 1, 'active', $3, $4) RETURNING "
                                              + BACKEND_COLUMNS)
                                      .execute(
                                          Tuple.of(
                                              id,
                                              department.id(),
                                              parsed.spec().toJson(),
                                              seal(id, parsed.secrets()))))
                          .map(r -> backend(r.iterator().next()))
                          .compose(
                              row ->
                                  version(conn, row, "registered", actor)
                                      .compose(v -> replace(conn, parsed.replaces(), id, actor))
                                      .compose(v -> notify(conn, id))
                                      .map(row));
                    }));
  }

  Future<BackendRow> update(
      String departmentId, String backendId, BackendSpec.Parsed parsed, Actor actor) {
    return pool.withTransaction(
        conn ->
            lock(conn)
                .compose(v -> current(conn, departmentId, backendId))
                .compose(
                    existing ->
                        checkRoutes(conn, departmentId, backendId, parsed)
                            .compose(
                                v ->
                                    conn.preparedQuery(
                                            "UPDATE backends SET version = version + 1, spec = $2, auth_secret = $3, "
                                                + "updated_at = now() WHERE id = $1 RETURNING "
                                                + BACKEND_COLUMNS)
                                        .execute(
                                            Tuple.of(
                                                backendId,
                                                parsed.spec().toJson(),
                                                seal(backendId, parsed.secrets()))))
                            .map(r -> backend(r.iterator().next()))
                            .compose(
                                row ->
                                    version(conn, row, "updated", actor)
                                        .compose(
                                            v -> replace(conn, parsed.replaces(), backendId, actor))
                                        .compose(v -> notify(conn, backendId))
                                        .map(row))));
  }

  /** Moves a backend to {@code active}, {@code disabled} or {@code deregistered}. */
  Future<BackendRow> setStatus(
      String departmentId, String backendId, String status, String change, Actor actor) {
    return pool.withTransaction(
        conn ->
            lock(conn)
                .compose(v -> current(conn, departmentId, backendId))
                .compose(
                    existing -> {
                      if (existing.status().equals(status)) {
                        return Future.succeededFuture(existing);
                      }
                      if ("active".equals(status)) {
                        // Re-enabling must not create a route conflict that registration would have
                        // refused.
                        BackendSpec.Parsed parsed =
                            new BackendSpec.Parsed(existing.spec(), null, null);
                        return checkRoutes(conn, departmentId, backendId, parsed)
                            .compose(v -> changeStatus(conn, existing, status, change, actor));
                      }
                      return changeStatus(conn, existing, status, change, actor);
                    }));
  }

  private Future<BackendRow> changeStatus(
      SqlConnection conn, BackendRow existing, String status, String change, Actor actor) {
    return conn.preparedQuery(
            "UPDATE backends SET version = version + 1, status = $2, updated_at = now() "
                + "WHERE id = $1 RETURNING "
                + BACKEND_COLUMNS)
        .execute(Tuple.of(existing.id(), status))
        .map(r -> backend(r.iterator().next()))
        .compose(
            row -> version(conn, row, change, actor).compose(v -> notify(conn, row.id())).map(row));
  }

  /**
   * Stores the operator's breaker override ({@code open}, {@code closed} or null for reset) for
   * every instance.
   */
  Future<BackendRow> overrideBreaker(String backendId, String override) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE backends SET breaker_override = $2, "
                        + "override_seq = override_seq + 1, updated_at = now() WHERE id = $1 AND status <> 'deregistered' "
                        + "RETURNING "
                        + BACKEND_COLUMNS)
                .execute(Tuple.of(backendId, override))
                .compose(
                    rows -> {
                      if (rows.size() == 0) {
                        return Future.failedFuture(ErrorCode.ADMIN_BACKEND_NOT_FOUND.error());
                      }
                      BackendRow row = backend(rows.iterator().next());
                      return notify(conn, backendId).map(row);
                    }));
  }

  Future<List<BackendRow>> backends(String departmentId, boolean includeDeregistered) {
    return pool.preparedQuery(
            "SELECT "
                + BACKEND_COLUMNS
                + " FROM backends WHERE department_id = $1"
                + (includeDeregistered ? "" : " AND status <> 'deregistered'")
                + " ORDER BY created_at, id")
        .execute(Tuple.of(departmentId))
        .map(
            rows -> {
              List<BackendRow> list = new ArrayList<>();
              rows.forEach(r -> list.add(backend(r)));
              return list;
            });
  }

  Future<BackendRow> backend(String departmentId, String backendId) {
    return pool.withConnection(conn -> current(conn, departmentId, backendId));
  }

  /**
   * The history of a backend of this department, deregistered ones included (their history stays
   * readable).
   */
  Future<JsonArray> versions(String departmentId, String backendId) {
    return pool.preparedQuery("SELECT 1 FROM backends WHERE id = $1 AND department_id = $2")
        .execute(Tuple.of(backendId, departmentId))
        .compose(
            owned -> {
              if (owned.size() == 0) {
                return Future.failedFuture(ErrorCode.ADMIN_BACKEND_NOT_FOUND.error());
              }
              return pool.preparedQuery(
                      "SELECT version, status, spec, change, actor_type, actor_id, changed_at "
                          + "FROM backend_versions WHERE backend_id = $1 ORDER BY version")
                  .execute(Tuple.of(backendId));
            })
        .map(
            rows -> {
              JsonArray list = new JsonArray();
              rows.forEach(
                  r -> {
                    JsonObject spec = (JsonObject) r.getValue("spec");
                    spec.remove("weightExplicit");
                    list.add(
                        new JsonObject()
                            .put("version", r.getInteger("version"))
                            .put("status", r.getString("status"))
                            .put("change", r.getString("change"))
                            .put("actorType", r.getString("actor_type"))
                            .put("changedAt", r.getOffsetDateTime("changed_at").toString())
                            .put("settings", spec));
                  });
              return list;
            });
  }

  /** Everything instances route to: active and disabled backends, with secrets decrypted. */
  Future<List<LoadedBackend>> loadRoutable() {
    return pool.query(
            "SELECT "
                + BACKEND_COLUMNS
                + ", auth_secret FROM backends WHERE status <> 'deregistered'")
        .execute()
        .map(
            rows -> {
              List<LoadedBackend> list = new ArrayList<>();
              rows.forEach(
                  r -> {
                    BackendRow row = backend(r);
                    String sealed = r.getString("auth_secret");
                    BackendSpec.Secrets s =
                        sealed == null
                            ? new BackendSpec.Secrets(null, null)
                            : BackendSpec.Secrets.fromJson(
                                new JsonObject(secrets.open(row.id(), sealed)));
                    list.add(new LoadedBackend(row, s));
                  });
              return list;
            });
  }

  private String seal(String backendId, BackendSpec.Secrets s) {
    return s == null ? null : secrets.seal(backendId, s.toJson().encode());
  }

  /** The stored secrets of a backend, for updates that do not repeat them. */
  Future<BackendSpec.Secrets> secrets(String backendId) {
    return pool.preparedQuery("SELECT auth_secret FROM backends WHERE id = $1")
        .execute(Tuple.of(backendId))
        .map(
            rows -> {
              String sealed =
                  rows.size() == 0 ? null : rows.iterator().next().getString("auth_secret");
              return sealed == null
                  ? null
                  : BackendSpec.Secrets.fromJson(new JsonObject(secrets.open(backendId, sealed)));
            });
  }

  private static Future<Void> lock(SqlConnection conn) {
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(REGISTRY_LOCK))
        .mapEmpty();
  }

  private static Future<BackendRow> current(
      SqlConnection conn, String departmentId, String backendId) {
    return conn.preparedQuery(
            "SELECT "
                + BACKEND_COLUMNS
                + " FROM backends WHERE id = $1 AND department_id = $2 "
                + "AND status <> 'deregistered'")
        .execute(Tuple.of(backendId, departmentId))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw ErrorCode.ADMIN_BACKEND_NOT_FOUND.error();
              }
              return backend(rows.iterator().next());
            });
  }

  /**
   * The route rules of a registration, update or re-enabling, inside the locked transaction: every
   * route of the spec must be assigned to this department (403 {@code
   * registry.route_not_assigned}); {@code replaces} must name another backend of this department;
   * and a route another active backend of this department already serves needs an explicit weight
   * (to share it) or {@code replaces} (to take it over). Disabled backends never block.
   */
  private Future<Void> checkRoutes(
      SqlConnection conn, String departmentId, String self, BackendSpec.Parsed parsed) {
    List<String> mine = parsed.spec().routeKeys();
    return assignedKeys(conn, departmentId)
        .compose(
            assigned -> {
              JsonArray unassigned = new JsonArray();
              for (String key : mine) {
                if (!assigned.contains(key)) unassigned.add(routeJson(key));
              }
              if (!unassigned.isEmpty()) {
                return Future.failedFuture(
                    ErrorCode.REGISTRY_ROUTE_NOT_ASSIGNED
                        .error()
                        .withDetails(new JsonObject().put("routes", unassigned)));
              }
              return conn.preparedQuery(
                      "SELECT "
                          + BACKEND_COLUMNS
                          + " FROM backends "
                          + "WHERE department_id = $1 AND status <> 'deregistered' AND id <> $2")
                  .execute(Tuple.of(departmentId, self))
                  .compose(rows -> conflicts(parsed, rows));
            });
  }

  private static Future<Void> conflicts(BackendSpec.Parsed parsed, Iterable<Row> ownBackends) {
    JsonObject errors = new JsonObject();
    boolean replacedFound = parsed.replaces() == null;
    List<String> mine = parsed.spec().routeKeys();
    for (Row r : ownBackends) {
      BackendRow other = backend(r);
      if (other.id().equals(parsed.replaces())) {
        replacedFound = true;
        continue;
      }
      if (parsed.spec().weightExplicit() || !"active".equals(other.status())) {
        continue;
      }
      for (String key : other.spec().routeKeys()) {
        if (mine.contains(key)) {
          String[] parts = key.split("\\|");
          errors.put(
              "weight",
              "backend "
                  + other.id()
                  + " already serves "
                  + parts[0]
                  + " in "
                  + parts[1]
                  + "; set an explicit weight to share the traffic or replaces to take over");
          break;
        }
      }
    }
    if (!replacedFound) {
      errors.put("replaces", "not a backend of this department");
    }
    return errors.isEmpty()
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.invalidFields(errors));
  }

  private Future<Void> replace(SqlConnection conn, String replaced, String by, Actor actor) {
    if (replaced == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            "UPDATE backends SET version = version + 1, status = 'deregistered', updated_at = now() "
                + "WHERE id = $1 RETURNING "
                + BACKEND_COLUMNS)
        .execute(Tuple.of(replaced))
        .map(r -> backend(r.iterator().next()))
        .compose(row -> version(conn, row, "replaced by " + by, actor))
        .compose(v -> notify(conn, replaced));
  }

  // ---------- route assignments ----------

  /**
   * A department's routes now: {@code {departmentId, version, assignments: [{serviceType, region,
   * assignedAt}]}}.
   */
  Future<JsonObject> assignments(String departmentId) {
    return department(departmentId)
        .compose(d -> pool.withConnection(conn -> assignmentState(conn, departmentId)));
  }

  /**
   * Assigns every (service type, region) of the lists to the department; routes it already has stay
   * as they are. A route held by another department is 409 {@code
   * registry.route_assigned_elsewhere} and nothing changes.
   */
  Future<JsonObject> assign(
      Department department, List<String> serviceTypes, List<String> regions, Actor actor) {
    List<String> wanted = new ArrayList<>();
    for (String service : serviceTypes) {
      for (String region : regions) wanted.add(service + "|" + region);
    }
    return pool.withTransaction(
        conn ->
            lock(conn)
                .compose(
                    v ->
                        conn.preparedQuery(
                                "SELECT service_type, region, department_id FROM route_assignments "
                                    + "WHERE service_type = ANY($1) AND region = ANY($2)")
                            .execute(
                                Tuple.tuple()
                                    .addArrayOfString(serviceTypes.toArray(String[]::new))
                                    .addArrayOfString(regions.toArray(String[]::new))))
                .compose(
                    rows -> {
                      JsonArray elsewhere = new JsonArray();
                      List<String> held = new ArrayList<>();
                      for (Row r : rows) {
                        String key = r.getString("service_type") + "|" + r.getString("region");
                        if (r.getString("department_id").equals(department.id())) {
                          held.add(key);
                        } else {
                          elsewhere.add(
                              routeJson(key).put("departmentId", r.getString("department_id")));
                        }
                      }
                      if (!elsewhere.isEmpty()) {
                        return Future.failedFuture(
                            ErrorCode.REGISTRY_ROUTE_ASSIGNED_ELSEWHERE.error(
                                new JsonObject().put("routes", elsewhere)));
                      }
                      List<String> added = wanted.stream().filter(k -> !held.contains(k)).toList();
                      if (added.isEmpty()) {
                        return assignmentState(conn, department.id());
                      }
                      List<Tuple> inserts =
                          added.stream()
                              .map(
                                  k ->
                                      Tuple.of(
                                          k.split("\\|")[0], k.split("\\|")[1], department.id()))
                              .toList();
                      return conn.preparedQuery(
                              "INSERT INTO route_assignments (service_type, region, department_id) "
                                  + "VALUES ($1, $2, $3)")
                          .executeBatch(inserts)
                          .compose(
                              x ->
                                  assignmentVersion(
                                      conn, department.id(), "assigned", added, actor))
                          .compose(x -> notify(conn, "assignments:" + department.id()))
                          .compose(x -> assignmentState(conn, department.id()));
                    }));
  }

  /**
   * Withdraws one route from the department: 404 {@code registry.assignment_not_found} when it is
   * not the department's, 409 {@code registry.route_in_use} while a backend of the department
   * (active or disabled) serves it.
   */
  Future<JsonObject> withdraw(String departmentId, String serviceType, String region, Actor actor) {
    String key = serviceType + "|" + region;
    return pool.withTransaction(
        conn ->
            lock(conn)
                .compose(
                    v ->
                        conn.preparedQuery(
                                "DELETE FROM route_assignments WHERE service_type = $1 AND region = $2 "
                                    + "AND department_id = $3")
                            .execute(Tuple.of(serviceType, region, departmentId)))
                .compose(
                    deleted -> {
                      if (deleted.rowCount() == 0) {
                        return Future.failedFuture(ErrorCode.REGISTRY_ASSIGNMENT_NOT_FOUND.error());
                      }
                      return conn.preparedQuery(
                              "SELECT "
                                  + BACKEND_COLUMNS
                                  + " FROM backends WHERE department_id = $1 "
                                  + "AND status <> 'deregistered'")
                          .execute(Tuple.of(departmentId));
                    })
                .compose(
                    rows -> {
                      JsonArray serving = new JsonArray();
                      for (Row r : rows) {
                        BackendRow b = backend(r);
                        if (b.spec().routeKeys().contains(key)) serving.add(b.id());
                      }
                      if (!serving.isEmpty()) {
                        // The transaction rolls back: the assignment stays.
                        return Future.failedFuture(
                            ErrorCode.REGISTRY_ROUTE_IN_USE.error(
                                new JsonObject().put("backends", serving)));
                      }
                      return assignmentVersion(conn, departmentId, "withdrawn", List.of(key), actor)
                          .compose(x -> notify(conn, "assignments:" + departmentId))
                          .compose(x -> assignmentState(conn, departmentId));
                    }));
  }

  /** The history of a department's routes, oldest first. */
  Future<JsonArray> assignmentVersions(String departmentId) {
    return department(departmentId)
        .compose(
            d ->
                pool.preparedQuery(
                        "SELECT version, change, routes, actor_type, changed_at "
                            + "FROM route_assignment_versions WHERE department_id = $1 ORDER BY version")
                    .execute(Tuple.of(departmentId)))
        .map(
            rows -> {
              JsonArray list = new JsonArray();
              rows.forEach(
                  r ->
                      list.add(
                          new JsonObject()
                              .put("version", r.getInteger("version"))
                              .put("change", r.getString("change"))
                              .put("routes", r.getValue("routes"))
                              .put("actorType", r.getString("actor_type"))
                              .put("changedAt", r.getOffsetDateTime("changed_at").toString())));
              return list;
            });
  }

  /** Every assignment as {@code service|region → department}, for the route tables of instances. */
  Future<Map<String, String>> loadAssignments() {
    return pool.query("SELECT service_type, region, department_id FROM route_assignments")
        .execute()
        .map(
            rows -> {
              Map<String, String> assigned = new HashMap<>();
              rows.forEach(
                  r ->
                      assigned.put(
                          r.getString("service_type") + "|" + r.getString("region"),
                          r.getString("department_id")));
              return assigned;
            });
  }

  private static Future<Set<String>> assignedKeys(SqlConnection conn, String departmentId) {
    return conn.preparedQuery(
            "SELECT service_type, region FROM route_assignments WHERE department_id = $1")
        .execute(Tuple.of(departmentId))
        .map(
            rows -> {
              Set<String> keys = new HashSet<>();
              rows.forEach(
                  r -> keys.add(r.getString("service_type") + "|" + r.getString("region")));
              return keys;
            });
  }

  private static Future<JsonObject> assignmentState(SqlConnection conn, String departmentId) {
    return conn.preparedQuery(
            "SELECT coalesce(max(version), 0) AS version FROM route_assignment_versions "
                + "WHERE department_id = $1")
        .execute(Tuple.of(departmentId))
        .compose(
            version ->
                conn.preparedQuery(
                        "SELECT service_type, region, assigned_at FROM route_assignments "
                            + "WHERE department_id = $1 ORDER BY service_type, region")
                    .execute(Tuple.of(departmentId))
                    .map(
                        rows -> {
                          JsonArray list = new JsonArray();
                          rows.forEach(
                              r ->
                                  list.add(
                                      new JsonObject()
                                          .put("serviceType", r.getString("service_type"))
                                          .put("region", r.getString("region"))
                                          .put(
                                              "assignedAt",
                                              r.getOffsetDateTime("assigned_at").toString())));
                          return new JsonObject()
                              .put("departmentId", departmentId)
                              .put("version", version.iterator().next().getInteger("version"))
                              .put("assignments", list);
                        }));
  }

  private static Future<Void> assignmentVersion(
      SqlConnection conn, String departmentId, String change, List<String> keys, Actor actor) {
    JsonArray routes = new JsonArray();
    keys.stream().sorted().forEach(k -> routes.add(routeJson(k)));
    return conn.preparedQuery(
            "INSERT INTO route_assignment_versions (department_id, version, change, routes, "
                + "actor_type, actor_id) SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 "
                + "FROM route_assignment_versions WHERE department_id = $1")
        .execute(Tuple.of(departmentId, change, routes, actor.type(), actor.id()))
        .mapEmpty();
  }

  private static JsonObject routeJson(String key) {
    String[] parts = key.split("\\|");
    return new JsonObject().put("serviceType", parts[0]).put("region", parts[1]);
  }

  private static Future<Void> version(
      SqlConnection conn, BackendRow row, String change, Actor actor) {
    return conn.preparedQuery(
            "INSERT INTO backend_versions (backend_id, version, status, spec, change, actor_type, "
                + "actor_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .execute(
            Tuple.of(
                    row.id(),
                    row.version(),
                    row.status(),
                    row.spec().toJson(),
                    change,
                    actor.type())
                .addValue(actor.id()))
        .mapEmpty();
  }

  private static Future<Void> notify(SqlConnection conn, String payload) {
    return conn.preparedQuery("SELECT pg_notify('" + CHANNEL + "', $1)")
        .execute(Tuple.of(payload))
        .mapEmpty();
  }

  private static BackendRow backend(Row r) {
    return new BackendRow(
        r.getString("id"),
        r.getString("department_id"),
        r.getInteger("version"),
        r.getString("status"),
        BackendSpec.fromJson((JsonObject) r.getValue("spec")),
        r.getString("breaker_override"),
        r.getLong("override_seq"),
        r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("updated_at"));
  }
}
