package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;

/**
 * The SQL of the identity concern, kept apart from the flows. Values arrive sealed or as blind
 * indexes.
 */
final class IdentityStore {
  private final Pool pool;

  IdentityStore(Pool pool) {
    this.pool = pool;
  }

  /** A channel identity row. */
  record ChannelIdentity(
      String identityKey,
      Channel channel,
      String appId,
      String subjectEnc,
      String citizenKey,
      Level level,
      Instant verifiedAt,
      String realnameIndex,
      String realnameNameMac) {}

  /** A verification row. */
  record Verification(
      String id,
      String identityKey,
      Channel channel,
      String appId,
      String outSeqNo,
      String claimedIndex,
      String claimedEnc,
      String channelRef,
      String status,
      Instant createdAt,
      Instant expiresAt,
      Instant completedAt) {}

  /** A citizen row (sealed values). */
  record CitizenRow(String citizenKey, String idNumberEnc, String nameEnc) {}

  /** The outcome of binding after a passed check. */
  enum BindOutcome {
    BOUND,
    ALREADY_BOUND_TO_OTHER,
    ALREADY_COMPLETED
  }

  record Bind(BindOutcome outcome, String citizenKey) {}

  private static OffsetDateTime ts(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant();
  }

  private static final String IDENTITY_COLS =
      "identity_key, channel, app_id, subject_enc, citizen_key, level, "
          + "verified_at, realname_index, realname_name_mac";

  private static ChannelIdentity identity(Row r) {
    return new ChannelIdentity(
        r.getString("identity_key"),
        Channel.fromWire(r.getString("channel")),
        r.getString("app_id"),
        r.getString("subject_enc"),
        r.getString("citizen_key"),
        Level.parse(r.getString("level")),
        instant(r, "verified_at"),
        r.getString("realname_index"),
        r.getString("realname_name_mac"));
  }

  /**
   * Finds the channel identity by any of its blind indexes (current algorithm first, then the
   * other: rows not yet re-indexed after a profile switch are found) and records the login, or
   * creates it under the current index.
   *
   * <p>A returning user costs one statement, which writes only when there is something to write:
   * the real-name index or name MAC changed, or the last login is more than an hour old ({@code
   * last_login_at} is kept to the hour). Otherwise the statement is a read and its transaction
   * commits without a WAL record or flush. Only a new user takes a second statement, and only then
   * is the channel user id sealed ({@code subjectEnc}).
   */
  Future<ChannelIdentity> upsertIdentity(
      String newKey,
      Channel channel,
      String appId,
      List<String> subjectIndexes,
      Supplier<String> subjectEnc,
      String keyRef,
      String realnameIndex,
      String realnameNameMac) {
    return pool.preparedQuery(LOGIN)
        .execute(
            Tuple.of(
                channel.wireName(),
                appId,
                subjectIndexes.get(0),
                subjectIndexes.get(subjectIndexes.size() - 1),
                realnameIndex,
                realnameNameMac))
        .compose(
            found ->
                found.size() > 0
                    ? Future.succeededFuture(identity(found.iterator().next()))
                    : pool.preparedQuery(
                            "INSERT INTO channel_identities (identity_key, channel, app_id, subject_index, "
                                + "subject_enc, key_id, realname_index, realname_name_mac) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
                                + "ON CONFLICT (channel, app_id, subject_index) DO UPDATE SET last_login_at = now(), "
                                + "realname_index = EXCLUDED.realname_index, realname_name_mac = EXCLUDED.realname_name_mac "
                                + "RETURNING "
                                + IDENTITY_COLS)
                        .execute(
                            Tuple.of(
                                newKey,
                                channel.wireName(),
                                appId,
                                subjectIndexes.get(0),
                                subjectEnc.get(),
                                keyRef,
                                realnameIndex,
                                realnameNameMac))
                        .map(rows -> identity(rows.iterator().next())));
  }

