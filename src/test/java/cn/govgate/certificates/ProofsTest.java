package cn.govgate.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdNumber;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.identity.Masking;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Housing-fund deposit proofs on the gateway as production wires it: the holder's L3 session
 * (channel login, real name, live face through the simulators), the proof data from the department
 * simulator registered for {@code housing-fund.proof-data}, signatures with the identity's ES256
 * keys checked by an independent verifier.
 */
class ProofsTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String FUND = "hz-gjj";
  private static final String SOCIAL = "hz-rsj";

  private static GatewayTestBed bed;
  private static TestClock clock;
  private static SyntheticCitizen holder;
  private static String holderL3;
  private static String holderL2;
  private static String otherL3;
  private static String fundCredential;
  private static String socialCredential;

  @BeforeAll
  static void start() throws Exception {
    clock = TestClock.running();
    bed = new GatewayTestBed(40, 2026L, clock);
    bed.department(
        FUND,
        DepartmentFamily.HOUSING_FUND,
        SyntheticCitizens.HANGZHOU,
        "housing-fund.account",
        "housing-fund.proof-data");
    bed.department(
        SOCIAL,
        DepartmentFamily.SOCIAL_SECURITY,
        SyntheticCitizens.HANGZHOU,
        "social-security.account");
    // Chengdu is a known region that offers no proofs.
    bed.department(
        "cd-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        SyntheticCitizens.CHENGDU,
        "social-security.account");
    fundCredential = bed.credential(FUND);
    socialCredential = bed.credential(SOCIAL);
    var hangzhou =
        bed.identity.people.stream()
            .filter(c -> c.homeRegion().equals(SyntheticCitizens.HANGZHOU))
            .toList();
    holder = hangzhou.get(0);
    holderL3 = bed.l3("alipay", holder);
    holderL2 = bed.l2(holder);
    otherL3 = bed.l3("wechat", hangzhou.get(1));
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  private static String gatewayUrl() {
    return bed.gateway.baseUrl();
  }

  private static HttpResponse<String> issue(String token, JsonObject body) {
    HttpResponse<String> r =
        Http.post(
            gatewayUrl() + "/v1/housing-fund/proofs", body.encode(), IdentityTestBed.bearer(token));
    CONTRACT.assertValid("issueHousingFundProof", r);
    return r;
  }

  private static JsonObject issued(int validDays) {
    HttpResponse<String> r =
        issue(
            holderL3,
            new JsonObject()
                .put("purpose", "办理个人住房贷款")
                .put("validDays", validDays)
                .put("region", SyntheticCitizens.HANGZHOU));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static JsonObject verify(String proof) {
    HttpResponse<String> r =
        Http.post(
            gatewayUrl() + "/v1/proofs/verify", new JsonObject().put("proof", proof).encode());
    CONTRACT.assertValid("verifyProof", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r);
  }

  /**
   * ES256 with nimbus-jose-jwt, SM2 (the shangmi profile) with Bouncy Castle's JCA, against the
   * published key.
   */
  private static boolean independentlyVerified(String proof) throws Exception {
    HttpResponse<String> jwks = Http.get(gatewayUrl() + "/.well-known/jwks.json");
    CONTRACT.assertValid("getJwks", jwks);
    String[] parts = proof.split("\\.");
    JsonObject header =
        new JsonObject(
            new String(
                java.util.Base64.getUrlDecoder().decode(parts[0]),
                java.nio.charset.StandardCharsets.UTF_8));
    if (ProofAlgorithm.SM2_JWS_ALG.equals(header.getString("alg"))) {
      JsonObject jwk =
          new JsonObject(jwks.body())
              .getJsonArray("keys").stream()
                  .map(JsonObject.class::cast)
                  .filter(k -> k.getString("kid").equals(header.getString("kid")))
                  .findFirst()
                  .orElseThrow();
      return Sm2ProofsTest.bcVerifies(
          Sm2ProofsTest.publicKey(jwk),
          (parts[0] + "." + parts[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          java.util.Base64.getUrlDecoder().decode(parts[2]));
    }
    JWSObject jws = JWSObject.parse(proof);
    ECKey key = JWKSet.parse(jwks.body()).getKeyByKeyId(jws.getHeader().getKeyID()).toECKey();
    return jws.verify(new ECDSAVerifier(key));
  }

  /** The JWS alg of the profile under test: ES256, or SM3withSM2 under shangmi. */
  private static String expectedAlg() {
    return cn.govgate.testing.TestGateways.profile().equals("shangmi")
        ? ProofAlgorithm.SM2_JWS_ALG
        : "ES256";
  }

  @Test
  void issuedProofVerifiesWithAnIndependentVerifierAndTheJwks() throws Exception {
    JsonObject answer = issued(30);
    String proof = answer.getString("proof");
    assertThat(answer.getString("serial")).matches("GJJ-330100-\\d{4}-\\d{6}");
    assertThat(answer.getString("interactionId")).isNotBlank();
    assertThat(independentlyVerified(proof)).isTrue();

    JWSObject jws = JWSObject.parse(proof);
    assertThat(jws.getHeader().getAlgorithm().getName()).isEqualTo(expectedAlg());
    JsonObject claims = new JsonObject(jws.getPayload().toString());
    assertThat(claims.getString("serial")).isEqualTo(answer.getString("serial"));
    assertThat(claims.getString("type")).isEqualTo("housing_fund_deposit");
    assertThat(claims.getString("purpose")).isEqualTo("办理个人住房贷款");
    assertThat(claims.getJsonObject("holder").getString("name"))
        .isEqualTo(Masking.maskName(holder.name()));
    assertThat(claims.getJsonObject("holder").getString("idNumber"))
        .isEqualTo(IdNumber.mask(holder.idNumber()));
    assertThat(claims.getJsonObject("issuer").getString("departmentId")).isEqualTo(FUND);
    assertThat(claims.getJsonObject("data").getLong("balanceFen")).isNotNull();
    assertThat(claims.getLong("exp") - claims.getLong("iat"))
        .isEqualTo(Duration.ofDays(30).toSeconds());
    assertThat(proof).doesNotContain(holder.idNumber());
    assertThat(jws.getPayload().toString())
        .doesNotContain(holder.idNumber())
        .doesNotContain(holder.name());

    JsonObject verdict = verify(proof);
    assertThat(verdict.getBoolean("valid")).isTrue();
    assertThat(verdict.getJsonArray("reasons")).isEmpty();
    assertThat(verdict.getString("serial")).isEqualTo(answer.getString("serial"));
    assertThat(Instant.parse(verdict.getString("expiresAt")))
        .isEqualTo(Instant.parse(answer.getString("expiresAt")));
  }

  @Test
  void proofFailsVerificationAfterOneByteOfThePayloadChanges() throws Exception {
    String proof = issued(10).getString("proof");
    String[] parts = proof.split("\\.");
    byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
    // Byte offsets: the payload holds Chinese names (several bytes per character) before the
    // balance.
    String bytes = new String(payload, StandardCharsets.ISO_8859_1);
    int at = bytes.indexOf("\"balanceFen\":") + "\"balanceFen\":".length();
    payload[at] = (byte) (payload[at] == '9' ? '8' : '9');
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(payload)
            + "."
            + parts[2];
    assertThat(independentlyVerified(tampered)).isFalse();
    JsonObject verdict = verify(tampered);
    assertThat(verdict.getBoolean("valid")).isFalse();
    assertThat(verdict.getJsonArray("reasons")).containsExactly("bad_signature");
    assertThat(verify("not.a.proof").getJsonArray("reasons")).containsExactly("malformed");
  }

  @Test
  void proofExpiresAfterItsValidDays() {
    String proof = issued(1).getString("proof");
    assertThat(verify(proof).getBoolean("valid")).isTrue();
    clock.advance(Duration.ofDays(1).plusSeconds(1));
    try {
      JsonObject verdict = verify(proof);
      assertThat(verdict.getBoolean("valid")).isFalse();
      assertThat(verdict.getJsonArray("reasons")).containsExactly("expired");
    } finally {
      clock.advance(Duration.ofDays(1).plusSeconds(1).negated());
    }
  }

  @Test
  void revokedProofFailsVerification() {
    JsonObject answer = issued(30);
    String serial = answer.getString("serial");
    String url = gatewayUrl() + "/admin/v1/departments/" + FUND + "/proofs/" + serial + "/revoke";
    HttpResponse<String> foreign =
        Http.post(
            gatewayUrl() + "/admin/v1/departments/" + SOCIAL + "/proofs/" + serial + "/revoke",
            "{}",
            Map.of("Authorization", socialCredential));
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(Http.post(url, "{}", Map.of("Authorization", socialCredential)).statusCode())
        .isEqualTo(403);

    HttpResponse<String> revoked =
        Http.post(
            url,
            new JsonObject().put("reason", "申请人撤回").encode(),
            Map.of("Authorization", fundCredential));
    CONTRACT.assertValid("revokeProof", revoked);
    assertThat(revoked.statusCode()).isEqualTo(200);
    JsonObject verdict = verify(answer.getString("proof"));
    assertThat(verdict.getBoolean("valid")).isFalse();
    assertThat(verdict.getBoolean("revoked")).isTrue();
    assertThat(verdict.getJsonArray("reasons")).containsExactly("revoked");

    HttpResponse<String> again = Http.post(url, "{}", Map.of("Authorization", fundCredential));
    CONTRACT.assertValid("revokeProof", again);
    assertThat(Http.json(again).getString("code")).isEqualTo("proof.already_revoked");
  }

  @Test
  void onlyTheHolderDownloadsAProofAgain() {
    JsonObject answer = issued(30);
    String url = gatewayUrl() + "/v1/proofs/" + answer.getString("serial");
    HttpResponse<String> mine = Http.get(url, IdentityTestBed.bearer(holderL3));
    CONTRACT.assertValid("getProof", mine);
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(Http.json(mine).getString("proof")).isEqualTo(answer.getString("proof"));

    HttpResponse<String> theirs = Http.get(url, IdentityTestBed.bearer(otherL3));
    CONTRACT.assertValid("getProof", theirs);
    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(Http.get(url).statusCode()).isEqualTo(401);
  }

  @Test
  void issuingNeedsL3AValidPurposeAndValidityAndAnOfferingRegion() {
    JsonObject good =
        new JsonObject().put("purpose", "落户").put("validDays", 30).put("region", "330100");
    HttpResponse<String> l2 = issue(holderL2, good);
    assertThat(l2.statusCode()).isEqualTo(403);
    assertThat(Http.json(l2).getString("code")).isEqualTo("identity.step_up_required");
    assertThat(issue(holderL3, good.copy().put("validDays", 91)).statusCode()).isEqualTo(400);
    assertThat(issue(holderL3, good.copy().put("validDays", 0)).statusCode()).isEqualTo(400);
    assertThat(issue(holderL3, good.copy().put("purpose", " ")).statusCode()).isEqualTo(400);
    assertThat(issue(holderL3, good.copy().put("purpose", "证".repeat(101))).statusCode())
        .isEqualTo(400);
    HttpResponse<String> chengdu =
        issue(holderL3, good.copy().put("region", SyntheticCitizens.CHENGDU));
    assertThat(chengdu.statusCode()).isEqualTo(404);
    assertThat(Http.json(chengdu).getString("code")).isEqualTo("service.not_offered");
    HttpResponse<String> nowhere = issue(holderL3, good.copy().put("region", "440300"));
    assertThat(Http.json(nowhere).getString("code")).isEqualTo("region.unknown");
  }
}
