package cn.govgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * In the wired gateway, the rectification and proof-revocation routes of a department accept
 * exactly that department's credentials (issued through the registry's admin API) and the
 * operator's, nothing else.
 */
class WiredDepartmentAccessTest {
  private static Gateway gateway;
  private static String operator;
  private static String gjjToken;
  private static String trafficToken;

  @BeforeAll
  static void start() {
    Map<String, String> settings = TestGateways.settings();
    gateway = TestGateways.start(settings);
    operator = "Bearer " + settings.get("admin.bootstrapKey");
    createDepartment("hz-gjj", "杭州住房公积金管理中心", "housing-fund");
    createDepartment("hz-traffic", "杭州市公安局交通警察支队", "traffic");
    gjjToken = "Bearer " + credential("hz-gjj");
    trafficToken = "Bearer " + credential("hz-traffic");
  }

  @AfterAll
  static void stop() {
    TestGateways.stop(gateway);
  }

  private static void createDepartment(String id, String name, String kind) {
    HttpResponse<String> r =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments",
            new JsonObject().put("id", id).put("name", name).put("kind", kind).encode(),
            Map.of("Authorization", operator));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private static String credential(String department) {
    HttpResponse<String> r =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments/" + department + "/credentials",
            "{}",
            Map.of("Authorization", operator));
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    return Http.json(r).getString("token");
  }

  private static HttpResponse<String> rectifications(String department, String auth) {
    return Http.get(
        gateway.baseUrl() + "/admin/v1/departments/" + department + "/rectifications",
        auth == null ? Map.of() : Map.of("Authorization", auth));
  }

  @Test
  void aDepartmentReadsItsOwnRectifications() {
    HttpResponse<String> r = rectifications("hz-gjj", gjjToken);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void theOperatorMayActForAnyDepartment() {
    assertThat(rectifications("hz-gjj", operator).statusCode()).isEqualTo(200);
  }

  @Test
  void anotherDepartmentsCredentialIsForbidden() {
    HttpResponse<String> r = rectifications("hz-gjj", trafficToken);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(Http.json(r).getString("code")).isEqualTo("auth.forbidden_department");
    HttpResponse<String> revoke =
        Http.post(
            gateway.baseUrl() + "/admin/v1/departments/hz-gjj/proofs/GJJ-330100-2026-000001/revoke",
            new JsonObject().put("reason", "test").encode(),
            Map.of("Authorization", trafficToken));
    assertThat(revoke.statusCode()).isEqualTo(403);
  }

  @Test
  void missingOrForgedCredentialsAreRefused() {
    assertThat(rectifications("hz-gjj", null).statusCode()).isEqualTo(401);
    assertThat(rectifications("hz-gjj", "Bearer gdc_00.forged").statusCode()).isEqualTo(401);
  }
}
