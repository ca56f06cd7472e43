package cn.govgate.ratings;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdentityTestBed;
import cn.govgate.services.Caller;
import cn.govgate.services.Interaction;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 好差评 on the gateway as production wires it: citizens rate with their own sessions (channel login
 * and real-name binding through the simulators), departments answer rectifications with the
 * credentials the operator issued them, and what a region offers comes from the registered
 * backends. Each test gets a gateway and database of its own, with a frozen clock.
 */
class RatingsTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String CHENGDU = SyntheticCitizens.CHENGDU;
  private static final String DEPT = "hz-gjj";
  private static final String OTHER_DEPT = "hz-rsj";
  private static final String CD_TRAFFIC = "cd-jj";
  private static final String HZ_UTILITIES = "hz-utilities";

  private GatewayTestBed bed;
  private TestClock clock;
  private String token;
  private String otherToken;
  private Iterator<SyntheticCitizen> people;

  /**
   * A citizen with a bound session: what rating requests present, and the key interactions are
   * recorded under.
   */
  private record Citizen(String token, String key) {}

  @BeforeEach
  void start() throws Exception {
    clock = TestClock.at("2026-03-02T01:00:00Z");
    bed =
        new GatewayTestBed(
            30, 2026L, clock, "ratings.window", "7d", "ratings.rectificationDeadline", "5d");
    // Backends in both cities, so that both regions are known; the other Hangzhou department only
    // needs a credential.
    bed.department(DEPT, DepartmentFamily.HOUSING_FUND, HANGZHOU, "housing-fund.account");
    bed.department(CD_TRAFFIC, DepartmentFamily.TRAFFIC, CHENGDU, "traffic.fines");
    token = bed.credential(DEPT);
    otherToken = createDepartment(OTHER_DEPT, "social-security");
    people = new ArrayList<>(bed.identity.people).iterator();
  }

  @AfterEach
  void stop() throws Exception {
    bed.close();
  }

  private String createDepartment(String id, String kind) {
    HttpResponse<String> created =
        Http.post(
            bed.gateway.baseUrl() + "/admin/v1/departments",
            new JsonObject().put("id", id).put("name", "测试" + id).put("kind", kind).encode(),
            Map.of("Authorization", bed.operator));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    HttpResponse<String> credential =
        Http.post(
            bed.gateway.baseUrl() + "/admin/v1/departments/" + id + "/credentials",
            null,
            Map.of("Authorization", bed.operator));
    assertThat(credential.statusCode()).as(credential.body()).isEqualTo(201);
    return "Bearer " + Http.json(credential).getString("token");
  }

  /** A new citizen, logged in and bound at L2 (Alipay's certified real name). */
  private Citizen citizen() {
    String l2 = bed.l2(people.next());
    return new Citizen(l2, GatewayTestBed.citizenKey(l2));
  }

  private Interaction served(
      Citizen citizen, String serviceType, String department, String region) {
    Caller caller = citizen == null ? Caller.anonymous() : new Caller(citizen.key(), 2, "alipay");
    try {
      return bed.gateway
          .interactions()
          .record(caller, serviceType, department, region)
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Interaction served(Citizen citizen) {
    return served(citizen, "housing-fund.account", DEPT, HANGZHOU);
  }

  private HttpResponse<String> rate(Citizen citizen, JsonObject body) {
    HttpResponse<String> response =
        Http.post(
            bed.gateway.baseUrl() + "/v1/ratings",
            body.encode(),
            citizen == null ? Map.of() : IdentityTestBed.bearer(citizen.token()));
    CONTRACT.assertValid("submitRating", response);
    return response;
  }

  private HttpResponse<String> rate(
      Citizen citizen, String interactionId, int level, String comment, String... indicators) {
    JsonObject body =
        new JsonObject()
            .put("interactionId", interactionId)
            .put("level", level)
            .put("indicators", new JsonArray(java.util.List.of((Object[]) indicators)));
    if (comment != null) body.put("comment", comment);
    return rate(citizen, body);
  }

  private HttpResponse<String> admin(String method, String path, String auth, String body) {
    String url = bed.gateway.baseUrl() + "/admin/v1/departments/" + path;
    return Http.send(method, url, body, auth == null ? Map.of() : Map.of("Authorization", auth));
  }

  private JsonArray items(String auth, String department, String state) {
    HttpResponse<String> r =
        admin(
            "GET",
            department + "/rectifications" + (state == null ? "" : "?state=" + state),
            auth,
            null);
    CONTRACT.assertValid("listRectifications", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r).getJsonArray("items");
  }

  private static String code(HttpResponse<String> r) {
    return Http.json(r).getString("code");
  }

  @Test
  void acceptsOneRatingPerInteractionOnly() {
    Citizen a = citizen();
    Interaction i = served(a);
    HttpResponse<String> first = rate(a, i.id(), 5, null, "efficiency", "convenience");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(Http.json(first).getString("rectificationDeadline")).isNull();
    HttpResponse<String> second = rate(a, i.id(), 4, null);
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(code(second)).isEqualTo("rating.already_rated");
  }

  @Test
  void refusesABadRatingWithoutAComment() {
    Citizen a = citizen();
    Interaction i = served(a);
    HttpResponse<String> r = rate(a, i.id(), 2, "   ");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(code(r)).isEqualTo("rating.comment_required");
    assertThat(rate(a, i.id(), 1, null).statusCode()).isEqualTo(400);
    assertThat(rate(a, i.id(), 3, null).statusCode()).isEqualTo(201);
  }

  @Test
  void refusesLevelsOutsideOneToFive() {
    Citizen a = citizen();
    Interaction i = served(a);
    for (Object level : new Object[] {0, 6, -1, "5", 4.5}) {
      HttpResponse<String> r =
          rate(a, new JsonObject().put("interactionId", i.id()).put("level", level));
      assertThat(r.statusCode()).as("level %s", level).isEqualTo(400);
      assertThat(code(r)).isEqualTo("rating.level_invalid");
    }
  }

  @Test
  void refusesIndicatorsOutsideTheFixedSet() {
    Citizen a = citizen();
    Interaction i = served(a);
    HttpResponse<String> r = rate(a, i.id(), 4, null, "efficiency", "speed");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(code(r)).isEqualTo("rating.indicator_unknown");
    assertThat(Http.json(r).getJsonObject("details").getJsonArray("allowed"))
        .contains("efficiency", "attitude");
  }

  @Test
  void onlyTheServedCitizenMayRateTheirInteraction() {
    Citizen a = citizen();
    Interaction mine = served(a);
    HttpResponse<String> stranger = rate(citizen(), mine.id(), 1, "我来差评");
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(code(stranger)).isEqualTo("rating.interaction_unknown");
    assertThat(rate(null, mine.id(), 5, null).statusCode()).isEqualTo(404);
    assertThat(rate(a, "no-such-interaction", 5, null).statusCode()).isEqualTo(404);
    assertThat(rate(a, mine.id(), 5, null).statusCode()).isEqualTo(201);
  }

  @Test
  void anonymousInteractionIsRatedByWhoeverHoldsItsIdWithinTheWindow() {
    Interaction bill = served(null, "utilities.bill", HZ_UTILITIES, HANGZHOU);
    assertThat(rate(null, bill.id(), 4, null).statusCode()).isEqualTo(201);
    Interaction late = served(null, "utilities.bill", HZ_UTILITIES, HANGZHOU);
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    HttpResponse<String> r = rate(null, late.id(), 4, null);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(code(r)).isEqualTo("rating.window_closed");
  }

  @Test
  void interactionIdsAreUnguessable() {
    Citizen a = citizen();
    Interaction first = served(a);
    Interaction second = served(a);
    assertThat(first.id()).hasSize(22).isNotEqualTo(second.id());
  }

  @Test
  void badRatingOpensARectificationThatTheDepartmentAnswersAndCloses() {
    Citizen a = citizen();
    Interaction i = served(a);
    HttpResponse<String> rated = rate(a, i.id(), 1, "等了很久才查到", "efficiency");
    assertThat(rated.statusCode()).isEqualTo(201);
    Instant deadline = Instant.parse("2026-03-07T01:00:00Z");
    assertThat(Instant.parse(Http.json(rated).getString("rectificationDeadline")))
        .isEqualTo(deadline);

    JsonArray items = items(token, DEPT, null);
    assertThat(items).hasSize(1);
    JsonObject item = items.getJsonObject(0);
    assertThat(item.getString("state")).isEqualTo("open");
    assertThat(item.getString("comment")).isEqualTo("等了很久才查到");
    assertThat(Instant.parse(item.getString("deadline"))).isEqualTo(deadline);
    assertThat(item.encode()).doesNotContain(a.key()).doesNotContain(i.id());
    long id = item.getLong("id");

    HttpResponse<String> early =
        admin("POST", DEPT + "/rectifications/" + id + "/close", token, null);
    CONTRACT.assertValid("closeRectification", early);
    assertThat(code(early)).isEqualTo("rectification.not_answered");

    clock.advance(Duration.ofDays(1));
    HttpResponse<String> answered =
        admin(
            "POST",
            DEPT + "/rectifications/" + id + "/answer",
            token,
            new JsonObject().put("answer", "已优化查询接口，并电话回访").encode());
    CONTRACT.assertValid("answerRectification", answered);
    assertThat(Http.json(answered).getString("state")).isEqualTo("answered");

    HttpResponse<String> closed =
        admin("POST", DEPT + "/rectifications/" + id + "/close", token, null);
    CONTRACT.assertValid("closeRectification", closed);
    assertThat(closed.statusCode()).isEqualTo(200);
    assertThat(Http.json(closed).getString("state")).isEqualTo("closed");
    assertThat(items(token, DEPT, "closed")).hasSize(1);
    assertThat(items(token, DEPT, "open")).isEmpty();

    HttpResponse<String> again =
        admin(
            "POST",
            DEPT + "/rectifications/" + id + "/answer",
            token,
            new JsonObject().put("answer", "再次说明").encode());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(code(again)).isEqualTo("rectification.closed");
  }

  @Test
  void unansweredItemBecomesOverduePastItsDeadline() {
    Citizen a = citizen();
    Interaction i = served(a);
    rate(a, i.id(), 2, "办事指南与实际不符", "guide_accuracy");
    clock.advance(Duration.ofDays(5).minusMinutes(1));
    assertThat(items(token, DEPT, null).getJsonObject(0).getString("state")).isEqualTo("open");
    clock.advance(Duration.ofMinutes(2));
    assertThat(items(token, DEPT, "overdue")).hasSize(1);
    JsonObject stats = stats("?department=" + DEPT);
    assertThat(stats.getJsonObject("rectification").getLong("overdue")).isEqualTo(1);
  }

  @Test
  void departmentsSeeOnlyTheirOwnItems() {
    Citizen a = citizen();
    Interaction i = served(a);
    rate(a, i.id(), 1, "态度差", "attitude");
    HttpResponse<String> other = admin("GET", DEPT + "/rectifications", otherToken, null);
    assertThat(other.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("listRectifications", other);
    assertThat(items(otherToken, OTHER_DEPT, null)).isEmpty();
    HttpResponse<String> none = admin("GET", DEPT + "/rectifications", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    long id = items(token, DEPT, null).getJsonObject(0).getLong("id");
    HttpResponse<String> foreign =
        admin(
            "POST",
            OTHER_DEPT + "/rectifications/" + id + "/answer",
            otherToken,
            new JsonObject().put("answer", "x").encode());
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(code(foreign)).isEqualTo("rectification.unknown");
  }

  private JsonObject stats(String query) {
    HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + "/v1/stats/ratings" + query);
    CONTRACT.assertValid("getRatingStats", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r);
  }

  @Test
  void publishedStatisticsMatchTheRatingsGivenAndNameNoRater() {
    int[] levels = {5, 5, 4, 3, 2, 1};
    String[] comments = new String[levels.length];
    List<String> raters = new ArrayList<>();
    for (int n = 0; n < levels.length; n++) {
      Citizen citizen = citizen();
      raters.add(citizen.key());
      Interaction i = served(citizen);
      comments[n] = levels[n] <= 2 ? "差评内容-" + n : null;
      assertThat(rate(citizen, i.id(), levels[n], comments[n]).statusCode()).isEqualTo(201);
    }
    // Another region and department, which the filtered figures must leave out.
    Citizen chengduCitizen = citizen();
    Interaction chengdu = served(chengduCitizen, "traffic.fines", CD_TRAFFIC, CHENGDU);
    rate(chengduCitizen, chengdu.id(), 1, "罚单信息有误");

    long firstBad =
        items(token, DEPT, null).stream()
            .map(JsonObject.class::cast)
            .mapToLong(o -> o.getLong("id"))
            .min()
            .orElseThrow();
    admin("POST", DEPT + "/rectifications/" + firstBad + "/answer", token, "{\"answer\":\"已整改\"}");
    admin("POST", DEPT + "/rectifications/" + firstBad + "/close", token, null);

    HttpResponse<String> raw =
        Http.get(bed.gateway.baseUrl() + "/v1/stats/ratings?region=330100&department=" + DEPT);
    JsonObject s = Http.json(raw);
    assertThat(s.getLong("count")).isEqualTo(6);
    assertThat(s.getJsonObject("levels"))
        .isEqualTo(
            new JsonObject().put("1", 1L).put("2", 1L).put("3", 1L).put("4", 1L).put("5", 2L));
    assertThat(s.getDouble("satisfactionRate")).isEqualTo(0.5);
    assertThat(s.getLong("badRatings")).isEqualTo(2);
    assertThat(s.getJsonObject("rectification").getLong("closedWithinDeadline")).isEqualTo(1);
    assertThat(s.getJsonObject("rectification").getDouble("rate")).isEqualTo(0.5);
    assertThat(raw.body()).doesNotContain("差评内容").doesNotContain("interaction");
    raters.forEach(key -> assertThat(raw.body()).doesNotContain(key));

    JsonObject all = stats("");
    assertThat(all.getLong("count")).isEqualTo(7);
    assertThat(all.getLong("badRatings")).isEqualTo(3);
    JsonObject chengduOnly = stats("?region=" + CHENGDU);
    assertThat(chengduOnly.getLong("count")).isEqualTo(1);
    assertThat(chengduOnly.getDouble("satisfactionRate")).isEqualTo(0.0);
    assertThat(stats("?department=nobody").getLong("count")).isZero();
    assertThat(stats("?department=nobody").containsKey("satisfactionRate")).isFalse();

    HttpResponse<String> unknown =
        Http.get(bed.gateway.baseUrl() + "/v1/stats/ratings?region=440300");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("region.unknown");
  }
}
