package cn.govgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.registry.RegistryFixture;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fault scenarios of the README's "Fault catalogue" that no other test covered end to end: each
 * injects one fault into a whole gateway, asserts the code the client gets over HTTP and that
 * {@code /health/ready} stays 200 (an open breaker, a broken department or a hostile client never
 * makes the gateway unready). The catalogue table points at these and at the tests that already
 * inject the others ({@link FaultCatalogueTableTest} keeps it true).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultCatalogueTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String CD = SyntheticCitizens.CHENGDU;

  private GatewayTestBed bed;
  private DepartmentSimulator social;
  private String citizen;
  private String socialBackend;
  private int month;

  @BeforeAll
  void start() throws Exception {
    bed = new GatewayTestBed(20, 3030L, TestClock.running());
    social =
        bed.department(
            "hz-rsj",
            DepartmentFamily.SOCIAL_SECURITY,
            HZ,
            "social-security.account",
            "social-security.contributions");
    SyntheticCitizen person =
        bed.identity.people.stream()
            .filter(p -> p.homeRegion().equals(HZ))
            .findFirst()
            .orElseThrow();
    citizen = bed.l3("alipay", person);
    JsonObject backends =
        Http.json(
            Http.get(
                bed.gateway.baseUrl() + "/admin/v1/departments/hz-rsj/backends",
                Map.of("Authorization", bed.operator)));
    socialBackend = backends.getJsonArray("backends").getJsonObject(0).getString("id");
  }

  @AfterEach
  void heal() {
    social.faults(DepartmentFaults.none());
    // Each scenario starts with a closed breaker, whatever the last one left.
    Http.post(
        bed.gateway.baseUrl() + "/admin/v1/backends/" + socialBackend + "/breaker",
        new JsonObject().put("action", "reset").encode(),
        Map.of("Authorization", bed.operator));
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
  }

  // ---------- departments, end to end ----------

  @Test
  void departmentAnswers500() {
    departmentFault(DepartmentFaults.none().withErrorRate(1.0), 502, "department.error");
  }

  @Test
  void departmentHangsPastItsDeadline() {
    departmentFault(DepartmentFaults.none().withHang(true), 504, "department.timeout");
  }

  @Test
  void departmentAbortsTheConnection() {
    departmentFault(
        DepartmentFaults.none().withAbortConnection(true), 502, "department.connection_failed");
  }

  @Test
  void departmentAnswersMalformedJson() {
    departmentFault(
        DepartmentFaults.none().withMalformedBody(true), 502, "department.bad_response");
  }

  @Test
  void departmentAnswersOutsideItsSchema() {
    departmentFault(
        DepartmentFaults.none().withSchemaBreakingBody(true), 502, "department.bad_response");
  }

  @Test
  void departmentIsUnderMaintenance() {
    departmentFault(
        DepartmentFaults.none().withUnderMaintenance(true), 503, "department.under_maintenance");
  }

  @Test
  void departmentIsSlowButWithinItsDeadline() {
    social.faults(DepartmentFaults.none().withLatencyMs(400));
    HttpResponse<String> r = bed.get(contributions(), citizen);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertReady();
  }

  /** A department whose backend speaks plain HTTP where TLS was registered: the handshake fails. */
  @Test
  void departmentTlsHandshakeFails() throws Exception {
    try (ServerSocket plain = new ServerSocket(0)) {
      Thread t = new Thread(() -> answerGarbage(plain), "plain-not-tls");
      t.setDaemon(true);
      t.start();
      String url = "https://127.0.0.1:" + plain.getLocalPort();
      registerBrokenDepartment("cd-tls", "social-security", url, "social-security.account");
      HttpResponse<String> r = routed("/v1/social-security/account?region=" + CD);
      assertCode(r, 502, "department.connection_failed");
      assertReady();
    }
  }

  /** A department whose host name does not resolve. */
  @Test
  void departmentHostDoesNotResolve() {
    registerBrokenDepartment(
        "cd-dns", "housing-fund", "http://no-such-department.invalid:8080", "housing-fund.account");
    HttpResponse<String> r = routed("/v1/housing-fund/account?region=" + CD);
    assertCode(r, 502, "department.connection_failed");
    assertReady();
  }

  // ---------- the database ----------

  /**
   * Every connection of the gateway's pool (and its LISTEN connections) is cut while traffic goes
   * on.
   */
  @Test
  void databaseConnectionsAreCutMidTraffic() throws Exception {
    bed.gateway
        .database()
        .pool()
        .query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .execute()
        .await(10, TimeUnit.SECONDS);
    int ok = 0;
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + "/v1/stats/ratings?region=" + HZ);
      if (r.statusCode() == 200) ok++;
      else Contracts.assertError(Http.json(r));
    }
    assertThat(ok).as("the pool reconnects: answers come back").isGreaterThanOrEqualTo(8);
    assertReady();
  }

  // ---------- clients ----------

  /**
   * Slowloris: 100 clients send a header line now and then and never finish; others are served
   * meanwhile.
   */
  @Test
  void slowlorisClientsDoNotHoldUpOthers() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", bed.gateway.port());
        s.getOutputStream()
            .write(
                "GET /v1/catalog HTTP/1.1\r\nHost: x\r\nX-Slow: a"
                    .getBytes(StandardCharsets.UTF_8));
        slow.add(s);
      }
      for (int round = 0; round < 3; round++) {
        for (Socket s : slow) s.getOutputStream().write("a".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + "/v1/catalog?region=" + HZ);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertReady();
    } finally {
      for (Socket s : slow) s.close();
    }
  }

  /** 1,000 connections opened and left idle; the gateway serves the others and stays ready. */
  @Test
  void idleConnectionFloodDoesNotHoldUpOthers() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) idle.add(new Socket("127.0.0.1", bed.gateway.port()));
      HttpResponse<String> r = Http.get(bed.gateway.baseUrl() + "/v1/catalog?region=" + HZ);
      assertThat(r.statusCode()).isEqualTo(200);
      assertReady();
    } finally {
      for (Socket s : idle) s.close();
    }
  }

  // ---------- helpers ----------

  private void departmentFault(DepartmentFaults fault, int status, String code) {
    social.faults(fault);
    assertCode(bed.get(contributions(), citizen), status, code);
    assertReady();
  }

  /**
   * A contributions query no earlier scenario asked, so no last good copy stands in for the error.
   */
  private String contributions() {
    month++;
    return "/v1/social-security/contributions?region="
        + HZ
        + "&from=2024-"
        + String.format("%02d", month)
        + "&to=2025-"
        + String.format("%02d", month);
  }

  private void registerBrokenDepartment(
      String id, String kind, String baseUrl, String serviceType) {
    String base = bed.gateway.baseUrl() + "/admin/v1/departments";
    Map<String, String> operator = Map.of("Authorization", bed.operator);
    ok(
        Http.post(
            base,
            new JsonObject().put("id", id).put("name", "故障" + id).put("kind", kind).encode(),
            operator));
    ok(
        Http.post(
            base + "/" + id + "/assignments",
            new JsonObject()
                .put("serviceTypes", new JsonArray().add(serviceType))
                .put("regions", new JsonArray().add(CD))
                .encode(),
            operator));
    String credential =
        "Bearer "
            + Http.json(ok(Http.post(base + "/" + id + "/credentials", null, operator)))
                .getString("token");
    JsonObject backend =
        new JsonObject()
            .put("serviceTypes", new JsonArray().add(serviceType))
            .put("regions", new JsonArray().add(CD))
            .put("baseUrl", baseUrl)
            .put(
                "auth",
                new JsonObject()
                    .put("type", "hmac")
                    .put("keyId", "k-" + id)
                    .put("secret", "0123456789abcdef0123456789abcdef"))
            .put("deadlineMs", 1500);
    ok(
        Http.post(
            base + "/" + id + "/backends", backend.encode(), Map.of("Authorization", credential)));
  }

  /**
   * Asks until the new department's route is in the route table (a NOTIFY away; before it the
   * region may be unknown or the service not offered there), then returns that answer.
   */
  private HttpResponse<String> routed(String path) {
    List<HttpResponse<String>> last = new ArrayList<>();
    RegistryFixture.waitFor(
        () -> {
          HttpResponse<String> r = bed.get(path, citizen);
          last.add(0, r);
          return !r.body().contains("region.service_not_offered")
              && !r.body().contains("region.unknown");
        },
        Duration.ofSeconds(10));
    return last.get(0);
  }

  private static HttpResponse<String> ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
    return r;
  }

  private static void answerGarbage(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket s = server.accept();
          OutputStream out = s.getOutputStream()) {
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void assertCode(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject error = Http.json(r);
    Contracts.assertError(error);
    assertThat(error.getString("code")).as(r.body()).isEqualTo(code);
  }

  private void assertReady() {
    HttpResponse<String> ready = Http.get(bed.gateway.baseUrl() + "/health/ready");
    assertThat(ready.statusCode()).as("ready after the fault: " + ready.body()).isEqualTo(200);
  }
}
