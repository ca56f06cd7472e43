package cn.govgate.error;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ErrorCatalogueWatch;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On a real gateway: every error is worded in Chinese by default and in English for a caller
 * preferring English, with the same code and status either way, on each surface (citizen, admin,
 * ops), including what Vert.x Web decides alone (404, 405) and what the input guard refuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorLanguageGatewayTest {
  private Gateway gateway;

  /** method, path, body → the code it must fail with. */
  private record Refusal(
      String method, String path, String body, Map<String, String> headers, String code) {}

  private List<Refusal> refusals() {
    return List.of(
        new Refusal("GET", "/v1/no/such/thing", null, Map.of(), "request.not_found"),
        new Refusal(
            "GET",
            "/v1/social-security/account?region=330100",
            null,
            Map.of(),
            "auth.invalid_token"),
        new Refusal(
            "GET",
            "/v1/payments/P1",
            null,
            Map.of("Authorization", "Bearer not-a-token"),
            "auth.invalid_token"),
        new Refusal("POST", "/v1/sessions", "[1]", Map.of(), "request.malformed_json"),
        new Refusal("POST", "/v1/sessions", "{}", Map.of(), "request.invalid"),
        new Refusal("GET", "/v1/catalog?region=%00", null, Map.of(), "request.invalid_encoding"),
        new Refusal("POST", "/admin/v1/departments", "{}", Map.of(), "auth.missing_credentials"),
        new Refusal(
            "POST",
            "/admin/v1/departments",
            "{}",
            Map.of("Authorization", "Bearer AAAA"),
            "auth.invalid_credentials"),
        new Refusal("DELETE", "/health/live", null, Map.of(), "request.method_not_allowed"));
  }

  @BeforeAll
  void start() {
    gateway = TestGateways.start();
  }

  @AfterAll
  void stop() {
    TestGateways.stop(gateway);
  }

  @Test
  void errorsAreInChineseByDefault() {
    for (Refusal r : refusals()) {
      JsonObject body = refuse(r, Map.of());
      assertThat(body.getString("message"))
          .as(r.path())
          .isEqualTo(ErrorCode.fromWire(r.code()).orElseThrow().message(MessageLanguage.ZH));
    }
  }

  @Test
  void errorsAreInEnglishForACallerPreferringEnglishWithTheSameCodes() {
    for (Refusal r : refusals()) {
      JsonObject body = refuse(r, Map.of("Accept-Language", "en-US,en;q=0.9,zh-CN;q=0.8"));
      assertThat(body.getString("message"))
          .as(r.path())
          .isEqualTo(ErrorCode.fromWire(r.code()).orElseThrow().message(MessageLanguage.EN));
    }
  }

  @Test
  void aCallerPreferringChineseOverEnglishGetsChinese() {
    Refusal r = refusals().get(0);
    JsonObject body = refuse(r, Map.of("Accept-Language", "en;q=0.2, zh-CN"));
    assertThat(body.getString("message"))
        .isEqualTo(ErrorCode.REQUEST_NOT_FOUND.message(MessageLanguage.ZH));
  }

  @Test
  void everyCodeAnsweredIsInTheCatalogue() {
    refusals().forEach(r -> refuse(r, Map.of()));
    assertThat(ErrorCatalogueWatch.seen())
        .isNotEmpty()
        .allSatisfy(code -> assertThat(ErrorCode.fromWire(code)).as(code).isPresent());
  }

  private JsonObject refuse(Refusal r, Map<String, String> language) {
    Map<String, String> headers = new HashMap<>(r.headers());
    headers.putAll(language);
    HttpResponse<String> response =
        Http.send(r.method(), gateway.baseUrl() + r.path(), r.body(), headers);
    JsonObject body = Http.json(response);
    assertThat(body.getString("code"))
        .as(r.method() + " " + r.path() + ": " + response.body())
        .isEqualTo(r.code());
    ErrorCode code = ErrorCatalogueWatch.check(body);
    assertThat(response.statusCode()).isEqualTo(code.status());
    String expected =
        code.message(MessageLanguage.fromAcceptLanguage(language.get("Accept-Language")));
    assertThat(response.headers().firstValue("Content-Language"))
        .hasValue(expected.equals(code.message(MessageLanguage.EN)) ? "en" : "zh-CN");
    return body;
  }
}
