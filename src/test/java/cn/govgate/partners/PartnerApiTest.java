package cn.govgate.partners;

import static cn.govgate.partners.PartnerTestBed.addKey;
import static cn.govgate.partners.PartnerTestBed.admin;
import static cn.govgate.partners.PartnerTestBed.consentId;
import static cn.govgate.partners.PartnerTestBed.partnerWithBothKeys;
import static cn.govgate.partners.PartnerTestBed.partnerWithRsaKey;
import static cn.govgate.partners.PartnerTestBed.q;
import static cn.govgate.partners.PartnerTestBed.registerPartner;
import static cn.govgate.partners.PartnerTestBed.send;
import static cn.govgate.partners.PartnerTestBed.twoCitizensAtL3;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.partner.client.Algorithm;
import cn.govgate.partner.client.Keys;
import cn.govgate.partner.client.PartnerSigner;
import cn.govgate.partner.client.ResponseVerifier;
import cn.govgate.partners.PartnerTestBed.BothKeys;
import cn.govgate.partners.PartnerTestBed.Call;
import cn.govgate.partners.PartnerTestBed.PartnerKey;
import cn.govgate.partners.PartnerTestBed.TwoCitizens;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partner API end to end on real parts: partners and keys registered through the admin API,
 * consents granted by citizens at L3 through the citizen API, requests signed by the reference
 * client (RSA2 and SM2), department simulators behind the gateway, a second gateway instance on the
 * same database, and every answer's signature checked by an independent verifier (JDK {@link
 * Signature} for RSA, Bouncy Castle's {@link SM2Signer} for SM2). The gateway's clock is frozen and
 * moved by hand (signature window, quotas, consent expiry).
 */
class PartnerApiTest {
  private static final ApiContract API = ApiContract.of("partner-api.yaml");
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static GatewayTestBed bed;
  private static Gateway second;
  private static DepartmentSimulator utilities;
  private static PartnerKey rsa;
  private static PartnerKey sm2;
  private static PartnerKey bankB;
  private static SyntheticCitizen alice;
  private static SyntheticCitizen bob;
  private static String aliceL3;
  private static String bobL3;
  private static String aliceConsent;
  private static JsonObject keySet;