  /**
   * A returning user's login: the identity is found by the whole unique key (channel, app, subject
   * index), the current algorithm's index first and the other's only when that finds nothing; the
   * update touches the found row, by its primary key, only when something changed or the last login
   * is over an hour old. The select returns the identity either way (the CTE's update is not
   * visible to it, so the new real-name values are taken from the parameters).
   *
   * <p>Plain equalities on the unique key, not {@code subject_index = ANY($3)}: once PostgreSQL
   * switched the prepared statement to its generic plan, the array of unknown length was estimated
   * at ten rows, and the plan became a sequential scan of the table (small or freshly analysed) or
   * an index scan on (channel, app) alone that filtered every user of the app (never analysed) —
   * twice per login. {@code LoginStatementsTest} counts the scans.
   */
  private static final String LOGIN =
      "WITH found AS ((SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, "
          + "verified_at FROM channel_identities WHERE channel = $1 AND app_id = $2 "
          + "AND subject_index = $3) UNION ALL (SELECT identity_key, channel, app_id, subject_enc, "
          + "citizen_key, level, verified_at FROM channel_identities WHERE channel = $1 "
          + "AND app_id = $2 AND subject_index = $4) LIMIT 1), "
          + "touched AS (UPDATE channel_identities c SET last_login_at = now(), realname_index = $5, "
          + "realname_name_mac = $6 FROM found f WHERE c.identity_key = f.identity_key "
          + "AND (c.last_login_at < now() - interval '1 hour' OR c.realname_index IS DISTINCT FROM $5 "
          + "OR c.realname_name_mac IS DISTINCT FROM $6) RETURNING c.identity_key) "
          + "SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, verified_at, "
          + "$5::text AS realname_index, $6::text AS realname_name_mac FROM found";

  Future<ChannelIdentity> identity(String identityKey) {
    return pool.preparedQuery(
            "SELECT " + IDENTITY_COLS + " FROM channel_identities WHERE identity_key = $1")
        .execute(Tuple.of(identityKey))
        .map(rows -> rows.size() == 0 ? null : identity(rows.iterator().next()));
  }

  /**
   * Attempts since {@code since} by this channel identity and for this ID number: the larger count
   * and the oldest attempt time among the counted ones of the exceeded kind.
   */
  record Attempts(long byUser, Instant oldestByUser, long byId, Instant oldestById) {}

