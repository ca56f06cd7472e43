package cn.govgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.config.ConfigValues;
import cn.govgate.identity.IdNumber;
import cn.govgate.registry.DepartmentAnswer;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo as the README starts it (in this JVM): embedded PostgreSQL, both channel simulators, the
 * gateway started through its public API with the demo's generated keys, the eight demo departments
 * registered through the admin API, the manifest, and the walkthrough's login steps.
 */
class DemoTest {
  private static Path dataDir;
  private static Demo demo;
  private static JsonObject manifest;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("govgate-demo");
    demo =
        Demo.start(
                ConfigValues.of(
                    Map.of(
                        "dataDir",
                        dataDir.toString(),
                        "http.port",
                        "0",
                        "http.instances",
                        "2",
                        "http.shutdownGrace",
                        "1s",
                        "demo.citizens",
                        "40")))
            .await(3, TimeUnit.MINUTES);
    manifest = new JsonObject(Files.readString(dataDir.resolve("demo-manifest.json")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (demo != null) demo.stop().await(1, TimeUnit.MINUTES);
  }

  @Test
  void isReadyOnlyWithTheDemoCheckAndDescribesItselfInTheManifest() {
    HttpResponse<String> ready = Http.get(demo.gateway().opsUrl() + "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(
            Http.json(ready).getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals("demo"))
                .findFirst()
                .orElseThrow()
                .getString("status"))
        .isEqualTo("UP");
    assertThat(manifest.getString("baseUrl")).isEqualTo(demo.gateway().baseUrl());
    assertThat(manifest.getJsonObject("ops").getString("ready")).endsWith("/health/ready");
    assertThat(manifest.getJsonObject("database").getBoolean("embedded")).isTrue();
    assertThat(manifest.getJsonArray("departments")).hasSize(8);
    assertThat(demo.gateway().baseUrl()).startsWith("http://127.0.0.1:");
  }

