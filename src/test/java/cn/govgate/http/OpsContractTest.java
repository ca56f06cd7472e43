package cn.govgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real ops responses match contracts/gateway-api.yaml, and so do the 400s the public documents and
 * ops endpoints answer when a request is refused before their operation.
 */
class OpsContractTest {
  private static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateways.start();
  }

  @AfterAll
  static void stop() {
    TestGateways.stop(gateway);
  }

  @Test
  void healthAndMetricsResponsesMatchTheContract() {
    ApiContract api = ApiContract.of("gateway-api.yaml");
    api.assertValid("live", Http.get(gateway.baseUrl() + "/health/live"));
    api.assertValid("ready", Http.get(gateway.baseUrl() + "/health/ready"));
    api.assertValid("metrics", Http.get(gateway.baseUrl() + "/metrics"));
  }

  @Test
  void aQueryThatIsNotUtf8IsRefusedAsEachOperationDocumentsIt() {
    // operationId → (document, path): every operation whose only documented 4xx is this refusal.
    Map<String, String[]> operations =
        Map.of(
            "live", new String[] {"gateway-api.yaml", "/health/live"},
            "ready", new String[] {"gateway-api.yaml", "/health/ready"},
            "metrics", new String[] {"gateway-api.yaml", "/metrics"},
            "getJwks", new String[] {"gateway-api.yaml", "/.well-known/jwks.json"},
            "getGatewayKeys", new String[] {"partner-api.yaml", "/open/v1/keys"});
    operations.forEach(
        (operationId, where) -> {
          HttpResponse<String> r = Http.get(gateway.baseUrl() + where[1] + "?q=%FF");
          assertThat(r.statusCode()).as(operationId + ": " + r.body()).isEqualTo(400);
          Contracts.assertError(Http.json(r));
          assertThat(Http.json(r).getString("code")).isEqualTo("request.invalid_encoding");
          assertThat(Http.json(r).getJsonObject("details").getString("where")).isEqualTo("query");
          ApiContract.of(where[0]).assertValid(operationId, r);
        });
  }

  @Test
  void aResponseThatBreaksTheContractIsCaught() {
    ApiContract api = ApiContract.of("gateway-api.yaml");
    // /health/live's body is not a Readiness document: the validator must say so.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> api.assertValid("ready", Http.get(gateway.baseUrl() + "/health/live")))
        .isInstanceOf(AssertionError.class);
  }
}
