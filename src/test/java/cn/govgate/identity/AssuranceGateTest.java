package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.channel.spi.Channel;
import cn.govgate.http.ErrorResponder;
import cn.govgate.http.RequestIds;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reusable guard as another concern mounts it: authenticate, then require a level and
 * freshness.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssuranceGateTest {
  private Gateway gateway;
  private HttpServer server;
  private String base;

  @BeforeAll
  void start() throws Exception {
    gateway = TestGateways.start();
    Identity identity = gateway.identity();
    Sessions sessions = identity.sessions();
    Router router = Router.router(gateway.vertx());
    router.route().handler(new RequestIds());
    router
        .get("/records")
        .handler(sessions.authenticate())
        .handler(identity.gate().require(Level.L3, Duration.ofMinutes(30)))
        .handler(ctx -> ctx.end(Session.of(ctx).citizenKey()));
    router
        .get("/fines")
        .handler(sessions.authenticate())
        .handler(identity.gate().require(Level.L2, null))
        .handler(ctx -> ctx.end(Session.of(ctx).level().name()));
    router.route().failureHandler(new ErrorResponder());
    server =
        gateway
            .vertx()
            .createHttpServer()
            .requestHandler(router)
            .listen(0)
            .await(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
    TestGateways.stop(gateway);
  }

  private String token(Level level, Instant faceTime) {
    return gateway
        .identity()
        .tokens()
        .issue(
            new SessionTokens.Grant(
                "ci_gate",
                level == Level.L1 ? null : "c_gate",
                level,
                Channel.ALIPAY,
                "2021",
                Instant.now(),
                faceTime))
        .token();
  }

  private HttpResponse<String> get(String path, String token) {
    return Http.get(
        base + path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
  }

  @Test
  void aFreshL3SessionPasses() {
    HttpResponse<String> r = get("/records", token(Level.L3, Instant.now().minusSeconds(60)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("c_gate");
  }

  @Test
  void aStaleFaceCheckAsksForAFreshOne() {
    HttpResponse<String> r =
        get("/records", token(Level.L3, Instant.now().minus(Duration.ofMinutes(31))));
    assertThat(r.statusCode()).isEqualTo(403);
    JsonObject e = Http.json(r);
    Contracts.assertError(e);
    assertThat(e.getString("code")).isEqualTo("identity.step_up_required");
    assertThat(e.getJsonObject("details").getString("requiredLevel")).isEqualTo("L3");
    assertThat(e.getJsonObject("details").getString("currentLevel")).isEqualTo("L3");
    assertThat(e.getJsonObject("details").getString("freshness")).isEqualTo("PT30M");
    assertThat(e.getJsonObject("details").getLong("faceAgeSeconds"))
        .isGreaterThanOrEqualTo(31 * 60);
  }

  @Test
  void aLowerLevelIsRefusedWithWhatIsMissing() {
    HttpResponse<String> r = get("/records", token(Level.L1, null));
    assertThat(r.statusCode()).isEqualTo(403);
    JsonObject d = Http.json(r).getJsonObject("details");
    assertThat(d.getString("requiredLevel")).isEqualTo("L3");
    assertThat(d.getString("currentLevel")).isEqualTo("L1");
    assertThat(get("/fines", token(Level.L1, null)).statusCode()).isEqualTo(403);
    assertThat(get("/fines", token(Level.L2, null)).body()).isEqualTo("L2");
    assertThat(get("/fines", token(Level.L3, Instant.now().minus(Duration.ofDays(3)))).statusCode())
        .as("no freshness asked: an old face check is still L3")
        .isEqualTo(200);
  }

  @Test
  void noTokenIs401NotAStepUp() {
    HttpResponse<String> r = get("/records", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(Http.json(r).getString("code")).isEqualTo("auth.invalid_token");
  }
}
