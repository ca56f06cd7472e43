package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.wechat.sim.WechatSimulator;
import cn.govgate.channel.wechat.sim.WechatSimulatorOptions;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestGateways;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Both channel simulators with a set of synthetic people, and gateway settings that point real
 * adapters at them through configuration (no demo shortcut). Blocking helpers for the test thread.
 */
public final class IdentityTestBed implements AutoCloseable {
  public static final String ALIPAY_APP = "2021000000000042";
  public static final String WECHAT_APP = "wx0000000000test42";
  public static final String WECHAT_SECRET = "0123456789abcdef0123456789abcdef";

  public final Vertx vertx = Vertx.vertx();
  public final AlipaySimulator alipay;
  public final WechatSimulator wechat;
  public final List<SyntheticCitizen> people;
  private final String appPrivateKey;
  private final AtomicInteger nextUser = new AtomicInteger();

  public IdentityTestBed(int count, long seed) throws Exception {
    alipay =
        AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults().withPort(0))
            .await(30, TimeUnit.SECONDS);
    wechat =
        WechatSimulator.start(vertx, WechatSimulatorOptions.defaults().withPort(0))
            .await(30, TimeUnit.SECONDS);
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair app = gen.generateKeyPair();
    appPrivateKey = Base64.getEncoder().encodeToString(app.getPrivate().getEncoded());
    alipay.registerApp(
        ALIPAY_APP,
        SignType.RSA2,
        Base64.getEncoder().encodeToString(app.getPublic().getEncoded()),
        null);
    wechat.registerApp(WECHAT_APP, WECHAT_SECRET);
    people = SyntheticCitizens.generate(count, seed);
  }

  /**
   * Gateway settings: a fresh database, identity keys, both channels pointing at the simulators.
   */
  public Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(TestGateways.settings());
    s.put("alipay.apps", ALIPAY_APP);
    s.put("alipay.gatewayUrl", alipay.gatewayUrl());
    s.put("alipay.timeout", "10s");
    s.put("alipay.app." + ALIPAY_APP + ".privateKey", appPrivateKey);
    s.put("alipay.app." + ALIPAY_APP + ".alipayPublicKey", alipay.platformPublicKey());
    s.put("wechat.apps", WECHAT_APP);
    s.put("wechat.apiBaseUrl", wechat.baseUrl());
    s.put("wechat.payBaseUrl", wechat.baseUrl());
    s.put("wechat.timeout", "10s");
    s.put("wechat.app." + WECHAT_APP + ".secret", WECHAT_SECRET);
    s.put("identity.revocationPoll", "500ms");
    return s;
  }

  /** A new Alipay user who really is {@code person}; certified = Alipay shares the real name. */
  public String alipayUser(SyntheticCitizen person, boolean certified) {
    String id = String.format(Locale.ROOT, "2088%012d", 500_000 + nextUser.incrementAndGet());
    alipay.addUser(
        new cn.govgate.channel.alipay.sim.SimUser(id, person.name(), person.idNumber(), certified));
    return id;
  }

  /** A new WeChat user who really is {@code person}. */
  public String wechatUser(SyntheticCitizen person) {
    String openid = String.format(Locale.ROOT, "oTest%023d", nextUser.incrementAndGet());
    wechat.addUser(
        new cn.govgate.channel.wechat.sim.SimUser(openid, null, person.name(), person.idNumber()));
    return openid;
  }

  public static HttpResponse<String> login(Gateway g, String channel, String appId, String code) {
    return Http.post(
        g.baseUrl() + "/v1/sessions",
        new JsonObject()
            .put("channel", channel)
            .put("appId", appId)
            .put("authCode", code)
            .encode());
  }

  public String alipayToken(Gateway g, String userId) {
    HttpResponse<String> r =
        login(g, "alipay", ALIPAY_APP, alipay.issueAuthCode(ALIPAY_APP, userId));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("token");
  }

  public String wechatToken(Gateway g, String openid) {
    HttpResponse<String> r =
        login(g, "wechat", WECHAT_APP, wechat.issueAuthCode(WECHAT_APP, openid));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("token");
  }

  public static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  public static HttpResponse<String> start(Gateway g, String token, String name, String idNumber) {
    return Http.post(
        g.baseUrl() + "/v1/identity/verifications",
        new JsonObject().put("name", name).put("idNumber", idNumber).encode(),
        bearer(token));
  }

  public static HttpResponse<String> complete(Gateway g, String token, String verificationId) {
    return Http.send(
        "POST",
        g.baseUrl() + "/v1/identity/verifications/" + verificationId + "/complete",
        null,
        bearer(token));
  }

  public static HttpResponse<String> me(Gateway g, String token) {
    return Http.get(g.baseUrl() + "/v1/me", bearer(token));
  }

  /** The decoded payload of a JWT (for assertions; the gateway itself verifies). */
  public static JsonObject payload(String jwt) {
    String[] parts = jwt.split("\\.");
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  /**
   * Logs in on Alipay, verifies as {@code person} with the face check done by the user, returns the
   * L3 token.
   */
  public String alipayToL3(Gateway g, String userId, SyntheticCitizen person) {
    String token = alipayToken(g, userId);
    HttpResponse<String> started = start(g, token, person.name(), person.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonObject v = Http.json(started);
    alipay.performFace(v.getJsonObject("clientParams").getString("certifyId"), userId);
    HttpResponse<String> done = complete(g, token, v.getString("verificationId"));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    return Http.json(done).getString("token");
  }

  /** The same on WeChat. */
  public String wechatToL3(Gateway g, String openid, SyntheticCitizen person) {
    String token = wechatToken(g, openid);
    HttpResponse<String> started = start(g, token, person.name(), person.idNumber());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonObject v = Http.json(started);
    wechat.performFace(v.getJsonObject("clientParams").getString("verifyId"), openid);
    HttpResponse<String> done = complete(g, token, v.getString("verificationId"));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    return Http.json(done).getString("token");
  }

  @Override
  public void close() throws Exception {
    alipay.close().await(10, TimeUnit.SECONDS);
    wechat.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
