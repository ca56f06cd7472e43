package cn.govgate.services;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Objects;

/**
 * Records every service answer as an {@link Interaction} and hands back its id, which the answer carries as
 * {@code interactionId}. Ids are 128 random bits (URL-safe Base64, 22 characters): holding one is what lets an
 * anonymous caller rate, so they must not be guessable or sequential.
 */
public final class Interactions {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final Clock clock;

  private Interactions(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public static Interactions create(Pool pool, Clock clock) {
    return new Interactions(Objects.requireNonNull(pool), Objects.requireNonNull(clock));
  }

  /** Records an answer given to {@code caller}; the Future holds the new interaction. */
  public Future<Interaction> record(Caller caller, String serviceType, String departmentId, String region) {
    Interaction interaction = new Interaction(
        newId(), caller.citizenKey(), serviceType, departmentId, region, clock.instant());
    return pool.preparedQuery("INSERT INTO service_interactions "
            + "(id, citizen_key, service_type, department_id, region, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(interaction.id(), interaction.citizenKey(), serviceType, departmentId, region,
            OffsetDateTime.ofInstant(interaction.createdAt(), ZoneOffset.UTC)))
        .map(interaction);
  }

  /** The interaction with this id, or null when there is none. */
  public Future<Interaction> find(String id) {
    return pool.preparedQuery("SELECT id, citizen_key, service_type, department_id, region, created_at "
            + "FROM service_interactions WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : toInteraction(rows.iterator().next()));
  }

  private static Interaction toInteraction(Row r) {
    return new Interaction(r.getString("id"), r.getString("citizen_key"), r.getString("service_type"),
        r.getString("department_id"), r.getString("region"), instant(r.getOffsetDateTime("created_at")));
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
