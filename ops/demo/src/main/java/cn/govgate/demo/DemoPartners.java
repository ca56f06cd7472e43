package cn.govgate.demo;

import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Keys;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The demo's partner platform, set up through the real APIs only: a bank ({@value #APP_ID})
 * registered by the operator through the admin API, with one RSA2 and one SM2 key generated once
 * into {@code <dataDir>/keys/} (PKCS#8 PEM, owner-only; only the public keys go to the gateway),
 * and a live consent of one Hangzhou test citizen, who logs in on WeChat, steps up to L3 (real name
 * and the simulator's face check) and grants it with {@code POST /v1/consents}. The manifest's
 * {@code partners[]} lists what a partner needs to sign a request.
 */
final class DemoPartners {
  static final String APP_ID = "bank-demo";
  static final String REGION = "330100";
  private static final List<String> SCOPES =
      List.of("housing-fund.account", "social-security.account", "traffic.fines", "utilities.bill");

  private DemoPartners() {}

  /**
   * Blocking: the key pair kept in {@code keys/}, generated once (private PEM and public SPKI,
   * owner-only).
   */
  static KeyPair keyPair(DemoKeys keys, Algorithm algorithm) {
    String name = "partner-" + APP_ID + "-" + algorithm.name().toLowerCase(Locale.ROOT);
    Path pem = keys.file(name + ".pem");
    Path pub = keys.file(name + ".pub");
    try {
      if (Files.exists(pem) && Files.exists(pub)) {
        return new KeyPair(
            Keys.publicKey(algorithm, Files.readString(pub)),
            Keys.privateKey(algorithm, Files.readString(pem)));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    KeyPair pair = Keys.generate(algorithm);
    DemoKeys.writeOwnerOnly(pub, Keys.spki(pair.getPublic()));
    DemoKeys.writeOwnerOnly(pem, Keys.pkcs8Pem(pair.getPrivate()));
    return pair;
  }

  static String keyId(Algorithm algorithm) {
    return APP_ID + "-" + algorithm.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Registers the partner and its keys (again after a restart: already there), grants the consent
   * of the first Hangzhou citizen of the demo's {@code citizens} and returns the manifest's {@code
   * partners[]}.
   */
  static Future<JsonArray> start(
      Vertx vertx,
      String gatewayUrl,
      String bootstrapKey,
      DemoKeys keys,
      String wechatUrl,
      int citizens) {
    // Key files and the synthetic citizens are made off the event loop.
    return vertx
        .executeBlocking(
            () ->
                new Prepared(
                    keyPair(keys, Algorithm.RSA2),
                    keyPair(keys, Algorithm.SM2),
                    SyntheticCitizens.generate(citizens, DemoChannels.SEED)),
            false)
        .compose(
            p -> {
              int index = citizenIndex(p.citizens());
              return register(
                  vertx,
                  gatewayUrl,
                  bootstrapKey,
                  keys,
                  wechatUrl,
                  index,
                  p.citizens().get(index),
                  p.rsa(),
                  p.sm2());
            });
  }

  private record Prepared(KeyPair rsa, KeyPair sm2, List<SyntheticCitizen> citizens) {}

  /**
   * The demo citizen who consents: the first living in Hangzhou, where the demo's departments
   * serve.
   */
  private static int citizenIndex(List<SyntheticCitizen> all) {
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).homeRegion().equals(REGION)) return i;
    }
    throw new IllegalStateException("no demo citizen lives in " + REGION + ": raise demo.citizens");
  }

  private static Future<JsonArray> register(
      Vertx vertx,
      String gatewayUrl,
      String bootstrapKey,
      DemoKeys keys,
      String wechatUrl,
      int index,
      SyntheticCitizen citizen,
      KeyPair rsa,
      KeyPair sm2) {
    WebClient client = WebClient.create(vertx);
    String operator = "Bearer " + bootstrapKey;
    JsonObject partner =
        new JsonObject()
            .put("appId", APP_ID)
            .put("name", "演示银行（住房贷款）")
            .put("scopes", new JsonArray(SCOPES))
            .put("quota", new JsonObject().put("perSecond", 100_000).put("perDay", 100_000_000))
            .put("callbackUrl", "https://bank.example.cn/govgate/consented");
    return call(
            client,
            HttpMethod.POST,
            gatewayUrl + "/admin/v1/partners",
            operator,
            partner,
            Set.of(201, 409))
        .compose(v -> addKey(client, gatewayUrl, operator, Algorithm.RSA2, rsa))
        .compose(v -> addKey(client, gatewayUrl, operator, Algorithm.SM2, sm2))
        .compose(v -> l3(client, gatewayUrl, wechatUrl, DemoChannels.openid(index), citizen))
        .compose(
            token ->
                call(
                    client,
                    HttpMethod.POST,
                    gatewayUrl + "/v1/consents",
                    "Bearer " + token,
                    new JsonObject()
                        .put("appId", APP_ID)
                        .put("scopes", new JsonArray(SCOPES))
                        .put("purpose", "住房贷款审批（演示）")
                        .put("days", 30),
                    Set.of(201)))
        .map(
            consent -> {
              JsonArray out = new JsonArray();
              for (Algorithm a : List.of(Algorithm.RSA2, Algorithm.SM2)) {
                out.add(
                    new JsonObject()
                        .put("appId", APP_ID)
                        .put("keyId", keyId(a))
                        .put("algorithm", a.name())
                        .put(
                            "privateKeyFile",
                            keys.file(
                                    "partner-"
                                        + APP_ID
                                        + "-"
                                        + a.name().toLowerCase(Locale.ROOT)
                                        + ".pem")
                                .toString())
                        .put("gatewayKeysUrl", gatewayUrl + "/open/v1/keys")
                        .put("consentId", consent.getString("consentId"))
                        .put("scopes", consent.getJsonArray("scopes"))
                        .put(
                            "citizen",
                            new JsonObject()
                                .put("index", index)
                                .put("name", citizen.name())
                                .put("wechatOpenid", DemoChannels.openid(index)))
                        .put(
                            "example",
                            gatewayUrl
                                + "/open/v1/housing-fund/account?consentId="
                                + consent.getString("consentId")
                                + "&region="
                                + REGION));
              }
              return out;
            })
        .eventually(
            () -> {
              client.close();
              return Future.succeededFuture();
            });
  }

  private static Future<JsonObject> addKey(
      WebClient client, String gatewayUrl, String operator, Algorithm algorithm, KeyPair pair) {
    return call(
        client,
        HttpMethod.POST,
        gatewayUrl + "/admin/v1/partners/" + APP_ID + "/keys",
        operator,
        new JsonObject()
            .put("keyId", keyId(algorithm))
            .put("algorithm", algorithm.name())
            .put("publicKey", Keys.spki(pair.getPublic())),
        Set.of(201, 409));
  }

  /** WeChat login, real name, the simulator's face check, completion: an L3 session token. */
  private static Future<String> l3(
      WebClient client, String gatewayUrl, String wechatUrl, String openid, SyntheticCitizen who) {
    return call(
            client,
            HttpMethod.POST,
            wechatUrl + "/__sim/auth-codes",
            null,
            new JsonObject().put("appId", DemoChannels.WECHAT_APP_ID).put("openid", openid),
            Set.of(200, 201))
        .compose(
            code ->
                call(
                    client,
                    HttpMethod.POST,
                    gatewayUrl + "/v1/sessions",
                    null,
                    new JsonObject()
                        .put("channel", "wechat")
                        .put("appId", DemoChannels.WECHAT_APP_ID)
                        .put("authCode", code.getString("code")),
                    Set.of(201)))
        .compose(
            login -> {
              String l1 = "Bearer " + login.getString("token");
              return call(
                      client,
                      HttpMethod.POST,
                      gatewayUrl + "/v1/identity/verifications",
                      l1,
                      new JsonObject().put("name", who.name()).put("idNumber", who.idNumber()),
                      Set.of(201))
                  .compose(
                      v ->
                          call(
                                  client,
                                  HttpMethod.POST,
                                  wechatUrl + "/__sim/face/perform",
                                  null,
                                  new JsonObject()
                                      .put(
                                          "verifyId",
                                          v.getJsonObject("clientParams").getString("verifyId"))
                                      .put("openid", openid),
                                  Set.of(200))
                              .compose(
                                  face ->
                                      call(
                                          client,
                                          HttpMethod.POST,
                                          gatewayUrl
                                              + "/v1/identity/verifications/"
                                              + v.getString("verificationId")
                                              + "/complete",
                                          l1,
                                          null,
                                          Set.of(200))));
            })
        .compose(
            l3 ->
                "L3".equals(l3.getString("level"))
                    ? Future.succeededFuture(l3.getString("token"))
                    : Future.failedFuture(
                        new IllegalStateException(
                            "demo partner citizen ended at " + l3.getString("level"))));
  }

  private static Future<JsonObject> call(
      WebClient client,
      HttpMethod method,
      String url,
      String authorization,
      JsonObject body,
      Set<Integer> expected) {
    HttpRequest<Buffer> request = client.requestAbs(method, url);
    if (authorization != null) request.putHeader("Authorization", authorization);
    Future<HttpResponse<Buffer>> response =
        body == null ? request.send() : request.sendJsonObject(body);
    return response.compose(
        r ->
            expected.contains(r.statusCode())
                ? Future.succeededFuture(
                    r.body() == null || r.body().length() == 0
                        ? new JsonObject()
                        : r.bodyAsJsonObject())
                : Future.failedFuture(
                    new IllegalStateException(
                        "demo partner set-up: "
                            + method
                            + " "
                            + url.replaceAll("^https?://[^/]+", "")
                            + " answered "
                            + r.statusCode())));
  }
}
