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

      // Each backend was registered by its department's own credential, not by the operator.
      var actors = gateway.database().pool().query("SELECT DISTINCT actor_type FROM backend_versions").execute()
          .await(10, TimeUnit.SECONDS);
      assertThat(actors.size()).isEqualTo(1);
      assertThat(actors.iterator().next().getString("actor_type")).isEqualTo("department");
    } finally {
      TestGateways.stop(gateway);
    }
  }
}
