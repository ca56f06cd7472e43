package cn.govgate.registry;

import static cn.govgate.registry.RegistryFixture.HANGZHOU;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API: authentication, department scoping, field-level validation, versions, audit,
 * breaker override.
 */
class AdminApiTest {

  private static final ApiContract CONTRACT = ApiContract.of("admin-api.yaml");
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

  private static JsonObject validBackend() {
    return new JsonObject()
        .put("serviceTypes", new JsonArray().add("traffic.fines"))
        .put("regions", new JsonArray().add(HANGZHOU))
        .put("baseUrl", "http://127.0.0.1:9/dept")
        .put(
            "auth",
            new JsonObject()
                .put("type", "hmac")
                .put("keyId", "k1")
                .put("secret", "0123456789abcdef-secret"));
  }

  private static JsonObject fieldsOf(HttpResponse<String> r, String operationId) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    CONTRACT.assertValid(operationId, r);
    JsonObject body = Http.json(r);
    assertThat(body.getString("code")).isEqualTo("request.invalid");
    return body.getJsonObject("details").getJsonObject("fields");
  }

  private HttpResponse<String> registerRaw(JsonObject department, JsonObject body) {
    return fx.admin(
        "POST",
        "/departments/" + department.getString("id") + "/backends",
        department.getString("auth"),
        body);
  }

  @Test
  void missingOrWrongCredentialsAre401() {
    HttpResponse<String> none = fx.admin("GET", "/departments", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    CONTRACT.assertValid("listDepartments", none);
    HttpResponse<String> wrongKey =
        fx.admin("GET", "/departments", "Bearer " + "A".repeat(44), null);
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(Http.json(wrongKey).getString("code")).isEqualTo("auth.invalid_credentials");
    HttpResponse<String> forgedCredential =
        fx.admin(
            "GET", "/departments/x/backends", "Bearer gdc_0011223344556677aa.not-the-secret", null);
    assertThat(forgedCredential.statusCode()).isEqualTo(401);
    CONTRACT.assertValid("listBackends", forgedCredential);
  }

  @Test
  void operatorCreatesDepartmentsAndIssuesCredentialsShownOnce() throws Exception {
    JsonObject d = fx.department("traffic");
    HttpResponse<String> list = fx.admin("GET", "/departments", fx.operator, null);
    assertThat(list.statusCode()).isEqualTo(200);
    CONTRACT.assertValid("listDepartments", list);
    HttpResponse<String> one =
        fx.admin("GET", "/departments/" + d.getString("id"), d.getString("auth"), null);
    assertThat(one.statusCode()).isEqualTo(200);
    CONTRACT.assertValid("getDepartment", one);
    HttpResponse<String> credential =
        fx.admin("POST", "/departments/" + d.getString("id") + "/credentials", fx.operator, null);
    CONTRACT.assertValid("issueCredential", credential);
    String token = Http.json(credential).getString("token");
    // Only the hash is stored: the token itself appears nowhere in the database.
    var rows =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT count(*) AS n FROM department_credentials WHERE encode(secret_sha256, 'escape') LIKE $1")
            .execute(Tuple.of("%" + token.substring(token.indexOf('.') + 1) + "%"))
            .await(10, TimeUnit.SECONDS);
    assertThat(rows.iterator().next().getLong("n")).isZero();
    HttpResponse<String> duplicate =
        fx.admin(
            "POST",
            "/departments",
            fx.operator,
            new JsonObject()
                .put("id", d.getString("id"))
                .put("name", "again")
                .put("kind", "traffic"));
    assertThat(duplicate.statusCode()).isEqualTo(409);
    CONTRACT.assertValid("createDepartment", duplicate);
  }

  @Test
  void departmentCreationIsValidatedFieldByField() {
    JsonObject fields =
        fieldsOf(
            fx.admin(
                "POST",
                "/departments",
                fx.operator,
                new JsonObject().put("id", "Bad Id!").put("name", "").put("kind", "police")),
            "createDepartment");
    assertThat(fields.fieldNames()).containsExactlyInAnyOrder("id", "name", "kind");
  }

  @Test
  void aDepartmentCredentialCannotCreateDepartmentsNorForceBreakers() {
    JsonObject d = fx.department("traffic");
    HttpResponse<String> create =
        fx.admin(
            "POST",
            "/departments",
            d.getString("auth"),
            new JsonObject().put("id", "sneaky").put("name", "x").put("kind", "traffic"));
    assertThat(create.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("createDepartment", create);
    HttpResponse<String> breaker =
        fx.admin(
            "POST",
            "/backends/whatever/breaker",
            d.getString("auth"),
            new JsonObject().put("action", "open"));
    assertThat(breaker.statusCode()).isEqualTo(403);
    CONTRACT.assertValid("overrideBreaker", breaker);
  }

  @Test
  void departmentACannotReadOrChangeDepartmentB() {
    JsonObject a = fx.department("traffic");
    JsonObject b = fx.department("traffic");
    fx.assign(b, validBackend());
    HttpResponse<String> registered = registerRaw(b, validBackend());
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    String backendOfB = Http.json(registered).getString("id");
    String base = "/departments/" + b.getString("id");
    String asA = a.getString("auth");
    List<HttpResponse<String>> attempts =
        List.of(
            fx.admin("GET", base, asA, null),
            fx.admin("GET", base + "/backends", asA, null),
            fx.admin("GET", base + "/backends/" + backendOfB, asA, null),
            fx.admin("GET", base + "/backends/" + backendOfB + "/versions", asA, null),
            fx.admin("POST", base + "/backends", asA, validBackend()),
            fx.admin("PUT", base + "/backends/" + backendOfB, asA, validBackend()),
            fx.admin("POST", base + "/backends/" + backendOfB + "/disable", asA, null),
            fx.admin("DELETE", base + "/backends/" + backendOfB, asA, null));
    for (HttpResponse<String> r : attempts) {
      assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(403);
      assertThat(Http.json(r).getString("code")).isEqualTo("auth.forbidden_department");
    }
    CONTRACT.assertValid("getBackend", attempts.get(2));
    // A's own id in the path does not reach B's backend either.
    HttpResponse<String> viaOwnPath =
        fx.admin("GET", "/departments/" + a.getString("id") + "/backends/" + backendOfB, asA, null);
    assertThat(viaOwnPath.statusCode()).isEqualTo(404);
    HttpResponse<String> still =
        fx.admin("GET", base + "/backends/" + backendOfB, b.getString("auth"), null);
    assertThat(Http.json(still).getInteger("version")).isEqualTo(1);
    assertThat(Http.json(still).getString("status")).isEqualTo("active");
    fx.admin("DELETE", base + "/backends/" + backendOfB, b.getString("auth"), null);
  }

  @Test
  void unknownServiceTypeAndServiceOfAnotherFamilyAreFieldErrors() {
    JsonObject d = fx.department("traffic");
    JsonObject fields =
        fieldsOf(
            registerRaw(
                d,
                validBackend()
                    .put(
                        "serviceTypes",
                        new JsonArray()
                            .add("traffic.fines")
                            .add("traffic.parking")
                            .add("social-security.account"))),
            "registerBackend");
    assertThat(fields.getString("serviceTypes[1]")).startsWith("unknown service type");
    assertThat(fields.getString("serviceTypes[2]")).contains("not offered by a traffic department");
    assertThat(
            fieldsOf(
                    registerRaw(d, validBackend().put("serviceTypes", new JsonArray())),
                    "registerBackend")
                .fieldNames())
        .containsExactly("serviceTypes");
  }

  @Test
  void unknownRegionCodesAreFieldErrors() {
    JsonObject d = fx.department("traffic");
    JsonObject fields =
        fieldsOf(
            registerRaw(
                d,
                validBackend()
                    .put("regions", new JsonArray().add(HANGZHOU).add("999999").add("33010"))),
            "registerBackend");
    assertThat(fields.fieldNames()).containsExactlyInAnyOrder("regions[1]", "regions[2]");
  }

  @Test
  void badUrlsAreFieldErrors() {
    JsonObject d = fx.department("traffic");
    for (String url :
        List.of(
            "ftp://dept.example/x",
            "not a url",
            "http:///nohost",
            "https://dept.example/x?q=1",
            "http://user:pw@dept.example/")) {
      JsonObject fields =
          fieldsOf(registerRaw(d, validBackend().put("baseUrl", url)), "registerBackend");
      assertThat(fields.fieldNames()).as(url).containsExactly("baseUrl");
    }
    assertThat(
            fieldsOf(registerRaw(d, validBackend().putNull("baseUrl")), "registerBackend")
                .fieldNames())
        .containsExactly("baseUrl");
  }

  @Test
  void outOfBoundsResilienceSettingsAreFieldErrors() {
    JsonObject d = fx.department("traffic");
    JsonObject body =
        validBackend()
            .put("deadlineMs", 5)
            .put("maxConcurrentCalls", 0)
            .put(
                "breaker",
                new JsonObject()
                    .put("failureRateThreshold", 101)
                    .put("slowCallRateThreshold", 0)
                    .put("slidingWindowSize", 5)
                    .put("minimumNumberOfCalls", 6)
                    .put("waitDurationInOpenStateMs", 10)
                    .put("permittedCallsInHalfOpenState", 0));
    JsonObject fields = fieldsOf(registerRaw(d, body), "registerBackend");
    assertThat(fields.fieldNames())
        .contains(
            "deadlineMs",
            "maxConcurrentCalls",
            "breaker.failureRateThreshold",
            "breaker.slowCallRateThreshold",
            "breaker.minimumNumberOfCalls",
            "breaker.waitDurationInOpenStateMs",
            "breaker.permittedCallsInHalfOpenState");
    JsonObject slow =
        fieldsOf(
            registerRaw(
                d,
                validBackend()
                    .put("deadlineMs", 1000)
                    .put("breaker", new JsonObject().put("slowCallDurationMs", 2000))),
            "registerBackend");
    assertThat(slow.getString("breaker.slowCallDurationMs"))
        .isEqualTo("must not exceed the deadline");
    JsonObject types =
        fieldsOf(
            registerRaw(d, validBackend().put("deadlineMs", "fast").put("weight", 0)),
            "registerBackend");
    assertThat(types.getString("deadlineMs")).isEqualTo("must be an integer");
    assertThat(types.getString("weight")).startsWith("must be between");
  }

  @Test
  void authenticationSettingsAreFieldErrors() {
    JsonObject d = fx.department("traffic");
    assertThat(
            fieldsOf(
                    registerRaw(
                        d, validBackend().put("auth", new JsonObject().put("type", "basic"))),
                    "registerBackend")
                .fieldNames())
        .contains("auth.type");
    JsonObject hmac =
        fieldsOf(
            registerRaw(
                d,
                validBackend()
                    .put("auth", new JsonObject().put("type", "hmac").put("secret", "short"))),
            "registerBackend");
    assertThat(hmac.fieldNames()).contains("auth.keyId", "auth.secret");
    JsonObject mtls =
        fieldsOf(
            registerRaw(d, validBackend().put("auth", new JsonObject().put("type", "mtls"))),
            "registerBackend");
    assertThat(mtls.fieldNames()).contains("auth.certificatePem", "auth.privateKeyPem", "baseUrl");
  }

  @Test
  void aSecondBackendForTheSameRouteNeedsAWeightOrAReplacement() {
    JsonObject d = fx.department("traffic");
    fx.assign(d, validBackend());
    HttpResponse<String> first = registerRaw(d, validBackend());
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String firstId = Http.json(first).getString("id");
    JsonObject fields = fieldsOf(registerRaw(d, validBackend()), "registerBackend");
    assertThat(fields.getString("weight"))
        .contains(firstId)
        .contains("traffic.fines")
        .contains(HANGZHOU);

    HttpResponse<String> shared = registerRaw(d, validBackend().put("weight", 50));
    assertThat(shared.statusCode()).as(shared.body()).isEqualTo(201);
    String sharedId = Http.json(shared).getString("id");

    HttpResponse<String> replacing =
        registerRaw(d, validBackend().put("replaces", firstId).put("weight", 10));
    assertThat(replacing.statusCode()).as(replacing.body()).isEqualTo(201);
    String replacingId = Http.json(replacing).getString("id");
    HttpResponse<String> gone =
        fx.admin(
            "GET",
            "/departments/" + d.getString("id") + "/backends/" + firstId,
            d.getString("auth"),
            null);
    assertThat(gone.statusCode()).isEqualTo(404);

    // Another department names d's backend for replacement, on a route of its own: refused.
    JsonObject other = fx.department("traffic");
    JsonObject ownRoute =
        validBackend().put("regions", new JsonArray().add(RegistryFixture.CHENGDU));
    fx.assign(other, ownRoute);
    JsonObject notMine =
        fieldsOf(registerRaw(other, ownRoute.copy().put("replaces", sharedId)), "registerBackend");
    assertThat(notMine.fieldNames()).containsExactly("replaces");
    for (String id : List.of(sharedId, replacingId)) {
      fx.admin(
          "DELETE",
          "/departments/" + d.getString("id") + "/backends/" + id,
          d.getString("auth"),
          null);
    }
  }

  @Test
  void everyChangeIsVersionedAndAudited() throws Exception {
    JsonObject d = fx.department("traffic");
    String base = "/departments/" + d.getString("id") + "/backends";
    fx.assign(d, validBackend());
    HttpResponse<String> created = registerRaw(d, validBackend());
    CONTRACT.assertValid("registerBackend", created);
    String id = Http.json(created).getString("id");
    assertThat(Http.json(created).containsKey("auth")).isTrue();
    assertThat(created.body()).doesNotContain("0123456789abcdef-secret");

    // The update omits the secret: the stored one is kept.
    JsonObject update = validBackend().put("deadlineMs", 2000);
    update.getJsonObject("auth").remove("secret");
    HttpResponse<String> updated = fx.admin("PUT", base + "/" + id, d.getString("auth"), update);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    CONTRACT.assertValid("updateBackend", updated);
    assertThat(Http.json(updated).getInteger("version")).isEqualTo(2);
    assertThat(Http.json(updated).getInteger("deadlineMs")).isEqualTo(2000);

    HttpResponse<String> disabled =
        fx.admin("POST", base + "/" + id + "/disable", d.getString("auth"), null);
    CONTRACT.assertValid("disableBackend", disabled);
    assertThat(Http.json(disabled).getString("status")).isEqualTo("disabled");
    HttpResponse<String> enabled =
        fx.admin("POST", base + "/" + id + "/enable", d.getString("auth"), null);
    CONTRACT.assertValid("enableBackend", enabled);
    HttpResponse<String> list = fx.admin("GET", base, d.getString("auth"), null);
    CONTRACT.assertValid("listBackends", list);
    HttpResponse<String> deleted = fx.admin("DELETE", base + "/" + id, d.getString("auth"), null);
    CONTRACT.assertValid("deregisterBackend", deleted);
    assertThat(Http.json(deleted).getString("status")).isEqualTo("deregistered");

    HttpResponse<String> history =
        fx.admin("GET", base + "/" + id + "/versions", d.getString("auth"), null);
    assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
    CONTRACT.assertValid("listBackendVersions", history);
    assertThat(Http.json(history).getJsonArray("versions")).hasSize(5);

    var versions =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT version, status, change, actor_type FROM backend_versions WHERE backend_id = $1 ORDER BY version")
            .execute(Tuple.of(id))
            .await(10, TimeUnit.SECONDS);
    assertThat(versions.size()).isEqualTo(5);
    List<String> changes = new java.util.ArrayList<>();
    versions.forEach(r -> changes.add(r.getString("change") + "/" + r.getString("status")));
    assertThat(changes)
        .containsExactly(
            "registered/active",
            "updated/active",
            "disabled/disabled",
            "enabled/active",
            "deregistered/deregistered");

    fx.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    var audited =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT action FROM audit_log WHERE details::jsonb->>'backend' = $1 ORDER BY seq")
            .execute(Tuple.of(id))
            .await(10, TimeUnit.SECONDS);
    List<String> actions = new java.util.ArrayList<>();
    audited.forEach(r -> actions.add(r.getString("action")));
    assertThat(actions)
        .containsExactly(
            "registry.backend_registered",
            "registry.backend_updated",
            "registry.backend_disabled",
            "registry.backend_enabled",
            "registry.backend_deregistered");
    assertThat(audited.size()).isEqualTo(5);
  }

  @Test
  void operatorForcesABreakerOpenAndClosedOnEveryInstanceAndItIsAudited() throws Exception {
    JsonObject d = fx.department("traffic");
    Backend backend = fx.register(d, validBackend());
    HttpResponse<String> open =
        fx.admin(
            "POST",
            "/backends/" + backend.id() + "/breaker",
            fx.operator,
            new JsonObject().put("action", "open"));
    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
    CONTRACT.assertValid("overrideBreaker", open);
    assertThat(Http.json(open).getString("breakerOverride")).isEqualTo("open");
    RegistryFixture.waitFor(
        () ->
            fx.gateway.departmentRegistry().routes().backend(backend.id()).guard().state()
                == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.FORCED_OPEN,
        java.time.Duration.ofSeconds(5));
    assertThat(fx.failure("traffic.fines", HANGZHOU, RegistryFixture.citizenOf(HANGZHOU)).code())
        .isEqualTo("department.unavailable");

    fx.admin(
        "POST",
        "/backends/" + backend.id() + "/breaker",
        fx.operator,
        new JsonObject().put("action", "closed"));
    RegistryFixture.waitFor(
        () ->
            fx.gateway.departmentRegistry().routes().backend(backend.id()).guard().state()
                == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.METRICS_ONLY,
        java.time.Duration.ofSeconds(5));
    HttpResponse<String> reset =
        fx.admin(
            "POST",
            "/backends/" + backend.id() + "/breaker",
            fx.operator,
            new JsonObject().put("action", "reset"));
    assertThat(Http.json(reset).containsKey("breakerOverride")).isFalse();
    RegistryFixture.waitFor(
        () ->
            fx.gateway.departmentRegistry().routes().backend(backend.id()).guard().state()
                == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED,
        java.time.Duration.ofSeconds(5));
    HttpResponse<String> bad =
        fx.admin(
            "POST",
            "/backends/" + backend.id() + "/breaker",
            fx.operator,
            new JsonObject().put("action", "half-open"));
    assertThat(fieldsOf(bad, "overrideBreaker").fieldNames()).containsExactly("action");

    fx.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    var audited =
        fx.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT details::jsonb->>'action' AS a FROM audit_log WHERE action = 'registry.breaker_override' "
                    + "AND details::jsonb->>'backend' = $1 ORDER BY seq")
            .execute(Tuple.of(backend.id()))
            .await(10, TimeUnit.SECONDS);
    List<String> actions = new java.util.ArrayList<>();
    audited.forEach(r -> actions.add(r.getString("a")));
    assertThat(actions).containsExactly("open", "closed", "reset");
  }

  @Test
  void disabledBackendsKeepTheirRouteButAnswerUnavailable() {
    JsonObject d = fx.department("traffic");
    Backend backend = fx.register(d, validBackend());
    fx.admin(
        "POST",
        "/departments/" + d.getString("id") + "/backends/" + backend.id() + "/disable",
        d.getString("auth"),
        null);
    RegistryFixture.waitFor(
        () -> !fx.gateway.departmentRegistry().routes().backend(backend.id()).enabled(),
        java.time.Duration.ofSeconds(5));
    var e = fx.failure("traffic.fines", HANGZHOU, RegistryFixture.citizenOf(HANGZHOU));
    assertThat(e.code()).isEqualTo("department.unavailable");
    assertThat(e.details().getString("reason")).isEqualTo("disabled");
  }
}
