package cn.govgate.complaints;

import cn.govgate.calendar.WorkingCalendar;
import cn.govgate.cases.CaseKind;
import cn.govgate.cases.MyCases;
import cn.govgate.complaints.ComplaintStore.Row0;
import cn.govgate.config.ComplaintsConfig;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.identity.PersonalDataCipher;
import cn.govgate.identity.Reencryption;
import cn.govgate.registry.RegistryStore;
import cn.govgate.services.Caller;
import cn.govgate.services.Catalogue;
import cn.govgate.services.Interactions;
import cn.govgate.services.OfferedServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Consultations (咨询) and complaints (投诉): a citizen at L2 or above files one about a service in a
 * region; it is routed to the department registered for that (service type, region) with a reply
 * deadline in working days ({@link WorkingCalendar}); the department replies, transfers it to
 * another department (the deadline carries over) or closes it. Items are always selected by the
 * citizen of the session or by the department the credential belongs to, so nobody reaches
 * another's items. Text, replies and transfer reasons are sealed at rest with the personal-data
 * cipher and opened only to build an answer.
 *
 * <p>A reply records an {@link cn.govgate.services.Interaction} for the citizen, whose id the item
 * shows as {@code replyInteractionId}: the citizen rates the reply through the existing 好差评 flow
 * ({@code POST /v1/ratings}).
 */
public final class Complaints {
  static final String TEXT_PURPOSE = "complaints.text";
  static final String REPLY_PURPOSE = "complaints.reply";
  static final String REASON_PURPOSE = "complaints.transfer_reason";

  /**
   * Purpose of a request's fingerprint ({@code request_hash}): a keyed MAC in the blind-index
   * algorithm (HMAC-SM3 under {@code shangmi}), since an unkeyed digest of the text would let
   * anyone reading the table confirm a guessed complaint.
   */
  static final String REQUEST_PURPOSE = "complaints.request";

  public static final int MAX_REPLY = 2000;

  /** The sealed columns of this concern, for {@code reencrypt}. */
  public static List<Reencryption.SealedTable> sealedTables() {
    Map<String, String> complaint = new LinkedHashMap<>();
    complaint.put("text_enc", TEXT_PURPOSE);
    complaint.put("reply_enc", REPLY_PURPOSE);
    return List.of(
        new Reencryption.SealedTable("complaints", "id", null, complaint),
        new Reencryption.SealedTable(
            "complaint_events", "id", null, Map.of("reason_enc", REASON_PURPOSE)));
  }

  public static final int MAX_REASON = 500;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private final ComplaintStore store;
  private final PersonalDataCipher cipher;
  private final WorkingCalendar calendar;
  private final ComplaintsConfig config;
  private final OfferedServices offered;
  private final Interactions interactions;
  private final RegistryStore departments;
  private final ReplyListener replies;
  private final MyCases cases;
  private final MeterRegistry meters;
  private final Clock clock;

  /**
   * Told, inside the reply's transaction-free aftermath, that an item was answered (reminders use
   * it).
   */
  @FunctionalInterface
  public interface ReplyListener {
    /**
     * Called once per reply, after it was stored; a failure is logged by the caller, never undoes
     * the reply.
     */
    Future<Void> replied(
        String complaintId,
        String citizenKey,
        ComplaintKind kind,
        String departmentId,
        Instant repliedAt);
  }

  private Complaints(
      ComplaintStore store,
      PersonalDataCipher cipher,
      WorkingCalendar calendar,
      ComplaintsConfig config,
      OfferedServices offered,
      Interactions interactions,
      RegistryStore departments,
      ReplyListener replies,
      MyCases cases,
      MeterRegistry meters,
      Clock clock) {
    this.store = store;
    this.cipher = cipher;
    this.calendar = calendar;
    this.config = config;
    this.offered = offered;
    this.interactions = interactions;
    this.departments = departments;
    this.replies = replies;
    this.cases = cases;
    this.meters = meters;
    this.clock = clock;
  }

