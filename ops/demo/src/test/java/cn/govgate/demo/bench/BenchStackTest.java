package cn.govgate.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.demo.DemoDepartments;
import cn.govgate.demo.Http;
import cn.govgate.identity.IdNumber;
import cn.govgate.registry.DepartmentAuth;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The benchmark's data preparation with a tiny population: every file it writes works against the
 * real stack. The last test kills the gateway process (the stack runs it as a process of its own).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BenchStackTest {

  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static BenchStack stack;
  private static JsonObject description;

  @BeforeAll
  static void prepare() throws Exception {
    Path out = Files.createTempDirectory("govgate-bench");
    // The gateway runs as a process of its own, from this test's classpath (it holds the gateway's
    // classes).
    BenchStack.BenchOptions options =
        new BenchStack.BenchOptions(
            out, 40, 10, 15, 4, System.getProperty("java.class.path"), List.of("-Xmx384m"));
    stack =
        BenchStack.start(
                options,
                BenchStack.settings(
                    options, Map.of("http.instances", "2", "http.shutdownGrace", "1s")))
            .await(3, TimeUnit.MINUTES);
    description = stack.description();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.stop().await(1, TimeUnit.MINUTES);
    }
  }

  @Test
  void runsTheGatewayInAProcessOfItsOwn() {
    long gatewayPid = description.getLong("gatewayPid");
    assertThat(gatewayPid).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(ProcessHandle.of(gatewayPid))
        .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    assertThat(Path.of(description.getString("postgresDir")).resolve("postmaster.pid")).exists();
  }

  @Test
  void describesEveryUrlAndFileInOneJsonObject() {
    assertThat(description.getString("gateway")).startsWith("http://127.0.0.1:");
    assertThat(description.getString("department")).startsWith("http://127.0.0.1:");
    assertThat(description.getString("control")).startsWith("http://127.0.0.1:");
    assertThat(description.getInteger("l3Citizens")).isEqualTo(10);
    assertThat(Path.of(description.getString("tokens"))).exists();
    assertThat(description.encode()).doesNotContain("\n");
  }

  @Test
  void writesOneWorkingL3TokenPerDistinctCitizen() throws Exception {
    List<String> tokens = strings(stack.tokensFile());
    assertThat(tokens).hasSize(10).doesNotHaveDuplicates();
    var subjects = new HashSet<String>();
    for (String token : tokens) {
      HttpResponse<String> me =
          Http.get(
              description.getString("gateway") + "/v1/me",
              Map.of("Authorization", "Bearer " + token));
      assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
      assertThat(Http.json(me).getString("level")).isEqualTo("L3");
      subjects.add(Http.json(me).getString("idNumber"));
    }
    assertThat(subjects).hasSize(10);
  }

  @Test
  void eachTokenQueriesItsOwnSocialSecurityAccountAsScenarioADoes() throws Exception {
    for (String token : strings(stack.tokensFile()).subList(0, 3)) {
      HttpResponse<String> account =
          Http.get(
              description.getString("gateway")
                  + "/v1/social-security/account?region="
                  + description.getString("region"),
              Map.of("Authorization", "Bearer " + token));
      assertThat(account.statusCode()).as(account.body()).isEqualTo(200);
    }
  }

  @Test
  void issuesSingleUseAuthCodesThatLogIn() throws Exception {
    List<String> codes = strings(stack.authCodesFile());
    assertThat(codes).hasSize(15).doesNotHaveDuplicates();
    String login =
        new JsonObject()
            .put("channel", "wechat")
            .put("appId", description.getString("appId"))
            .put("authCode", codes.get(3))
            .encode();
    HttpResponse<String> first =
        Http.post(
            description.getString("gateway") + "/v1/sessions",
            login,
            Map.of("Content-Type", "application/json"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    // The citizen is bound by the step-up, so the binding lookup finds them.
    assertThat(Http.json(first).getBoolean("bound")).isTrue();
    HttpResponse<String> again =
        Http.post(
            description.getString("gateway") + "/v1/sessions",
            login,
            Map.of("Content-Type", "application/json"));
    assertThat(again.statusCode()).isNotEqualTo(201);
  }

  @Test
  void signsDepartmentRequestsTheDepartmentAcceptsAndRefusesOnceTampered() throws Exception {
    HttpResponse<String> presigned = Http.post(description.getString("control") + "/presign", "");
    assertThat(presigned.statusCode()).isEqualTo(200);
    List<String> values = strings(stack.signedRequestsFile());
    // keyId, path, then body, ts, sig, rid per request.
    assertThat(values).hasSize(2 + 4 * 10);
    String keyId = values.get(0);
    String path = values.get(1);
    String body = unescape(values.get(2));
    Map<String, String> headers =
        Map.of(
            "Content-Type",
            "application/json",
            DepartmentAuth.KEY_ID_HEADER,
            keyId,
            DepartmentAuth.TIMESTAMP_HEADER,
            values.get(3),
            DepartmentAuth.SIGNATURE_HEADER,
            values.get(4),
            DepartmentAuth.REQUEST_ID_HEADER,
            values.get(5));
    HttpResponse<String> answer =
        Http.post(description.getString("department") + path, body, headers);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(Http.json(answer).getString("insuredStatus")).isNotBlank();

    SyntheticCitizen first =
        SyntheticCitizens.generate(40, DemoDepartments.SEED).stream()
            .filter(c -> c.homeRegion().equals(BenchStack.REGION))
            .findFirst()
            .orElseThrow();
    assertThat(new JsonObject(body).getJsonObject("citizen").getString("idNumber"))
        .isEqualTo(first.idNumber());
    assertThat(IdNumber.validate(first.idNumber()).valid()).isTrue();

    String tampered = body.replace("\"query\":{}", "\"query\":{\"x\":1}");
    assertThat(tampered).isNotEqualTo(body);
    HttpResponse<String> refused =
        Http.post(description.getString("department") + path, tampered, headers);
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  @Test
  void signsPartnerRequestsUnderConsentsThatScenarioESendsOnceEach() throws Exception {
    assertThat(description.getInteger("partnerConsents")).isEqualTo(10);
    HttpResponse<String> presigned =
        Http.post(description.getString("control") + "/presign-partner?count=12", "");
    assertThat(presigned.statusCode()).as(presigned.body()).isEqualTo(200);
    Path file = Path.of(description.getString("partnerRequests"));
    // Two flat arrays, the paths then the headers (a table per request would pass LuaJIT's
    // 65,536 constants per chunk at a few thousand requests per second).
    assertThat(Files.readString(file))
        .startsWith("return {\npath = {\n")
        .contains("},\nauth = {\n");
    List<String> values = strings(file);
    assertThat(values).hasSize(24);
    for (int i = 0; i < 3; i++) {
      String path = values.get(i);
      String auth = unescape(values.get(12 + i));
      assertThat(path).startsWith("/open/v1/social-security/account?consentId=cst_");
      assertThat(auth).startsWith("GOVGATE-RSA2 appid=\"bench-bank\",keyid=\"bench-rsa2\",");
      HttpResponse<String> answer =
          Http.get(description.getString("gateway") + path, Map.of("Authorization", auth));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      HttpResponse<String> again =
          Http.get(description.getString("gateway") + path, Map.of("Authorization", auth));
      assertThat(Http.json(again).getString("code")).isEqualTo("partner.nonce_replayed");
    }
  }

  /**
   * A read answered to the citizen has its audit record committed: killing the gateway with SIGKILL
   * right after the last answer loses none of the records (they used to wait up to 100 ms in
   * memory).
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void everyAnsweredReadIsAuditedDurablyEvenWhenTheGatewayIsKilledRightAfter() throws Exception {
    List<String> tokens = strings(stack.tokensFile());
    List<String> requestIds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String requestId = "kill-test-" + i + "-" + System.nanoTime();
      HttpResponse<String> account =
          Http.get(
              description.getString("gateway")
                  + "/v1/social-security/account?region="
                  + description.getString("region"),
              Map.of(
                  "Authorization",
                  "Bearer " + tokens.get(i % tokens.size()),
                  "X-Request-Id",
                  requestId));
      assertThat(account.statusCode()).as(account.body()).isEqualTo(200);
      requestIds.add(requestId);
    }
    ProcessHandle gateway = ProcessHandle.of(description.getLong("gatewayPid")).orElseThrow();
    new ProcessBuilder("kill", "-9", Long.toString(gateway.pid()))
        .start()
        .waitFor(10, TimeUnit.SECONDS);
    gateway.onExit().get(30, TimeUnit.SECONDS);

    Properties settings = new Properties();
    try (var in =
        Files.newBufferedReader(stack.tokensFile().resolveSibling("gateway.properties"))) {
      settings.load(in);
    }
    String url =
        "jdbc:postgresql://127.0.0.1:"
            + settings.getProperty("db.port")
            + "/"
            + settings.getProperty("db.database");
    try (var db = DriverManager.getConnection(url, settings.getProperty("db.user"), "");
        var query =
            db.prepareStatement(
                "SELECT count(*) FROM audit_log WHERE request_id = ANY (?) "
                    + "AND action = 'social_security.account.read' AND outcome = 'success'")) {
      query.setArray(1, db.createArrayOf("text", requestIds.toArray()));
      try (var rows = query.executeQuery()) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(requestIds.size());
      }
    }
  }

  private static List<String> strings(Path file) throws Exception {
    Matcher m = QUOTED.matcher(Files.readString(file));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String unescape(String lua) {
    return lua.replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
