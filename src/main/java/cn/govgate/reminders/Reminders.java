package cn.govgate.reminders;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.calendar.WorkingCalendar;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.SubscriptionMessages.SubscriptionMessage;
import cn.govgate.complaints.ComplaintKind;
import cn.govgate.complaints.Complaints;
import cn.govgate.config.RemindersConfig;
import cn.govgate.identity.Identity;
import cn.govgate.identity.PersonalDataCipher;
import cn.govgate.identity.Reencryption;
import cn.govgate.registry.DepartmentClient;
import cn.govgate.reminders.ReminderStore.Claimed;
import cn.govgate.reminders.ReminderStore.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proactive reminders (主动服务), wired: what citizens subscribed to, the scheduler that finds what is
 * due and the sender that delivers it through the channels' subscription messages.
 *
 * <p><b>Finding.</b> Each round claims subscriptions whose check is due ({@code SKIP LOCKED}: one
 * instance per subscription) and asks, in batches of at most {@code reminders.batch}: the traffic
 * police for unpaid fines of the citizens ({@code traffic.due-fines}), the utility companies for
 * bills of the accounts ({@code utilities.due-bills}), govgate's own proofs for those about to
 * expire. Replies to consultations and complaints are queued when the department replies. Each due
 * item becomes one reminder per channel identity: the idempotency key (identity, topic, item) is
 * unique, so however many instances find it, it is queued once, spending one one-time grant.
 *
 * <p><b>Sending.</b> Each round claims due reminders ({@code SKIP LOCKED}; a claimed reminder is
 * never claimed again) and sends them through the channel adapter, whose breaker guards the API.
 * Sent: done. The citizen refused (WeChat 43101): the reminder and the subscription stop, never
 * retried. The platform refused the message (template, data): failed, the grant given back. The
 * platform could not take it (outage, busy, breaker open): retried with exponential backoff until
 * {@code reminders.maxAge}. No answer (timeout) or an instance that died mid-send: unknown, never
 * re-sent, since neither platform de-duplicates — at most once.
 */
public final class Reminders implements Complaints.ReplyListener {
  private static final Logger log = LoggerFactory.getLogger(Reminders.class);
  static final String FIELDS_PURPOSE = "reminders.fields";

  /** The sealed column of this concern, for {@code reencrypt}. */
  public static List<Reencryption.SealedTable> sealedTables() {
    return List.of(
        new Reencryption.SealedTable(
            "reminders", "id", null, Map.of("fields_enc", FIELDS_PURPOSE)));
  }

  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(WorkingCalendar.ZONE);
  static final int MAX_GRANTS = 50;

  private final Vertx vertx;
  private final ReminderStore store;
  private final RemindersConfig config;
  private final Map<Channel, ChannelAdapter> channels;
  private final DepartmentClient departments;
  private final Identity identity;
  private final PersonalDataCipher cipher;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final AtomicBoolean finding = new AtomicBoolean();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final AtomicLong backlog = new AtomicLong();
  private long findTimer = -1;
  private long sendTimer = -1;

  private Reminders(
      Vertx vertx,
      Pool pool,
      RemindersConfig config,
      Map<Channel, ChannelAdapter> channels,
      DepartmentClient departments,
      Identity identity,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    this.vertx = vertx;
    this.store = new ReminderStore(pool);
    this.config = config;
    this.channels = Map.copyOf(channels);
    this.departments = departments;
    this.identity = identity;
    this.cipher = identity.cipher();
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
    Gauge.builder("govgate.reminders.backlog", backlog, AtomicLong::get)
        .description("Reminders due to be sent, as of this instance's last send round")
        .register(meters);
  }

  public static Reminders create(
      Vertx vertx,
      Pool pool,
      RemindersConfig config,
      Map<Channel, ChannelAdapter> channels,
      DepartmentClient departments,
      Identity identity,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock) {
    return new Reminders(
        vertx, pool, config, channels, departments, identity, audit, meters, clock);
  }

  RemindersConfig config() {
    return config;
  }

  ReminderStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  /** Starts the finding and sending rounds. */
  public void start() {
    findTimer = vertx.setPeriodic(config.findInterval().toMillis(), id -> findDue());
    sendTimer = vertx.setPeriodic(config.sendInterval().toMillis(), id -> sendDue());
  }

  public Future<Void> close() {
    if (findTimer >= 0) vertx.cancelTimer(findTimer);
    if (sendTimer >= 0) vertx.cancelTimer(sendTimer);
    return Future.succeededFuture();
  }

