package cn.govgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.app.Metrics;
import cn.govgate.config.HttpConfig;
import cn.govgate.error.ErrorCode;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.Http;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP stack of the gateway — root router, error responder, request ids, metrics — on a real
 * server.
 */
class HttpSurfaceTest {
  private PrometheusMeterRegistry registry;
  private Vertx vertx;
  private String deployment;
  private String base;
  private final CountDownLatch slowStarted = new CountDownLatch(1);

  @BeforeEach
  void startServer() throws Exception {
    registry = Metrics.newRegistry();
    vertx = Metrics.newVertx(registry);
    Routes routes =
        new Routes()
            .add(
                Surface.CITIZEN,
                (v, r) -> {
                  r.post("/test/echo").handler(ctx -> ctx.json(ctx.body().asJsonObject()));
                  r.get("/things/:id")
                      .handler(ctx -> ctx.json(new JsonObject().put("id", ctx.pathParam("id"))));
                  r.get("/test/boom")
                      .handler(
                          ctx -> {
                            throw new IllegalStateException("secret internal detail");
                          });
                  r.get("/test/refused")
                      .handler(ctx -> ctx.fail(ErrorCode.RATING_ALREADY_RATED.error()));
                  r.get("/test/slow")
                      .handler(
                          ctx -> {
                            slowStarted.countDown();
                            v.setTimer(800, t -> ctx.json(new JsonObject().put("slow", true)));
                          });
                });
    Readiness readiness = new Readiness().add("always", Future::succeededFuture);
    HttpConfig config = new HttpConfig("127.0.0.1", 0, -1, 2, 2048, Duration.ofSeconds(5));
    List<ServerVerticle> servers = new CopyOnWriteArrayList<>();
    deployment =
        vertx
            .deployVerticle(
                () -> {
                  ServerVerticle s = new ServerVerticle(config, routes, readiness, registry);
                  servers.add(s);
                  return s;
                },
                new DeploymentOptions().setInstances(2))
            .await(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + servers.get(0).actualPort();
  }

  @AfterEach
  void stopServer() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void unknownPathAnswers404InTheErrorShape() {
    HttpResponse<String> r = Http.get(base + "/v1/no/such/thing");
    assertThat(r.statusCode()).isEqualTo(404);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("request.not_found");
  }

  @Test
  void wrongMethodAnswers405InTheErrorShape() {
    HttpResponse<String> r = Http.send("DELETE", base + "/v1/things/1", null, Map.of());
    assertThat(r.statusCode()).isEqualTo(405);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("request.method_not_allowed");
  }

  @Test
  void oversizedBodyAnswers413InTheErrorShape() {
    String big = new JsonObject().put("pad", "x".repeat(5000)).encode();
    HttpResponse<String> r = Http.post(base + "/v1/test/echo", big);
    assertThat(r.statusCode()).isEqualTo(413);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("request.too_large");
  }

  @Test
  void malformedJsonAnswers400InTheErrorShape() {
    HttpResponse<String> r = Http.post(base + "/v1/test/echo", "{\"a\": ");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("request.malformed_json");
  }

  @Test
  void exceptionInAHandlerAnswers500WithoutInternals() {
    HttpResponse<String> r = Http.get(base + "/v1/test/boom");
    assertThat(r.statusCode()).isEqualTo(500);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("gateway.internal_error");
    assertThat(body.getString("origin")).isEqualTo("gateway");
    assertThat(r.body())
        .doesNotContain("secret internal detail")
        .doesNotContain("IllegalStateException")
        .doesNotContain("at cn.govgate");
  }

  @Test
  void theErrorLogNamesTheRouteTemplateOfAFailedSubRouterRoute() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ErrorResponder.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    logger.addAppender(captured);
    try {
      assertThat(Http.get(base + "/v1/test/refused").statusCode()).isEqualTo(409);
    } finally {
      logger.detachAppender(captured);
    }
    assertThat(captured.list)
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("route=/v1/test/refused"));
  }

  @Test
  void apiExceptionKeepsItsCodeStatusAndMessage() {
    HttpResponse<String> r = Http.get(base + "/v1/test/refused");
    assertThat(r.statusCode()).isEqualTo(409);
    JsonObject body = Http.json(r);
    Contracts.assertError(body);
    assertThat(body.getString("code")).isEqualTo("rating.already_rated");
    assertThat(body.getString("message")).isEqualTo("这次办事已经评价过");
    assertThat(body.getString("origin")).isEqualTo("client");
    assertThat(r.headers().firstValue("Content-Language")).hasValue("zh-CN");
  }

  @Test
  void theMessageIsEnglishWhenTheCallerPrefersEnglishAndTheCodeStaysTheSame() {
    HttpResponse<String> r =
        Http.get(base + "/v1/test/refused", Map.of("Accept-Language", "en-GB,zh;q=0.5"));
    JsonObject body = Http.json(r);
    assertThat(body.getString("code")).isEqualTo("rating.already_rated");
    assertThat(body.getString("message")).isEqualTo("This interaction has already been rated");
    assertThat(r.headers().firstValue("Content-Language")).hasValue("en");
  }

  @Test
  void wellFormedRequestIdIsTakenAndEchoed() {
    HttpResponse<String> r =
        Http.get(base + "/v1/no/such", Map.of("X-Request-Id", "trace-abc-12345"));
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("trace-abc-12345");
    assertThat(Http.json(r).getString("requestId")).isEqualTo("trace-abc-12345");
  }

  @Test
  void missingRequestIdIsGenerated() {
    HttpResponse<String> r = Http.get(base + "/health/live");
    assertThat(r.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
  }

  @Test
  void malformedRequestIdIsReplaced() {
    HttpResponse<String> r =
        Http.get(base + "/health/live", Map.of("X-Request-Id", "bad id with spaces"));
    assertThat(r.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
    HttpResponse<String> tooShort = Http.get(base + "/health/live", Map.of("X-Request-Id", "abc"));
    assertThat(tooShort.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).hasSize(32));
  }

  @Test
  void metricsAreValidPrometheusTextLabelledByRouteTemplate() {
    assertThat(Http.get(base + "/v1/things/987654321").statusCode()).isEqualTo(200);
    HttpResponse<String> r = Http.get(base + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
    Pattern sample =
        Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*\\})? "
                + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( [0-9]+)?");
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      assertThat(line).as("a Prometheus sample line").matches(sample);
    }
    assertThat(r.body())
        .containsPattern(
            "govgate_http_server_requests_seconds_count\\{[^}]*route=\"/v1/things/:id\"")
        .containsPattern(
            "govgate_http_server_requests_seconds_bucket\\{[^}]*route=\"/v1/things/:id\",status=\"200\",le=\"1.0\"}")
        .doesNotContainPattern("route=\"[^\"]*>")
        .doesNotContain("987654321")
        .contains("jvm_memory_used_bytes")
        .contains("govgate_eventloop_lag_seconds");
  }

  @Test
  void readinessReportsEachCheck() {
    HttpResponse<String> r = Http.get(base + "/health/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.json(r).getJsonArray("checks").getJsonObject(0).getString("name"))
        .isEqualTo("always");
  }

  @Test
  void gracefulShutdownLetsASlowInFlightRequestComplete() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> slow =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/v1/test/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Void> undeploy = vertx.undeploy(deployment);
    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"slow\":true");
    undeploy.await(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> Http.get(base + "/health/live")).isInstanceOf(RuntimeException.class);
  }
}
