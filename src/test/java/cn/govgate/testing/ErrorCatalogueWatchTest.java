package cn.govgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.error.ErrorCode;
import cn.govgate.error.MessageLanguage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The watch every test's HTTP client runs ({@link Http}) really fails a test that receives an error
 * the catalogue does not know: an unknown code, a catalogue code with a message that is not the
 * catalogue's, or with another status than the catalogue's. A real HTTP server on port 0 answers
 * what each case needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorCatalogueWatchTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger status = new AtomicInteger();
  private final AtomicReference<JsonObject> body = new AtomicReference<>();
  private HttpServer server;

  @BeforeAll
  void start() throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.response()
                        .setStatusCode(status.get())
                        .putHeader("Content-Type", "application/json")
                        .end(body.get().encode()))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aCodeTheCatalogueLacksFailsTheTestThatReceivesIt() {
    answer(503, error("department.on_holiday", "The department is on holiday."));
    assertThatThrownBy(this::get)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("department.on_holiday is not in the error catalogue");
  }

  @Test
  void aMessageThatIsNotTheCataloguesFails() {
    answer(503, error(ErrorCode.DEPARTMENT_BUSY.wire(), "Busy, try later"));
    assertThatThrownBy(this::get)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("not the catalogue's");
  }

  @Test
  void aStatusThatIsNotTheCataloguesFails() {
    ErrorCode busy = ErrorCode.DEPARTMENT_BUSY;
    answer(500, error(busy.wire(), busy.message(MessageLanguage.ZH)));
    assertThatThrownBy(this::get)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("answered with 500 but the catalogue says " + busy.status());
  }

  @Test
  void aCatalogueErrorInEitherLanguagePasses() {
    ErrorCode busy = ErrorCode.DEPARTMENT_BUSY;
    for (MessageLanguage language : MessageLanguage.values()) {
      answer(busy.status(), error(busy.wire(), busy.message(language)));
      assertThat(get().statusCode()).isEqualTo(busy.status());
    }
    assertThat(ErrorCatalogueWatch.seen()).contains(busy.wire());
  }

  private static JsonObject error(String code, String message) {
    return new JsonObject()
        .put("code", code)
        .put("message", message)
        .put("origin", "department")
        .put("errorId", "EABCDEFGHJKLM")
        .put("requestId", "r-1");
  }

  private void answer(int status, JsonObject body) {
    this.status.set(status);
    this.body.set(body);
  }

  private java.net.http.HttpResponse<String> get() {
    return Http.get("http://127.0.0.1:" + server.actualPort() + "/v1/anything");
  }
}