  // ---------- finding ----------

  /**
   * One finding round: answers how many reminders it queued. Rounds of one instance never overlap.
   */
  public Future<Integer> findDue() {
    if (!finding.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return store
        .claimChecks(now, now.plus(config.findInterval()), config.batch())
        .compose(
            claimed -> {
              Map<String, List<Subscription>> groups = new LinkedHashMap<>();
              for (Subscription s : claimed) {
                String group =
                    s.topic().equals("proof_expiring")
                        ? "proof_expiring"
                        : s.topic() + "|" + s.region();
                groups.computeIfAbsent(group, g -> new ArrayList<>()).add(s);
              }
              List<Future<Integer>> asked = new ArrayList<>();
              groups.forEach(
                  (group, subs) ->
                      asked.add(
                          switch (subs.get(0).topic()) {
                            case "traffic_fine" -> dueFines(subs, now);
                            case "utility_bill" -> dueBills(subs, now);
                            default -> expiringProofs(subs, now);
                          }));
              return Future.join(asked)
                  .map(v -> asked.stream().mapToInt(f -> f.succeeded() ? f.result() : 0).sum());
            })
        .onComplete(
            ar -> {
              finding.set(false);
              if (ar.failed()) log.warn("reminder finding round failed: {}", ar.cause().toString());
            });
  }

  private Future<Integer> dueFines(List<Subscription> subs, Instant now) {
    String region = subs.get(0).region();
    List<Future<JsonObject>> citizens = new ArrayList<>();
    for (Subscription s : subs) {
      citizens.add(
          identity
              .directory()
              .resolve(s.citizenKey())
              .map(
                  c ->
                      new JsonObject()
                          .put("ref", Long.toString(s.id()))
                          .put("idNumber", c.idNumber())
                          .put("name", c.name())));
    }
    return Future.join(citizens)
        .compose(
            v -> {
              JsonArray asked = new JsonArray();
              citizens.stream().filter(Future::succeeded).forEach(f -> asked.add(f.result()));
              if (asked.isEmpty()) return Future.succeededFuture(0);
              JsonObject query =
                  new JsonObject().put("dueBefore", dueBefore(now)).put("citizens", asked);
              return ask(
                  "traffic.due-fines",
                  region,
                  query,
                  subs,
                  now,
                  item ->
                      new JsonObject()
                          .put("title", "交通违法罚款待缴纳")
                          .put("plate", item.getString("plate"))
                          .put("amount", yuan(item.getLong("amountFen")))
                          .put("due", item.getString("dueDate"))
                          .put(
                              "offence",
                              item.getJsonObject("offence", new JsonObject())
                                  .getString("description", "交通违法")),
                  item -> item.getString("decisionNumber"));
            });
  }

  private Future<Integer> dueBills(List<Subscription> subs, Instant now) {
    String region = subs.get(0).region();
    JsonArray accounts = new JsonArray();
    for (Subscription s : subs) {
      accounts.add(
          new JsonObject()
              .put("ref", Long.toString(s.id()))
              .put("utilityType", s.utilityType())
              .put("accountNo", s.accountNo()));
    }
    JsonObject query = new JsonObject().put("dueBefore", dueBefore(now)).put("accounts", accounts);
    return ask(
        "utilities.due-bills",
        region,
        query,
        subs,
        now,
        item ->
            new JsonObject()
                .put(
                    "title",
                    switch (item.getString("utilityType")) {
                      case "water" -> "水费账单待缴纳";
                      case "power" -> "电费账单待缴纳";
                      default -> "燃气费账单待缴纳";
                    })
                .put("account", "****" + item.getString("accountNo").substring(6))
                .put("amount", yuan(item.getLong("amountFen")))
                .put("due", item.getString("dueDate"))
                .put("period", item.getString("period")),
        item -> item.getString("billRef"));
  }

  /**
   * One batch call to the department; each item queues a reminder for the subscription its ref
   * names.
   */
  private Future<Integer> ask(
      String serviceType,
      String region,
      JsonObject query,
      List<Subscription> subs,
      Instant now,
      java.util.function.Function<JsonObject, JsonObject> fields,
      java.util.function.Function<JsonObject, String> itemRef) {
    Map<String, Subscription> byRef = new LinkedHashMap<>();
    subs.forEach(s -> byRef.put(Long.toString(s.id()), s));
    String requestId = "reminders-" + java.util.UUID.randomUUID();
    // Not an idempotent read here: a stale copy could remind of a bill already paid; the next round
    // asks again.
    return departments
        .call(serviceType, region, null, query, requestId, false)
        .compose(
            answer -> {
              subs.forEach(
                  s ->
                      audit.record(
                          AuditEvent.success(
                              "gateway",
                              "reminders",
                              "reminders.due_items_read",
                              s.citizenKey(),
                              requestId,
                              new JsonObject()
                                  .put("serviceType", serviceType)
                                  .put("region", region)
                                  .put("department", answer.department()))));
              List<Future<Boolean>> queued = new ArrayList<>();
              for (Object o : answer.data().getJsonArray("items", new JsonArray())) {
                JsonObject item = (JsonObject) o;
                Subscription s = byRef.get(item.getString("ref"));
                if (s == null) continue; // the department echoed a ref it was not asked about
                queued.add(enqueue(s, itemRef.apply(item), fields.apply(item), now));
              }
              return Future.join(queued)
                  .map(v -> (int) queued.stream().filter(f -> f.succeeded() && f.result()).count());
            })
        .recover(
            e -> {
              log.warn(
                  "due items of {} in {} not available, asking again later: {}",
                  serviceType,
                  region,
                  e.toString());
              return store
                  .recheck(
                      subs.stream().map(Subscription::id).toList(), now.plus(config.retryBackoff()))
                  .map(0);
            });
  }

  private Future<Integer> expiringProofs(List<Subscription> subs, Instant now) {
    List<String> citizens = subs.stream().map(Subscription::citizenKey).distinct().toList();
    return store
        .expiringProofs(citizens, now, now.plus(config.proofNotice()))
        .compose(
            proofs -> {
              List<Future<Boolean>> queued = new ArrayList<>();
              for (Row p : proofs) {
                JsonObject fields =
                    new JsonObject()
                        .put("title", "电子证明即将过期")
                        .put("serial", p.getString("serial"))
                        .put(
                            "due",
                            LocalDate.ofInstant(
                                    p.getOffsetDateTime("expires_at").toInstant(),
                                    WorkingCalendar.ZONE)
                                .toString());
                for (Subscription s : subs) {
                  if (s.citizenKey().equals(p.getString("citizen_key")))
                    queued.add(enqueue(s, p.getString("serial"), fields, now));
                }
              }
              return Future.join(queued)
                  .map(v -> (int) queued.stream().filter(f -> f.succeeded() && f.result()).count());
            });
  }

  /**
   * Queues a reminder for one subscription unless one exists for the same identity, topic and item.
   */
  Future<Boolean> enqueue(Subscription s, String itemRef, JsonObject fields, Instant now) {
    String key = idempotencyKey(s.identityKey(), s.topic(), itemRef);
    return store
        .enqueue(
            s.id(),
            key,
            s.channel(),
            s.topic(),
            itemRef,
            cipher.seal(FIELDS_PURPOSE, fields.encode()),
            now,
            now.plus(config.maxAge()))
        .onSuccess(
            queued -> {
              if (queued) count(s.channel(), s.topic(), "queued");
            });
  }

  /** Reply reminders: the citizen's complaint_reply subscriptions on every channel get one each. */
  @Override
  public Future<Void> replied(
      String complaintId,
      String citizenKey,
      ComplaintKind kind,
      String departmentId,
      Instant repliedAt) {
    JsonObject fields =
        new JsonObject()
            .put("title", kind == ComplaintKind.COMPLAINT ? "您的投诉已有答复" : "您的咨询已有答复")
            .put("reference", complaintId)
            .put("department", departmentId)
            .put("time", MINUTE.format(repliedAt));
    Instant now = clock.instant();
    return store
        .activeOf(citizenKey, "complaint_reply")
        .compose(
            subs ->
                Future.join(subs.stream().map(s -> enqueue(s, complaintId, fields, now)).toList()))
        .<Void>mapEmpty()
        .onFailure(e -> log.warn("reply reminder of {} not queued: {}", complaintId, e.toString()));
  }

  // ---------- sending ----------

  /**
   * One sending round: answers how many reminders it claimed. Rounds of one instance never overlap.
   */
  public Future<Integer> sendDue() {
    if (!sending.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return store
        .expireLeases(now)
        .compose(expired -> store.claimSends(now, now.plus(config.lease()), config.batch()))
        .compose(
            claimed -> Future.join(claimed.stream().map(this::send).toList()).map(claimed.size()))
        .compose(
            n ->
                store
                    .backlog(clock.instant())
                    .map(
                        b -> {
                          backlog.set(b);
                          return n;
                        }))
        .onComplete(
            ar -> {
              sending.set(false);
              if (ar.failed()) log.warn("reminder sending round failed: {}", ar.cause().toString());
            });
  }

  private Future<Void> send(Claimed c) {
    RemindersConfig.Template template = config.template(c.appId(), c.topic());
    ChannelAdapter adapter = channels.get(Channel.fromWire(c.channel()));
    if (template == null || adapter == null) {
      count(c.channel(), c.topic(), "rejected");
      return store.gaveUp(c, "failed", template == null ? "template_missing" : "channel_off");
    }
    JsonObject fields = new JsonObject(cipher.open(FIELDS_PURPOSE, c.fieldsEnc()));
    Map<String, String> data = new LinkedHashMap<>();
    template.fields().forEach((keyword, field) -> data.put(keyword, fields.getString(field, "-")));
    String page = template.page() == null ? null : template.page().replace("{ref}", c.itemRef());
    return identity
        .channelSubject(c.identityKey())
        .compose(
            recipient ->
                adapter.sendSubscriptionMessage(
                    new SubscriptionMessage(c.appId(), recipient, template.id(), page, data)))
        .compose(
            v -> {
              count(c.channel(), c.topic(), "sent");
              return store.sent(c.id(), clock.instant());
            },
            e -> outcome(c, e))
        .recover(
            e -> {
              log.warn("reminder {} outcome not recorded: {}", c.id(), e.toString());
              return Future.succeededFuture();
            });
  }

  private Future<Void> outcome(Claimed c, Throwable e) {
    if (!(e instanceof ChannelException ce)) {
      if (e instanceof cn.govgate.error.ApiException a && a.status() == 404) {
        count(c.channel(), c.topic(), "rejected");
        return store.gaveUp(c, "failed", "recipient_unknown");
      }
      // Nothing was sent (the recipient could not be read): safe to try again.
      count(c.channel(), c.topic(), "retry");
      return store.retry(c.id(), "gateway", clock.instant().plus(backoff(c.attempts())));
    }
    String code =
        ce.kind().name().toLowerCase(java.util.Locale.ROOT)
            + (ce.channelCode() == null ? "" : ":" + ce.channelCode());
    switch (ce.kind()) {
      case USER_REFUSED -> {
        count(c.channel(), c.topic(), "refused");
        return store.refused(c, code, clock.instant());
      }
      case PLATFORM_UNAVAILABLE, PLATFORM_ERROR, CIRCUIT_OPEN -> {
        Instant next = clock.instant().plus(backoff(c.attempts()));
        if (next.isAfter(c.expiresAt())) {
          count(c.channel(), c.topic(), "expired");
          return store.gaveUp(c, "expired", code);
        }
        count(c.channel(), c.topic(), "retry");
        return store.retry(c.id(), code, next);
      }
      // The request may have reached the platform: a second send could deliver twice.
      case TIMEOUT, MALFORMED_RESPONSE, SIGNATURE_INVALID -> {
        count(c.channel(), c.topic(), "unknown");
        return store.unknown(c.id(), code);
      }
      default -> {
        count(c.channel(), c.topic(), "rejected");
        return store.gaveUp(c, "failed", code);
      }
    }
  }

  /** base × 2^(attempts − 1), capped. */
  Duration backoff(int attempts) {
    Duration d = config.retryBackoff();
    for (int i = 1; i < attempts && d.compareTo(config.maxBackoff()) < 0; i++)
      d = d.multipliedBy(2);
    return d.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : d;
  }

  private void count(String channel, String topic, String outcome) {
    Counter.builder("govgate.reminders")
        .description("Reminders queued and their sends, by outcome")
        .tag("channel", channel)
        .tag("topic", topic)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private String dueBefore(Instant now) {
    return LocalDate.ofInstant(now.plus(config.dueWithin()), WorkingCalendar.ZONE).toString();
  }

  static String yuan(long fen) {
    return "¥" + BigDecimal.valueOf(fen, 2).toPlainString();
  }

  static String idempotencyKey(String identityKey, String topic, String itemRef) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((identityKey + "\n" + topic + "\n" + itemRef).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JRE", e);
    }
  }
}
