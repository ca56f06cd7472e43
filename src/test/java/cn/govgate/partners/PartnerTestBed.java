package cn.govgate.partners;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Canonical;
import cn.govgate.partner.client.Keys;
import cn.govgate.partner.client.PartnerSigner;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Partners registered through the admin API, consents granted through the citizen API, signed
 * calls.
 */
final class PartnerTestBed {
  static final cn.govgate.testing.ApiContract ADMIN =
      cn.govgate.testing.ApiContract.of("admin-api.yaml");
  static final cn.govgate.testing.ApiContract CITIZEN =
      cn.govgate.testing.ApiContract.of("gateway-api.yaml");
  static final cn.govgate.testing.ApiContract OPEN =
      cn.govgate.testing.ApiContract.of("partner-api.yaml");

  private PartnerTestBed() {}

  /** A registered partner key and a signer for it. */
  record PartnerKey(
      String appId, String keyId, Algorithm algorithm, KeyPair pair, PartnerSigner signer) {}

  /**
   * A signer claiming {@code appId}/{@code keyId} for RSA2 with {@code privateKey} — registered or
   * not, to show what the gateway refuses.
   */
  static PartnerKey signingAs(String appId, String keyId, java.security.PrivateKey privateKey) {
    return new PartnerKey(
        appId,
        keyId,
        Algorithm.RSA2,
        null,
        PartnerSigner.create(appId, keyId, Algorithm.RSA2, privateKey));
  }

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

  /** Two citizens, each with an L3 session. */
  record TwoCitizens(
      SyntheticCitizen first, String firstL3, SyntheticCitizen other, String otherL3) {}

  /**
   * The first Hangzhou citizen {@code pick} accepts, at L3 through Alipay, and another, at L3
   * through WeChat.
   */
  static TwoCitizens twoCitizensAtL3(
      GatewayTestBed bed, java.util.function.Predicate<SyntheticCitizen> pick) {
    List<SyntheticCitizen> hangzhou = citizensOf(bed, SyntheticCitizens.HANGZHOU);
    SyntheticCitizen first = hangzhou.stream().filter(pick).findFirst().orElseThrow();
    SyntheticCitizen other = hangzhou.stream().filter(p -> p != first).findFirst().orElseThrow();
    return new TwoCitizens(first, bed.l3("alipay", first), other, bed.l3("wechat", other));
  }

  /** A partner's RSA2 key {@code rsa-1} and SM2 key {@code sm2-1}. */
  record BothKeys(PartnerKey rsa, PartnerKey sm2) {}

  /**
   * Registers a partner with {@code scopes} and a quota no test reaches, and gives it an RSA2 and
   * an SM2 key.
   */
  static BothKeys partnerWithBothKeys(GatewayTestBed bed, String appId, String... scopes) {
    registerPartner(bed, appId, 1000, 1_000_000, scopes);
    return new BothKeys(
        addKey(bed, appId, "rsa-1", Algorithm.RSA2), addKey(bed, appId, "sm2-1", Algorithm.SM2));
  }

  /**
   * Registers a partner with {@code scopes} and a quota no test reaches, and gives it one RSA2 key.
   */
  static PartnerKey partnerWithRsaKey(
      GatewayTestBed bed, String appId, String keyId, String... scopes) {
    registerPartner(bed, appId, 1000, 1_000_000, scopes);
    return addKey(bed, appId, keyId, Algorithm.RSA2);
  }

