package cn.govgate.partners;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Canonical;
import cn.govgate.partner.client.Keys;
import cn.govgate.partner.client.PartnerSigner;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Partners registered through the admin API, consents granted through the citizen API, signed
 * calls.
 */
final class PartnerTestBed {
  static final cn.govgate.testing.ApiContract ADMIN =
      cn.govgate.testing.ApiContract.of("admin-api.yaml");
  static final cn.govgate.testing.ApiContract CITIZEN =
      cn.govgate.testing.ApiContract.of("gateway-api.yaml");

  private PartnerTestBed() {}

  /** A registered partner key and a signer for it. */
  record PartnerKey(
      String appId, String keyId, Algorithm algorithm, KeyPair pair, PartnerSigner signer) {}

  static HttpResponse<String> admin(
      GatewayTestBed bed, String method, String path, JsonObject body) {
    return Http.send(
        method,
        bed.gateway.baseUrl() + "/admin/v1" + path,
        body == null ? null : body.encode(),
        Map.of("Authorization", bed.operator));
  }

  static void registerPartner(
      GatewayTestBed bed, String appId, int perSecond, int perDay, String... scopes) {
    HttpResponse<String> r =
        admin(
            bed,
            "POST",
            "/partners",
            new JsonObject()
                .put("appId", appId)
                .put("name", "测试银行 " + appId)
                .put("scopes", new JsonArray(List.of(scopes)))
                .put("quota", new JsonObject().put("perSecond", perSecond).put("perDay", perDay))
                .put("callbackUrl", "https://partner.example.cn/" + appId + "/consented"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    ADMIN.assertValid("createPartner", r);
  }

  static PartnerKey addKey(GatewayTestBed bed, String appId, String keyId, Algorithm algorithm) {
    KeyPair pair = Keys.generate(algorithm);
    HttpResponse<String> r =
        admin(
            bed,
            "POST",
            "/partners/" + appId + "/keys",
            new JsonObject()
                .put("keyId", keyId)
                .put("algorithm", algorithm.name())
                .put("publicKey", Keys.spki(pair.getPublic())));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    ADMIN.assertValid("addPartnerKey", r);
    awaitVersion(bed, appId, Http.json(r).getInteger("version"));
    return new PartnerKey(
        appId,
        keyId,
        algorithm,
        pair,
        PartnerSigner.create(appId, keyId, algorithm, pair.getPrivate()));
  }

  /** Makes this instance's directory current at once (other instances hear the NOTIFY). */
  static void awaitVersion(GatewayTestBed bed, String appId, int version) {
    GatewayTestBed.await(bed.gateway.partners().reload());
  }

  /** Grants a consent as the citizen of an L3 session; returns its answer. */
  static JsonObject consent(
      GatewayTestBed bed, String l3, String appId, int days, String... scopes) {
    HttpResponse<String> r =
        bed.post(
            "/v1/consents",
            new JsonObject()
                .put("appId", appId)
                .put("scopes", new JsonArray(List.of(scopes)))
                .put("purpose", "住房贷款审批")
                .put("days", days),
            l3);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    CITIZEN.assertValid("grantConsent", r);
    assertThat(Http.json(r).getString("redirectUrl"))
        .isEqualTo(
            "https://partner.example.cn/"
                + appId
                + "/consented?consentId="
                + Http.json(r).getString("consentId")
                + "&appId="
                + appId);
    return Http.json(r);
  }

  /** A signed GET at the gateway's clock now. */
  static Call get(
      GatewayTestBed bed, PartnerKey key, String path, List<Map.Entry<String, String>> query) {
    return call(
        bed,
        key,
        "GET",
        path,
        query,
        bed.clock.instant().getEpochSecond(),
        PartnerSigner.newNonce());
  }

  /** The request and its answer. */
  record Call(String nonce, HttpResponse<String> response) {
    int status() {
      return response.statusCode();
    }

    JsonObject json() {
      return Http.json(response);
    }

    String code() {
      return json().getString("code");
    }
  }

  static Call call(
      GatewayTestBed bed,
      PartnerKey key,
      String method,
      String path,
      List<Map.Entry<String, String>> query,
      long timestamp,
      String nonce) {
    return send(bed.gateway.baseUrl(), key, method, path, query, query, timestamp, nonce);
  }

  /**
   * Signs {@code signedQuery} and sends {@code sentQuery} (the same parameters in another order, or
   * others, to show what the signature covers).
   */
  static Call send(
      String baseUrl,
      PartnerKey key,
      String method,
      String path,
      List<Map.Entry<String, String>> signedQuery,
      List<Map.Entry<String, String>> sentQuery,
      long timestamp,
      String nonce) {
    return send(baseUrl, key, method, path, signedQuery, sentQuery, null, null, timestamp, nonce);
  }

  /** As above, with a signed body and the body actually sent (null: none). */
  static Call send(
      String baseUrl,
      PartnerKey key,
      String method,
      String path,
      List<Map.Entry<String, String>> signedQuery,
      List<Map.Entry<String, String>> sentQuery,
      String signedBody,
      String sentBody,
      long timestamp,
      String nonce) {
    PartnerSigner.Signed signed =
        key.signer()
            .sign(
                method,
                path,
                signedQuery,
                signedBody == null ? new byte[0] : bytes(signedBody),
                timestamp,
                nonce);
    Map<String, String> headers = new HashMap<>();
    headers.put("Authorization", signed.authorization());
    return new Call(
        nonce, Http.send(method, baseUrl + path + queryString(sentQuery), sentBody, headers));
  }

  static String queryString(List<Map.Entry<String, String>> query) {
    if (query.isEmpty()) return "";
    List<String> parts = new ArrayList<>();
    query.forEach(
        e -> parts.add(Canonical.encode(e.getKey()) + "=" + Canonical.encode(e.getValue())));
    return "?" + String.join("&", parts);
  }

  static List<Map.Entry<String, String>> q(String... kv) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (int i = 0; i < kv.length; i += 2) out.add(Map.entry(kv[i], kv[i + 1]));
    return out;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String name(SyntheticCitizen p) {
    return p.name();
  }
}