  @BeforeAll
  static void start() throws Exception {
    bed = new GatewayTestBed(60, 1212L, TestClock.frozenNow());
    PartnerTestBed.fundAndSocialSecurity(bed);
    utilities = bed.department("hz-water", DepartmentFamily.UTILITIES, HZ, "utilities.bill");
    TwoCitizens citizens = twoCitizensAtL3(bed, p -> !utilities.accountsOf(p).isEmpty());
    alice = citizens.first();
    aliceL3 = citizens.firstL3();
    bob = citizens.other();
    bobL3 = citizens.otherL3();
    String[] scopes = {"housing-fund.account", "social-security.account", "utilities.bill"};
    BothKeys bankA = partnerWithBothKeys(bed, "bank-a", scopes);
    rsa = bankA.rsa();
    sm2 = bankA.sm2();
    bankB = partnerWithRsaKey(bed, "bank-b", "rsa-b", "housing-fund.account");
    aliceConsent = consentId(bed, aliceL3, "bank-a", 30, scopes);
    keySet = PartnerTestBed.keySet(bed);
    second =
        Gateway.start(GovgateConfig.from(ConfigValues.of(bed.settings)), bed.clock)
            .await(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateways.stop(second);
    if (bed != null) bed.close();
  }

  private static List<Map.Entry<String, String>> account(String consentId) {
    return q("region", HZ, "consentId", consentId);
  }

  /** A consent request of one scope for a day. */
  private static JsonObject grantOf(String appId, String scope) {
    return new JsonObject()
        .put("appId", appId)
        .put("scopes", new io.vertx.core.json.JsonArray().add(scope))
        .put("purpose", "x")
        .put("days", 1);
  }

  private static Call read(PartnerKey key, String consentId) {
    return onInstance(bed.gateway.baseUrl(), key, consentId);
  }

  private static long now() {
    return bed.clock.instant().getEpochSecond();
  }

  private static void refused(String operationId, Call call, int status, String code) {
    PartnerTestBed.refused(keySet, operationId, call, status, code);
  }

  static boolean verifiesIndependently(HttpResponse<String> response, String requestNonce) {
    return PartnerTestBed.verifiesIndependently(keySet, response, requestNonce);
  }

  static boolean verifies(String header, int status, String requestNonce, byte[] body) {
    return PartnerTestBed.verifies(keySet, header, status, requestNonce, body);
  }

  // ---------- reading under consent ----------

  @Test
  void bothAlgorithmsReadTheConsentingCitizensHousingFundAccountAndTheSignedAnswerVerifies() {
    HttpResponse<String> own = bed.get("/v1/housing-fund/account?region=" + HZ, aliceL3);
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    for (PartnerKey key : List.of(rsa, sm2)) {
      Call call = read(key, aliceConsent);
      assertThat(call.status()).as(key.algorithm() + ": " + call.response().body()).isEqualTo(200);
      API.assertValid("openGetHousingFundAccount", call.response());
      assertThat(call.json().getJsonObject("data")).isEqualTo(Http.json(own).getJsonObject("data"));
      String header = call.response().headers().firstValue("X-Govgate-Signature").orElseThrow();
      assertThat(header).startsWith(key.algorithm().scheme() + " ");
      assertThat(verifiesIndependently(call.response(), call.nonce())).isTrue();
      byte[] tampered =
          call.response()
              .body()
              .replaceFirst("\"balanceFen\":", "\"balanceFen\":1")
              .getBytes(StandardCharsets.UTF_8);
      assertThat(verifies(header, 200, call.nonce(), tampered)).as("tampered body").isFalse();
      assertThat(
              verifies(
                  header,
                  201,
                  call.nonce(),
                  call.response().body().getBytes(StandardCharsets.UTF_8)))
          .as("another status")
          .isFalse();
      // The reference client's verifier agrees.
      List<ResponseVerifier.GatewayKey> published =
          keySet.getJsonArray("keys").stream()
              .map(JsonObject.class::cast)
              .map(
                  k ->
                      new ResponseVerifier.GatewayKey(
                          k.getString("keyId"),
                          Algorithm.valueOf(k.getString("algorithm")),
                          Keys.publicKey(
                              Algorithm.valueOf(k.getString("algorithm")),
                              k.getString("publicKey"))))
              .toList();
      assertThat(
              new ResponseVerifier(published)
                  .verify(
                      header,
                      200,
                      call.nonce(),
                      call.response().body().getBytes(StandardCharsets.UTF_8)))
          .isTrue();
    }
  }

  @Test
  void theOtherServicesAnswerThroughTheSameServiceLayer() {
    Call social =
        PartnerTestBed.get(bed, rsa, "/open/v1/social-security/account", account(aliceConsent));
    assertThat(social.status()).as(social.response().body()).isEqualTo(200);
    API.assertValid("openGetSocialSecurityAccount", social.response());
    HttpResponse<String> own = bed.get("/v1/social-security/account?region=" + HZ, aliceL3);
    assertThat(social.json().getJsonObject("data")).isEqualTo(Http.json(own).getJsonObject("data"));
    HouseholdAccount household = utilities.accountsOf(alice).get(0);
    Call bill =
        PartnerTestBed.get(
            bed,
            sm2,
            "/open/v1/utilities/bill",
            q(
                "region",
                HZ,
                "utilityType",
                household.utilityType(),
                "accountNo",
                household.accountNo(),
                "consentId",
                aliceConsent));
    assertThat(bill.status()).as(bill.response().body()).isEqualTo(200);
    API.assertValid("openGetUtilityBill", bill.response());
    // Same parameter checks as the citizen API.
    Call invalid =
        PartnerTestBed.get(
            bed,
            rsa,
            "/open/v1/housing-fund/contributions",
            q("region", HZ, "from", "2026-13", "to", "2026-01", "consentId", aliceConsent));
    refused("openGetHousingFundContributions", invalid, 400, "request.invalid");
  }

  @Test
  void queryParametersSentInAnotherOrderStillVerify() {
    Call call =
        send(
            bed.gateway.baseUrl(),
            rsa,
            "GET",
            "/open/v1/housing-fund/account",
            q("region", HZ, "consentId", aliceConsent),
            q("consentId", aliceConsent, "region", HZ),
            now(),
            PartnerSigner.newNonce());
    assertThat(call.status()).as(call.response().body()).isEqualTo(200);
  }

  // ---------- every refusal of the signature ----------

  @Test
  void aMissingOrMalformedHeaderIsRefused() {
    HttpResponse<String> none =
        Http.get(
            bed.gateway.baseUrl()
                + "/open/v1/housing-fund/account?region="
                + HZ
                + "&consentId="
                + aliceConsent);
    refused("openGetHousingFundAccount", new Call(null, none), 401, "partner.signature_missing");
    for (String header :
        List.of(
            "GOVGATE-RSA2 appid=\"bank-a\"",
            "GOVGATE-RSA2 appid=\"bank-a\",keyid=\"rsa-1\",timestamp=\"1\",nonce=\"short\",signature=\"AAAA\"",
            "GOVGATE-RSA2 appid=\"bank-a\",appid=\"bank-a\",keyid=\"rsa-1\",timestamp=\"1\",nonce=\"abcdefghijklmnop\"",
            "GOVGATE-MD5 appid=\"bank-a\",keyid=\"rsa-1\",timestamp=\"1\",nonce=\"abcdefghijklmnop\",signature=\"AAAA\"")) {
      HttpResponse<String> r =
          Http.get(
              bed.gateway.baseUrl()
                  + "/open/v1/housing-fund/account?region="
                  + HZ
                  + "&consentId="
                  + aliceConsent,
              Map.of("Authorization", header));
      assertThat(r.statusCode()).as(header + " " + r.body()).isEqualTo(401);
      assertThat(Http.json(r).getString("code"))
          .as(header)
          .isEqualTo("partner.signature_malformed");
      assertThat(r.headers().firstValue("X-Govgate-Signature")).isPresent();
    }
  }

  @Test
  void anUnknownAppOrKeyIsRefused() {
    PartnerKey stranger = PartnerTestBed.signingAs("nobody", "k", rsa.pair().getPrivate());
    refused("openGetHousingFundAccount", read(stranger, aliceConsent), 401, "partner.unknown_app");
    PartnerKey unknownKey = PartnerTestBed.signingAs("bank-a", "rsa-404", rsa.pair().getPrivate());
    refused(
        "openGetHousingFundAccount", read(unknownKey, aliceConsent), 401, "partner.unknown_app");
    PartnerKey wrongScheme = PartnerTestBed.signingAs("bank-a", "sm2-1", rsa.pair().getPrivate());
    refused(
        "openGetHousingFundAccount",
        read(wrongScheme, aliceConsent),
        401,
        "partner.algorithm_mismatch");
  }

  @Test
  void aSignatureOverAnythingElseIsRefused() {
    // Another query than the one signed.
    refused(
        "openGetHousingFundAccount",
        send(
            bed.gateway.baseUrl(),
            rsa,
            "GET",
            "/open/v1/housing-fund/account",
            account(aliceConsent),
            q("region", "330101", "consentId", aliceConsent),
            now(),
            PartnerSigner.newNonce()),
        401,
        "partner.signature_invalid");
    // A body changed by one byte.
    refused(
        "openGetHousingFundAccount",
        send(
            bed.gateway.baseUrl(),
            sm2,
            "GET",
            "/open/v1/housing-fund/account",
            account(aliceConsent),
            account(aliceConsent),
            "{\"a\":1}",
            "{\"a\":2}",
            now(),
            PartnerSigner.newNonce()),
        401,
        "partner.signature_invalid");
    // Another key's signature.
    PartnerKey forged =
        PartnerTestBed.signingAs("bank-a", "rsa-1", Keys.generate(Algorithm.RSA2).getPrivate());
    refused(
        "openGetHousingFundAccount", read(forged, aliceConsent), 401, "partner.signature_invalid");
  }

  @Test
  void theTimestampWindowIsPlusOrMinus300Seconds() {
    for (long offset : List.of(-299L, 299L)) {
      Call ok =
          readOn(
              bed.gateway.baseUrl(), rsa, aliceConsent, now() + offset, PartnerSigner.newNonce());
      assertThat(ok.status()).as(offset + ": " + ok.response().body()).isEqualTo(200);
    }
    for (long offset : List.of(-301L, 301L)) {
      Call late =
          readOn(
              bed.gateway.baseUrl(), rsa, aliceConsent, now() + offset, PartnerSigner.newNonce());
      refused("openGetHousingFundAccount", late, 401, "partner.timestamp_out_of_window");
      assertThat(late.json().getJsonObject("details").getLong("serverTime")).isEqualTo(now());
    }
  }

  @Test
  void aNonceIsRefusedASecondTimeOnTheSameAndOnAnotherInstance() {
    String nonce = PartnerSigner.newNonce();
    long ts = now();
    Call first = readOn(bed.gateway.baseUrl(), rsa, aliceConsent, ts, nonce);
    assertThat(first.status()).as(first.response().body()).isEqualTo(200);
    refused(
        "openGetHousingFundAccount",
        readOn(bed.gateway.baseUrl(), rsa, aliceConsent, ts, nonce),
        401,
        "partner.nonce_replayed");
    refused(
        "openGetHousingFundAccount",
        readOn(second.baseUrl(), rsa, aliceConsent, ts, nonce),
        401,
        "partner.nonce_replayed");
    Call fresh = readOn(second.baseUrl(), rsa, aliceConsent, ts, PartnerSigner.newNonce());
    assertThat(fresh.status()).as(fresh.response().body()).isEqualTo(200);
    // Purging keeps nonces of the window.
    GatewayTestBed.await(bed.gateway.partners().purge());
    refused(
        "openGetHousingFundAccount",
        readOn(bed.gateway.baseUrl(), rsa, aliceConsent, ts, nonce),
        401,
        "partner.nonce_replayed");
  }

  @Test
  void aRotatedKeyVerifiesUntilRevokedAndARevocationReachesEveryInstance() {
    registerPartner(bed, "rotating-co", 100, 10_000, "housing-fund.account");
    PartnerKey old = addKey(bed, "rotating-co", "2026-a", Algorithm.RSA2);
    String consentId = consentId(bed, aliceL3, "rotating-co", 7, "housing-fund.account");
    assertThat(read(old, consentId).status()).isEqualTo(200);
    PartnerKey next = addKey(bed, "rotating-co", "2026-b", Algorithm.SM2);
    assertThat(read(old, consentId).status()).isEqualTo(200);
    assertThat(read(next, consentId).status()).isEqualTo(200);
    HttpResponse<String> revoked = admin(bed, "DELETE", "/partners/rotating-co/keys/2026-a", null);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    PartnerTestBed.ADMIN.assertValid("revokePartnerKey", revoked);
    // No reload by hand: both instances hear the NOTIFY.
    RegistryFixture.waitFor(
        () ->
            "partner.key_revoked".equals(read(old, consentId).code())
                && "partner.key_revoked"
                    .equals(onInstance(second.baseUrl(), old, consentId).code()),
        Duration.ofSeconds(2));
    assertThat(read(next, consentId).status()).isEqualTo(200);
    HttpResponse<String> versions = admin(bed, "GET", "/partners/rotating-co/versions", null);
    PartnerTestBed.ADMIN.assertValid("listPartnerVersions", versions);
    assertThat(
            Http.json(versions).getJsonArray("versions").stream()
                .map(v -> ((JsonObject) v).getString("change")))
        .containsExactly("created", "key_added:2026-a", "key_added:2026-b", "key_revoked:2026-a");
  }

  @Test
  void aSuspendedPartnerIsRefusedOnEveryInstanceUntilActivated() {
    registerPartner(bed, "paused-co", 100, 10_000, "housing-fund.account");
    PartnerKey key = addKey(bed, "paused-co", "k1", Algorithm.RSA2);
    String consentId = consentId(bed, aliceL3, "paused-co", 7, "housing-fund.account");
    assertThat(read(key, consentId).status()).isEqualTo(200);
    HttpResponse<String> suspended = admin(bed, "POST", "/partners/paused-co/suspend", null);
    assertThat(suspended.statusCode()).isEqualTo(200);
    PartnerTestBed.ADMIN.assertValid("suspendPartner", suspended);
    RegistryFixture.waitFor(
        () ->
            "partner.unknown_app".equals(read(key, consentId).code())
                && "partner.unknown_app"
                    .equals(onInstance(second.baseUrl(), key, consentId).code()),
        Duration.ofSeconds(2));
    assertThat(admin(bed, "POST", "/partners/paused-co/activate", null).statusCode())
        .isEqualTo(200);
    RegistryFixture.waitFor(() -> read(key, consentId).status() == 200, Duration.ofSeconds(2));
  }

  @Test
  void theOperatorsRegisterRefusesBadSettingsAndKeys() {
    HttpResponse<String> weak =
        admin(
            bed,
            "POST",
            "/partners/bank-a/keys",
            new JsonObject()
                .put("keyId", "weak")
                .put("algorithm", "RSA2")
                .put("publicKey", "bm90IGEga2V5"));
    assertThat(weak.statusCode()).as(weak.body()).isEqualTo(400);
    PartnerTestBed.ADMIN.assertValid("addPartnerKey", weak);
    assertThat(
            Http.json(weak)
                .getJsonObject("details")
                .getJsonObject("fields")
                .containsKey("publicKey"))
        .isTrue();
    HttpResponse<String> sm2AsRsa =
        admin(
            bed,
            "POST",
            "/partners/bank-a/keys",
            new JsonObject()
                .put("keyId", "x")
                .put("algorithm", "RSA2")
                .put("publicKey", Keys.spki(sm2.pair().getPublic())));
    assertThat(sm2AsRsa.statusCode()).as(sm2AsRsa.body()).isEqualTo(400);
    HttpResponse<String> again =
        admin(
            bed,
            "POST",
            "/partners/bank-a/keys",
            new JsonObject()
                .put("keyId", "rsa-1")
                .put("algorithm", "RSA2")
                .put("publicKey", Keys.spki(rsa.pair().getPublic())));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    assertThat(Http.json(again).getString("code")).isEqualTo("partner.key_exists");
    HttpResponse<String> bad =
        admin(
            bed,
            "POST",
            "/partners",
            new JsonObject()
                .put("appId", "X")
                .put("scopes", new io.vertx.core.json.JsonArray().add("everything")));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Http.json(bad).getJsonObject("details").getJsonObject("fields").fieldNames())
        .contains("appId", "name", "scopes[0]", "quota.perSecond", "quota.perDay", "callbackUrl");
    HttpResponse<String> unknown = admin(bed, "GET", "/partners/no-such", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    PartnerTestBed.ADMIN.assertValid("getPartner", unknown);
    HttpResponse<String> noOperator = Http.get(bed.gateway.baseUrl() + "/admin/v1/partners/bank-a");
    assertThat(noOperator.statusCode()).isEqualTo(401);
  }

  @Test
  void aConsentIsGrantedOnlyAtL3ForAnActivePartnersOfferedScopes() {
    HttpResponse<String> l2 =
        bed.post(
            "/v1/consents",
            grantOf("bank-a", "housing-fund.account"),
            bed.l2(bed.identity.people.get(5)));
    assertThat(l2.statusCode()).as(l2.body()).isEqualTo(403);
    HttpResponse<String> notOffered =
        bed.post("/v1/consents", grantOf("bank-b", "social-security.account"), aliceL3);
    assertThat(notOffered.statusCode()).as(notOffered.body()).isEqualTo(422);
    PartnerTestBed.CITIZEN.assertValid("grantConsent", notOffered);
    assertThat(Http.json(notOffered).getString("code")).isEqualTo("consent.scope_not_offered");
    HttpResponse<String> noPartner =
        bed.post("/v1/consents", grantOf("nobody", "housing-fund.account"), aliceL3);
    assertThat(Http.json(noPartner).getString("code")).isEqualTo("consent.partner_unknown");
    HttpResponse<String> invalid =
        bed.post(
            "/v1/consents",
            new JsonObject()
                .put("appId", "bank-a")
                .put("scopes", new io.vertx.core.json.JsonArray())
                .put("days", 400),
            aliceL3);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(Http.json(invalid).getJsonObject("details").getJsonObject("fields").fieldNames())
        .contains("scopes", "purpose", "days");
  }

  // ---------- scope and consent ----------

  @Test
  void aScopeNotGrantedIsRefused() {
    String consentId = consentId(bed, aliceL3, "bank-b", 7, "housing-fund.account");
    refused(
        "openGetSocialSecurityAccount",
        PartnerTestBed.get(bed, bankB, "/open/v1/social-security/account", account(consentId)),
        403,
        "partner.scope_denied");
  }

  @Test
  void aConsentMissingUnknownOrAnotherPartnersIsRefused() {
    refused(
        "openGetHousingFundAccount",
        PartnerTestBed.get(bed, rsa, "/open/v1/housing-fund/account", q("region", HZ)),
        403,
        "consent.required");
    refused(
        "openGetHousingFundAccount",
        read(rsa, "cst_0000000000000000000000"),
        403,
        "consent.not_granted");
    refused("openGetHousingFundAccount", read(bankB, aliceConsent), 403, "consent.not_granted");
  }

  @Test
  void aConsentNotCoveringTheScopeIsRefused() {
    String housingOnly = consentId(bed, aliceL3, "bank-a", 7, "housing-fund.account");
    refused(
        "openGetSocialSecurityAccount",
        PartnerTestBed.get(bed, rsa, "/open/v1/social-security/account", account(housingOnly)),
        403,
        "consent.scope_not_covered");
  }

  @Test
  void aRevokedConsentIsRefusedAtOnceOnEveryInstance() {
    String consentId = consentId(bed, aliceL3, "bank-a", 7, "housing-fund.account");
    assertThat(read(rsa, consentId).status()).isEqualTo(200);
    HttpResponse<String> foreign =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/consents/" + consentId,
            null,
            Map.of("Authorization", "Bearer " + bobL3));
    assertThat(foreign.statusCode()).as("another citizen cannot revoke it").isEqualTo(404);
    HttpResponse<String> revoked =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/consents/" + consentId,
            null,
            Map.of("Authorization", "Bearer " + aliceL3));
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(204);
    PartnerTestBed.CITIZEN.assertValid("revokeConsent", revoked);
    PartnerTestBed.CITIZEN.assertValid("revokeConsent", foreign);
    refused("openGetHousingFundAccount", read(rsa, consentId), 403, "consent.revoked");
    refused(
        "openGetHousingFundAccount",
        onInstance(second.baseUrl(), rsa, consentId),
        403,
        "consent.revoked");
    PartnerTestBed.CITIZEN.assertValid("listConsents", bed.get("/v1/consents", aliceL3));
    JsonObject listed =
        Http.json(bed.get("/v1/consents", aliceL3)).getJsonArray("consents").stream()
            .map(JsonObject.class::cast)
            .filter(c -> c.getString("consentId").equals(consentId))
            .findFirst()
            .orElseThrow();
    assertThat(listed.getString("status")).isEqualTo("revoked");
  }

  @Test
  void anExpiredConsentIsRefused() {
    String consentId = consentId(bed, aliceL3, "bank-a", 1, "housing-fund.account");
    assertThat(read(rsa, consentId).status()).isEqualTo(200);
    bed.clock.advance(Duration.ofDays(1));
    refused("openGetHousingFundAccount", read(rsa, consentId), 403, "consent.expired");
  }

  @Test
  void aPartnerReachesOnlyTheCitizenOfTheConsentThroughAnyParameter() {
    JsonObject bobsOwn =
        Http.json(bed.get("/v1/housing-fund/account?region=" + HZ, bobL3)).getJsonObject("data");
    JsonObject alicesOwn =
        Http.json(bed.get("/v1/housing-fund/account?region=" + HZ, aliceL3)).getJsonObject("data");
    assertThat(bobsOwn.getString("accountNo")).isNotEqualTo(alicesOwn.getString("accountNo"));
    for (String param : List.of("idNumber", "citizenKey", "name", "accountNo")) {
      Call call =
          PartnerTestBed.get(
              bed,
              rsa,
              "/open/v1/housing-fund/account",
              q(
                  "region",
                  HZ,
                  "consentId",
                  aliceConsent,
                  param,
                  param.equals("idNumber") ? bob.idNumber() : "x"));
      refused("openGetHousingFundAccount", call, 400, "request.invalid");
      assertThat(call.json().getJsonObject("details").getJsonObject("fields").containsKey(param))
          .isTrue();
    }
    Call repeated =
        PartnerTestBed.get(
            bed,
            rsa,
            "/open/v1/housing-fund/account",
            q("region", HZ, "consentId", aliceConsent, "consentId", "cst_0000000000000000000000"));
    refused("openGetHousingFundAccount", repeated, 400, "request.invalid");
    Call alices = read(rsa, aliceConsent);
    assertThat(alices.json().getJsonObject("data").getString("accountNo"))
        .isEqualTo(alicesOwn.getString("accountNo"));
  }

  // ---------- the README's shell recipe ----------

  @Test
  void theReadmeShellRecipeSignsWithOpensslAndReadsTheAccount() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    Matcher block =
        Pattern.compile("```sh\n(GW=http://127\\.0\\.0\\.1:8080 APP_ID=.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("the recipe in README.md").isTrue();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("recipe");
    java.nio.file.Path pem = dir.resolve("partner-private.pem");
    java.nio.file.Files.createFile(
        pem,
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    java.nio.file.Files.writeString(pem, Keys.pkcs8Pem(rsa.pair().getPrivate()));
    String recipe =
        block
            .group(1)
            .replace("GW=http://127.0.0.1:8080", "GW=" + bed.gateway.baseUrl())
            .replace("APP_ID=bank-demo", "APP_ID=bank-a")
            .replace("KEY_ID=rsa-1", "KEY_ID=rsa-1")
            .replace("KEY=partner-private.pem", "KEY=" + pem)
            .replace("CONSENT=cst_...", "CONSENT=" + aliceConsent)
            // The gateway's clock is the test's (frozen, moved by other tests); the recipe's other
            // commands run as written.
            .replace("$(date +%s)", String.valueOf(now()));
    Process bash = new ProcessBuilder("bash", "-euc", recipe).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor()).as(out).isZero();
    assertThat(out).as(out).startsWith("HTTP/1.1 200");
    String body = out.substring(out.indexOf("\r\n\r\n") + 4);
    assertThat(new JsonObject(body).getJsonObject("data").getString("accountNo")).isNotBlank();
    assertThat(out).contains("X-Govgate-Signature: GOVGATE-RSA2 ");
  }

  // ---------- quotas, audit, metrics ----------

  @Test
  void quotasHoldAcrossTwoInstances() {
    registerPartner(bed, "quota-co", 2, 5, "housing-fund.account");
    PartnerKey key = addKey(bed, "quota-co", "k1", Algorithm.RSA2);
    GatewayTestBed.await(second.partners().reload());
    String consentId = consentId(bed, aliceL3, "quota-co", 7, "housing-fund.account");
    List<String> base = List.of(bed.gateway.baseUrl(), second.baseUrl());
    // The clock is frozen: one second. Two requests pass, on either instance; the third is refused.
    assertThat(onInstance(base.get(0), key, consentId).status()).isEqualTo(200);
    assertThat(onInstance(base.get(1), key, consentId).status()).isEqualTo(200);
    Call third = onInstance(base.get(0), key, consentId);
    refused("openGetHousingFundAccount", third, 429, "partner.quota_exceeded");
    assertThat(third.json().getJsonObject("details").getString("quota")).isEqualTo("second");
    assertThat(third.response().headers().firstValue("Retry-After")).hasValue("1");
    // Next seconds: the day's five are spent after three more, whichever instance serves them.
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      bed.clock.advance(Duration.ofSeconds(1));
      statuses.add(onInstance(base.get(i % 2), key, consentId).status());
    }
    assertThat(statuses).containsExactly(200, 200, 200, 429);
    Call spent = onInstance(base.get(1), key, consentId);
    assertThat(spent.json().getJsonObject("details").getString("quota")).isEqualTo("day");
    assertThat(Integer.parseInt(spent.response().headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1, 86_400);
  }

  @Test
  void aLargerQuotaIsLeasedInChunksAndTheInstancesTogetherNeverExceedIt() throws Exception {
    // 64 per second: each instance leases 4 at a time from PostgreSQL and admits from its lease.
    registerPartner(bed, "lease-co", 64, 10_000, "housing-fund.account");
    PartnerKey key = addKey(bed, "lease-co", "k1", Algorithm.RSA2);
    GatewayTestBed.await(second.partners().reload());
    String consentId = consentId(bed, aliceL3, "lease-co", 7, "housing-fund.account");
    List<String> base = List.of(bed.gateway.baseUrl(), second.baseUrl());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 72; i++) statuses.add(onInstance(base.get(i % 2), key, consentId).status());
    assertThat(statuses.subList(0, 64)).containsOnly(200);
    assertThat(statuses.subList(64, 72)).containsOnly(429);
    Row usage =
        bed.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT used FROM partner_usage WHERE app_id = 'lease-co' AND window_kind = 's'")
            .execute(Tuple.tuple())
            .await(10, TimeUnit.SECONDS)
            .iterator()
            .next();
    assertThat(usage.getInteger("used"))
        .as("leases asked for: 16 granted chunks of 4, then refusals")
        .isBetween(64, 64 + 8 * 4);
    bed.clock.advance(Duration.ofSeconds(1));
    assertThat(onInstance(base.get(1), key, consentId).status()).isEqualTo(200);
  }

  /** A signed read of the housing-fund account on an instance, now, with a fresh nonce. */
  private static Call onInstance(String baseUrl, PartnerKey key, String consentId) {
    return readOn(baseUrl, key, consentId, now(), PartnerSigner.newNonce());
  }

  /** A signed read of the housing-fund account on an instance, at a timestamp, with a nonce. */
  private static Call readOn(
      String baseUrl, PartnerKey key, String consentId, long timestamp, String nonce) {
    return send(
        baseUrl,
        key,
        "GET",
        "/open/v1/housing-fund/account",
        account(consentId),
        account(consentId),
        timestamp,
        nonce);
  }

  @Test
  void everyReadIsAuditedWithThePartnerAndTheConsent() throws Exception {
    Call call = read(sm2, aliceConsent);
    assertThat(call.status()).isEqualTo(200);
    String aliceKey = GatewayTestBed.citizenKey(aliceL3);
    List<Row> rows =
        PartnerTestBed.auditRows(
            bed,
            "SELECT actor_type, actor_id, citizen_key, outcome, details "
                + "FROM audit_log WHERE action = 'housing_fund.account.read' AND actor_type = 'partner'");
    assertThat(rows).isNotEmpty();
    for (Row r : rows) {
      assertThat(r.getString("actor_id"))
          .isIn("bank-a", "rotating-co", "paused-co", "quota-co", "lease-co", "bank-b");
      JsonObject details = new JsonObject(r.getString("details"));
      assertThat(details.getString("partner")).isEqualTo(r.getString("actor_id"));
      assertThat(details.getString("consentId")).startsWith("cst_");
      assertThat(r.getString("details"))
          .doesNotContain(alice.idNumber())
          .doesNotContain(alice.name());
    }
    assertThat(
            rows.stream()
                .anyMatch(
                    r ->
                        r.getString("citizen_key").equals(aliceKey)
                            && "bank-a".equals(r.getString("actor_id"))
                            && r.getString("details").contains(aliceConsent)))
        .isTrue();
  }

  @Test
  void partnerRequestsAreCountedByPartnerAndOutcome() {
    read(rsa, aliceConsent);
    read(rsa, "cst_1111111111111111111111");
    String metrics = Http.get(bed.gateway.opsUrl() + "/metrics").body();
    assertThat(metrics)
        .containsPattern("govgate_partner_requests_total\\{outcome=\"ok\",partner=\"bank-a\"}");
    assertThat(metrics)
        .containsPattern(
            "govgate_partner_requests_total\\{outcome=\"consent.not_granted\",partner=\"bank-a\"}");
  }
}
