package cn.govgate.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code govgate reencrypt}: moves every sealed personal-data value to the current data key
 * <em>and</em> algorithm (AES-256-GCM ↔ SM4-GCM, either direction), table by table in batches; each
 * row is its own short update guarded by its old values, so a row changed meanwhile is simply
 * picked up by the next round, and a second run finds nothing to do. Rows under other keys or
 * algorithms stay readable throughout, so it runs while gateways serve.
 */
public final class Reencryption {
  static final int BATCH = 500;

  /**
   * A table holding sealed values.
   *
   * @param table the table
   * @param keyColumn its primary key
   * @param keyRefColumn the column naming the key reference of its sealed values ({@code key_id}),
   *     or null when the values alone name it
   * @param columns sealed column → purpose (the associated data it was sealed with); columns may be
   *     null
   */
  public record SealedTable(
      String table, String keyColumn, String keyRefColumn, Map<String, String> columns) {}

  /** The identity concern's sealed tables. */
  public static List<SealedTable> identityTables() {
    Map<String, String> citizen = new LinkedHashMap<>();
    citizen.put("id_number_enc", CitizenDirectory.ID_PURPOSE);
    citizen.put("name_enc", CitizenDirectory.NAME_PURPOSE);
    return List.of(
        new SealedTable("citizens", "citizen_key", "key_id", citizen),
        new SealedTable(
            "channel_identities",
            "identity_key",
            "key_id",
            Map.of("subject_enc", IdentityRoutes.SUBJECT_PURPOSE)),
        new SealedTable(
            "identity_verifications",
            "verification_id",
            "key_id",
            Map.of("claimed_enc", IdentityRoutes.CLAIM_PURPOSE)));
  }

  private final Pool pool;
  private final PersonalDataCipher cipher;
  private final List<SealedTable> tables;

  private Reencryption(Pool pool, PersonalDataCipher cipher, List<SealedTable> tables) {
    this.pool = pool;
    this.cipher = cipher;
    this.tables = List.copyOf(tables);
  }

  /** Re-encryption of the identity tables and of {@code others} (other concerns' sealed tables). */
  public static Reencryption create(
      Pool pool, PersonalDataCipher cipher, List<SealedTable> others) {
    List<SealedTable> all = new ArrayList<>(identityTables());
    all.addAll(others);
    return new Reencryption(pool, cipher, all);
  }

  /**
   * Re-encrypts every row not under the current key and algorithm; rows moved per table, in order.
   */
  public Future<Map<String, Long>> run() {
    Map<String, Long> moved = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (SealedTable t : tables) {
      chain =
          chain.compose(
              v ->
                  table(t, 0)
                      .map(
                          n -> {
                            moved.put(t.table(), n);
                            return null;
                          }));
    }
    return chain.map(v -> moved);
  }

  /** Names are constants of the code, never input. */
  private Future<Long> table(SealedTable t, long done) {
    List<String> cols = List.copyOf(t.columns().keySet());
    String ref = cipher.currentKeyRef();
    String stale =
        t.keyRefColumn() != null
            ? t.keyRefColumn() + " <> $1"
            : String.join(
                " OR ",
                cols.stream()
                    .map(c -> "(" + c + " IS NOT NULL AND NOT starts_with(" + c + ", $1 || ':'))")
                    .toList());
    return pool.preparedQuery(
            "SELECT "
                + t.keyColumn()
                + ", "
                + String.join(", ", cols)
                + " FROM "
                + t.table()
                + " WHERE "
                + stale
                + " LIMIT $2")
        .execute(Tuple.of(ref, BATCH))
        .compose(
            rows -> {
              if (rows.size() == 0) return Future.succeededFuture(done);
              Future<Void> chain = Future.succeededFuture();
              for (Row r : rows) {
                Tuple args = Tuple.of(r.getValue(t.keyColumn()));
                StringBuilder set = new StringBuilder();
                StringBuilder guard = new StringBuilder();
                for (String c : cols) {
                  String old = r.getString(c);
                  String resealed =
                      old == null
                          ? null
                          : cipher.seal(t.columns().get(c), cipher.open(t.columns().get(c), old));
                  args.addValue(resealed);
                  set.append(set.length() == 0 ? "" : ", ")
                      .append(c)
                      .append(" = $")
                      .append(args.size());
                  args.addValue(old);
                  guard
                      .append(" AND ")
                      .append(c)
                      .append(" IS NOT DISTINCT FROM $")
                      .append(args.size());
                }
                if (t.keyRefColumn() != null) {
                  args.addValue(ref);
                  set.append(", ").append(t.keyRefColumn()).append(" = $").append(args.size());
                }
                String sql =
                    "UPDATE "
                        + t.table()
                        + " SET "
                        + set
                        + " WHERE "
                        + t.keyColumn()
                        + " = $1"
                        + guard;
                chain = chain.compose(v -> pool.preparedQuery(sql).execute(args).mapEmpty());
              }
              return chain.compose(v -> table(t, done + rows.size()));
            });
  }
}
