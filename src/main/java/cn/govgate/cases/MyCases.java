package cn.govgate.cases;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The citizen's cases, read in one query over the tables of payments, proofs, ratings and
 * rectifications, identity verifications, complaints and consents to partners. Whose items: those
 * of the citizen (bound sessions) and of every channel identity the caller may speak for — its own,
 * and, when bound, every channel identity bound to the same citizen (payments, verifications, and
 * ratings of the answers given to that login, also while it was unbound). Nothing is decrypted: a
 * case shows where something stands, never the text or the personal data inside it.
 */
public final class MyCases {
  /**
   * The caller's own items, newest first; {@code $1} identity key, {@code $2} citizen key (null
   * while unbound).
   */
  private static final String CASES =
      """
      WITH me AS (
        SELECT $1::text AS identity_key
        UNION SELECT identity_key FROM channel_identities WHERE citizen_key = $2::text
      ), cases AS (
        SELECT 'payment' AS kind, o.order_id AS id, o.created_at AS at, o.status AS status,
               jsonb_build_object('billType', o.bill_type, 'region', o.region, 'department', o.department,
                 'amountFen', o.amount_fen, 'description', o.description, 'channel', o.channel,
                 'statusReason', o.status_reason, 'paidAt', o.paid_at, 'receiptNo', o.receipt_no,
                 'deliveredAt', o.delivered_at, 'expiresAt', o.expires_at, 'updatedAt', o.updated_at,
                 'byThisLogin', o.payer_identity_key = $1::text) AS facts
        FROM payment_orders o WHERE o.payer_identity_key IN (SELECT identity_key FROM me)
        UNION ALL
        SELECT 'proof', p.serial, p.issued_at, NULL,
               jsonb_build_object('proofType', p.proof_type, 'department', p.department_id,
                 'expiresAt', p.expires_at, 'revokedAt', p.revoked_at)
        FROM proofs p WHERE p.citizen_key = $2::text
        UNION ALL
        SELECT 'rating', r.interaction_id, r.rated_at, NULL,
               jsonb_build_object('level', r.level, 'serviceType', r.service_type, 'department', r.department_id,
                 'region', r.region, 'indicators', to_jsonb(r.indicators), 'openedAt', x.opened_at,
                 'deadline', x.deadline, 'answeredAt', x.answered_at, 'closedAt', x.closed_at)
        FROM ratings r JOIN service_interactions i ON i.id = r.interaction_id
        LEFT JOIN rectifications x ON x.rating_id = r.id
        WHERE i.citizen_key = $2::text OR i.identity_key IN (SELECT identity_key FROM me)
        UNION ALL
        SELECT 'verification', v.verification_id, v.created_at, v.status,
               jsonb_build_object('channel', v.channel, 'completedAt', v.completed_at, 'expiresAt', v.expires_at)
        FROM identity_verifications v WHERE v.identity_key IN (SELECT identity_key FROM me)
        UNION ALL
        SELECT 'complaint', c.id, c.submitted_at, NULL,
               jsonb_build_object('kind', c.kind, 'serviceType', c.service_type, 'region', c.region,
                 'department', c.department_id, 'deadline', c.deadline, 'workingDays', c.working_days,
                 'repliedAt', c.replied_at, 'closedAt', c.closed_at, 'transfers', c.transfers)
        FROM complaints c WHERE c.citizen_key = $2::text
        UNION ALL
        SELECT 'consent', c.id, c.granted_at, NULL,
               jsonb_build_object('appId', c.app_id, 'partnerName', p.name, 'scopes', to_jsonb(ARRAY(SELECT unnest(c.scopes) ORDER BY 1)),
                 'purpose', c.purpose, 'expiresAt', c.expires_at, 'revokedAt', c.revoked_at)
        FROM consents c JOIN partners p ON p.app_id = c.app_id WHERE c.citizen_key = $2::text
      )
      SELECT kind, id, at, status, facts FROM cases
      WHERE ($3::timestamptz IS NULL OR (at, kind, id) < ($3::timestamptz, $4::text, $5::text))
        AND ($6::text IS NULL OR kind = $6::text)
        AND ($7::text IS NULL OR id = $7::text)
      ORDER BY at DESC, kind DESC, id DESC
      LIMIT $8
      """;

  private final Pool pool;
  private final Clock clock;

  private MyCases(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public static MyCases create(Pool pool, Clock clock) {
    return new MyCases(Objects.requireNonNull(pool), Objects.requireNonNull(clock));
  }

  /** Who asks: the session's channel identity, and its citizen once bound. */
  public record Owner(String identityKey, String citizenKey) {
    public Owner {
      Objects.requireNonNull(identityKey);
    }
  }

  /**
   * One page: the items and the cursor of the next page (null on the last, where the answer has
   * none).
   */
  public record Page(List<JsonObject> items, String nextCursor) {
    JsonObject toJson() {
      JsonObject page = new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
      return nextCursor == null ? page : page.put("nextCursor", nextCursor);
    }
  }

  /**
   * A page of the owner's cases after {@code cursor} (null: the newest), optionally of one kind.
   */
  public Future<Page> list(Owner owner, CaseCursor cursor, CaseKind kind, int limit) {
    return query(owner, cursor, kind, null, limit + 1)
        .map(
            rows -> {
              Instant now = clock.instant();
              List<JsonObject> items = new ArrayList<>();
              CaseCursor last = null;
              for (Row r : rows) {
                if (items.size() == limit) {
                  return new Page(items, last.encode());
                }
                items.add(
                    CaseView.of(
                        r.getString("kind"),
                        r.getString("id"),
                        instant(r),
                        r.getString("status"),
                        r.getJsonObject("facts"),
                        now));
                last = new CaseCursor(instant(r), r.getString("kind"), r.getString("id"));
              }
              return new Page(items, null);
            });
  }

  /** One of the owner's cases, or 404 {@code case.not_found}. */
  public Future<JsonObject> one(Owner owner, CaseKind kind, String id) {
    return query(owner, null, kind, id, 1)
        .compose(
            rows -> {
              if (rows.isEmpty()) return Future.failedFuture(CaseErrors.notFound());
              Row r = rows.get(0);
              return Future.succeededFuture(
                  CaseView.of(
                      r.getString("kind"),
                      r.getString("id"),
                      instant(r),
                      r.getString("status"),
                      r.getJsonObject("facts"),
                      clock.instant()));
            });
  }

  private Future<List<Row>> query(
      Owner owner, CaseCursor cursor, CaseKind kind, String id, int limit) {
    Tuple args =
        Tuple.tuple()
            .addString(owner.identityKey())
            .addString(owner.citizenKey())
            .addOffsetDateTime(cursor == null ? null : cursor.at().atOffset(ZoneOffset.UTC))
            .addString(cursor == null ? null : cursor.kind())
            .addString(cursor == null ? null : cursor.id())
            .addString(kind == null ? null : kind.wireName())
            .addString(id)
            .addInteger(limit);
    return pool.preparedQuery(CASES)
        .execute(args)
        .map(
            rows -> {
              List<Row> out = new ArrayList<>();
              rows.forEach(out::add);
              return out;
            });
  }

  private static Instant instant(Row r) {
    OffsetDateTime t = r.getOffsetDateTime("at");
    return t.toInstant();
  }
}
