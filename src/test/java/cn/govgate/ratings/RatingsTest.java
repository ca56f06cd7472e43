package cn.govgate.ratings;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.services.Caller;
import cn.govgate.services.Interaction;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.ServiceSeams;
import cn.govgate.testing.SettableClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RatingsTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String DEPT = ServiceSeams.HZ_FUND;
  private static final String TOKEN = "token-hz-gjj";

  private SettableClock clock;
  private Gateway gateway;

  @BeforeEach
  void start() {
    clock = new SettableClock(Instant.parse("2026-03-02T01:00:00Z"));
    gateway = ServiceSeams.start(
        TestGateways.with(TestGateways.settings(), "ratings.window", "7d", "ratings.rectificationDeadline", "5d"),
        ServiceSeams.seams(clock, null));
  }

  @AfterEach
  void stop() {
    TestGateways.stop(gateway);
  }

  private Interaction served(String citizenKey, String serviceType, String department, String region) {
    Caller caller = citizenKey == null ? Caller.anonymous() : new Caller(citizenKey, 3, "alipay");
    try {
      return gateway.interactions().record(caller, serviceType, department, region).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Interaction served(String citizenKey) {
    return served(citizenKey, "housing-fund.account", DEPT, ServiceSeams.HANGZHOU);
  }

  private HttpResponse<String> rate(Map<String, String> headers, JsonObject body) {
    HttpResponse<String> response = Http.post(gateway.baseUrl() + "/v1/ratings", body.encode(), headers);
    CONTRACT.assertValid("submitRating", response);
    return response;
  }

  private HttpResponse<String> rate(String citizenKey, String interactionId, int level, String comment,
      String... indicators) {
    JsonObject body = new JsonObject().put("interactionId", interactionId).put("level", level)
        .put("indicators", new JsonArray(java.util.List.of((Object[]) indicators)));
    if (comment != null) body.put("comment", comment);
    return rate(citizenKey == null ? Map.of() : ServiceSeams.caller(citizenKey, 3), body);
  }

  private HttpResponse<String> admin(String method, String path, String token, String body) {
    String url = gateway.baseUrl() + "/admin/v1/departments/" + path;
    return Http.send(method, url, body, token == null ? Map.of() : ServiceSeams.department(token));
  }

  private JsonArray items(String token, String department, String state) {
    HttpResponse<String> r = admin("GET", department + "/rectifications" + (state == null ? "" : "?state=" + state),
        token, null);
    CONTRACT.assertValid("listRectifications", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r).getJsonArray("items");
  }

  private static String code(HttpResponse<String> r) {
    return Http.json(r).getString("code");
  }

  @Test
  void acceptsOneRatingPerInteractionOnly() {
    Interaction i = served("citizen-a");
    HttpResponse<String> first = rate("citizen-a", i.id(), 5, null, "efficiency", "convenience");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(Http.json(first).getString("rectificationDeadline")).isNull();
    HttpResponse<String> second = rate("citizen-a", i.id(), 4, null);
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(code(second)).isEqualTo("rating.already_rated");
  }

  @Test
  void refusesABadRatingWithoutAComment() {
    Interaction i = served("citizen-a");
    HttpResponse<String> r = rate("citizen-a", i.id(), 2, "   ");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(code(r)).isEqualTo("rating.comment_required");
    assertThat(rate("citizen-a", i.id(), 1, null).statusCode()).isEqualTo(400);
    assertThat(rate("citizen-a", i.id(), 3, null).statusCode()).isEqualTo(201);
  }

  @Test
  void refusesLevelsOutsideOneToFive() {
    Interaction i = served("citizen-a");
    for (Object level : new Object[] {0, 6, -1, "5", 4.5}) {
      HttpResponse<String> r = rate(ServiceSeams.caller("citizen-a", 3),
          new JsonObject().put("interactionId", i.id()).put("level", level));
      assertThat(r.statusCode()).as("level %s", level).isEqualTo(400);
      assertThat(code(r)).isEqualTo("rating.level_invalid");
    }
  }

  @Test
  void refusesIndicatorsOutsideTheFixedSet() {
    Interaction i = served("citizen-a");
    HttpResponse<String> r = rate("citizen-a", i.id(), 4, null, "efficiency", "speed");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(code(r)).isEqualTo("rating.indicator_unknown");
    assertThat(Http.json(r).getJsonObject("details").getJsonArray("allowed")).contains("efficiency", "attitude");
  }

  @Test
  void onlyTheServedCitizenMayRateTheirInteraction() {
    Interaction mine = served("citizen-a");
    HttpResponse<String> stranger = rate("citizen-b", mine.id(), 1, "我来差评");
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(code(stranger)).isEqualTo("rating.interaction_unknown");
    assertThat(rate(null, mine.id(), 5, null).statusCode()).isEqualTo(404);
    assertThat(rate("citizen-a", "no-such-interaction", 5, null).statusCode()).isEqualTo(404);
    assertThat(rate("citizen-a", mine.id(), 5, null).statusCode()).isEqualTo(201);
  }

  @Test
  void anonymousInteractionIsRatedByWhoeverHoldsItsIdWithinTheWindow() {
    Interaction bill = served(null, "utilities.bill", ServiceSeams.HZ_UTILITIES, ServiceSeams.HANGZHOU);
    assertThat(rate(null, bill.id(), 4, null).statusCode()).isEqualTo(201);
    Interaction late = served(null, "utilities.bill", ServiceSeams.HZ_UTILITIES, ServiceSeams.HANGZHOU);
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    HttpResponse<String> r = rate(null, late.id(), 4, null);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(code(r)).isEqualTo("rating.window_closed");
  }

  @Test
  void interactionIdsAreUnguessable() {
    Interaction a = served("citizen-a");
    Interaction b = served("citizen-a");
    assertThat(a.id()).hasSize(22).isNotEqualTo(b.id());
  }

  @Test
  void badRatingOpensARectificationThatTheDepartmentAnswersAndCloses() {
    Interaction i = served("citizen-a");
    HttpResponse<String> rated = rate("citizen-a", i.id(), 1, "等了很久才查到", "efficiency");
    assertThat(rated.statusCode()).isEqualTo(201);
    Instant deadline = Instant.parse("2026-03-07T01:00:00Z");
    assertThat(Instant.parse(Http.json(rated).getString("rectificationDeadline"))).isEqualTo(deadline);

    JsonArray items = items(TOKEN, DEPT, null);
    assertThat(items).hasSize(1);
    JsonObject item = items.getJsonObject(0);
    assertThat(item.getString("state")).isEqualTo("open");
    assertThat(item.getString("comment")).isEqualTo("等了很久才查到");
    assertThat(Instant.parse(item.getString("deadline"))).isEqualTo(deadline);
    assertThat(item.encode()).doesNotContain("citizen-a").doesNotContain(i.id());
    long id = item.getLong("id");

    HttpResponse<String> early = admin("POST", DEPT + "/rectifications/" + id + "/close", TOKEN, null);
    CONTRACT.assertValid("closeRectification", early);
    assertThat(code(early)).isEqualTo("rectification.not_answered");

    clock.advance(Duration.ofDays(1));
    HttpResponse<String> answered = admin("POST", DEPT + "/rectifications/" + id + "/answer", TOKEN,
        new JsonObject().put("answer", "已优化查询接口，并电话回访").encode());
    CONTRACT.assertValid("answerRectification", answered);
    assertThat(Http.json(answered).getString("state")).isEqualTo("answered");

    HttpResponse<String> closed = admin("POST", DEPT + "/rectifications/" + id + "/close", TOKEN, null);
    CONTRACT.assertValid("closeRectification", closed);
    assertThat(closed.statusCode()).isEqualTo(200);
    assertThat(Http.json(closed).getString("state")).isEqualTo("closed");
    assertThat(items(TOKEN, DEPT, "closed")).hasSize(1);
    assertThat(items(TOKEN, DEPT, "open")).isEmpty();

    HttpResponse<String> again = admin("POST", DEPT + "/rectifications/" + id + "/answer", TOKEN,
        new JsonObject().put("answer", "再次说明").encode());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(code(again)).isEqualTo("rectification.closed");
  }

  @Test
  void unansweredItemBecomesOverduePastItsDeadline() {
    Interaction i = served("citizen-a");
    rate("citizen-a", i.id(), 2, "办事指南与实际不符", "guide_accuracy");
    clock.advance(Duration.ofDays(5).minusMinutes(1));
    assertThat(items(TOKEN, DEPT, null).getJsonObject(0).getString("state")).isEqualTo("open");
    clock.advance(Duration.ofMinutes(2));
    assertThat(items(TOKEN, DEPT, "overdue")).hasSize(1);
    JsonObject stats = stats("?department=" + DEPT);
    assertThat(stats.getJsonObject("rectification").getLong("overdue")).isEqualTo(1);
  }

  @Test
  void departmentsSeeOnlyTheirOwnItems() {
    Interaction i = served("citizen-a");
    rate("citizen-a", i.id(), 1, "态度差", "attitude");
    HttpResponse<String> other = admin("GET", DEPT + "/rectifications", "token-hz-rsj", null);
    assertThat(other.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("listRectifications", other);
    assertThat(items("token-hz-rsj", ServiceSeams.HZ_SOCIAL, null)).isEmpty();
    HttpResponse<String> none = admin("GET", DEPT + "/rectifications", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    long id = items(TOKEN, DEPT, null).getJsonObject(0).getLong("id");
    HttpResponse<String> foreign = admin("POST", ServiceSeams.HZ_SOCIAL + "/rectifications/" + id + "/answer",
        "token-hz-rsj", new JsonObject().put("answer", "x").encode());
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(code(foreign)).isEqualTo("rectification.unknown");
  }

  private JsonObject stats(String query) {
    HttpResponse<String> r = Http.get(gateway.baseUrl() + "/v1/stats/ratings" + query);
    CONTRACT.assertValid("getRatingStats", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r);
  }

  @Test
  void publishedStatisticsMatchTheRatingsGivenAndNameNoRater() {
    int[] levels = {5, 5, 4, 3, 2, 1};
    String[] comments = new String[levels.length];
    for (int n = 0; n < levels.length; n++) {
      String citizen = "citizen-" + UUID.randomUUID();
      Interaction i = served(citizen);
      comments[n] = levels[n] <= 2 ? "差评内容-" + n : null;
      assertThat(rate(citizen, i.id(), levels[n], comments[n]).statusCode()).isEqualTo(201);
    }
    // Another region and department, which the filtered figures must leave out.
    Interaction chengdu = served("citizen-cd", "traffic.fines", ServiceSeams.CD_TRAFFIC, ServiceSeams.CHENGDU);
    rate("citizen-cd", chengdu.id(), 1, "罚单信息有误");

    long firstBad = items(TOKEN, DEPT, null).stream().map(JsonObject.class::cast)
        .mapToLong(o -> o.getLong("id")).min().orElseThrow();
    admin("POST", DEPT + "/rectifications/" + firstBad + "/answer", TOKEN, "{\"answer\":\"已整改\"}");
    admin("POST", DEPT + "/rectifications/" + firstBad + "/close", TOKEN, null);

    HttpResponse<String> raw = Http.get(gateway.baseUrl() + "/v1/stats/ratings?region=330100&department=" + DEPT);
    JsonObject s = Http.json(raw);
    assertThat(s.getLong("count")).isEqualTo(6);
    assertThat(s.getJsonObject("levels")).isEqualTo(new JsonObject()
        .put("1", 1L).put("2", 1L).put("3", 1L).put("4", 1L).put("5", 2L));
    assertThat(s.getDouble("satisfactionRate")).isEqualTo(0.5);
    assertThat(s.getLong("badRatings")).isEqualTo(2);
    assertThat(s.getJsonObject("rectification").getLong("closedWithinDeadline")).isEqualTo(1);
    assertThat(s.getJsonObject("rectification").getDouble("rate")).isEqualTo(0.5);
    assertThat(raw.body()).doesNotContain("citizen-").doesNotContain("差评内容").doesNotContain("interaction");

    JsonObject all = stats("");
    assertThat(all.getLong("count")).isEqualTo(7);
    assertThat(all.getLong("badRatings")).isEqualTo(3);
    JsonObject chengduOnly = stats("?region=" + ServiceSeams.CHENGDU);
    assertThat(chengduOnly.getLong("count")).isEqualTo(1);
    assertThat(chengduOnly.getDouble("satisfactionRate")).isEqualTo(0.0);
    assertThat(stats("?department=nobody").getLong("count")).isZero();
    assertThat(stats("?department=nobody").containsKey("satisfactionRate")).isFalse();

    HttpResponse<String> unknown = Http.get(gateway.baseUrl() + "/v1/stats/ratings?region=440300");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("region.unknown");
  }
}
