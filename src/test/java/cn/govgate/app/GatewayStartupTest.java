package cn.govgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start-up to ready, data kept across restarts, readiness and the ops port. */
class GatewayStartupTest {

  @Test
  void startsToReadyAndKeepsDataAcrossRestartsOnTheSameDatabase() throws Exception {
    Map<String, String> settings = TestGateways.settings();

    Gateway first = TestGateways.start(settings);
    try {
      assertThat(Http.get(first.baseUrl() + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(Http.get(first.baseUrl() + "/health/live").statusCode()).isEqualTo(200);
      assertThat(countStarts(first)).isEqualTo(1);
    } finally {
      TestGateways.stop(first);
    }

    Gateway second = TestGateways.start(settings);
    try {
      assertThat(Http.get(second.baseUrl() + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(countStarts(second))
          .as("rows written by the first run are still there")
          .isEqualTo(2);
    } finally {
      TestGateways.stop(second);
    }
  }

  @Test
  void anEmbeddingProgramsReadinessCheckHoldsReadyBack() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean registered =
        new java.util.concurrent.atomic.AtomicBoolean();
    Gateway gateway =
        Gateway.start(
                cn.govgate.config.GovgateConfig.from(
                    cn.govgate.config.ConfigValues.of(TestGateways.settings())),
                java.time.Clock.systemUTC(),
                Map.of(
                    "demo",
                    () ->
                        registered.get()
                            ? io.vertx.core.Future.succeededFuture()
                            : io.vertx.core.Future.failedFuture("not registered yet")))
            .await(2, TimeUnit.MINUTES);
    try {
      var notYet = Http.get(gateway.baseUrl() + "/health/ready");
      assertThat(notYet.statusCode()).isEqualTo(503);
      assertThat(notYet.body()).contains("not registered yet");
      registered.set(true);
      assertThat(Http.get(gateway.baseUrl() + "/health/ready").statusCode()).isEqualTo(200);
    } finally {
      TestGateways.stop(gateway);
    }
  }

  @Test
  void readinessFailsWith503WhenTheDatabaseGoesAway() throws Exception {
    Gateway gateway = TestGateways.start();
    try {
      // Closing the pool makes the database unreachable for this instance, as a lost connection
      // would.
      gateway.database().pool().close().await(10, TimeUnit.SECONDS);
      var r = Http.get(gateway.baseUrl() + "/health/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(Http.json(r).getString("status")).isEqualTo("DOWN");
      assertThat(Http.get(gateway.baseUrl() + "/health/live").statusCode()).isEqualTo(200);
    } finally {
      TestGateways.stop(gateway);
    }
  }

  @Test
  void opsEndpointsMoveToTheirOwnPortWhenConfigured() {
    Gateway gateway =
        TestGateways.start(TestGateways.with(TestGateways.settings(), "http.opsPort", "0"));
    try {
      assertThat(gateway.opsPort()).isNotEqualTo(gateway.port());
      assertThat(Http.get(gateway.opsUrl() + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(Http.get(gateway.opsUrl() + "/metrics").statusCode()).isEqualTo(200);
      assertThat(Http.get(gateway.baseUrl() + "/metrics").statusCode()).isEqualTo(404);
    } finally {
      TestGateways.stop(gateway);
    }
  }

  private static long countStarts(Gateway gateway) throws Exception {
    return gateway
        .database()
        .pool()
        .query("SELECT count(*) FROM gateway_starts")
        .execute()
        .map(rows -> rows.iterator().next().getLong(0))
        .await(10, TimeUnit.SECONDS);
  }
}