  /**
   * Hangzhou's housing fund ({@code hz-gjj}: account, contributions and {@code moreFundServices})
   * and social security ({@code hz-rsj}: account, contributions), the departments partners read.
   */
  static void fundAndSocialSecurity(GatewayTestBed bed, String... moreFundServices) {
    List<String> fund =
        new ArrayList<>(List.of("housing-fund.account", "housing-fund.contributions"));
    fund.addAll(List.of(moreFundServices));
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        SyntheticCitizens.HANGZHOU,
        fund.toArray(String[]::new));
    bed.department(
        "hz-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        SyntheticCitizens.HANGZHOU,
        "social-security.account",
        "social-security.contributions");
  }

  /** The id of a consent granted as the citizen of an L3 session ({@link #consent}). */
  static String consentId(GatewayTestBed bed, String l3, String appId, int days, String... scopes) {
    return consent(bed, l3, appId, days, scopes).getString("consentId");
  }

  /** The audit records {@code sql} selects, once every record written so far is durable. */
  static List<Row> auditRows(GatewayTestBed bed, String sql) throws Exception {
    bed.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    List<Row> rows = new ArrayList<>();
    bed.gateway
        .database()
        .pool()
        .preparedQuery(sql)
        .execute(Tuple.tuple())
        .await(10, TimeUnit.SECONDS)
        .forEach(rows::add);
    return rows;
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

  /** A signed POST of a JSON body at the gateway's clock now. */
  static Call post(GatewayTestBed bed, PartnerKey key, String path, JsonObject body) {
    String sent = body.encode();
    return send(
        bed.gateway.baseUrl(),
        key,
        "POST",
        path,
        List.of(),
        List.of(),
        sent,
        sent,
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

  // ---------- the answer signature, verified without the reference client ----------

  private static final Pattern ANSWER_SIGNATURE =
      Pattern.compile(
          "GOVGATE-(RSA2|SM2) keyid=\"([^\"]+)\",timestamp=\"([0-9]+)\",nonce=\"([A-Za-z0-9_-]*)\",signature=\"([^\"]+)\"");

  /** The gateway's published key set ({@code GET /open/v1/keys}), checked against the contract. */
  static JsonObject keySet(GatewayTestBed bed) {
    HttpResponse<String> keys = Http.get(bed.gateway.baseUrl() + "/open/v1/keys");
    OPEN.assertValid("getGatewayKeys", keys);
    return Http.json(keys);
  }

  /**
   * Verifies X-Govgate-Signature with the published key set: JDK Signature for RSA, Bouncy Castle
   * SM2Signer.
   */
  static boolean verifiesIndependently(
      JsonObject keySet, HttpResponse<String> response, String requestNonce) {
    return verifies(
        keySet,
        response.headers().firstValue("X-Govgate-Signature").orElse(""),
        response.statusCode(),
        requestNonce,
        response.body().getBytes(StandardCharsets.UTF_8));
  }

  static boolean verifies(
      JsonObject keySet, String header, int status, String requestNonce, byte[] body) {
    Matcher m = ANSWER_SIGNATURE.matcher(header);
    if (!m.matches()) return false;
    if (!m.group(4).equals(requestNonce == null ? "" : requestNonce)) return false;
    JsonObject key =
        keySet.getJsonArray("keys").stream()
            .map(JsonObject.class::cast)
            .filter(k -> k.getString("keyId").equals(m.group(2)))
            .findFirst()
            .orElse(null);
    if (key == null || !key.getString("algorithm").equals(m.group(1))) return false;
    try {
      String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
      byte[] signed =
          (status + "\n" + m.group(4) + "\n" + m.group(3) + "\n" + digest + "\n")
              .getBytes(StandardCharsets.UTF_8);
      byte[] signature = Base64.getDecoder().decode(m.group(5));
      byte[] spki = Base64.getDecoder().decode(key.getString("publicKey"));
      if (m.group(1).equals("RSA2")) {
        PublicKey publicKey =
            KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(publicKey);
        s.update(signed);
        return s.verify(signature);
      }
      SM2Signer verifier = new SM2Signer();
      verifier.init(
          false,
          new ParametersWithID(
              PublicKeyFactory.createKey(spki),
              "1234567812345678".getBytes(StandardCharsets.US_ASCII)));
      verifier.update(signed, 0, signed.length);
      return verifier.verifySignature(signature);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Asserts an answer: status, the contract's shape for the operation, and a valid answer
   * signature; returns the body.
   */
  static JsonObject answered(JsonObject keySet, String operationId, Call call, int status) {
    assertThat(call.status()).as(call.response().body()).isEqualTo(status);
    OPEN.assertValid(operationId, call.response());
    assertThat(verifiesIndependently(keySet, call.response(), call.nonce()))
        .as("signed answer")
        .isTrue();
    return call.json();
  }

  /** Asserts a refusal: status, code, the contract's shape, and a valid answer signature. */
  static void refused(JsonObject keySet, String operationId, Call call, int status, String code) {
    assertThat(answered(keySet, operationId, call, status).getString("code"))
        .as(call.response().body())
        .isEqualTo(code);
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

  /** The synthetic citizens whose home is {@code region}. */
  static List<SyntheticCitizen> citizensOf(GatewayTestBed bed, String region) {
    return bed.identity.people.stream().filter(p -> p.homeRegion().equals(region)).toList();
  }

  static String name(SyntheticCitizen p) {
    return p.name();
  }
}
