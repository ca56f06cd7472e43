package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.CHENGDU;
import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static cn.govgate.registry.RegistryFixture.backendBody;
import static cn.govgate.registry.RegistryFixture.citizenOf;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A department serves only the routes the operator assigned to it: the takeover found by probing (a
 * new department registering, with an explicit weight, a backend for a route another department
 * serves, and receiving its citizens' ID numbers) is refused and audited; weights and replacements
 * stay within one department; disabled backends block nothing.
 */
class RouteAssignmentsTest {

  private static final ApiContract CONTRACT = ApiContract.of("admin-api.yaml");
  private static final String ACCOUNT = "social-security.account";
  private static RegistryFixture fx;

  @BeforeAll
  static void start() {
    fx = RegistryFixture.start();
  }

  @AfterEach
  void deregister() {
    fx.deregisterAll();
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private record Serving(
      JsonObject department, DepartmentSimulator sim, JsonObject body, Backend backend) {}

  /**
   * A social-security department serving {@value #ACCOUNT} in {@code region}, registered the proper
   * way.
   */
  private Serving serving(String region) {
    JsonObject department = fx.department("social-security");
    String keyId = "k-" + department.getString("id");
    String secret = "secret-of-" + department.getString("id");
    DepartmentSimulator sim = fx.simulator(DepartmentFamily.SOCIAL_SECURITY, region, keyId, secret);
    JsonObject body = backendBody(sim, keyId, secret, ACCOUNT);
    return new Serving(department, sim, body, fx.register(department, body));
  }

  private HttpResponse<String> registerRaw(JsonObject department, JsonObject body) {
    return fx.admin(
        "POST",
        "/departments/" + department.getString("id") + "/backends",
        department.getString("auth"),
        body);
  }

  @Test
  void aNewDepartmentCannotTakeOverAnotherDepartmentsRoute() throws Exception {
    Serving owner = serving(CHENGDU);
    JsonObject rogue = fx.department("social-security");
    DepartmentSimulator rogueSim =
        fx.simulator(
            DepartmentFamily.SOCIAL_SECURITY, CHENGDU, "rogue-key", "rogue-secret-0123456789");
    JsonObject takeover = backendBody(rogueSim, "rogue-key", "rogue-secret-0123456789", ACCOUNT);

    for (JsonObject attempt :
        List.of(
            takeover.copy().put("weight", 10_000),
            takeover.copy().put("replaces", owner.backend().id()),
            takeover.copy())) {
      HttpResponse<String> r = registerRaw(rogue, attempt);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
      CONTRACT.assertValid("registerBackend", r);
      JsonObject error = Http.json(r);
      assertThat(error.getString("code")).isEqualTo("registry.route_not_assigned");
      assertThat(error.getJsonObject("details").getJsonArray("routes"))
          .containsExactly(new JsonObject().put("serviceType", ACCOUNT).put("region", CHENGDU));
    }
    assertThat(
            Http.json(
                    fx.admin(
                        "GET",
                        "/departments/" + rogue.getString("id") + "/backends",
                        rogue.getString("auth"),
                        null))
                .getJsonArray("backends"))
        .as("nothing registered")
        .isEmpty();

    // Every citizen query still goes to the owner; the rogue simulator never hears of a citizen.
    for (int i = 0; i < 10; i++) {
      DepartmentAnswer answer = fx.answer(ACCOUNT, CHENGDU, citizenOf(CHENGDU));
      assertThat(answer.backend()).isEqualTo(owner.backend().id());
    }
    assertThat(rogueSim.requestCount()).isZero();
    assertThat(fx.gateway.departmentRegistry().routes().candidates(ACCOUNT, CHENGDU))
        .extracting(Backend::id)
        .containsExactly(owner.backend().id());

    // The refusals are audited, with what was asked for.
    fx.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    var refused =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT outcome, actor_type, details FROM audit_log "
                    + "WHERE action = 'registry.backend_refused' AND details::jsonb->>'department' = $1 ORDER BY seq")
            .execute(Tuple.of(rogue.getString("id")))
            .await(10, TimeUnit.SECONDS);
    assertThat(refused.size()).isEqualTo(3);
    refused.forEach(
        row -> {
          assertThat(row.getString("outcome")).isEqualTo("denied");
          assertThat(row.getString("actor_type")).isEqualTo("department");
          assertThat(row.getValue("details").toString())
              .contains("registry.route_not_assigned")
              .contains(CHENGDU);
        });
  }

  @Test
  void anUpdateOrReEnablingCannotReachAnUnassignedRouteEither() {
    Serving own = serving(HANGZHOU);
    String base =
        "/departments/" + own.department().getString("id") + "/backends/" + own.backend().id();
    JsonObject wider = own.body().copy().put("regions", new JsonArray().add(HANGZHOU).add(CHENGDU));
    HttpResponse<String> updated = fx.admin("PUT", base, own.department().getString("auth"), wider);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(403);
    CONTRACT.assertValid("updateBackend", updated);
    assertThat(Http.json(updated).getJsonObject("details").getJsonArray("routes"))
        .containsExactly(new JsonObject().put("serviceType", ACCOUNT).put("region", CHENGDU));

    // Disabled, its route withdrawn by the operator, handed to another department: it cannot come
    // back.
    assertThat(
            fx.admin("POST", base + "/disable", own.department().getString("auth"), null)
                .statusCode())
        .isEqualTo(200);
    assertThat(
            fx.admin(
                    "DELETE",
                    "/departments/"
                        + own.department().getString("id")
                        + "/assignments/"
                        + ACCOUNT
                        + "/"
                        + HANGZHOU,
                    fx.operator,
                    null)
                .statusCode())
        .as("a disabled backend still holds its route")
        .isEqualTo(409);
    fx.gateway
        .database()
        .pool()
        .preparedQuery(
            "UPDATE route_assignments SET department_id = $1 "
                + "WHERE service_type = $2 AND region = $3")
        .execute(Tuple.of(fx.department("social-security").getString("id"), ACCOUNT, HANGZHOU))
        .await();
    HttpResponse<String> enabled =
        fx.admin("POST", base + "/enable", own.department().getString("auth"), null);
    assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(403);
    CONTRACT.assertValid("enableBackend", enabled);
    assertThat(Http.json(enabled).getString("code")).isEqualTo("registry.route_not_assigned");
  }

  @Test
  void aBackendOnAnotherDepartmentsRouteFromBeforeAssignmentsIsNeverPicked() {
    Serving owner = serving(CHENGDU);
    Serving other = serving(HANGZHOU);
    // A registration older than assignments: the other department's backend lists the owner's route
    // too.
    JsonObject spec = other.backend().spec().toJson();
    spec.put("regions", new JsonArray().add(HANGZHOU).add(CHENGDU))
        .put("weight", 10_000)
        .put("weightExplicit", true);
    var pool = fx.gateway.database().pool();
    pool.preparedQuery("UPDATE backends SET spec = $2, version = version + 1 WHERE id = $1")
        .execute(Tuple.of(other.backend().id(), spec))
        .await();
    pool.query("SELECT pg_notify('govgate_registry', 'test')").execute().await();
    RegistryFixture.awaitBackend(
        fx.gateway, other.backend().id(), other.backend().row().version() + 1);

    assertThat(fx.gateway.departmentRegistry().routes().candidates(ACCOUNT, CHENGDU))
        .extracting(Backend::id)
        .containsExactly(owner.backend().id());
    for (int i = 0; i < 10; i++) {
      assertThat(fx.answer(ACCOUNT, CHENGDU, citizenOf(CHENGDU)).backend())
          .isEqualTo(owner.backend().id());
    }
    assertThat(fx.answer(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU)).backend())
        .isEqualTo(other.backend().id());
  }

  @Test
  void aDisabledBackendDoesNotBlockANewRegistrationOfItsRoute() {
    Serving own = serving(HANGZHOU);
    String auth = own.department().getString("auth");
    String base = "/departments/" + own.department().getString("id") + "/backends";
    assertThat(
            fx.admin("POST", base + "/" + own.backend().id() + "/disable", auth, null).statusCode())
        .isEqualTo(200);

    HttpResponse<String> again = registerRaw(own.department(), own.body());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    String replacement = Http.json(again).getString("id");
    RegistryFixture.awaitBackend(fx.gateway, replacement, 1);
    assertThat(fx.answer(ACCOUNT, HANGZHOU, citizenOf(HANGZHOU)).backend()).isEqualTo(replacement);

    // Re-enabling the old one now needs the same rule as registering next to an active backend.
    HttpResponse<String> enabled =
        fx.admin("POST", base + "/" + own.backend().id() + "/enable", auth, null);
    assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(400);
    assertThat(
            Http.json(enabled).getJsonObject("details").getJsonObject("fields").getString("weight"))
        .contains(replacement);

    // A second instance starting on this registry loads both and routes to the active one.
    var second = fx.startGateway();
    RegistryFixture.waitFor(
        () -> second.departmentRegistry().routes().backend(replacement) != null,
        Duration.ofSeconds(10));
    assertThat(second.departmentRegistry().routes().backend(own.backend().id()).enabled())
        .isFalse();
  }

  @Test
  void assignmentsAreTheOperatorsVersionedAndAudited() throws Exception {
    JsonObject a = fx.department("social-security");
    JsonObject b = fx.department("social-security");
    String routes = "/departments/" + a.getString("id") + "/assignments";
    JsonObject request =
        new JsonObject()
            .put("serviceTypes", new JsonArray().add(ACCOUNT))
            .put("regions", new JsonArray().add(HANGZHOU).add(CHENGDU));

    HttpResponse<String> byDepartment = fx.admin("POST", routes, a.getString("auth"), request);
    assertThat(byDepartment.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("assignRoutes", byDepartment);
    assertThat(Http.json(byDepartment).getString("code")).isEqualTo("auth.operator_only");
    HttpResponse<String> none = fx.admin("GET", routes, a.getString("auth"), null);
    CONTRACT.assertValid("listAssignments", none);
    assertThat(Http.json(none).getInteger("version")).isZero();

    HttpResponse<String> assigned = fx.admin("POST", routes, fx.operator, request);
    assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(200);
    CONTRACT.assertValid("assignRoutes", assigned);
    assertThat(Http.json(assigned).getInteger("version")).isEqualTo(1);
    assertThat(Http.json(assigned).getJsonArray("assignments")).hasSize(2);
    HttpResponse<String> again = fx.admin("POST", routes, fx.operator, request);
    assertThat(Http.json(again).getInteger("version"))
        .as("nothing new, no new version")
        .isEqualTo(1);

    HttpResponse<String> elsewhere =
        fx.admin(
            "POST",
            "/departments/" + b.getString("id") + "/assignments",
            fx.operator,
            new JsonObject()
                .put("regions", new JsonArray().add(CHENGDU))
                .put(
                    "serviceTypes",
                    new JsonArray().add(ACCOUNT).add("social-security.contributions")));
    assertThat(elsewhere.statusCode()).isEqualTo(409);
    CONTRACT.assertValid("assignRoutes", elsewhere);
    assertThat(Http.json(elsewhere).getString("code"))
        .isEqualTo("registry.route_assigned_elsewhere");
    assertThat(
            Http.json(elsewhere)
                .getJsonObject("details")
                .getJsonArray("routes")
                .getJsonObject(0)
                .getString("departmentId"))
        .isEqualTo(a.getString("id"));
    assertThat(
            Http.json(
                    fx.admin(
                        "GET",
                        "/departments/" + b.getString("id") + "/assignments",
                        fx.operator,
                        null))
                .getJsonArray("assignments"))
        .as("all or nothing")
        .isEmpty();

    HttpResponse<String> wrongFamily =
        fx.admin(
            "POST",
            routes,
            fx.operator,
            new JsonObject()
                .put("serviceTypes", new JsonArray().add("traffic.fines"))
                .put("regions", new JsonArray().add("999999")));
    assertThat(wrongFamily.statusCode()).isEqualTo(400);
    assertThat(Http.json(wrongFamily).getJsonObject("details").getJsonObject("fields").fieldNames())
        .containsExactlyInAnyOrder("serviceTypes[0]", "regions[0]");

    HttpResponse<String> withdrawn =
        fx.admin("DELETE", routes + "/" + ACCOUNT + "/" + CHENGDU, fx.operator, null);
    assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
    CONTRACT.assertValid("withdrawRoute", withdrawn);
    assertThat(Http.json(withdrawn).getInteger("version")).isEqualTo(2);
    HttpResponse<String> notHers =
        fx.admin("DELETE", routes + "/" + ACCOUNT + "/" + CHENGDU, fx.operator, null);
    assertThat(notHers.statusCode()).isEqualTo(404);
    CONTRACT.assertValid("withdrawRoute", notHers);
    assertThat(
            fx.admin(
                    "POST",
                    "/departments/" + b.getString("id") + "/assignments",
                    fx.operator,
                    new JsonObject()
                        .put("serviceTypes", new JsonArray().add(ACCOUNT))
                        .put("regions", new JsonArray().add(CHENGDU)))
                .statusCode())
        .as("free again")
        .isEqualTo(200);

    HttpResponse<String> history = fx.admin("GET", routes + "/versions", a.getString("auth"), null);
    CONTRACT.assertValid("listAssignmentVersions", history);
    List<String> changes = new ArrayList<>();
    Http.json(history)
        .getJsonArray("versions")
        .forEach(
            v ->
                changes.add(
                    ((JsonObject) v).getString("change")
                        + " "
                        + ((JsonObject) v).getJsonArray("routes").size()));
    assertThat(changes).containsExactly("assigned 2", "withdrawn 1");

    fx.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    var audited =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT action, outcome, actor_type, details::text AS details FROM audit_log "
                    + "WHERE details::jsonb->>'department' = $1 ORDER BY seq")
            .execute(Tuple.of(a.getString("id")))
            .await(10, TimeUnit.SECONDS);
    List<String> actions = new ArrayList<>();
    audited.forEach(r -> actions.add(r.getString("action") + "/" + r.getString("outcome")));
    io.vertx.sqlclient.Row denied = null;
    for (io.vertx.sqlclient.Row r : audited) {
      if (denied == null && r.getString("action").equals("registry.access")) denied = r;
    }
    assertThat(denied).isNotNull();
    assertThat(denied.getString("actor_type")).isEqualTo("department");
    assertThat(new JsonObject(denied.getString("details")))
        .as("what a refused operator-only call records, in this order")
        .isEqualTo(
            new JsonObject()
                .put("department", a.getString("id"))
                .put("code", "auth.operator_only")
                .put("method", "POST"));
    assertThat(new JsonObject(denied.getString("details")).fieldNames())
        .containsExactly("department", "code", "method");
    assertThat(actions)
        .containsSubsequence(
            "registry.access/denied",
            "registry.routes_assigned/success",
            "registry.route_withdrawn/success");
  }
}
