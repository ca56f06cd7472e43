package cn.govgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.config.ConfigValues;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "done when" of consultations, complaints, service levels and reminders, in the demo as the
 * README walks it: a citizen files a complaint that the department answers through the admin API
 * before its deadline, the month's service levels show it, and a subscribed citizen with an unpaid
 * fine gets exactly one reminder through each channel's simulator.
 */
class DemoIssueFifteenTest {
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static Path dataDir;
  private static Demo demo;
  private static JsonObject manifest;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("govgate-demo15");
    demo =
        Demo.start(
                ConfigValues.of(
                    Map.of(
                        "dataDir",
                        dataDir.toString(),
                        "http.port",
                        "0",
                        "http.instances",
                        "1",
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

  private static String gateway() {
    return demo.gateway().baseUrl();
  }

  private static String operator() throws Exception {
    return "Bearer "
        + Files.readString(
                Path.of(manifest.getJsonObject("admin").getString("bootstrapKeyFile")),
                StandardCharsets.UTF_8)
            .trim();
  }

  /**
   * A Hangzhou test citizen the traffic police have an unpaid fine of, by asking their due-fines
   * operation.
   */
  private static JsonObject finedCitizen() throws Exception {
    JsonArray people = manifest.getJsonObject("channels").getJsonArray("testCitizens");
    JsonArray asked = new JsonArray();
    for (int i = 0; i < people.size(); i++) {
      JsonObject p = people.getJsonObject(i);
      asked.add(
          new JsonObject()
              .put("ref", Integer.toString(i))
              .put("idNumber", p.getString("idNumber"))
              .put("name", p.getString("name")));
    }
    JsonObject due =
        demo.gateway()
            .departments()
            .call(
                "traffic.due-fines",
                HANGZHOU,
                null,
                new JsonObject().put("dueBefore", "2100-01-01").put("citizens", asked),
                "demo15-find",
                false)
            .await(30, TimeUnit.SECONDS)
            .data();
    assertThat(due.getJsonArray("items")).isNotEmpty();
    return people.getJsonObject(
        Integer.parseInt(due.getJsonArray("items").getJsonObject(0).getString("ref")));
  }

  private static String session(String channel, JsonObject person) {
    JsonObject ch = manifest.getJsonObject("channels").getJsonObject(channel);
    String code =
        channel.equals("alipay")
            ? Http.json(
                    Http.post(
                        ch.getString("controlUrl") + "/auth-codes",
                        new JsonObject()
                            .put("appId", ch.getString("appId"))
                            .put("userId", person.getString("alipayUserId"))
                            .encode()))
                .getString("authCode")
            : Http.json(
                    Http.post(
                        ch.getString("controlUrl") + "/auth-codes",
                        new JsonObject()
                            .put("appId", ch.getString("appId"))
                            .put("openid", person.getString("wechatOpenid"))
                            .encode()))
                .getString("code");
    HttpResponse<String> login =
        Http.post(
            gateway() + "/v1/sessions",
            new JsonObject()
                .put("channel", channel)
                .put("appId", ch.getString("appId"))
                .put("authCode", code)
                .encode());
    String token = Http.json(login).getString("token");
    HttpResponse<String> v =
        Http.post(
            gateway() + "/v1/identity/verifications",
            new JsonObject()
                .put("name", person.getString("name"))
                .put("idNumber", person.getString("idNumber"))
                .encode(),
            Map.of("Authorization", "Bearer " + token));
    assertThat(v.statusCode()).as(v.body()).isEqualTo(201);
    JsonObject started = Http.json(v);
    if (channel.equals("alipay"))
      return started.getJsonObject("session").getString("token"); // certified: L2
    Http.post(
        ch.getString("controlUrl") + "/face/perform",
        new JsonObject()
            .put("verifyId", started.getJsonObject("clientParams").getString("verifyId"))
            .put("openid", person.getString("wechatOpenid"))
            .encode());
    HttpResponse<String> done =
        Http.send(
            "POST",
            gateway()
                + "/v1/identity/verifications/"
                + started.getString("verificationId")
                + "/complete",
            null,
            Map.of("Authorization", "Bearer " + token));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    return Http.json(done).getString("token");
  }

  @Test
  void aComplaintAnsweredInTimeShowsInTheServiceLevelsAndAFinedSubscriberGetsOneReminderPerChannel()
      throws Exception {
    JsonObject person = finedCitizen();
    String alipay = session("alipay", person);
    String wechat = session("wechat", person);
    String police =
        manifest.getJsonArray("departments").stream()
            .map(JsonObject.class::cast)
            .filter(
                d ->
                    d.getString("kind").equals("traffic") && d.getString("region").equals(HANGZHOU))
            .findFirst()
            .orElseThrow()
            .getString("department");

    // A complaint, answered by the department with a credential the operator issued it.
    HttpResponse<String> filed =
        Http.post(
            gateway() + "/v1/complaints",
            new JsonObject()
                .put("kind", "complaint")
                .put("serviceType", "traffic.fines")
                .put("region", HANGZHOU)
                .put("text", "违法地点与实际不符")
                .encode(),
            Map.of("Authorization", "Bearer " + alipay));
    assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
    String id = Http.json(filed).getString("id");
    assertThat(Http.json(filed).getString("departmentId")).isEqualTo(police);
    String credential =
        "Bearer "
            + Http.json(
                    Http.post(
                        gateway() + "/admin/v1/departments/" + police + "/credentials",
                        null,
                        Map.of("Authorization", operator())))
                .getString("token");
    HttpResponse<String> reply =
        Http.post(
            gateway() + "/admin/v1/departments/" + police + "/complaints/" + id + "/reply",
            new JsonObject().put("reply", "已核实，罚单地点无误，详见处罚决定书。").encode(),
            Map.of("Authorization", credential));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(Http.json(reply).getBoolean("repliedOnTime")).isTrue();

    // The month's service levels show it (and the department calls made so far).
    HttpResponse<String> levels =
        Http.get(gateway() + "/v1/stats/service-levels?department=" + police);
    JsonObject dept = Http.json(levels).getJsonArray("departments").getJsonObject(0);
    assertThat(dept.getJsonObject("complaints").getInteger("repliedOnTime")).isEqualTo(1);
    assertThat(dept.getJsonObject("complaints").getDouble("onTimeRate")).isEqualTo(1.0);

    // Subscribed on both channels (the citizen accepts in each mini-program's dialog), then the
    // scheduler runs.
    JsonObject reminders = manifest.getJsonObject("channels").getJsonObject("reminders");
    assertThat(reminders).isNotNull();
    JsonObject channels = manifest.getJsonObject("channels");
    String wxTemplate = DemoChannels.WECHAT_TEMPLATES.get("traffic_fine").split(":")[0];
    String aliTemplate = DemoChannels.ALIPAY_TEMPLATES.get("traffic_fine").split(":")[0];
    Http.post(
        channels.getJsonObject("wechat").getString("controlUrl") + "/subscribe/request",
        new JsonObject()
            .put("appId", DemoChannels.WECHAT_APP_ID)
            .put("openid", person.getString("wechatOpenid"))
            .put("choices", new JsonObject().put(wxTemplate, "accept"))
            .encode());
    Http.post(
        channels.getJsonObject("alipay").getString("controlUrl") + "/subscribe/request",
        new JsonObject()
            .put("appId", DemoChannels.ALIPAY_APP_ID)
            .put("userId", person.getString("alipayUserId"))
            .put("choices", new JsonObject().put(aliTemplate, "accept"))
            .encode());
    assertThat(
            Http.post(
                    gateway() + "/v1/reminders/subscriptions",
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", wxTemplate)
                        .put("region", HANGZHOU)
                        .encode(),
                    Map.of("Authorization", "Bearer " + wechat))
                .statusCode())
        .isEqualTo(201);
    assertThat(
            Http.post(
                    gateway() + "/v1/reminders/subscriptions",
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", aliTemplate)
                        .put("region", HANGZHOU)
                        .encode(),
                    Map.of("Authorization", "Bearer " + alipay))
                .statusCode())
        .isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      demo.gateway().reminders().findDue().await(30, TimeUnit.SECONDS);
      demo.gateway().reminders().sendDue().await(30, TimeUnit.SECONDS);
    }
    JsonArray wx =
        Http.json(
                Http.get(
                    channels.getJsonObject("wechat").getString("controlUrl")
                        + "/subscribe/messages"))
            .getJsonArray("messages");
    JsonArray ali =
        Http.json(
                Http.get(
                    channels.getJsonObject("alipay").getString("controlUrl")
                        + "/subscribe/messages"))
            .getJsonArray("messages");
    assertThat(
            wx.stream()
                .map(JsonObject.class::cast)
                .filter(m -> m.getString("touser").equals(person.getString("wechatOpenid"))))
        .hasSize(1);
    assertThat(
            ali.stream()
                .map(JsonObject.class::cast)
                .filter(m -> m.getString("recipient").equals(person.getString("alipayUserId"))))
        .hasSize(1);
  }
}
