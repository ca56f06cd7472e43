package cn.govgate.channel.alipay.sim;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.AlipayCrypto;
import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.alipay.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's gateway checks, driven by hand-built requests placed the ways different clients
 * place them.
 */
class SimulatorGatewayTest {

  static final String APP = "2021000500000001";

  static Vertx vertx;
  static AlipaySimulator sim;
  static WebClient http;
  static final AlipayCrypto.Signer appSigner =
      AlipayCrypto.signer(SignType.RSA2, APP_RSA.privateKey(), null);

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim = await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    sim.addUser(SimUser.anonymous("2088000000000077"));
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void tearDown() {
    await(sim.close());
    await(vertx.close());
  }

  static Map<String, String> signed(String method, Map<String, String> extra) {
    Map<String, String> p = new TreeMap<>();
    p.put("app_id", APP);
    p.put("method", method);
    p.put("format", "json");
    p.put("charset", "utf-8");
    p.put("sign_type", "RSA2");
    p.put("timestamp", AlipayWire.timestamp(Instant.now()));
    p.put("version", "1.0");
    p.putAll(extra);
    p.put("sign", appSigner.sign(AlipayWire.requestSignContent(p)));
    return p;
  }

  /** Posts with {@code inQuery} keys in the query string and the rest in the form body. */
  static String post(Map<String, String> params, Set<String> inQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    Map<String, String> body = new LinkedHashMap<>();
    params.forEach((k, v) -> (inQuery.contains(k) ? query : body).put(k, v));
    HttpResponse<Buffer> r =
        await(
            http.postAbs(sim.gatewayUrl() + "?" + AlipayWire.formEncode(query))
                .putHeader("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
                .sendBuffer(Buffer.buffer(AlipayWire.formEncode(body))));
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsString();
  }

  static JsonObject verifiedInner(String body, String method) throws Exception {
    AlipayWire.SignedPart part = AlipayWire.extractSigned(body, method);
    String sign = new JsonObject(body).getString("sign");
    assertThat(
            AlipayCrypto.verifier(SignType.RSA2, sim.platformPublicKey(), null)
                .verify(part.content(), sign))
        .as("simulator signed the exact inner bytes")
        .isTrue();
    return new JsonObject(part.content());
  }

  @Test
  void acceptsEverythingInTheBodyAndEverythingInTheQuery() throws Exception {
    String code = sim.issueAuthCode(APP, "2088000000000077");
    Map<String, String> p =
        signed(
            "alipay.system.oauth.token", Map.of("grant_type", "authorization_code", "code", code));
    String all = post(p, Set.of());
    assertThat(verifiedInner(all, "alipay.system.oauth.token").getString("user_id"))
        .isEqualTo("2088000000000077");

    String code2 = sim.issueAuthCode(APP, "2088000000000077");
    Map<String, String> q =
        signed(
            "alipay.system.oauth.token", Map.of("grant_type", "authorization_code", "code", code2));
    String query = post(q, q.keySet());
    assertThat(verifiedInner(query, "alipay.system.oauth.token").getString("access_token"))
        .startsWith("authusrB");
  }

  @Test
  void invalidSignatureAnswerIsSignedAndHasNoEscapedSlashes() throws Exception {
    Map<String, String> p =
        new TreeMap<>(
            signed(
                "alipay.trade.query",
                Map.of(
                    "notify_url",
                    "https://gw.example/alipay/notify",
                    "biz_content",
                    "{\"out_trade_no\":\"A1\"}")));
    p.put("biz_content", "{\"out_trade_no\":\"A2\"}");
    String body =
        post(p, Set.of("app_id", "method", "sign", "sign_type", "timestamp", "version", "charset"));
    assertThat(body)
        .startsWith("{\"error_response\":{")
        .doesNotContain("\\/")
        .contains("https://gw.example/alipay/notify");
    JsonObject inner = verifiedInner(body, "alipay.trade.query");
    assertThat(inner.getString("code")).isEqualTo("40002");
    assertThat(inner.getString("sub_code")).isEqualTo("isv.invalid-signature");
  }

  @Test
  void signTypeIsPartOfTheSignedString() throws Exception {
    Map<String, String> p = new TreeMap<>();
    p.put("app_id", APP);
    p.put("method", "alipay.trade.query");
    p.put("charset", "utf-8");
    p.put("sign_type", "RSA2");
    p.put("timestamp", AlipayWire.timestamp(Instant.now()));
    p.put("version", "1.0");
    p.put("biz_content", "{\"out_trade_no\":\"A1\"}");
    Map<String, String> withoutSignType = new TreeMap<>(p);
    withoutSignType.remove("sign_type");
    p.put("sign", appSigner.sign(AlipayWire.requestSignContent(withoutSignType)));
    assertThat(verifiedInner(post(p, Set.of()), "alipay.trade.query").getString("sub_code"))
        .isEqualTo("isv.invalid-signature");
  }

  @Test
  void missingParametersAndUnknownAppsGetGatewayErrors() throws Exception {
    Map<String, String> p = new TreeMap<>(signed("alipay.trade.query", Map.of()));
    p.remove("timestamp");
    assertThat(verifiedInner(post(p, Set.of()), "alipay.trade.query").getString("sub_code"))
        .isEqualTo("isv.missing-timestamp");
    Map<String, String> unknown = new TreeMap<>(signed("alipay.trade.query", Map.of()));
    unknown.put("app_id", "2021000500009999");
    JsonObject inner = verifiedInner(post(unknown, Set.of()), "alipay.trade.query");
    assertThat(inner.getString("code")).isEqualTo("40002");
    assertThat(inner.getString("sub_code")).isEqualTo("isv.invalid-app-id");
  }
}
