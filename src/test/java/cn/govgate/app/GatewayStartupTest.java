package cn.govgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: start-up to ready, the demo manifest, and data kept across restarts. */
class GatewayStartupTest {

  @Test
  void startsOnTheEmbeddedDefaultAndKeepsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
    Map<String, String> settings = Map.of(
        "dataDir", dataDir.toString(), "http.port", "0", "http.instances", "2", "http.shutdownGrace", "1s");

    Gateway first = TestGateways.start(settings);
    try {
      assertThat(first.config().demo()).isTrue();
      assertThat(Http.get(first.baseUrl() + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(Http.get(first.baseUrl() + "/health/live").statusCode()).isEqualTo(200);
      JsonObject manifest = new JsonObject(Files.readString(dataDir.resolve("demo-manifest.json")));
      assertThat(manifest.getString("baseUrl")).isEqualTo(first.baseUrl());
      assertThat(manifest.getJsonObject("ops").getString("ready")).endsWith("/health/ready");
      assertThat(countStarts(first)).isEqualTo(1);
    } finally {
      TestGateways.stop(first);
    }

    Gateway second = TestGateways.start(settings);
    try {
      assertThat(Http.get(second.baseUrl() + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(countStarts(second)).as("rows written by the first run are still there").isEqualTo(2);
    } finally {
      TestGateways.stop(second);
    }
  }

  @Test
  void readinessFailsWith503WhenTheDatabaseGoesAway() throws Exception {
    Gateway gateway = TestGateways.start();
    try {
      // Closing the pool makes the database unreachable for this instance, as a lost connection would.
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
    Gateway gateway = TestGateways.start(TestGateways.with(TestGateways.settings(), "http.opsPort", "0"));
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
    return gateway.database().pool().query("SELECT count(*) FROM gateway_starts").execute()
        .map(rows -> rows.iterator().next().getLong(0))
        .await(10, TimeUnit.SECONDS);
  }
}
