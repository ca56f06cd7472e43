package cn.govgate.complaints;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.calendar.WorkingCalendar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds items nobody answered by their deadline: marks each once (whichever instance gets there
 * first, SKIP LOCKED), writes its {@code overdue} event, audits and counts it ({@code
 * govgate.complaints.marked_overdue}), and keeps the gauge {@code
 * govgate.complaints.overdue{department, kind}} at the number of unanswered items past their
 * deadline now, read from the database, so every instance reports the same figure (alert on its
 * max). Also exports {@code govgate.calendar.coverage.seconds}: time left until the holiday
 * schedules run out (whole days, in seconds: Prometheus's base unit).
 */
public final class OverdueWatch {
  private static final Logger log = LoggerFactory.getLogger(OverdueWatch.class);
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final ComplaintStore store;
  private final AuditLog audit;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Duration interval;
  private final WorkingCalendar calendar;
  private final MultiGauge overdue;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong coverage = new AtomicLong();
  private long timer = -1;

  private OverdueWatch(
      Vertx vertx,
      ComplaintStore store,
      WorkingCalendar calendar,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock,
      Duration interval) {
    this.vertx = vertx;
    this.store = store;
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
    this.interval = interval;
    this.calendar = calendar;
    this.overdue =
        MultiGauge.builder("govgate.complaints.overdue")
            .description(
                "Consultations and complaints without a reply past their deadline, from the database")
            .register(meters);
    Gauge.builder("govgate.calendar.coverage.seconds", coverage, days -> days.get() * 86_400.0)
        .description(
            "Time until the last holiday schedule ends (whole days); deadlines after it count Monday to"
                + " Friday only")
        .register(meters);
    coverage.set(coverageDays(clock.instant()));
  }

  public static OverdueWatch create(
      Vertx vertx,
      Complaints complaints,
      WorkingCalendar calendar,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock,
      Duration interval) {
    return new OverdueWatch(vertx, complaints.store(), calendar, audit, meters, clock, interval);
  }

  /** Starts the periodic rounds. */
  public void start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> runOnce());
  }

  /**
   * One round: mark what became overdue (in batches), then refresh the gauges. Rounds never
   * overlap.
   */
  public Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    Instant now = clock.instant();
    return markAll(now, 0)
        .compose(
            n ->
                store
                    .overdueCounts(now)
                    .map(
                        rows -> {
                          refreshGauges(rows, now);
                          return n;
                        }))
        .onComplete(
            ar -> {
              running.set(false);
              if (ar.failed()) log.warn("overdue round failed: {}", ar.cause().toString());
            });
  }

  private Future<Integer> markAll(Instant now, int sofar) {
    return store
        .markOverdue(now, BATCH)
        .compose(
            marked -> {
              for (ComplaintStore.Marked m : marked) {
                Counter.builder("govgate.complaints.marked_overdue")
                    .description(
                        "Consultations and complaints found without a reply at their deadline")
                    .tag("kind", m.kind().wireName())
                    .register(meters)
                    .increment();
                audit.record(
                    AuditEvent.success(
                        "gateway",
                        "complaints.overdue",
                        "complaints.overdue",
                        m.citizenKey(),
                        null,
                        new JsonObject()
                            .put("complaintId", m.id())
                            .put("departmentId", m.departmentId())));
                log.warn(
                    "complaint past its deadline without a reply: {} ({}) at {}",
                    m.id(),
                    m.kind().wireName(),
                    m.departmentId());
              }
              return marked.size() == BATCH
                  ? markAll(now, sofar + marked.size())
                  : Future.succeededFuture(sofar + marked.size());
            });
  }

  private void refreshGauges(List<Row> rows, Instant now) {
    List<MultiGauge.Row<?>> gauges = new ArrayList<>();
    for (Row r : rows) {
      gauges.add(
          MultiGauge.Row.of(
              Tags.of("department", r.getString("department_id"), "kind", r.getString("kind")),
              r.getLong("n")));
    }
    overdue.register(gauges, true);
    coverage.set(coverageDays(now));
  }

  private long coverageDays(Instant now) {
    return calendar
        .coveredUntil()
        .map(
            last ->
                Math.max(
                    0,
                    last.toEpochDay()
                        - LocalDate.ofInstant(now, WorkingCalendar.ZONE).toEpochDay()))
        .orElse(0L);
  }

  public Future<Void> close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
