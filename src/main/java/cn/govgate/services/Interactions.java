package cn.govgate.services;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every service answer as an {@link Interaction} and hands back its id, which the answer
 * carries as {@code interactionId}. A personal-data read's interaction ({@link #ofRead}) is not
 * written here at all: its audit record carries the id and is its one durable row; the other flows'
 * interactions (proof issuance, complaint replies) go to {@code service_interactions}. Ids are 128
 * random bits (URL-safe Base64, 22 characters): holding one is what lets an anonymous caller rate,
 * so they must not be guessable or sequential.
 *
 * <p>Recording never waits for the database: the id is made at once, the row is queued and a timer
 * writes queued rows in batches (about every {@value #FLUSH_EVERY_MS} ms), keeping a database round
 * trip off every service answer. Until its row is written, {@link #find} answers from memory. A
 * crash can lose the rows of the last few milliseconds; what that costs is the chance to rate those
 * answers, never a record of personal-data access (the audit log keeps those).
 */
public final class Interactions {
  private static final Logger log = LoggerFactory.getLogger(Interactions.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long FLUSH_EVERY_MS = 50;
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Interaction> queue = new ConcurrentLinkedQueue<>();
  private final Map<String, Interaction> unwritten = new ConcurrentHashMap<>();
  private final long timer;
  private Future<Void> writing = Future.succeededFuture();

  private Interactions(Vertx vertx, Pool pool, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.timer = vertx.setPeriodic(FLUSH_EVERY_MS, id -> flush());
  }

  public static Interactions create(Vertx vertx, Pool pool, Clock clock) {
    return new Interactions(
        Objects.requireNonNull(vertx), Objects.requireNonNull(pool), Objects.requireNonNull(clock));
  }

  /**
   * Records an answer given to {@code caller}; the Future holds the new interaction (already
   * usable).
   */
  public Future<Interaction> record(
      Caller caller, String serviceType, String departmentId, String region) {
    Interaction interaction =
        new Interaction(
            newId(),
            caller.citizenKey(),
            serviceType,
            departmentId,
            region,
            clock.instant(),
            caller.identityKey());
    unwritten.put(interaction.id(), interaction);
    queue.add(interaction);
    return Future.succeededFuture(interaction);
  }

  /**
   * A read's interaction: made at once and written by nobody here — the read's audit record carries
   * its id ({@link cn.govgate.audit.AuditEvent#withInteraction}) and is the interaction's one row.
   * The caller must put the id in that record; {@link #find} reads it back from there.
   */
  public Interaction ofRead(Caller caller, String serviceType, String departmentId, String region) {
    return new Interaction(
        newId(),
        caller.citizenKey(),
        serviceType,
        departmentId,
        region,
        clock.instant(),
        caller.identityKey());
  }

  /**
   * The interaction with this id, or null when there is none: one recorded here (still queued ones
   * are written first, so that what refers to it can rely on its row), else a read's, derived from
   * its successful audit record — rated by the citizen who read, or, when the actor was not a
   * citizen (a partner, a channel user), the citizen concerned (null: anyone holding the id); its
   * channel login is known from the record only for an unbound (channel user) read.
   */
  public Future<Interaction> find(String id) {
    Interaction pending = unwritten.get(id);
    if (pending != null) return flush().map(pending);
    return pool.preparedQuery(FIND)
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : toInteraction(rows.iterator().next()));
  }

  private static final String FIND =
      "SELECT id, citizen_key, service_type, department_id, region, created_at, identity_key "
          + "FROM service_interactions WHERE id = $1 "
          + "UNION ALL "
          + "(SELECT interaction_id, CASE WHEN actor_type = 'citizen' THEN actor_id ELSE citizen_key END, "
          + "details::jsonb->>'serviceType', details::jsonb->>'department', details::jsonb->>'region', at, "
          + "CASE WHEN actor_type = 'channel_user' THEN actor_id END "
          + "FROM audit_log WHERE interaction_id = $1 AND outcome = 'success' LIMIT 1) "
          + "LIMIT 1";

  /**
   * Makes sure the interaction has its own row (a read's lives only in its audit record), in the
   * caller's transaction: what refers to it by foreign key (a rating) then has its row, and keeps
   * it after the audit record's partition is archived.
   */
  public static Future<Void> keep(SqlConnection conn, Interaction i) {
    return conn.preparedQuery(INSERT).execute(row(i)).mapEmpty();
  }

  /** Writes an interaction once: a second write of the same id changes nothing. */
  private static final String INSERT =
      "INSERT INTO service_interactions "
          + "(id, citizen_key, service_type, department_id, region, created_at, identity_key) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING";

  private static Tuple row(Interaction i) {
    return Tuple.of(
        i.id(),
        i.citizenKey(),
        i.serviceType(),
        i.departmentId(),
        i.region(),
        OffsetDateTime.ofInstant(i.createdAt(), ZoneOffset.UTC),
        i.identityKey());
  }

  /** Writes every queued interaction; completes when they are in the database. */
  public synchronized Future<Void> flush() {
    writing = writing.transform(ar -> drain());
    return writing;
  }

  private Future<Void> drain() {
    List<Interaction> batch = new ArrayList<>();
    for (Interaction i; batch.size() < BATCH && (i = queue.poll()) != null; ) batch.add(i);
    if (batch.isEmpty()) return Future.succeededFuture();
    List<Tuple> rows = batch.stream().map(Interactions::row).toList();
    return pool.preparedQuery(INSERT)
        .executeBatch(rows)
        .<Void>mapEmpty()
        .onSuccess(v -> batch.forEach(i -> unwritten.remove(i.id())))
        .recover(
            e -> {
              // Keep them (still answered from memory) and try again on the next tick.
              log.warn("{} interactions not written, will retry: {}", batch.size(), e.getMessage());
              queue.addAll(batch);
              return Future.failedFuture(e);
            })
        .compose(v -> queue.isEmpty() ? Future.succeededFuture() : drain());
  }

  /** Stops the timer and writes what is left. */
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return flush();
  }

  private static Interaction toInteraction(Row r) {
    return new Interaction(
        r.getString("id"),
        r.getString("citizen_key"),
        r.getString("service_type"),
        r.getString("department_id"),
        r.getString("region"),
        instant(r.getOffsetDateTime("created_at")),
        r.getString("identity_key"));
  }

  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  private static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
