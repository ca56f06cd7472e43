package cn.govgate.services;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A gateway started without identity and registry seams offers nothing it cannot back. */
class UnwiredSeamsTest {
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
  void noRegionIsOfferedBeforeTheRegistryIsWired() {
    HttpResponse<String> r = Http.get(gateway.baseUrl() + "/v1/catalog?region=330100");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(Http.json(r).getJsonObject("details").getJsonArray("knownRegions")).isEmpty();
  }

  @Test
  void departmentRoutesRefuseEveryCredentialBeforeTheRegistryIsWired() {
    HttpResponse<String> r = Http.get(gateway.baseUrl() + "/admin/v1/departments/hz-gjj/rectifications",
        java.util.Map.of("Authorization", "Bearer anything"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(Http.json(r).getString("code")).isEqualTo("admin.unauthenticated");
  }

  @Test
  void proofsCannotBeIssuedWithoutAProofSourceButVerificationWorks() {
    HttpResponse<String> issue = Http.post(gateway.baseUrl() + "/v1/housing-fund/proofs",
        new JsonObject().put("purpose", "贷款").put("validDays", 5).put("region", "330100").encode());
    assertThat(issue.statusCode()).isEqualTo(404);
    HttpResponse<String> verify = Http.post(gateway.baseUrl() + "/v1/proofs/verify", "{\"proof\":\"a.b.c\"}");
    assertThat(verify.statusCode()).isEqualTo(200);
    assertThat(Http.json(verify).getBoolean("valid")).isFalse();
    assertThat(Http.json(Http.get(gateway.baseUrl() + "/.well-known/jwks.json")).getJsonArray("keys")).hasSize(1);
  }
}
