package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Department credentials listed, rotated with a grace period and revoked through the admin API, on
 * two gateway instances sharing one database and one clock: the instance that did not make the
 * change follows within a second.
 */
class CredentialOperationsTest {

  private static final ApiContract CONTRACT = ApiContract.of("admin-api.yaml");
  private static RegistryFixture fx;
  private static Gateway second;

  @BeforeAll
  static void start() {
    fx = RegistryFixture.start();
    second = fx.startGateway();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static int statusOn(Gateway g, String departmentId, String auth) {
    return Http.send(
            "GET",
            g.baseUrl() + "/admin/v1/departments/" + departmentId,
            null,
            Map.of("Authorization", auth))
        .statusCode();
  }

  private static String credentialIdOf(String auth) {
    return auth.substring("Bearer gdc_".length(), auth.indexOf('.'));
  }

  private static void awaitKnownEverywhere(String credentialId) {
    RegistryFixture.waitFor(
        () ->
            fx.gateway.departmentRegistry().credentials().knows(credentialId)
                && second.departmentRegistry().credentials().knows(credentialId),
        Duration.ofSeconds(5));
  }

  private static List<String> audited(String action, String departmentId) throws Exception {
    fx.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    second.audit().flush().await(10, TimeUnit.SECONDS);
    var rows =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT details FROM audit_log WHERE action = $1 "
                    + "AND details::jsonb->>'department' = $2 ORDER BY seq")
            .execute(Tuple.of(action, departmentId))
            .await(10, TimeUnit.SECONDS);
    List<String> details = new ArrayList<>();
    rows.forEach(r -> details.add(String.valueOf(r.getValue("details"))));
    return details;
  }

  @Test
  void rotationKeepsTheOldCredentialWorkingForItsGracePeriodOnEveryInstance() throws Exception {
    JsonObject d = fx.department("traffic");
    String id = d.getString("id");
    String oldAuth = d.getString("auth");
    String oldId = credentialIdOf(oldAuth);
    awaitKnownEverywhere(oldId);

    // The department rotates its own credential, keeping the old one for a minute.
    HttpResponse<String> rotated =
        fx.admin(
            "POST",
            "/departments/" + id + "/credentials/" + oldId + "/rotate",
            oldAuth,
            new JsonObject().put("graceSeconds", 60));
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
    CONTRACT.assertValid("rotateCredential", rotated);
    JsonObject fresh = Http.json(rotated);
    assertThat(fresh.getString("replaces")).isEqualTo(oldId);
    String newAuth = "Bearer " + fresh.getString("token");
    awaitKnownEverywhere(fresh.getString("credentialId"));
    for (Gateway g : List.of(fx.gateway, second)) {
      assertThat(statusOn(g, id, oldAuth))
          .as("old credential within its grace period")
          .isEqualTo(200);
      assertThat(statusOn(g, id, newAuth)).isEqualTo(200);
    }

    fx.clock.advance(Duration.ofSeconds(61));
    for (Gateway g : List.of(fx.gateway, second)) {
      assertThat(statusOn(g, id, oldAuth))
          .as("old credential past its grace period")
          .isEqualTo(401);
      assertThat(statusOn(g, id, newAuth)).isEqualTo(200);
    }

    HttpResponse<String> list =
        fx.admin("GET", "/departments/" + id + "/credentials", newAuth, null);
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    CONTRACT.assertValid("listCredentials", list);
    assertThat(list.body())
        .doesNotContain(fresh.getString("token").substring(fresh.getString("token").indexOf('.')));
    Map<String, JsonObject> byId = new java.util.HashMap<>();
    Http.json(list)
        .getJsonArray("credentials")
        .forEach(c -> byId.put(((JsonObject) c).getString("credentialId"), (JsonObject) c));
    assertThat(byId.get(oldId).getString("status")).isEqualTo("expired");
    assertThat(byId.get(oldId).getString("replacedBy")).isEqualTo(fresh.getString("credentialId"));
    assertThat(byId.get(fresh.getString("credentialId")).getString("status")).isEqualTo("active");

    HttpResponse<String> again =
        fx.admin(
            "POST", "/departments/" + id + "/credentials/" + oldId + "/rotate", fx.operator, null);
    assertThat(again.statusCode()).isEqualTo(409);
    CONTRACT.assertValid("rotateCredential", again);
    assertThat(Http.json(again).getString("code")).isEqualTo("registry.credential_not_active");

    assertThat(audited("registry.credential_rotated", id))
        .singleElement()
        .satisfies(
            details ->
                assertThat(details)
                    .contains(oldId)
                    .contains(fresh.getString("credentialId"))
                    .doesNotContain(fresh.getString("token")));
  }

