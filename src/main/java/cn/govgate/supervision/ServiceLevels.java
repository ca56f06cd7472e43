package cn.govgate.supervision;

import cn.govgate.calendar.WorkingCalendar;
import cn.govgate.config.ServiceLevelsConfig;
import cn.govgate.supervision.ServiceLevelStore.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The published service levels (效能监察) per department and month, computed from durable data only:
 * the per-minute and per-day call counts every instance writes ({@link CallLedger}), consultations
 * and complaints, ratings and rectifications. Also rolls minute rows into days (one instance at a
 * time) and keeps the {@code govgate_service_level_*} gauges at the current month's figures for
 * dashboards (the same on every instance: take their max).
 *
 * <p>Figures of a department: {@code calls} (total and by result), {@code availability} = (answered
 * + errors) / calls (the department answered at all), {@code errorRate} = errors / calls, {@code
 * staleShare} = stale / calls, {@code latencyMs.p50/p95} of answered calls (see {@link
 * LatencyBuckets} for the tolerance), per kind of item received / replied / replied on time /
 * overdue, {@code onTimeRate} = replied on time / (replied + overdue) and {@code medianReplyHours};
 * ratings' {@code satisfactionRate} (levels 4–5) and rectifications closed on time. A rate over
 * nothing is absent, never 0 or 1.
 */
public final class ServiceLevels {
  private static final Logger log = LoggerFactory.getLogger(ServiceLevels.class);

  private final Vertx vertx;
  private final ServiceLevelStore store;
  private final ServiceLevelsConfig config;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, MultiGauge> gauges = new TreeMap<>();
  private final AtomicBoolean rolling = new AtomicBoolean();
  private long rollupTimer = -1;
  private long gaugeTimer = -1;

  private record Cached(JsonObject answer, Instant until) {}

  private ServiceLevels(
      Vertx vertx, Pool pool, ServiceLevelsConfig config, MeterRegistry meters, Clock clock) {
    this.vertx = vertx;
    this.store = new ServiceLevelStore(pool);
    this.config = config;
    this.clock = clock;
    gauge(meters, "govgate.service_level.calls", "Department calls this month (all instances)");
    gauge(
        meters,
        "govgate.service_level.availability",
        "Share of this month's calls the department answered");
    gauge(
        meters,
        "govgate.service_level.error_ratio",
        "Share of this month's calls answered with an error");
    gauge(
        meters,
        "govgate.service_level.stale_ratio",
        "Share of this month's calls served from a stale copy");
    gauge(
        meters,
        "govgate.service_level.latency_seconds",
        "Latency percentile of this month's answered calls");
    gauge(
        meters,
        "govgate.service_level.on_time_reply_ratio",
        "Share of this month's consultations or complaints replied within their deadline");
    gauge(
        meters,
        "govgate.service_level.satisfaction_ratio",
        "Share of this month's ratings at levels 4-5");
    gauge(
        meters,
        "govgate.service_level.median_reply_seconds",
        "Median time to the reply of this month's consultations or complaints");
    gauge(
        meters,
        "govgate.service_level.rectification_on_time_ratio",
        "Share of this month's due rectifications closed by their deadline");
  }

  private void gauge(MeterRegistry meters, String name, String description) {
    gauges.put(name, MultiGauge.builder(name).description(description).register(meters));
  }

  public static ServiceLevels create(
      Vertx vertx, Pool pool, ServiceLevelsConfig config, MeterRegistry meters, Clock clock) {
    return new ServiceLevels(
        Objects.requireNonNull(vertx),
        Objects.requireNonNull(pool),
        Objects.requireNonNull(config),
        Objects.requireNonNull(meters),
        Objects.requireNonNull(clock));
  }

  /** Starts the rollup and gauge rounds. */
  public void start() {
    rollupTimer = vertx.setPeriodic(config.rollupInterval().toMillis(), id -> rollUp());
    gaugeTimer = vertx.setPeriodic(config.gaugeInterval().toMillis(), id -> refreshGauges());
  }

  public Future<Void> close() {
    if (rollupTimer >= 0) vertx.cancelTimer(rollupTimer);
    if (gaugeTimer >= 0) vertx.cancelTimer(gaugeTimer);
    return Future.succeededFuture();
  }

  /**
   * Rolls per-minute rows older than {@code serviceLevels.rollupAfter} into days; -1 when another
   * instance is.
   */
  public Future<Integer> rollUp() {
    return rollUp(clock.instant().minus(config.rollupAfter()));
  }