  /**
   * @param replies told of every reply (the reminders concern queues the citizen's reminder)
   */
  public static Complaints create(
      io.vertx.sqlclient.Pool pool,
      PersonalDataCipher cipher,
      WorkingCalendar calendar,
      ComplaintsConfig config,
      OfferedServices offered,
      Interactions interactions,
      RegistryStore departments,
      ReplyListener replies,
      MeterRegistry meters,
      Clock clock) {
    return new Complaints(
        new ComplaintStore(Objects.requireNonNull(pool)),
        Objects.requireNonNull(cipher),
        Objects.requireNonNull(calendar),
        Objects.requireNonNull(config),
        Objects.requireNonNull(offered),
        Objects.requireNonNull(interactions),
        Objects.requireNonNull(departments),
        Objects.requireNonNull(replies),
        MyCases.create(pool, clock),
        Objects.requireNonNull(meters),
        Objects.requireNonNull(clock));
  }

  ComplaintStore store() {
    return store;
  }

  /** The deadline of an item of {@code kind} that arrives at {@code at}. */
  public Instant deadline(ComplaintKind kind, Instant at) {
    return calendar.deadline(at, workingDays(kind));
  }

  int workingDays(ComplaintKind kind) {
    return kind == ComplaintKind.CONSULTATION ? config.consultationDays() : config.complaintDays();
  }

  // ---------- citizens ----------

  /** The result of filing: the item and whether it is new (201) or the same request again (200). */
  public record Filed(JsonObject item, boolean created) {}

  /**
   * Files an item for {@code caller} (bound, L2 or above: the route's gate checks the level). With
   * an {@code idempotencyKey} the same request again answers the same item.
   *
   * @return fails 404 {@code region.unknown}, {@code region.service_not_offered}, {@code
   *     complaint.interaction_unknown}, {@code complaint.case_unknown}; 422 {@code
   *     complaint.idempotency_key_reused}; 429 {@code complaint.daily_limit}
   */
  public Future<Filed> file(Caller caller, ComplaintRequest request, String idempotencyKey) {
    Future<Row0> earlier =
        idempotencyKey == null
            ? Future.succeededFuture(null)
            : store.byIdempotencyKey(caller.citizenKey(), idempotencyKey);
    return earlier.compose(
        found -> {
          if (found != null) return replay(found, request);
          if (!offered.knownRegions().contains(request.region())) {
            return Future.failedFuture(Catalogue.unknownRegion(offered));
          }
          String department =
              offered.departmentFor(request.serviceType(), request.region()).orElse(null);
          if (department == null) {
            return Future.failedFuture(
                ErrorCode.REGION_SERVICE_NOT_OFFERED.error(
                    new JsonObject()
                        .put("serviceType", request.serviceType())
                        .put("region", request.region())));
          }
          return checkInteraction(caller, request.interactionId())
              .compose(v -> checkCase(caller, request.caseId()))
              .compose(v -> checkDailyLimit(caller))
              .compose(v -> insert(caller, request, department, idempotencyKey));
        });
  }

  private Future<Filed> replay(Row0 found, ComplaintRequest request) {
    if (!sameRequest(found.requestHash(), request)) {
      return Future.failedFuture(ComplaintErrors.idempotencyKeyReused());
    }
    return store.events(found.id()).map(events -> new Filed(citizenView(found, events), false));
  }

  /**
   * Whether {@code stored} is the fingerprint of {@code request}: in the algorithm it was made
   * with, or the unkeyed SHA-256 rows filed before keyed fingerprints carry.
   */
  private boolean sameRequest(String stored, ComplaintRequest request) {
    String canonical = request.canonical();
    return cipher.matches(REQUEST_PURPOSE, canonical, stored)
        || MessageDigest.isEqual(
            stored.getBytes(StandardCharsets.US_ASCII),
            request.legacyHash().getBytes(StandardCharsets.US_ASCII));
  }

