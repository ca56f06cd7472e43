package cn.govgate.identity;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code govgate reindex}: rebuilds every blind index that can be rebuilt (from its sealed value)
 * in the current blind-index algorithm, table by table in batches, each row guarded by its old
 * index; safe to re-run. Lookups match both algorithms meanwhile, so nobody becomes unfindable
 * while it runs. Indexes of values govgate does not keep (the real name a channel asserts, the
 * payer of an order) are compared in the algorithm they were made with and renewed at the next
 * login or order.
 */
public final class Reindexing {
  private final Pool pool;
  private final PersonalDataCipher cipher;

  private Reindexing(Pool pool, PersonalDataCipher cipher) {
    this.pool = pool;
    this.cipher = cipher;
  }

  public static Reindexing create(Pool pool, PersonalDataCipher cipher) {
    return new Reindexing(pool, cipher);
  }

  /** Rows re-indexed per table. */
  public Future<Map<String, Long>> run() {
    Map<String, Long> moved = new LinkedHashMap<>();
    return table(
            "citizens",
            "citizen_key",
            "id_index",
            "id_number_enc",
            r ->
                cipher.idIndex(
                    cipher.open(CitizenDirectory.ID_PURPOSE, r.getString("id_number_enc"))),
            0)
        .compose(
            n -> {
              moved.put("citizens", n);
              return table(
                  "channel_identities",
                  "identity_key",
                  "subject_index",
                  "channel, app_id, subject_enc",
                  r ->
                      cipher.blindIndex(
                          "subject:" + r.getString("channel") + ":" + r.getString("app_id"),
                          cipher.open(IdentityRoutes.SUBJECT_PURPOSE, r.getString("subject_enc"))),
                  0);
            })
        .compose(
            n -> {
              moved.put("channel_identities", n);
              return table(
                  "identity_verifications",
                  "verification_id",
                  "claimed_index",
                  "claimed_enc",
                  r ->
                      cipher.idIndex(
                          new JsonObject(
                                  cipher.open(
                                      IdentityRoutes.CLAIM_PURPOSE, r.getString("claimed_enc")))
                              .getString("idNumber")),
                  0);
            })
        .map(
            n -> {
              moved.put("identity_verifications", n);
              return moved;
            });
  }

  /** Names are constants of the code, never input. */
  private Future<Long> table(
      String table,
      String key,
      String index,
      String columns,
      Function<Row, String> rebuild,
      long done) {
    String stale =
        cipher.indexing() == MacAlgorithm.HMAC_SM3
            ? "NOT starts_with(" + index + ", '" + MacAlgorithm.HMAC_SM3.tag() + "')"
            : "starts_with(" + index + ", '" + MacAlgorithm.HMAC_SM3.tag() + "')";
    return pool.preparedQuery(
            "SELECT "
                + key
                + ", "
                + index
                + ", "
                + columns
                + " FROM "
                + table
                + " WHERE "
                + stale
                + " LIMIT $1")
        .execute(Tuple.of(Reencryption.BATCH))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture(done);
              Future<Void> chain = Future.succeededFuture();
              for (Row r : rows) {
                Tuple args = Tuple.of(r.getValue(key), rebuild.apply(r), r.getString(index));
                chain =
                    chain.compose(
                        v ->
                            pool.preparedQuery(
                                    "UPDATE "
                                        + table
                                        + " SET "
                                        + index
                                        + " = $2 WHERE "
                                        + key
                                        + " = $1 AND "
                                        + index
                                        + " = $3")
                                .execute(args)
                                .mapEmpty());
              }
              return chain.compose(
                  v -> table(table, key, index, columns, rebuild, done + rows.size()));
            });
  }
}