  /** Rolls per-minute rows older than {@code cutoff} into days. */
  public Future<Integer> rollUp(Instant cutoff) {
    if (!rolling.compareAndSet(false, true)) return Future.succeededFuture(-1);
    return store
        .rollUp(cutoff)
        .onComplete(
            ar -> {
              rolling.set(false);
              if (ar.failed()) log.warn("service-level rollup failed: {}", ar.cause().toString());
            });
  }

  /**
   * The figures of {@code month} (Asia/Shanghai), per department, optionally of one region and one
   * department. Reused for {@code serviceLevels.cacheTtl}.
   */
  public Future<JsonObject> publish(YearMonth month, String region, String department) {
    String key = month + "|" + region + "|" + department;
    Instant now = clock.instant();
    Cached hit = cache.get(key);
    if (hit != null && now.isBefore(hit.until()))
      return Future.succeededFuture(hit.answer().copy());
    return compute(month, region, department, now)
        .map(
            answer -> {
              if (!config.cacheTtl().isZero()) {
                if (cache.size() > 1000) cache.clear();
                cache.put(key, new Cached(answer, now.plus(config.cacheTtl())));
              }
              return answer.copy();
            });
  }

  private Future<JsonObject> compute(
      YearMonth month, String region, String department, Instant now) {
    LocalDate first = month.atDay(1);
    LocalDate next = month.plusMonths(1).atDay(1);
    Scope scope =
        new Scope(
            first.atStartOfDay(WorkingCalendar.ZONE).toInstant(),
            next.atStartOfDay(WorkingCalendar.ZONE).toInstant(),
            first,
            next,
            region,
            department);
    Future<List<Row>> calls = store.calls(scope);
    Future<List<Row>> latency = store.latency(scope);
    Future<List<Row>> complaints = store.complaints(scope, now);
    Future<List<Row>> ratings = store.ratings(scope);
    Future<List<Row>> fixes = store.rectifications(scope, now);
    return Future.all(calls, latency, complaints, ratings, fixes)
        .map(
            v -> {
              Map<String, JsonObject> byDepartment = new TreeMap<>();
              Map<String, long[]> histograms = new TreeMap<>();
              for (Row r : latency.result()) {
                histograms
                        .computeIfAbsent(
                            r.getString("department_id"), d -> new long[LatencyBuckets.COUNT])[
                        r.getShort("bucket")] +=
                    r.getLong("n");
              }
              for (Row r : calls.result()) {
                entry(byDepartment, r.getString("department_id"))
                    .mergeIn(callFigures(r, histograms.get(r.getString("department_id"))));
              }
              for (Row r : complaints.result()) {
                entry(byDepartment, r.getString("department_id"))
                    .put(
                        "complaint".equals(r.getString("kind")) ? "complaints" : "consultations",
                        itemFigures(r));
              }
              for (Row r : ratings.result()) {
                JsonObject j = new JsonObject().put("count", r.getLong("n"));
                rate(j, "satisfactionRate", r.getLong("satisfied"), r.getLong("n"));
                entry(byDepartment, r.getString("department_id")).put("ratings", j);
              }
              for (Row r : fixes.result()) {
                JsonObject j =
                    new JsonObject()
                        .put("due", r.getLong("due"))
                        .put("closedOnTime", r.getLong("closed_on_time"));
                rate(j, "onTimeRate", r.getLong("closed_on_time"), r.getLong("due"));
                entry(byDepartment, r.getString("department_id")).put("rectifications", j);
              }
              JsonArray departments = new JsonArray();
              byDepartment.values().forEach(departments::add);
              JsonObject answer =
                  new JsonObject()
                      .put("month", month.toString())
                      .put("timeZone", WorkingCalendar.ZONE.getId());
              if (region != null) answer.put("region", region);
              if (department != null) answer.put("departmentId", department);
              return answer
                  .put(
                      "latencyTolerance",
                      new JsonObject()
                          .put("relative", round(LatencyBuckets.RELATIVE_TOLERANCE))
                          .put("absoluteMs", LatencyBuckets.millis(0)))
                  .put("departments", departments)
                  .put("asOf", now.toString());
            });
  }

  private static JsonObject entry(Map<String, JsonObject> byDepartment, String department) {
    return byDepartment.computeIfAbsent(department, d -> new JsonObject().put("departmentId", d));
  }

