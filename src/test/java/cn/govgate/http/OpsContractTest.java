package cn.govgate.http;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real ops responses match contracts/gateway-api.yaml. */
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
  void aResponseThatBreaksTheContractIsCaught() {
    ApiContract api = ApiContract.of("gateway-api.yaml");
    // /health/live's body is not a Readiness document: the validator must say so.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> api.assertValid("ready", Http.get(gateway.baseUrl() + "/health/live")))
        .isInstanceOf(AssertionError.class);
  }
}
