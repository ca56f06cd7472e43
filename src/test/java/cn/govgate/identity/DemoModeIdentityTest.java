package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Following the demo manifest: every step over HTTP, the simulators driven through their /__sim/ API. */
class DemoModeIdentityTest {

  @Test
  void theManifestsTestCitizensReachL3OnBothChannels() throws Exception {
    Map<String, String> settings = TestGateways.with(TestGateways.settings(), "demo", "true");
    Gateway gateway = TestGateways.start(settings);
    try {
      JsonObject manifest = new JsonObject(Files.readString(Path.of(settings.get("dataDir"), "demo-manifest.json")));
      JsonObject channels = manifest.getJsonObject("channels");
      JsonArray people = channels.getJsonArray("testCitizens");
      assertThat(people).hasSize(20);
      for (int i = 0; i < people.size(); i++) {
        assertThat(IdNumber.validate(people.getJsonObject(i).getString("idNumber")).valid()).isTrue();
      }
      assertThat(Files.exists(Path.of(channels.getJsonObject("alipay").getString("appPrivateKeyFile")))).isTrue();
      assertThat(channels.getJsonObject("login").getJsonArray("alipay").getString(0)).contains("/__sim/auth-codes");

      JsonObject alice = people.getJsonObject(0);
      JsonObject alipay = channels.getJsonObject("alipay");
      String code = Http.json(Http.post(alipay.getString("controlUrl") + "/auth-codes", new JsonObject()
          .put("appId", alipay.getString("appId")).put("userId", alice.getString("alipayUserId")).encode()))
          .getString("authCode");
      String token = login(gateway, "alipay", alipay.getString("appId"), code);
      JsonObject v = start(gateway, token, alice);
      // The demo's Alipay users are certified: the real name binds at L2 at once.
      assertThat(v.getJsonObject("session").getString("level")).isEqualTo("L2");
      Http.post(alipay.getString("controlUrl") + "/face/perform", new JsonObject()
          .put("certifyId", v.getJsonObject("clientParams").getString("certifyId"))
          .put("userId", alice.getString("alipayUserId")).encode());
      JsonObject aliceL3 = complete(gateway, token, v.getString("verificationId"));
      assertThat(aliceL3.getString("level")).isEqualTo("L3");

      JsonObject wechat = channels.getJsonObject("wechat");
      String wxCode = Http.json(Http.post(wechat.getString("controlUrl") + "/auth-codes", new JsonObject()
          .put("appId", wechat.getString("appId")).put("openid", alice.getString("wechatOpenid")).encode()))
          .getString("code");
      String wxToken = login(gateway, "wechat", wechat.getString("appId"), wxCode);
      JsonObject w = start(gateway, wxToken, alice);
      Http.post(wechat.getString("controlUrl") + "/face/perform", new JsonObject()
          .put("verifyId", w.getJsonObject("clientParams").getString("verifyId"))
          .put("openid", alice.getString("wechatOpenid")).encode());
      JsonObject wxL3 = complete(gateway, wxToken, w.getString("verificationId"));
      assertThat(wxL3.getString("level")).isEqualTo("L3");
      assertThat(IdentityTestBed.payload(wxL3.getString("token")).getString("sub"))
          .isEqualTo(IdentityTestBed.payload(aliceL3.getString("token")).getString("sub"));
    } finally {
      TestGateways.stop(gateway);
    }
  }

  private static String login(Gateway g, String channel, String appId, String code) {
    HttpResponse<String> r = IdentityTestBed.login(g, channel, appId, code);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("token");
  }

  private static JsonObject start(Gateway g, String token, JsonObject person) {
    HttpResponse<String> r = IdentityTestBed.start(g, token, person.getString("name"), person.getString("idNumber"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static JsonObject complete(Gateway g, String token, String id) {
    HttpResponse<String> r = IdentityTestBed.complete(g, token, id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }
}