  private static JsonObject callFigures(Row r, long[] histogram) {
    long total = r.getLong("calls");
    long answered = r.getLong("answered");
    long errors = r.getLong("errors");
    JsonObject calls =
        new JsonObject()
            .put("total", total)
            .put("answered", answered)
            .put("errors", errors)
            .put("unavailable", r.getLong("unavailable"))
            .put("timedOut", r.getLong("timed_out"))
            .put("stale", r.getLong("stale"));
    JsonObject j = new JsonObject().put("calls", calls);
    rate(j, "availability", answered + errors, total);
    rate(j, "errorRate", errors, total);
    rate(j, "staleShare", r.getLong("stale"), total);
    if (histogram != null && answered > 0) {
      j.put(
          "latencyMs",
          new JsonObject()
              .put("p50", round(LatencyBuckets.percentile(histogram, 0.50)))
              .put("p95", round(LatencyBuckets.percentile(histogram, 0.95))));
    }
    return j;
  }

  private static JsonObject itemFigures(Row r) {
    long replied = r.getLong("replied");
    long overdue = r.getLong("overdue");
    JsonObject j =
        new JsonObject()
            .put("received", r.getLong("received"))
            .put("replied", replied)
            .put("repliedOnTime", r.getLong("on_time"))
            .put("overdue", overdue);
    rate(j, "onTimeRate", r.getLong("on_time"), replied + overdue);
    Object median = r.getValue("median_seconds");
    if (median instanceof Number n) j.put("medianReplyHours", round(n.doubleValue() / 3600));
    return j;
  }

  private static void rate(JsonObject j, String field, long part, long whole) {
    if (whole > 0) {
      j.put(
          field,
          BigDecimal.valueOf(part)
              .divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP)
              .doubleValue());
    }
  }

  private static double round(double value) {
    return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).doubleValue();
  }

  /** Recomputes this month's figures of every department into the gauges. */
  public Future<Void> refreshGauges() {
    YearMonth month = YearMonth.from(LocalDate.ofInstant(clock.instant(), WorkingCalendar.ZONE));
    return compute(month, null, null, clock.instant())
        .<Void>map(
            answer -> {
              Map<String, List<MultiGauge.Row<?>>> rows = new TreeMap<>();
              gauges.keySet().forEach(name -> rows.put(name, new ArrayList<>()));
              for (Object o : answer.getJsonArray("departments")) {
                JsonObject d = (JsonObject) o;
                Tags tags = Tags.of("department", d.getString("departmentId"));
                JsonObject calls = d.getJsonObject("calls");
                if (calls != null)
                  rows.get("govgate.service_level.calls")
                      .add(MultiGauge.Row.of(tags, calls.getLong("total")));
                put(rows, "govgate.service_level.availability", tags, d.getDouble("availability"));
                put(rows, "govgate.service_level.error_ratio", tags, d.getDouble("errorRate"));
                put(rows, "govgate.service_level.stale_ratio", tags, d.getDouble("staleShare"));
                JsonObject latency = d.getJsonObject("latencyMs");
                if (latency != null) {
                  put(
                      rows,
                      "govgate.service_level.latency_seconds",
                      tags.and("quantile", "0.5"),
                      latency.getDouble("p50") / 1000);
                  put(
                      rows,
                      "govgate.service_level.latency_seconds",
                      tags.and("quantile", "0.95"),
                      latency.getDouble("p95") / 1000);
                }
                for (String kind : List.of("consultations", "complaints")) {
                  JsonObject items = d.getJsonObject(kind);
                  if (items != null) {
                    Tags itemTags =
                        tags.and("kind", kind.equals("complaints") ? "complaint" : "consultation");
                    put(
                        rows,
                        "govgate.service_level.on_time_reply_ratio",
                        itemTags,
                        items.getDouble("onTimeRate"));
                    Double hours = items.getDouble("medianReplyHours");
                    put(
                        rows,
                        "govgate.service_level.median_reply_seconds",
                        itemTags,
                        hours == null ? null : hours * 3600);
                  }
                }
                JsonObject ratings = d.getJsonObject("ratings");
                if (ratings != null) {
                  put(
                      rows,
                      "govgate.service_level.satisfaction_ratio",
                      tags,
                      ratings.getDouble("satisfactionRate"));
                }
                JsonObject fixes = d.getJsonObject("rectifications");
                if (fixes != null) {
                  put(
                      rows,
                      "govgate.service_level.rectification_on_time_ratio",
                      tags,
                      fixes.getDouble("onTimeRate"));
                }
              }
              rows.forEach((name, list) -> gauges.get(name).register(list, true));
              return null;
            })
        .onFailure(e -> log.warn("service-level gauges not refreshed: {}", e.toString()));
  }

  private static void put(
      Map<String, List<MultiGauge.Row<?>>> rows, String name, Tags tags, Double value) {
    if (value != null) rows.get(name).add(MultiGauge.Row.of(tags, value));
  }
}
