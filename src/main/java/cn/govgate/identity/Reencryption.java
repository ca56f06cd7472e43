package cn.govgate.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * {@code govgate reencrypt}: moves every sealed value to the current data key, in batches, each row in its
 * own short update guarded by its old value (a row changed meanwhile is simply picked up by the next pass).
 * Rows under old keys stay readable throughout, so it runs while gateways serve.
 */
public final class Reencryption {
  private static final int BATCH = 500;

  /** Rows moved per table. */
  public record Result(long citizens, long channelIdentities, long verifications) {
    public long total() {
      return citizens + channelIdentities + verifications;
    }
  }

  private final Pool pool;
  private final PersonalDataCipher cipher;

  private Reencryption(Pool pool, PersonalDataCipher cipher) {
    this.pool = pool;
    this.cipher = cipher;
  }

  public static Reencryption create(Pool pool, PersonalDataCipher cipher) {
    return new Reencryption(pool, cipher);
  }

  /** Re-encrypts every row not under the current key. */
  public Future<Result> run() {
    return citizens(0)
        .compose(c -> identities(0).compose(i -> verifications(0).map(v -> new Result(c, i, v))));
  }

  private Future<Long> citizens(long done) {
    return pool.preparedQuery("SELECT citizen_key, id_number_enc, name_enc FROM citizens WHERE key_id <> $1 LIMIT $2")
        .execute(Tuple.of(cipher.currentKeyId(), BATCH))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(done);
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            String id = cipher.seal(CitizenDirectory.ID_PURPOSE, cipher.open(CitizenDirectory.ID_PURPOSE,
                r.getString("id_number_enc")));
            String name = cipher.seal(CitizenDirectory.NAME_PURPOSE, cipher.open(CitizenDirectory.NAME_PURPOSE,
                r.getString("name_enc")));
            chain = chain.compose(v -> pool.preparedQuery("UPDATE citizens SET id_number_enc = $2, name_enc = $3, "
                    + "key_id = $4 WHERE citizen_key = $1 AND id_number_enc = $5")
                .execute(Tuple.of(r.getString("citizen_key"), id, name, cipher.currentKeyId(),
                    r.getString("id_number_enc")))
                .mapEmpty());
          }
          return chain.compose(v -> citizens(done + rows.size()));
        });
  }

  private Future<Long> identities(long done) {
    return singleColumn("channel_identities", "identity_key", "subject_enc", IdentityRoutes.SUBJECT_PURPOSE, done);
  }

  private Future<Long> verifications(long done) {
    return singleColumn("identity_verifications", "verification_id", "claimed_enc", IdentityRoutes.CLAIM_PURPOSE,
        done);
  }

  /** Moves one sealed column of {@code table} to the current key, batch by batch (names are constants). */
  private Future<Long> singleColumn(String table, String keyColumn, String column, String purpose, long done) {
    return pool.preparedQuery(
            "SELECT " + keyColumn + ", " + column + " FROM " + table + " WHERE key_id <> $1 LIMIT $2")
        .execute(Tuple.of(cipher.currentKeyId(), BATCH))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(done);
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            String old = r.getString(column);
            String resealed = cipher.seal(purpose, cipher.open(purpose, old));
            chain = chain.compose(v -> pool.preparedQuery("UPDATE " + table + " SET " + column + " = $2, key_id = $3 "
                    + "WHERE " + keyColumn + " = $1 AND " + column + " = $4")
                .execute(Tuple.of(r.getString(keyColumn), resealed, cipher.currentKeyId(), old))
                .mapEmpty());
          }
          return chain.compose(v -> singleColumn(table, keyColumn, column, purpose, done + rows.size()));
        });
  }
}
