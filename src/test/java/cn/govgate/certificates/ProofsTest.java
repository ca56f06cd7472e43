package cn.govgate.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.demo.SyntheticCitizen;
import cn.govgate.demo.SyntheticCitizens;
import cn.govgate.demo.departments.DepartmentFamily;
import cn.govgate.demo.departments.DepartmentSimulator;
import cn.govgate.demo.departments.DepartmentSimulatorOptions;
import cn.govgate.identity.IdNumber;
import cn.govgate.identity.Masking;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.ServiceSeams;
import cn.govgate.testing.SettableClock;
import cn.govgate.testing.TestGateways;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProofsTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HOLDER = "citizen-holder";
  private static final String OTHER = "citizen-other";
  private static final String FUND_TOKEN = "token-hz-gjj";

  private static Vertx vertx;
  private static DepartmentSimulator simulator;
  private static SettableClock clock;
  private static Gateway gateway;
  private static SyntheticCitizen holder;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(40, 2026L).stream()
        .filter(c -> c.homeRegion().equals(SyntheticCitizens.HANGZHOU)).toList();
    holder = citizens.get(0);
    simulator = DepartmentSimulator.start(vertx, DepartmentSimulatorOptions.create(DepartmentFamily.HOUSING_FUND,
        SyntheticCitizens.HANGZHOU, DepartmentProofSource.KEY_ID, DepartmentProofSource.SECRET, citizens))
        .await(30, TimeUnit.SECONDS);
    clock = new SettableClock(Instant.now());
    HousingFundProofSource source = new DepartmentProofSource(WebClient.create(vertx), simulator.baseUrl(),
        Map.of(HOLDER, holder, OTHER, citizens.get(1)));
    gateway = ServiceSeams.start(TestGateways.settings(), ServiceSeams.seams(clock, source));
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateways.stop(gateway);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> issue(String citizenKey, int level, JsonObject body) {
    HttpResponse<String> r = Http.post(gateway.baseUrl() + "/v1/housing-fund/proofs", body.encode(),
        ServiceSeams.caller(citizenKey, level));
    CONTRACT.assertValid("issueHousingFundProof", r);
    return r;
  }

  private static JsonObject issued(int validDays) {
    HttpResponse<String> r = issue(HOLDER, 3, new JsonObject().put("purpose", "办理个人住房贷款")
        .put("validDays", validDays).put("region", SyntheticCitizens.HANGZHOU));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static JsonObject verify(String proof) {
    HttpResponse<String> r = Http.post(gateway.baseUrl() + "/v1/proofs/verify", new JsonObject().put("proof", proof)
        .encode());
    CONTRACT.assertValid("verifyProof", r);
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r);
  }

  private static boolean independentlyVerified(String proof) throws Exception {
    HttpResponse<String> jwks = Http.get(gateway.baseUrl() + "/.well-known/jwks.json");
    CONTRACT.assertValid("getJwks", jwks);
    JWSObject jws = JWSObject.parse(proof);
    ECKey key = JWKSet.parse(jwks.body()).getKeyByKeyId(jws.getHeader().getKeyID()).toECKey();
    return jws.verify(new ECDSAVerifier(key));
  }

  @Test
  void issuedProofVerifiesWithAnIndependentVerifierAndTheJwks() throws Exception {
    JsonObject answer = issued(30);
    String proof = answer.getString("proof");
    assertThat(answer.getString("serial")).matches("GJJ-330100-\\d{4}-\\d{6}");
    assertThat(answer.getString("interactionId")).isNotBlank();
    assertThat(independentlyVerified(proof)).isTrue();

    JWSObject jws = JWSObject.parse(proof);
    assertThat(jws.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
    JsonObject claims = new JsonObject(jws.getPayload().toString());
    assertThat(claims.getString("serial")).isEqualTo(answer.getString("serial"));
    assertThat(claims.getString("type")).isEqualTo("housing_fund_deposit");
    assertThat(claims.getString("purpose")).isEqualTo("办理个人住房贷款");
    assertThat(claims.getJsonObject("holder").getString("name")).isEqualTo(Masking.maskName(holder.name()));
    assertThat(claims.getJsonObject("holder").getString("idNumber")).isEqualTo(IdNumber.mask(holder.idNumber()));
    assertThat(claims.getJsonObject("issuer").getString("departmentId")).isEqualTo(ServiceSeams.HZ_FUND);
    assertThat(claims.getJsonObject("data").getLong("balanceFen")).isNotNull();
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(Duration.ofDays(30).toSeconds());
    assertThat(proof).doesNotContain(holder.idNumber());
    assertThat(jws.getPayload().toString()).doesNotContain(holder.idNumber()).doesNotContain(holder.name());

    JsonObject verdict = verify(proof);
    assertThat(verdict.getBoolean("valid")).isTrue();
    assertThat(verdict.getJsonArray("reasons")).isEmpty();
    assertThat(verdict.getString("serial")).isEqualTo(answer.getString("serial"));
    assertThat(Instant.parse(verdict.getString("expiresAt"))).isEqualTo(Instant.parse(answer.getString("expiresAt")));
  }

  @Test
  void proofFailsVerificationAfterOneByteOfThePayloadChanges() throws Exception {
    String proof = issued(10).getString("proof");
    String[] parts = proof.split("\\.");
    byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
    String json = new String(payload, StandardCharsets.UTF_8);
    int at = json.indexOf("\"balanceFen\":") + "\"balanceFen\":".length();
    payload[at] = (byte) (payload[at] == '9' ? '8' : '9');
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "."
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
    String url = gateway.baseUrl() + "/admin/v1/departments/" + ServiceSeams.HZ_FUND + "/proofs/" + serial + "/revoke";
    HttpResponse<String> foreign = Http.post(gateway.baseUrl() + "/admin/v1/departments/" + ServiceSeams.HZ_SOCIAL
        + "/proofs/" + serial + "/revoke", "{}", ServiceSeams.department("token-hz-rsj"));
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(Http.post(url, "{}", ServiceSeams.department("token-hz-rsj")).statusCode()).isEqualTo(403);

    HttpResponse<String> revoked = Http.post(url, new JsonObject().put("reason", "申请人撤回").encode(),
        ServiceSeams.department(FUND_TOKEN));
    CONTRACT.assertValid("revokeProof", revoked);
    assertThat(revoked.statusCode()).isEqualTo(200);
    JsonObject verdict = verify(answer.getString("proof"));
    assertThat(verdict.getBoolean("valid")).isFalse();
    assertThat(verdict.getBoolean("revoked")).isTrue();
    assertThat(verdict.getJsonArray("reasons")).containsExactly("revoked");

    HttpResponse<String> again = Http.post(url, "{}", ServiceSeams.department(FUND_TOKEN));
    CONTRACT.assertValid("revokeProof", again);
    assertThat(Http.json(again).getString("code")).isEqualTo("proof.already_revoked");
  }

  @Test
  void onlyTheHolderDownloadsAProofAgain() {
    JsonObject answer = issued(30);
    String url = gateway.baseUrl() + "/v1/proofs/" + answer.getString("serial");
    HttpResponse<String> mine = Http.get(url, ServiceSeams.caller(HOLDER, 3));
    CONTRACT.assertValid("getProof", mine);
    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(Http.json(mine).getString("proof")).isEqualTo(answer.getString("proof"));

    HttpResponse<String> theirs = Http.get(url, ServiceSeams.caller(OTHER, 3));
    CONTRACT.assertValid("getProof", theirs);
    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(Http.get(url).statusCode()).isEqualTo(401);
  }

  @Test
  void issuingNeedsL3AValidPurposeAndValidityAndAnOfferingRegion() {
    JsonObject good = new JsonObject().put("purpose", "落户").put("validDays", 30).put("region", "330100");
    HttpResponse<String> l2 = issue(HOLDER, 2, good);
    assertThat(l2.statusCode()).isEqualTo(403);
    assertThat(Http.json(l2).getString("code")).isEqualTo("identity.step_up_required");
    assertThat(issue(HOLDER, 3, good.copy().put("validDays", 91)).statusCode()).isEqualTo(400);
    assertThat(issue(HOLDER, 3, good.copy().put("validDays", 0)).statusCode()).isEqualTo(400);
    assertThat(issue(HOLDER, 3, good.copy().put("purpose", " ")).statusCode()).isEqualTo(400);
    assertThat(issue(HOLDER, 3, good.copy().put("purpose", "证".repeat(101))).statusCode()).isEqualTo(400);
    HttpResponse<String> chengdu = issue(HOLDER, 3, good.copy().put("region", ServiceSeams.CHENGDU));
    assertThat(chengdu.statusCode()).isEqualTo(404);
    assertThat(Http.json(chengdu).getString("code")).isEqualTo("service.not_offered");
    HttpResponse<String> nowhere = issue(HOLDER, 3, good.copy().put("region", "440300"));
    assertThat(Http.json(nowhere).getString("code")).isEqualTo("region.unknown");
  }
}
