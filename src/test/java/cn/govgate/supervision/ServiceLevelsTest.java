package cn.govgate.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published service levels are what really happened: the test makes department calls through
 * the gateway (fast, slow, failing, unavailable, served stale), classifies each by the answer the
 * citizen got, and expects the published counts to match exactly and the percentiles to lie within
 * the stated tolerance of the latencies the calls can have had (at least the simulator's configured
 * delay, at most what the test's own client measured). The figures come from the database: the same
 * after a restart, from a second instance, and after the rollup.
 */
class ServiceLevelsTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String WATER = "hz-water";

  private enum Kind {
    ANSWERED,
    ERROR,
    UNAVAILABLE,
    TIMED_OUT,
    STALE
  }

  private static GatewayTestBed bed;
  private static DepartmentSimulator water;
  private static final Map<Kind, Integer> expected = new EnumMap<>(Kind.class);

  /**
   * Latency bounds of answered calls, milliseconds: configured delay (lower), client-measured time
   * (upper).
   */
  private static final List<Double> lower = new ArrayList<>();

  private static final List<Double> upper = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bed =
        new GatewayTestBed(
            30, 2027L, TestClock.at("2026-03-10T02:00:00Z"), "serviceLevels.cacheTtl", "0s");
    water = bed.department(WATER, DepartmentFamily.UTILITIES, HANGZHOU, "utilities.bill");
    for (Kind k : Kind.values()) expected.put(k, 0);
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  /** Asks for a bill and files the call under what the citizen got. */
  private static void billCall(String token, HouseholdAccount account, long configuredMs) {
    long started = System.nanoTime();
    HttpResponse<String> r =
        bed.get(
            "/v1/utilities/bill?region="
                + HANGZHOU
                + "&utilityType="
                + account.utilityType()
                + "&accountNo="
                + account.accountNo(),
            token);
    double tookMs = (System.nanoTime() - started) / 1e6;
    JsonObject body = Http.json(r);
    Kind kind;
    if (r.statusCode() == 200) {
      kind = body.getBoolean("stale") ? Kind.STALE : Kind.ANSWERED;
    } else {
      String code = body.getString("code");
      kind =
          switch (code) {
            case "department.timeout" -> Kind.TIMED_OUT;
            case "department.unavailable",
                "department.busy",
                "department.under_maintenance",
                "department.connection_failed" ->
                Kind.UNAVAILABLE;
            case "department.bill_not_found" -> Kind.ANSWERED;
            default -> Kind.ERROR;
          };
    }
    expected.merge(kind, 1, Integer::sum);
    if (kind == Kind.ANSWERED) {
      lower.add((double) configuredMs);
      upper.add(tookMs);
    }
  }

  private static List<HouseholdAccount> accounts(int n) {
    List<HouseholdAccount> out = new ArrayList<>();
    for (SyntheticCitizen p : bed.identity.people) {
      out.addAll(water.accountsOf(p));
      if (out.size() >= n) break;
    }
    return out.subList(0, n);
  }

  private static JsonObject levels(Gateway g, String query) {
    HttpResponse<String> r = Http.get(g.baseUrl() + "/v1/stats/service-levels" + query);
    CONTRACT.assertValid("getServiceLevels", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  private static JsonObject department(JsonObject levels) {
    return levels.getJsonArray("departments").stream()
        .map(JsonObject.class::cast)
        .filter(d -> WATER.equals(d.getString("departmentId")))
        .findFirst()
        .orElseThrow();
  }

  private static double nearestRank(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((int) Math.ceil(p * sorted.size()) - 1);
  }

  private static void assertFigures(JsonObject d) {
    JsonObject calls = d.getJsonObject("calls");
    int total = expected.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(calls.getInteger("total")).isEqualTo(total);
    assertThat(calls.getInteger("answered")).isEqualTo(expected.get(Kind.ANSWERED));
    assertThat(calls.getInteger("errors")).isEqualTo(expected.get(Kind.ERROR));
    assertThat(calls.getInteger("unavailable")).isEqualTo(expected.get(Kind.UNAVAILABLE));
    assertThat(calls.getInteger("timedOut")).isEqualTo(expected.get(Kind.TIMED_OUT));
    assertThat(calls.getInteger("stale")).isEqualTo(expected.get(Kind.STALE));
    assertThat(d.getDouble("availability"))
        .isCloseTo(
            (expected.get(Kind.ANSWERED) + expected.get(Kind.ERROR)) / (double) total,
            org.assertj.core.data.Offset.offset(1e-4));
    for (double p : new double[] {0.50, 0.95}) {
      double published = d.getJsonObject("latencyMs").getDouble(p == 0.5 ? "p50" : "p95");
      double low =
          nearestRank(lower, p) / (1 + LatencyBuckets.RELATIVE_TOLERANCE)
              - LatencyBuckets.millis(0);
      double high =
          nearestRank(upper, p) * (1 + LatencyBuckets.RELATIVE_TOLERANCE)
              + LatencyBuckets.millis(0);
      assertThat(published).as("p%s", p).isBetween(low, high);
    }
  }

  @Test
  void publishedFiguresMatchTheCallsMadeAndSurviveRestartsInstancesAndTheRollup() throws Exception {
    String token = bed.l1(bed.identity.people.get(0));
    List<HouseholdAccount> accounts = accounts(14);
    for (int i = 0; i < 6; i++) billCall(token, accounts.get(i), 0);
    water.faults(DepartmentFaults.none().withLatencyMs(150));
    for (int i = 6; i < 10; i++) billCall(token, accounts.get(i), 150);
    water.faults(DepartmentFaults.none().withErrorRate(1.0));
    for (int i = 10; i < 12; i++) billCall(token, accounts.get(i), 0);
    water.faults(DepartmentFaults.none().withUnderMaintenance(true));
    billCall(token, accounts.get(0), 0); // answered before: served stale
    billCall(token, accounts.get(12), 0); // never answered: unavailable
    water.faults(DepartmentFaults.none());
    assertThat(expected.get(Kind.ANSWERED)).isGreaterThanOrEqualTo(10);
    // Failing calls may open the breaker, so some of them end as unavailable; each is counted as
    // the citizen saw it.
    assertThat(expected.get(Kind.STALE)).isEqualTo(1);
    assertThat(expected.get(Kind.ERROR) + expected.get(Kind.UNAVAILABLE)).isEqualTo(3);

    GatewayTestBed.await(bed.gateway.callLedger().flush());
    JsonObject d = department(levels(bed.gateway, "?month=2026-03&department=" + WATER));
    assertFigures(d);
    assertThat(
            department(levels(bed.gateway, "?month=2026-03&region=" + HANGZHOU))
                .getJsonObject("calls"))
        .isEqualTo(d.getJsonObject("calls"));
    assertThat(levels(bed.gateway, "?month=2026-02").getJsonArray("departments")).isEmpty();

    // A restart loses nothing: the figures are in the database.
    bed.stopGateway();
    bed.startGateway();
    assertFigures(department(levels(bed.gateway, "?month=2026-03&department=" + WATER)));

    // A second instance on the same database answers the same, and its own calls count for both.
    Gateway second =
        Gateway.start(GovgateConfig.from(ConfigValues.of(bed.settings)), bed.clock)
            .await(2, TimeUnit.MINUTES);
    try {
      assertFigures(department(levels(second, "?month=2026-03&department=" + WATER)));
      HttpResponse<String> r =
          Http.get(
              second.baseUrl()
                  + "/v1/utilities/bill?region="
                  + HANGZHOU
                  + "&utilityType="
                  + accounts.get(13).utilityType()
                  + "&accountNo="
                  + accounts.get(13).accountNo(),
              IdentityTestBed.bearer(token));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      expected.merge(Kind.ANSWERED, 1, Integer::sum);
      lower.add(0.0);
      upper.add(60_000.0);
      GatewayTestBed.await(second.callLedger().flush());
      assertFigures(department(levels(bed.gateway, "?month=2026-03&department=" + WATER)));
    } finally {
      TestGateways.stop(second);
    }

    // The rollup moves minutes into days without changing a figure.
    int moved =
        GatewayTestBed.await(
            bed.gateway.serviceLevels().rollUp(bed.clock.instant().plus(Duration.ofHours(1))));
    assertThat(moved).isPositive();
    long left =
        bed.gateway
            .database()
            .pool()
            .query("SELECT count(*) FROM service_level_minutes")
            .execute()
            .await(10, TimeUnit.SECONDS)
            .iterator()
            .next()
            .getLong(0);
    assertThat(left).isZero();
    assertFigures(department(levels(bed.gateway, "?month=2026-03&department=" + WATER)));

    // The same figures reach the gauges dashboards read (max over instances).
    GatewayTestBed.await(bed.gateway.serviceLevels().refreshGauges());
    assertThat(bed.gateway.registry().scrape())
        .contains(
            "govgate_service_level_calls{department=\""
                + WATER
                + "\"} "
                + expected.values().stream().mapToInt(Integer::intValue).sum()
                + ".0")
        .contains(
            "govgate_service_level_latency_seconds{department=\""
                + WATER
                + "\",quantile=\"0.95\"}");
  }

  /** Files a consultation about water bills; answers its id. */
  private static String consultation(String token, String text) {
    HttpResponse<String> filed =
        bed.post(
            "/v1/complaints",
            new JsonObject()
                .put("kind", "consultation")
                .put("serviceType", "utilities.bill")
                .put("region", HANGZHOU)
                .put("text", text),
            token);
    assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
    return Http.json(filed).getString("id");
  }

  /** The water company replies to the item; answers the interaction the citizen rates it with. */
  private static String reply(String token, String id, String text) {
    HttpResponse<String> reply =
        Http.post(
            bed.gateway.baseUrl()
                + "/admin/v1/departments/"
                + WATER
                + "/complaints/"
                + id
                + "/reply",
            new JsonObject().put("reply", text).encode(),
            Map.of("Authorization", bed.credential(WATER)));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return Http.json(bed.get("/v1/complaints/" + id, token)).getString("replyInteractionId");
  }

  private static HttpResponse<String> rectification(String path, JsonObject body) {
    return Http.send(
        body == null ? "GET" : "POST",
        bed.gateway.baseUrl() + "/admin/v1/departments/" + WATER + "/rectifications" + path,
        body == null ? null : body.encode(),
        Map.of("Authorization", bed.credential(WATER)));
  }

  @Test
  void repliesRatingsAndRectificationsOfTheMonthArePublished() {
    String token = bed.l2(bed.identity.people.get(1));
    // Replied after 2 hours, rated 4 (satisfied).
    String first = consultation(token, "水费账单怎么看？");
    bed.clock.advance(Duration.ofHours(2));
    String satisfied = reply(token, first, "请见账单说明");
    assertThat(
            bed.post(
                    "/v1/ratings",
                    new JsonObject().put("interactionId", satisfied).put("level", 4),
                    token)
                .statusCode())
        .isEqualTo(201);
    // Replied after 1 hour, rated 1: a rectification the water company answers and closes in
    // time.
    String second = consultation(token, "为什么本月水费翻倍？");
    bed.clock.advance(Duration.ofHours(1));
    String unhappy = reply(token, second, "已转抄表员核实");
    HttpResponse<String> bad =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", unhappy)
                .put("level", 1)
                .put("comment", "答复没有解决问题"),
            token);
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(201);
    HttpResponse<String> open = rectification("?state=open", null);
    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
    assertThat(Http.json(open).getJsonArray("items")).hasSize(1);
    long fix = Http.json(open).getJsonArray("items").getJsonObject(0).getLong("id");
    // Not closed yet and not past its deadline: not yet due, so no rate.
    JsonObject before =
        department(levels(bed.gateway, "?month=2026-03&department=" + WATER))
            .getJsonObject("rectifications");
    assertThat(before.getInteger("due")).isZero();
    assertThat(before.containsKey("onTimeRate")).isFalse();
    bed.clock.advance(Duration.ofHours(20));
    assertThat(
            rectification("/" + fix + "/answer", new JsonObject().put("answer", "已重新抄表并退还差额"))
                .statusCode())
        .isEqualTo(200);
    assertThat(rectification("/" + fix + "/close", new JsonObject()).statusCode()).isEqualTo(200);

    JsonObject d = department(levels(bed.gateway, "?month=2026-03&department=" + WATER));
    JsonObject consultations = d.getJsonObject("consultations");
    assertThat(consultations.getInteger("received")).isEqualTo(2);
    assertThat(consultations.getInteger("repliedOnTime")).isEqualTo(2);
    assertThat(consultations.getDouble("onTimeRate")).isEqualTo(1.0);
    assertThat(consultations.getDouble("medianReplyHours")).isEqualTo(1.5);
    assertThat(d.getJsonObject("ratings").getInteger("count")).isEqualTo(2);
    assertThat(d.getJsonObject("ratings").getDouble("satisfactionRate")).isEqualTo(0.5);
    JsonObject rectifications = d.getJsonObject("rectifications");
    assertThat(rectifications.getInteger("due")).isEqualTo(1);
    assertThat(rectifications.getInteger("closedOnTime")).isEqualTo(1);
    assertThat(rectifications.getDouble("onTimeRate")).isEqualTo(1.0);
    // The dashboards get the same figures.
    GatewayTestBed.await(bed.gateway.serviceLevels().refreshGauges());
    assertThat(bed.gateway.registry().scrape())
        .contains(
            "govgate_service_level_median_reply_seconds{department=\""
                + WATER
                + "\",kind=\"consultation\"} 5400.0")
        .contains(
            "govgate_service_level_rectification_on_time_ratio{department=\"" + WATER + "\"} 1.0")
        .contains("govgate_service_level_satisfaction_ratio{department=\"" + WATER + "\"} 0.5");
  }

  @Test
  void badQueriesAreRefusedWithCodes() {
    HttpResponse<String> month =
        Http.get(bed.gateway.baseUrl() + "/v1/stats/service-levels?month=2026-13");
    CONTRACT.assertValid("getServiceLevels", month);
    assertThat(month.statusCode()).isEqualTo(400);
    assertThat(Http.json(month).getJsonObject("details").getJsonObject("fields").fieldNames())
        .contains("month");
    HttpResponse<String> region =
        Http.get(bed.gateway.baseUrl() + "/v1/stats/service-levels?region=110000");
    CONTRACT.assertValid("getServiceLevels", region);
    assertThat(region.statusCode()).isEqualTo(404);
    assertThat(Http.json(region).getString("code")).isEqualTo("region.unknown");
  }
}