  @Test
  void writesEveryKeyOwnerOnlyAndHandsThemToTheGatewayAsFiles() throws Exception {
    try (Stream<Path> files = Files.list(dataDir.resolve("keys"))) {
      List<Path> keys = files.toList();
      assertThat(keys)
          .extracting(p -> p.getFileName().toString())
          .contains(
              "audit-hmac.key",
              "registry-secret.key",
              "admin-bootstrap.key",
              "session-session1.key",
              "data-data1.key",
              "blind-index.key",
              "signing-current.pem",
              "alipay-app-private.pem",
              "wechat-merchant-private.pem");
      for (Path key : keys) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
            .as(key.toString())
            .isEqualTo("rw-------");
      }
    }
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("keys"))))
        .isEqualTo("rwx------");
    assertThat(demo.gateway().config().audit().hmacKey())
        .isEqualTo(
            Base64.getDecoder()
                .decode(
                    Files.readString(dataDir.resolve("keys").resolve("audit-hmac.key")).trim()));
  }

  @Test
  void departmentsAreRegisteredThroughTheAdminApiByTheirOwnCredentialsAndAnswer() throws Exception {
    String keyFile = manifest.getJsonObject("admin").getString("bootstrapKeyFile");
    String operator = "Bearer " + Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).trim();
    var list =
        Http.get(
            demo.gateway().baseUrl() + "/admin/v1/departments", Map.of("Authorization", operator));
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    assertThat(Http.json(list).getJsonArray("departments")).hasSize(8);

    SyntheticCitizen citizen =
        SyntheticCitizens.generate(40, DemoDepartments.SEED).stream()
            .filter(c -> c.homeRegion().equals(SyntheticCitizens.CHENGDU))
            .findFirst()
            .orElseThrow();
    DepartmentAnswer answer =
        demo.gateway()
            .departments()
            .call(
                "housing-fund.account",
                SyntheticCitizens.CHENGDU,
                new JsonObject().put("idNumber", citizen.idNumber()).put("name", citizen.name()),
                new JsonObject(),
                "demo-test-1",
                true)
            .await(30, TimeUnit.SECONDS);
    assertThat(answer.department()).isEqualTo("cd-housing-fund");
    assertThat(answer.stale()).isFalse();
    assertThat(answer.data().getString("accountNo")).matches("[0-9]{12}");

    var actors =
        demo.gateway()
            .database()
            .pool()
            .query("SELECT DISTINCT actor_type FROM backend_versions")
            .execute()
            .await(10, TimeUnit.SECONDS);
    assertThat(actors.size()).isEqualTo(1);
    assertThat(actors.iterator().next().getString("actor_type")).isEqualTo("department");
    // Before that, the operator assigned each department its routes.
    var assigned =
        demo.gateway()
            .database()
            .pool()
            .query("SELECT actor_type FROM route_assignment_versions")
            .execute()
            .await(10, TimeUnit.SECONDS);
    assertThat(assigned.size()).isEqualTo(8);
    assigned.forEach(r -> assertThat(r.getString("actor_type")).isEqualTo("operator"));
  }

  @Test
  void theManifestIsCompleteForAPersonAndNamesTheH5AppOnTheApisOrigin() {
    JsonArray people = manifest.getJsonObject("channels").getJsonArray("testCitizens");
    for (int i = 0; i < people.size(); i++) {
      JsonObject p = people.getJsonObject(i);
      assertThat(p.getInteger("index")).isEqualTo(i);
      assertThat(p.getString("region")).isIn(SyntheticCitizens.HANGZHOU, SyntheticCitizens.CHENGDU);
      assertThat(p.getJsonArray("utilityAccounts")).as("utility accounts of %s", i).isNotEmpty();
      assertThat(p.getJsonArray("vehicles")).as("vehicles of %s", i).isNotNull();
    }
    // What the manifest calls payable, the departments confirm: a fine of one of the person's own
    // vehicles.
    JsonObject withFine =
        people.stream()
            .map(JsonObject.class::cast)
            .filter(p -> p.containsKey("payableFine"))
            .findFirst()
            .orElseThrow();
    JsonObject fine = withFine.getJsonObject("payableFine");
    assertThat(
            withFine.getJsonArray("vehicles").stream()
                .map(JsonObject.class::cast)
                .anyMatch(v -> v.getString("plate").equals(fine.getString("plate"))))
        .isTrue();
    assertThat(fine.getLong("amountFen")).isPositive();
    assertThat(
            people.stream()
                .map(JsonObject.class::cast)
                .filter(p -> p.containsKey("payableBill"))
                .count())
        .isPositive();

    String h5 = manifest.getJsonObject("h5").getString("url");
    assertThat(h5).isEqualTo(demo.h5().url());
    HttpResponse<String> page = Http.get(h5);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("lang=\"zh-CN\"").contains("app.js").doesNotContain("//cdn");
    String origin = h5.replaceFirst("/h5/$", "");
    // The gateway's API on the page's own origin, unchanged (same answer, same error shape).
    HttpResponse<String> catalogue = Http.get(origin + "/v1/catalog?region=330100");
    assertThat(catalogue.statusCode()).isEqualTo(200);
    assertThat(Http.json(catalogue).getJsonArray("services")).isNotEmpty();
    HttpResponse<String> anonymous = Http.get(origin + "/v1/my/cases");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(Http.json(anonymous).getString("code")).isNotBlank();
    // The super-app: a login code of a test citizen the gateway accepts, and a QR code drawn
    // locally.
    JsonObject code =
        Http.json(
            Http.post(
                origin + "/superapp/auth-code",
                new JsonObject().put("channel", "wechat").put("person", 0).encode()));
    HttpResponse<String> session =
        Http.post(
            origin + "/v1/sessions",
            new JsonObject()
                .put("channel", "wechat")
                .put("appId", code.getString("appId"))
                .put("authCode", code.getString("authCode"))
                .encode());
    assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
    HttpResponse<String> qr = Http.get(origin + "/superapp/qr?text=GJJ-330100-2026-000001");
    assertThat(qr.headers().firstValue("Content-Type")).contains("image/svg+xml");
    assertThat(qr.body()).startsWith("<svg");
    assertThat(
            Http.post(origin + "/superapp/auth-code", "{\"channel\":\"fax\",\"person\":0}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void theManifestsTestCitizensReachL3OnBothChannels() {
    String gateway = demo.gateway().baseUrl();
    JsonObject channels = manifest.getJsonObject("channels");
    JsonArray people = channels.getJsonArray("testCitizens");
    assertThat(people).hasSize(20);
    for (int i = 0; i < people.size(); i++) {
      assertThat(IdNumber.validate(people.getJsonObject(i).getString("idNumber")).valid()).isTrue();
    }
    assertThat(Path.of(channels.getJsonObject("alipay").getString("appPrivateKeyFile"))).exists();
    assertThat(channels.getJsonObject("login").getJsonArray("alipay").getString(0))
        .contains("/__sim/auth-codes");

    JsonObject alice = people.getJsonObject(0);
    JsonObject alipay = channels.getJsonObject("alipay");
    String code =
        Http.json(
                Http.post(
                    alipay.getString("controlUrl") + "/auth-codes",
                    new JsonObject()
                        .put("appId", alipay.getString("appId"))
                        .put("userId", alice.getString("alipayUserId"))
                        .encode()))
            .getString("authCode");
    String token = login(gateway, "alipay", alipay.getString("appId"), code);
    JsonObject v = verify(gateway, token, alice);
    // The demo's Alipay users are certified: the real name binds at L2 at once.
    assertThat(v.getJsonObject("session").getString("level")).isEqualTo("L2");
    Http.post(
        alipay.getString("controlUrl") + "/face/perform",
        new JsonObject()
            .put("certifyId", v.getJsonObject("clientParams").getString("certifyId"))
            .put("userId", alice.getString("alipayUserId"))
            .encode());
    JsonObject aliceL3 = complete(gateway, token, v.getString("verificationId"));
    assertThat(aliceL3.getString("level")).isEqualTo("L3");

    JsonObject wechat = channels.getJsonObject("wechat");
    String wxCode =
        Http.json(
                Http.post(
                    wechat.getString("controlUrl") + "/auth-codes",
                    new JsonObject()
                        .put("appId", wechat.getString("appId"))
                        .put("openid", alice.getString("wechatOpenid"))
                        .encode()))
            .getString("code");
    String wxToken = login(gateway, "wechat", wechat.getString("appId"), wxCode);
    JsonObject w = verify(gateway, wxToken, alice);
    Http.post(
        wechat.getString("controlUrl") + "/face/perform",
        new JsonObject()
            .put("verifyId", w.getJsonObject("clientParams").getString("verifyId"))
            .put("openid", alice.getString("wechatOpenid"))
            .encode());
    JsonObject wxL3 = complete(gateway, wxToken, w.getString("verificationId"));
    assertThat(wxL3.getString("level")).isEqualTo("L3");
    assertThat(subject(wxL3.getString("token"))).isEqualTo(subject(aliceL3.getString("token")));

    HttpResponse<String> account =
        Http.get(
            gateway
                + "/v1/social-security/account?region="
                + SyntheticCitizens.generate(1, DemoDepartments.SEED).get(0).homeRegion(),
            Map.of("Authorization", "Bearer " + aliceL3.getString("token")));
    assertThat(account.statusCode()).as(account.body()).isEqualTo(200);
  }

  private static String login(String gateway, String channel, String appId, String code) {
    HttpResponse<String> r =
        Http.post(
            gateway + "/v1/sessions",
            new JsonObject()
                .put("channel", channel)
                .put("appId", appId)
                .put("authCode", code)
                .encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("token");
  }

  private static JsonObject verify(String gateway, String token, JsonObject person) {
    HttpResponse<String> r =
        Http.post(
            gateway + "/v1/identity/verifications",
            new JsonObject()
                .put("name", person.getString("name"))
                .put("idNumber", person.getString("idNumber"))
                .encode(),
            Map.of("Authorization", "Bearer " + token));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static JsonObject complete(String gateway, String token, String id) {
    HttpResponse<String> r =
        Http.send(
            "POST",
            gateway + "/v1/identity/verifications/" + id + "/complete",
            null,
            Map.of("Authorization", "Bearer " + token));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  private static String subject(String jwt) {
    return new JsonObject(
            new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8))
        .getString("sub");
  }

  @Test
  void
      theReadmeShellRecipeReadsTheConsentingCitizensAccountWithTheManifestsPartnerOnBothAlgorithms()
          throws Exception {
    String readme = Files.readString(Path.of("..", "..", "README.md"));
    java.util.regex.Matcher block =
        java.util.regex.Pattern.compile(
                "```sh\n(GW=http://127\\.0\\.0\\.1:8080 APP_ID=.*?)```",
                java.util.regex.Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("the recipe in README.md").isTrue();
    io.vertx.core.json.JsonArray partners = manifest.getJsonArray("partners");
    assertThat(partners).hasSize(2);
    for (int i = 0; i < partners.size(); i++) {
      JsonObject partner = partners.getJsonObject(i);
      assertThat(partner.getString("gatewayKeysUrl"))
          .isEqualTo(demo.gateway().baseUrl() + "/open/v1/keys");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(Path.of(partner.getString("privateKeyFile")))))
          .isEqualTo("rw-------");
      String recipe =
          block
              .group(1)
              .replace("GW=http://127.0.0.1:8080", "GW=" + demo.gateway().baseUrl())
              .replace("APP_ID=bank-demo", "APP_ID=" + partner.getString("appId"))
              .replace("KEY_ID=rsa-1", "KEY_ID=" + partner.getString("keyId"))
              .replace("KEY=partner-private.pem", "KEY=" + partner.getString("privateKeyFile"))
              .replace("CONSENT=cst_...", "CONSENT=" + partner.getString("consentId"));
      if (partner.getString("algorithm").equals("SM2")) {
        // The README's SM2 variant: SM3withSM2 with the default user id, the GOVGATE-SM2 scheme.
        recipe =
            recipe
                .replace(
                    "openssl dgst -sha256 -sign \"$KEY\"",
                    "openssl dgst -sm3 -sign \"$KEY\" -sigopt distid:1234567812345678")
                .replace("GOVGATE-RSA2", "GOVGATE-SM2");
      }
      Process bash = new ProcessBuilder("bash", "-euc", recipe).redirectErrorStream(true).start();
      String out =
          new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(bash.waitFor()).as(out).isZero();
      assertThat(out).as(partner.getString("algorithm") + ": " + out).startsWith("HTTP/1.1 200");
      assertThat(out)
          .contains("X-Govgate-Signature: GOVGATE-" + partner.getString("algorithm") + " ");
      JsonObject answer = new JsonObject(out.substring(out.indexOf("\r\n\r\n") + 4));
      assertThat(answer.getJsonObject("data").getString("accountNo")).isNotBlank();
    }
  }
}
