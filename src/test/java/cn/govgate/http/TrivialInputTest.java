package cn.govgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.channel.spi.Channel;
import cn.govgate.identity.Level;
import cn.govgate.identity.SessionTokens;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Trivial input on a whole gateway, where it used to reach a cast or PostgreSQL and come back as a
 * 500: bodies that are JSON but not objects, NUL characters on their way into SQL. Each is a 400 in
 * the error shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrivialInputTest {
  private static final List<String> NOT_OBJECTS =
      List.of("-1", "[]", "true", "\"s\"", "null", "[{}]");

  private Gateway gateway;
  private Map<String, String> operator;
  private Map<String, String> citizen;

  @BeforeAll
  void start() {
    Map<String, String> settings = TestGateways.settings();
    gateway = TestGateways.start(settings);
    operator = Map.of("Authorization", "Bearer " + settings.get("admin.bootstrapKey"));
    String token =
        gateway
            .identity()
            .tokens()
            .issue(
                new SessionTokens.Grant(
                    "ci_trivial",
                    null,
                    Level.L1,
                    Channel.WECHAT,
                    "wx-trivial",
                    Instant.now(),
                    null))
            .token();
    citizen = Map.of("Authorization", "Bearer " + token, "Idempotency-Key", "k-trivial-1");
  }

  @AfterAll
  void stop() {
    TestGateways.stop(gateway);
  }

  @Test
  void aJsonBodyThatIsNotAnObjectIs400OnEveryJsonRoute() {
    for (String body : NOT_OBJECTS) {
      assertRefused(Http.post(url("/v1/sessions"), body), "request.malformed_json", body);
      assertRefused(Http.post(url("/v1/payments"), body, citizen), "request.malformed_json", body);
      assertRefused(Http.post(url("/v1/ratings"), body, citizen), "request.malformed_json", body);
      assertRefused(Http.post(url("/v1/proofs/verify"), body), "request.malformed_json", body);
      assertRefused(
          Http.post(url("/admin/v1/departments"), body, operator), "request.malformed_json", body);
    }
  }

  @Test
  void aNulInAPathParameterIs400NotADatabaseError() {
    assertRefused(
        Http.get(url("/admin/v1/departments/a%00b"), operator), "request.invalid_encoding", "path");
    assertRefused(
        Http.get(url("/admin/v1/departments/a%00b/backends"), operator),
        "request.invalid_encoding",
        "path");
    assertRefused(Http.get(url("/v1/proofs/SN%00"), citizen), "request.invalid_encoding", "path");
    assertRefused(Http.get(url("/v1/payments/o%00"), citizen), "request.invalid_encoding", "path");
  }

  @Test
  void aNulInAJsonStringIs400NotADatabaseError() {
    JsonObject department =
        new JsonObject().put("id", "nul-test").put("name", "a\u0000b").put("kind", "traffic");
    assertRefused(
        Http.post(url("/admin/v1/departments"), department.encode(), operator),
        "request.invalid_encoding",
        "body");
    assertThat(Http.get(url("/admin/v1/departments/nul-test"), operator).statusCode())
        .as("nothing stored")
        .isEqualTo(404);
    JsonObject rating = new JsonObject().put("interactionId", "i\u0000").put("level", 1);
    assertRefused(
        Http.post(url("/v1/ratings"), rating.encode(), citizen),
        "request.invalid_encoding",
        "body");
  }

  /**
   * Found by the contract fuzzer: the callback of a channel that is not configured was a 404 with
   * no body.
   */
  @Test
  void theCallbackOfAChannelThatIsNotConfiguredIs404InTheErrorShape() {
    for (String channel : List.of("alipay", "wechat")) {
      HttpResponse<String> r = Http.post(url("/callbacks/" + channel), "{}");
      assertThat(r.statusCode()).as(channel).isEqualTo(404);
      Contracts.assertError(Http.json(r));
    }
  }

  @Test
  void aNulInAQueryParameterIs400() {
    assertRefused(
        Http.get(url("/v1/catalog?region=33%000100")), "request.invalid_encoding", "query");
    assertRefused(
        Http.get(url("/v1/stats/ratings?region=%00")), "request.invalid_encoding", "query");
  }

  private String url(String path) {
    return gateway.baseUrl() + path;
  }

  private static void assertRefused(HttpResponse<String> r, String code, String what) {
    assertThat(r.statusCode()).as(what + " → " + r.body()).isEqualTo(400);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).as(what).isEqualTo(code);
  }
}