  @Test
  void revocationReachesTheOtherInstanceWithinASecond() throws Exception {
    JsonObject d = fx.department("traffic");
    String id = d.getString("id");
    HttpResponse<String> issued =
        fx.admin("POST", "/departments/" + id + "/credentials", fx.operator, null);
    String auth = "Bearer " + Http.json(issued).getString("token");
    String credentialId = Http.json(issued).getString("credentialId");
    awaitKnownEverywhere(credentialId);
    assertThat(statusOn(second, id, auth)).isEqualTo(200);

    HttpResponse<String> revoked =
        fx.admin(
            "DELETE", "/departments/" + id + "/credentials/" + credentialId, fx.operator, null);
    long committedAt = System.nanoTime();
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    CONTRACT.assertValid("revokeCredential", revoked);
    assertThat(Http.json(revoked).getString("status")).isEqualTo("revoked");
    assertThat(statusOn(fx.gateway, id, auth)).as("the instance that revoked it").isEqualTo(401);
    // The other instance held the credential in memory; the notification removes it.
    RegistryFixture.waitFor(
        () -> !second.departmentRegistry().credentials().knows(credentialId),
        Duration.ofSeconds(1));
    assertThat((System.nanoTime() - committedAt) / 1_000_000).isLessThan(1000);
    assertThat(statusOn(second, id, auth)).isEqualTo(401);
    assertThat(statusOn(second, id, d.getString("auth")))
        .as("the department's other credential")
        .isEqualTo(200);

    HttpResponse<String> twice =
        fx.admin(
            "DELETE", "/departments/" + id + "/credentials/" + credentialId, fx.operator, null);
    assertThat(twice.statusCode()).isEqualTo(200);
    assertThat(audited("registry.credential_revoked", id)).hasSize(1);
  }

  @Test
  void aDepartmentReachesOnlyItsOwnCredentials() {
    JsonObject a = fx.department("traffic");
    JsonObject b = fx.department("utilities");
    String aCredential = credentialIdOf(a.getString("auth"));
    String bCredential = credentialIdOf(b.getString("auth"));

    HttpResponse<String> foreignList =
        fx.admin(
            "GET", "/departments/" + a.getString("id") + "/credentials", b.getString("auth"), null);
    assertThat(foreignList.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("listCredentials", foreignList);
    HttpResponse<String> foreignRevoke =
        fx.admin(
            "DELETE",
            "/departments/" + a.getString("id") + "/credentials/" + aCredential,
            b.getString("auth"),
            null);
    assertThat(foreignRevoke.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("revokeCredential", foreignRevoke);
    // B's credential id under A's path is not A's: nothing to find, nothing revoked.
    HttpResponse<String> misplaced =
        fx.admin(
            "DELETE",
            "/departments/" + a.getString("id") + "/credentials/" + bCredential,
            a.getString("auth"),
            null);
    assertThat(misplaced.statusCode()).isEqualTo(404);
    CONTRACT.assertValid("revokeCredential", misplaced);
    assertThat(Http.json(misplaced).getString("code")).isEqualTo("registry.credential_not_found");
    assertThat(statusOn(fx.gateway, b.getString("id"), b.getString("auth"))).isEqualTo(200);

    for (Object grace : List.of(-1, 2_592_001, "60", 1.5)) {
      HttpResponse<String> bad =
          fx.admin(
              "POST",
              "/departments/" + a.getString("id") + "/credentials/" + aCredential + "/rotate",
              a.getString("auth"),
              new JsonObject().put("graceSeconds", grace));
      assertThat(bad.statusCode()).as(String.valueOf(grace)).isEqualTo(400);
      CONTRACT.assertValid("rotateCredential", bad);
      assertThat(Http.json(bad).getJsonObject("details").getJsonObject("fields").fieldNames())
          .containsExactly("graceSeconds");
    }
    assertThat(statusOn(fx.gateway, a.getString("id"), a.getString("auth")))
        .as("nothing rotated")
        .isEqualTo(200);
  }
}
