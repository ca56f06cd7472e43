package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.demo.SyntheticCitizens;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo registers its simulated departments through the admin API and routes citizens' queries to them. */
class DemoDepartmentsTest {

  @Test
  void demoDepartmentsAreRegisteredThroughTheAdminApiAndAnswer(@TempDir Path dataDir) throws Exception {
    Gateway gateway = TestGateways.start(Map.of(
        "dataDir", dataDir.toString(), "http.port", "0", "http.instances", "1", "http.shutdownGrace", "1s"));
    try {
      JsonObject manifest = new JsonObject(Files.readString(dataDir.resolve("demo-manifest.json")));
      JsonArray departments = manifest.getJsonArray("departments");
      assertThat(departments).hasSize(8);
      String keyFile = manifest.getJsonObject("admin").getString("bootstrapKeyFile");
      String operator = "Bearer " + Files.readString(Path.of(keyFile)).trim();
      var list = Http.get(gateway.baseUrl() + "/admin/v1/departments", Map.of("Authorization", operator));
      assertThat(Http.json(list).getJsonArray("departments")).hasSize(8);

      var citizen = RegistryFixture.CITIZENS.stream()
          .filter(c -> c.homeRegion().equals(SyntheticCitizens.CHENGDU)).findFirst().orElseThrow();
      DepartmentAnswer answer = RegistryFixture.await(gateway.departments().call("housing-fund.account",
          SyntheticCitizens.CHENGDU, RegistryFixture.citizenJson(citizen), new JsonObject(), "demo-test-1", true));
      assertThat(answer.department()).isEqualTo("cd-housing-fund");
      assertThat(answer.stale()).isFalse();
      assertThat(answer.data().getString("accountNo")).matches("[0-9]{12}");

      // The operator assigned each department its routes; each backend was registered by its department's own
      // credential, not by the operator.
      var actors = gateway.database().pool().query("SELECT DISTINCT actor_type FROM backend_versions").execute()
          .await(10, TimeUnit.SECONDS);
      assertThat(actors.size()).isEqualTo(1);
      assertThat(actors.iterator().next().getString("actor_type")).isEqualTo("department");
      var assigned = gateway.database().pool().query("SELECT department_id, actor_type FROM route_assignment_versions")
          .execute().await(10, TimeUnit.SECONDS);
      assertThat(assigned.size()).isEqualTo(8);
      assigned.forEach(r -> assertThat(r.getString("actor_type")).isEqualTo("operator"));
    } finally {
      TestGateways.stop(gateway);
    }
  }

  @Test
  void aBackendTheOperatorDisabledDoesNotStopTheDemoComingBack(@TempDir Path dataDir) throws Exception {
    Map<String, String> settings = Map.of(
        "dataDir", dataDir.toString(), "http.port", "0", "http.instances", "1", "http.shutdownGrace", "1s");
    Gateway gateway = TestGateways.start(settings);
    JsonObject manifest = new JsonObject(Files.readString(dataDir.resolve("demo-manifest.json")));
    String operator = "Bearer " + Files.readString(
        Path.of(manifest.getJsonObject("admin").getString("bootstrapKeyFile"))).trim();
    JsonObject housing = manifest.getJsonArray("departments").stream().map(JsonObject.class::cast)
        .filter(d -> d.getString("department").equals("cd-housing-fund")).findFirst().orElseThrow();
    try {
      var disabled = Http.post(gateway.baseUrl() + "/admin/v1/departments/cd-housing-fund/backends/"
          + housing.getString("backend") + "/disable", null, Map.of("Authorization", operator));
      assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
    } finally {
      TestGateways.stop(gateway);
    }

    Gateway restarted = TestGateways.start(settings);
    try {
      var citizen = RegistryFixture.CITIZENS.stream()
          .filter(c -> c.homeRegion().equals(SyntheticCitizens.CHENGDU)).findFirst().orElseThrow();
      DepartmentAnswer answer = RegistryFixture.await(restarted.departments().call("housing-fund.account",
          SyntheticCitizens.CHENGDU, RegistryFixture.citizenJson(citizen), new JsonObject(), "demo-test-2", true));
      assertThat(answer.department()).isEqualTo("cd-housing-fund");
      assertThat(answer.backend()).isNotEqualTo(housing.getString("backend"));
      var backends = Http.json(Http.get(restarted.baseUrl() + "/admin/v1/departments/cd-housing-fund/backends",
          Map.of("Authorization", operator))).getJsonArray("backends");
      assertThat(backends.stream().map(b -> ((JsonObject) b).getString("status")))
          .as("the operator's decision stands").containsExactlyInAnyOrder("disabled", "active");
    } finally {
      TestGateways.stop(restarted);
    }
  }
}
