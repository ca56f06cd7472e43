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
    return pool.preparedQuery("SELECT identity_key, subject_enc FROM channel_identities WHERE key_id <> $1 LIMIT $2")
        .execute(Tuple.of(cipher.currentKeyId(), BATCH))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(done);
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            String subject = cipher.seal(IdentityRoutes.SUBJECT_PURPOSE,
                cipher.open(IdentityRoutes.SUBJECT_PURPOSE, r.getString("subject_enc")));
            chain = chain.compose(v -> pool.preparedQuery("UPDATE channel_identities SET subject_enc = $2, key_id = $3 "
                    + "WHERE identity_key = $1 AND subject_enc = $4")
                .execute(Tuple.of(r.getString("identity_key"), subject, cipher.currentKeyId(),
                    r.getString("subject_enc")))
                .mapEmpty());
          }
          return chain.compose(v -> identities(done + rows.size()));
        });
  }

  private Future<Long> verifications(long done) {
    return pool.preparedQuery("SELECT verification_id, claimed_enc FROM identity_verifications WHERE key_id <> $1 "
            + "LIMIT $2")
        .execute(Tuple.of(cipher.currentKeyId(), BATCH))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(done);
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            String claim = cipher.seal(IdentityRoutes.CLAIM_PURPOSE,
                cipher.open(IdentityRoutes.CLAIM_PURPOSE, r.getString("claimed_enc")));
            chain = chain.compose(v -> pool.preparedQuery("UPDATE identity_verifications SET claimed_enc = $2, "
                    + "key_id = $3 WHERE verification_id = $1 AND claimed_enc = $4")
                .execute(Tuple.of(r.getString("verification_id"), claim, cipher.currentKeyId(),
                    r.getString("claimed_enc")))
                .mapEmpty());
          }
          return chain.compose(v -> verifications(done + rows.size()));
        });
  }
}