  private Future<Void> checkInteraction(Caller caller, String interactionId) {
    if (interactionId == null) return Future.succeededFuture();
    return interactions
        .find(interactionId)
        .compose(
            i ->
                i != null && caller.citizenKey().equals(i.citizenKey())
                    ? Future.succeededFuture()
                    : Future.failedFuture(ComplaintErrors.interactionUnknown()));
  }

  /**
   * A named case must be one of the caller's own 我的办件 (as {@code GET /v1/my/cases/{caseId}} would
   * answer it); anything else is 404 {@code complaint.case_unknown}, whether it exists or not.
   */
  private Future<Void> checkCase(Caller caller, String caseId) {
    if (caseId == null) return Future.succeededFuture();
    int dash = caseId.indexOf('-');
    CaseKind kind = CaseKind.fromWire(caseId.substring(0, dash));
    if (kind == null || caller.identityKey() == null) {
      return Future.failedFuture(ComplaintErrors.caseUnknown());
    }
    return cases
        .one(
            new MyCases.Owner(caller.identityKey(), caller.citizenKey()),
            kind,
            caseId.substring(dash + 1))
        .<Void>mapEmpty()
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof ApiException a && a.status() == 404
                        ? ComplaintErrors.caseUnknown()
                        : e));
  }

  private Future<Void> checkDailyLimit(Caller caller) {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, WorkingCalendar.ZONE);
    Instant midnight = today.atStartOfDay(WorkingCalendar.ZONE).toInstant();
    return store
        .filedSince(caller.citizenKey(), midnight)
        .compose(
            n -> {
              if (n < config.dailyLimit()) return Future.succeededFuture();
              Instant next = today.plusDays(1).atStartOfDay(WorkingCalendar.ZONE).toInstant();
              int seconds = (int) Math.max(1, Duration.between(now, next).toSeconds());
              return Future.failedFuture(ComplaintErrors.dailyLimit(config.dailyLimit(), seconds));
            });
  }

  private Future<Filed> insert(
      Caller caller, ComplaintRequest request, String department, String idempotencyKey) {
    Instant now = clock.instant();
    int days = workingDays(request.kind());
    Row0 row =
        new Row0(
            newId(),
            request.kind(),
            caller.citizenKey(),
            caller.channel(),
            request.serviceType(),
            request.region(),
            department,
            department,
            cipher.seal(TEXT_PURPOSE, request.text()),
            request.interactionId(),
            cipher.blindIndex(REQUEST_PURPOSE, request.canonical()),
            now,
            days,
            calendar.deadline(now, days),
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            request.caseId());
    return store
        .insert(row, idempotencyKey)
        .compose(
            inserted -> {
              if (!inserted) {
                // The same key raced in from another request: answer what that one stored.
                return store
                    .byIdempotencyKey(caller.citizenKey(), idempotencyKey)
                    .compose(found -> replay(found, request));
              }
              Counter.builder("govgate.complaints.filed")
                  .description("Consultations and complaints filed")
                  .tag("kind", request.kind().wireName())
                  .register(meters)
                  .increment();
              return store
                  .events(row.id())
                  .map(events -> new Filed(citizenView(row, events), true));
            });
  }

  /** The citizen's items, newest first (no trail; {@link #ofCitizen} has it). */
  public Future<JsonObject> listOfCitizen(String citizenKey, Instant before, int limit) {
    return store
        .listOfCitizen(citizenKey, before, limit)
        .map(
            rows -> {
              JsonArray items = new JsonArray();
              rows.forEach(r -> items.add(citizenView(r, null)));
              return new JsonObject().put("items", items);
            });
  }

  /** One of the citizen's items with its trail; 404 {@code complaint.not_found} otherwise. */
  public Future<JsonObject> ofCitizen(String citizenKey, String id) {
    return store
        .ofCitizen(citizenKey, id)
        .compose(
            row ->
                row == null
                    ? Future.failedFuture(ComplaintErrors.notFound())
                    : store.events(id).map(events -> citizenView(row, events)));
  }

  // ---------- departments ----------

  /** The department's items, newest first, filtered by kind and status (either may be null). */
  public Future<List<Row0>> listOfDepartment(
      String departmentId, ComplaintKind kind, ComplaintStatus status, Instant before, int limit) {
    return store.listOfDepartment(departmentId, kind, status, clock.instant(), before, limit);
  }

  /** One item the department handles now, with its trail. */
  public Future<Row0> ofDepartment(String departmentId, String id) {
    return store
        .ofDepartment(departmentId, id)
        .compose(
            row ->
                row == null
                    ? Future.failedFuture(ComplaintErrors.notFound())
                    : Future.succeededFuture(row));
  }

  /** The department's view of one item, with its trail (decrypted here). */
  public Future<JsonObject> departmentView(Row0 row) {
    return store.events(row.id()).map(events -> departmentView(row, events));
  }

  /**
   * The department answers an open item (also an overdue one: late is better than never). Records
   * the interaction the citizen rates the reply with.
   *
   * @return fails 404 {@code complaint.not_found}, 409 {@code complaint.already_replied} or {@code
   *     complaint.closed}
   */
  public Future<Row0> reply(
      String departmentId, String id, String reply, String actorType, String actorId) {
    return ofDepartment(departmentId, id)
        .compose(
            row -> {
              if (row.closedAt() != null) return Future.failedFuture(ComplaintErrors.closed());
              if (row.repliedAt() != null)
                return Future.failedFuture(ComplaintErrors.alreadyReplied());
              Caller citizen = new Caller(row.citizenKey(), 2, row.channel());
              return interactions
                  .record(citizen, row.serviceType(), departmentId, row.region())
                  .compose(
                      interaction ->
                          store.reply(
                              departmentId,
                              id,
                              cipher.seal(REPLY_PURPOSE, reply),
                              interaction.id(),
                              actorType,
                              actorId,
                              clock.instant()))
                  .compose(
                      updated ->
                          updated == null
                              ? refusal(departmentId, id)
                              : Future.succeededFuture(updated))
                  .compose(
                      updated -> {
                        boolean onTime = updated.repliedAt().isBefore(updated.deadline());
                        Counter.builder("govgate.complaints.replies")
                            .description("Replies to consultations and complaints")
                            .tag("kind", updated.kind().wireName())
                            .tag("on_time", Boolean.toString(onTime))
                            .register(meters)
                            .increment();
                        return replies
                            .replied(
                                updated.id(),
                                updated.citizenKey(),
                                updated.kind(),
                                departmentId,
                                updated.repliedAt())
                            .otherwiseEmpty()
                            .map(updated);
                      });
            });
  }

  /**
   * Transfers an unanswered item to {@code toDepartment} with a reason; the deadline carries over.
   *
   * @return fails 400 {@code request.invalid} (to itself), 404 {@code complaint.not_found}, 409
   *     {@code complaint.already_replied} / {@code complaint.closed}, 422 {@code
   *     complaint.transfer_target_unknown}
   */
  public Future<Row0> transfer(
      String departmentId,
      String id,
      String toDepartment,
      String reason,
      String actorType,
      String actorId) {
    if (toDepartment.equals(departmentId)) {
      return Future.failedFuture(
          ApiException.invalidFields(
              new JsonObject().put("toDepartment", "must be another department")));
    }
    return ofDepartment(departmentId, id)
        .compose(
            row ->
                row.closedAt() != null
                    ? Future.failedFuture(ComplaintErrors.closed())
                    : row.repliedAt() != null
                        ? Future.failedFuture(ComplaintErrors.alreadyReplied())
                        : departments
                            .department(toDepartment)
                            .<Row0>transform(
                                ar ->
                                    ar.succeeded()
                                        ? store.transfer(
                                            departmentId,
                                            id,
                                            toDepartment,
                                            cipher.seal(REASON_PURPOSE, reason),
                                            actorType,
                                            actorId,
                                            clock.instant())
                                        : Future.failedFuture(
                                            ar.cause() instanceof ApiException a
                                                    && a.status() == 404
                                                ? ComplaintErrors.transferTargetUnknown()
                                                : ar.cause())))
        .compose(
            updated ->
                updated == null ? refusal(departmentId, id) : Future.succeededFuture(updated));
  }

  /**
   * Closes a replied item (办结). Fails 404, or 409 {@code complaint.not_replied} / {@code
   * complaint.closed}.
   */
  public Future<Row0> close(String departmentId, String id, String actorType, String actorId) {
    return store
        .close(departmentId, id, actorType, actorId, clock.instant())
        .compose(
            updated ->
                updated == null ? refusal(departmentId, id) : Future.succeededFuture(updated));
  }

  /** Why a conditional update changed nothing, read after the fact. */
  private Future<Row0> refusal(String departmentId, String id) {
    return ofDepartment(departmentId, id)
        .compose(
            row ->
                Future.failedFuture(
                    row.closedAt() != null
                        ? ComplaintErrors.closed()
                        : row.repliedAt() != null
                            ? ComplaintErrors.alreadyReplied()
                            : ComplaintErrors.notReplied()));
  }

  // ---------- views ----------

  private JsonObject common(Row0 r, List<ComplaintStore.Event> events) {
    Instant now = clock.instant();
    JsonObject j =
        new JsonObject()
            .put("id", r.id())
            .put("kind", r.kind().wireName())
            .put("serviceType", r.serviceType())
            .put("region", r.region())
            .put("departmentId", r.departmentId())
            .put(
                "status",
                ComplaintStatus.of(r.repliedAt(), r.closedAt(), r.deadline(), now).wireName())
            .put("submittedAt", r.submittedAt().toString())
            .put("workingDays", r.workingDays())
            .put("deadline", r.deadline().toString())
            .put("text", cipher.open(TEXT_PURPOSE, r.textEnc()));
    if (r.interactionId() != null) j.put("interactionId", r.interactionId());
    if (r.caseId() != null) j.put("caseId", r.caseId());
    if (r.repliedAt() != null) {
      j.put("reply", cipher.open(REPLY_PURPOSE, r.replyEnc()))
          .put("repliedAt", r.repliedAt().toString())
          .put("repliedOnTime", r.repliedAt().isBefore(r.deadline()));
    }
    if (r.closedAt() != null) j.put("closedAt", r.closedAt().toString());
    if (events != null) {
      JsonArray history = new JsonArray();
      for (ComplaintStore.Event e : events) {
        JsonObject h = new JsonObject().put("action", e.action()).put("at", e.at().toString());
        if (e.fromDepartment() != null) h.put("fromDepartment", e.fromDepartment());
        if (e.toDepartment() != null) h.put("toDepartment", e.toDepartment());
        if (e.reasonEnc() != null) h.put("reason", cipher.open(REASON_PURPOSE, e.reasonEnc()));
        history.add(h);
      }
      j.put("history", history);
    }
    return j;
  }

  /**
   * What the citizen sees: everything about their item, and the interaction to rate the reply with.
   */
  JsonObject citizenView(Row0 r, List<ComplaintStore.Event> events) {
    JsonObject j = common(r, events);
    if (r.replyInteractionId() != null) j.put("replyInteractionId", r.replyInteractionId());
    return j;
  }

  /** What the department sees: the item, never who filed it. */
  JsonObject departmentView(Row0 r, List<ComplaintStore.Event> events) {
    return common(r, events).put("transfers", r.transfers());
  }

  private static String newId() {
    char[] id = new char[16];
    for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return new String(id);
  }
}