  /**
   * Records a verification attempt unless the channel user or the claimed ID number already had
   * {@code limit} attempts since {@code since}: one transaction holding advisory locks on both, so
   * parallel requests cannot slip past the limit. Returns null when recorded, else the counts that
   * refused it.
   */
  Future<Attempts> reserveAttempt(
      Verification v, List<String> claimedIndexes, String keyRef, Instant since, int limit) {
    String[] indexes = claimedIndexes.toArray(new String[0]);
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "SELECT pg_advisory_xact_lock(1, hashtext($1)), pg_advisory_xact_lock(2, hashtext($2))")
                .execute(Tuple.of(v.identityKey(), lockName(claimedIndexes)))
                .compose(
                    x ->
                        conn.preparedQuery(
                                "SELECT "
                                    + "(SELECT count(*) FROM identity_verifications WHERE identity_key = $1 AND created_at > $3) AS by_user, "
                                    + "(SELECT min(created_at) FROM identity_verifications WHERE identity_key = $1 AND created_at > $3) "
                                    + "AS u0, "
                                    + "(SELECT count(*) FROM identity_verifications WHERE claimed_index = ANY($2) AND created_at > $3) "
                                    + "AS by_id, "
                                    + "(SELECT min(created_at) FROM identity_verifications WHERE claimed_index = ANY($2) "
                                    + "AND created_at > $3) AS i0")
                            .execute(Tuple.of(v.identityKey(), indexes, ts(since))))
                .compose(
                    rows -> {
                      Row r = rows.iterator().next();
                      Attempts a =
                          new Attempts(
                              r.getLong("by_user"),
                              instant(r, "u0"),
                              r.getLong("by_id"),
                              instant(r, "i0"));
                      if (a.byUser() >= limit || a.byId() >= limit)
                        return Future.succeededFuture(a);
                      return conn.preparedQuery(
                              "INSERT INTO identity_verifications (verification_id, identity_key, channel, "
                                  + "app_id, out_seq_no, claimed_index, claimed_enc, key_id, created_at) "
                                  + "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
                          .execute(
                              Tuple.of(
                                      v.id(),
                                      v.identityKey(),
                                      v.channel().wireName(),
                                      v.appId(),
                                      v.outSeqNo(),
                                      v.claimedIndex(),
                                      v.claimedEnc(),
                                      keyRef)
                                  .addValue(ts(v.createdAt())))
                          .map(done -> (Attempts) null);
                    }));
  }

  Future<Void> markStarted(String id, String ref, Instant expiresAt) {
    return pool.preparedQuery(
            "UPDATE identity_verifications SET status = 'started', channel_ref = $2, "
                + "expires_at = $3 WHERE verification_id = $1")
        .execute(Tuple.of(id, ref, ts(expiresAt)))
        .mapEmpty();
  }

  Future<Void> markStartFailed(String id, String code) {
    return pool.preparedQuery(
            "UPDATE identity_verifications SET status = 'start_failed', channel_code = $2 "
                + "WHERE verification_id = $1")
        .execute(Tuple.of(id, code))
        .mapEmpty();
  }

  Future<Verification> verification(String id) {
    return pool.preparedQuery("SELECT * FROM identity_verifications WHERE verification_id = $1")
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.size() == 0) return null;
              Row r = rows.iterator().next();
              return new Verification(
                  r.getString("verification_id"),
                  r.getString("identity_key"),
                  Channel.fromWire(r.getString("channel")),
                  r.getString("app_id"),
                  r.getString("out_seq_no"),
                  r.getString("claimed_index"),
                  r.getString("claimed_enc"),
                  r.getString("channel_ref"),
                  r.getString("status"),
                  instant(r, "created_at"),
                  instant(r, "expires_at"),
                  instant(r, "completed_at"));
            });
  }

  /** Marks a verification failed, once; false when it was already completed. */
  Future<Boolean> completeFailed(String id, String code, Instant now) {
    return pool.preparedQuery(
            "UPDATE identity_verifications SET status = 'failed', channel_code = $2, "
                + "completed_at = $3 WHERE verification_id = $1 AND completed_at IS NULL")
        .execute(Tuple.of(id, code, ts(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * After a passed face check, in one transaction: completes the verification (once), finds or
   * creates the citizen by blind index and binds the channel identity at L3 — unless it is bound to
   * another citizen.
   */
  Future<Bind> completePassed(Verification v, String code, NewCitizen citizen, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE identity_verifications SET status = 'passed', channel_code = $2, completed_at = $3 "
                        + "WHERE verification_id = $1 AND completed_at IS NULL")
                .execute(Tuple.of(v.id(), code, ts(now)))
                .compose(
                    done -> {
                      if (done.rowCount() != 1)
                        return Future.succeededFuture(
                            new Bind(BindOutcome.ALREADY_COMPLETED, null));
                      return findOrCreate(conn, citizen)
                          .compose(
                              citizenKey ->
                                  bind(conn, v.identityKey(), citizenKey, Level.L3, now, true))
                          .compose(
                              bind ->
                                  conn.preparedQuery(
                                          "UPDATE identity_verifications SET citizen_key = $2, "
                                              + "status = CASE WHEN $3 THEN 'passed' ELSE 'refused' END WHERE verification_id = $1")
                                      .execute(
                                          Tuple.of(
                                              v.id(),
                                              bind.citizenKey(),
                                              bind.outcome() == BindOutcome.BOUND))
                                      .map(bind));
                    }));
  }

  /** Binds at L2 from channel-asserted real-name data; does nothing when already bound. */
  Future<Bind> bindRealName(String identityKey, NewCitizen citizen, Instant now) {
    return pool.withTransaction(
        conn ->
            findOrCreate(conn, citizen)
                .compose(citizenKey -> bind(conn, identityKey, citizenKey, Level.L2, now, false)));
  }

  /**
   * A citizen to find by any of its blind indexes (current first), or create with these sealed
   * values.
   */
  record NewCitizen(
      String newKey, List<String> idIndexes, String idNumberEnc, String nameEnc, String keyRef) {}

  /**
   * The citizen whose ID-number index is any of {@code idIndexes}, else a new one under the current
   * index. An advisory lock on a name every profile computes alike serialises creators, so two
   * instances running different profiles during a switch cannot create the same citizen twice.
   */
  private static Future<String> findOrCreate(SqlConnection conn, NewCitizen c) {
    String[] indexes = c.idIndexes().toArray(new String[0]);
    return conn.preparedQuery("SELECT pg_advisory_xact_lock(3, hashtext($1))")
        .execute(Tuple.of(lockName(c.idIndexes())))
        .compose(
            x ->
                conn.preparedQuery(
                        "SELECT citizen_key FROM citizens WHERE id_index = ANY($1) "
                            + "ORDER BY array_position($1, id_index) LIMIT 1")
                    .execute(Tuple.of((Object) indexes)))
        .compose(
            found ->
                found.size() > 0
                    ? Future.succeededFuture(found.iterator().next().getString("citizen_key"))
                    : conn.preparedQuery(
                            "INSERT INTO citizens (citizen_key, id_index, id_number_enc, name_enc, key_id) "
                                + "VALUES ($1,$2,$3,$4,$5)")
                        .execute(
                            Tuple.of(
                                c.newKey(),
                                c.idIndexes().get(0),
                                c.idNumberEnc(),
                                c.nameEnc(),
                                c.keyRef()))
                        .map(v -> c.newKey()));
  }

  /**
   * The same name for the same value whichever algorithm is current: the smallest of its indexes.
   */
  private static String lockName(List<String> indexes) {
    return indexes.stream().min(String::compareTo).orElseThrow();
  }

  private static Future<Bind> bind(
      SqlConnection conn,
      String identityKey,
      String citizenKey,
      Level level,
      Instant now,
      boolean face) {
    return conn.preparedQuery(
            "SELECT citizen_key, level FROM channel_identities WHERE identity_key = $1 FOR UPDATE")
        .execute(Tuple.of(identityKey))
        .compose(
            rows -> {
              Row r = rows.iterator().next();
              String bound = r.getString("citizen_key");
              if (bound != null && !bound.equals(citizenKey)) {
                return Future.succeededFuture(new Bind(BindOutcome.ALREADY_BOUND_TO_OTHER, bound));
              }
              if (!face && bound != null)
                return Future.succeededFuture(new Bind(BindOutcome.BOUND, bound));
              return conn.preparedQuery(
                      "UPDATE channel_identities SET citizen_key = $2, level = $3, verified_at = $4 "
                          + "WHERE identity_key = $1")
                  .execute(Tuple.of(identityKey, citizenKey, level.name(), ts(now)))
                  .map(v -> new Bind(BindOutcome.BOUND, citizenKey));
            });
  }

  /** Unbinds; false when it was not bound. */
  Future<Boolean> unbind(String identityKey) {
    return pool.preparedQuery(
            "UPDATE channel_identities SET citizen_key = NULL, level = 'L1', verified_at = NULL "
                + "WHERE identity_key = $1 AND citizen_key IS NOT NULL")
        .execute(Tuple.of(identityKey))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<CitizenRow> citizen(String citizenKey) {
    return pool.preparedQuery(
            "SELECT citizen_key, id_number_enc, name_enc FROM citizens WHERE citizen_key = $1")
        .execute(Tuple.of(citizenKey))
        .map(
            rows -> {
              if (rows.size() == 0) return null;
              Row r = rows.iterator().next();
              return new CitizenRow(
                  r.getString("citizen_key"),
                  r.getString("id_number_enc"),
                  r.getString("name_enc"));
            });
  }
}
