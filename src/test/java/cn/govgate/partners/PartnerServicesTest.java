package cn.govgate.partners;

import static cn.govgate.partners.PartnerTestBed.answered;
import static cn.govgate.partners.PartnerTestBed.consent;
import static cn.govgate.partners.PartnerTestBed.partnerWithBothKeys;
import static cn.govgate.partners.PartnerTestBed.partnerWithRsaKey;
import static cn.govgate.partners.PartnerTestBed.post;
import static cn.govgate.partners.PartnerTestBed.q;
import static cn.govgate.partners.PartnerTestBed.twoCitizensAtL3;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.Masking;
import cn.govgate.partner.client.PartnerSigner;
import cn.govgate.partners.PartnerTestBed.BothKeys;
import cn.govgate.partners.PartnerTestBed.Call;
import cn.govgate.partners.PartnerTestBed.PartnerKey;
import cn.govgate.partners.PartnerTestBed.TwoCitizens;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partner API's services on real parts, beyond the account reads {@link PartnerApiTest} covers:
 * the contribution reads, traffic fines, proof issue and proof verify — partners and keys through
 * the admin API, consents granted at L3 through the citizen API, requests signed by the reference
 * client, department simulators behind the gateway, every answer checked against {@code
 * partner-api.yaml} and its signature verified independently, and each answer compared with what
 * the citizen's own session reads (the same service layer, so the same fields and nothing more).
 */
class PartnerServicesTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String FUND = "hz-gjj";

  private static GatewayTestBed bed;
  private static DepartmentSimulator traffic;
  private static JsonObject keySet;
  private static PartnerKey bank;
  private static PartnerKey bankSm2;
  private static PartnerKey other;
  private static PartnerKey readOnly;
  private static SyntheticCitizen driver;
  private static SyntheticCitizen bob;
  private static String driverL3;
  private static String bobL3;
  private static String consentId;

  @BeforeAll
  static void start() throws Exception {
    bed = new GatewayTestBed(60, 1213L, TestClock.frozenNow());
    PartnerTestBed.fundAndSocialSecurity(bed, "housing-fund.proof-data");
    traffic =
        bed.department("hz-jj", DepartmentFamily.TRAFFIC, HZ, "traffic.vehicles", "traffic.fines");
    TwoCitizens citizens = twoCitizensAtL3(bed, p -> !traffic.vehiclesOf(p).isEmpty());
    driver = citizens.first();
    driverL3 = citizens.firstL3();
    bob = citizens.other();
    bobL3 = citizens.otherL3();
    BothKeys bankP =
        partnerWithBothKeys(
            bed,
            "bank-p",
            "housing-fund.account",
            "social-security.account",
            "traffic.fines",
            "proofs.issue",
            "proofs.verify");
    bank = bankP.rsa();
    bankSm2 = bankP.sm2();
    other = partnerWithRsaKey(bed, "bank-q", "rsa-q", "proofs.issue", "proofs.verify");
    readOnly = partnerWithRsaKey(bed, "reader-co", "rsa-r", "housing-fund.account");
    consentId =
        PartnerTestBed.consentId(
            bed,
            driverL3,
            "bank-p",
            30,
            "housing-fund.account",
            "social-security.account",
            "traffic.fines",
            "proofs.issue");
    keySet = PartnerTestBed.keySet(bed);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  private static List<Map.Entry<String, String>> months(String consent) {
    YearMonth to = YearMonth.now(bed.clock.withZone(ZoneOffset.ofHours(8))).minusMonths(1);
    return q(
        "region",
        HZ,
        "from",
        to.minusMonths(11).toString(),
        "to",
        to.toString(),
        "consentId",
        consent);
  }

  /** The citizen's own answer through the citizen API (the same service layer). */
  private static JsonObject own(String operationId, String pathAndQuery, String token) {
    HttpResponse<String> r = bed.get(pathAndQuery, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    PartnerTestBed.CITIZEN.assertValid(operationId, r);
    return Http.json(r).getJsonObject("data");
  }

  private static String monthQuery() {
    YearMonth to = YearMonth.now(bed.clock.withZone(ZoneOffset.ofHours(8))).minusMonths(1);
    return "?region=" + HZ + "&from=" + to.minusMonths(11) + "&to=" + to;
  }

  private static JsonObject proofRequest(String consent) {
    return new JsonObject()
        .put("consentId", consent)
        .put("region", HZ)
        .put("purpose", "住房贷款审批")
        .put("validDays", 30);
  }

  private static void refused(String operationId, Call call, int status, String code) {
    PartnerTestBed.refused(keySet, operationId, call, status, code);
  }

  // ---------- the reads without a success test elsewhere ----------

  @Test
  void contributionsOfBothFamiliesAnswerUnderConsentWithTheCitizensOwnData() {
    for (PartnerKey key : List.of(bank, bankSm2)) {
      for (String family : List.of("social-security", "housing-fund")) {
        String operation =
            family.equals("social-security")
                ? "SocialSecurityContributions"
                : "HousingFundContributions";
        JsonObject answer =
            answered(
                keySet,
                "openGet" + operation,
                PartnerTestBed.get(
                    bed, key, "/open/v1/" + family + "/contributions", months(consentId)),
                200);
        assertThat(answer.getJsonObject("data"))
            .as(key.algorithm() + " " + family)
            .isEqualTo(
                own(
                    "get" + operation,
                    "/v1/" + family + "/contributions" + monthQuery(),
                    driverL3));
        assertThat(answer.getJsonObject("data").getJsonArray("months")).isNotEmpty();
      }
    }
  }

  @Test
  void trafficFinesOfTheConsentingCitizensOwnVehicleAnswerAndAnotherVehicleIsNotOwned() {
    Vehicle car = traffic.vehiclesOf(driver).get(0);
    JsonObject fines = answered(keySet, "openGetTrafficFines", fines(car), 200);
    JsonObject mine =
        own(
            "getTrafficFines",
            "/v1/traffic/fines?region="
                + HZ
                + "&plate="
                + PartnerTestBed.queryString(q("p", car.plate())).substring(3)
                + "&plateType="
                + car.plateType(),
            driverL3);
    assertThat(fines.getJsonObject("data")).isEqualTo(mine);
    assertThat(fines.getJsonObject("data").fieldNames())
        .containsExactlyInAnyOrder("plate", "plateType", "fines");
    // A vehicle that is not the consenting citizen's: the department's list decides, not the
    // partner.
    Vehicle foreign =
        bed.identity.people.stream()
            .filter(p -> p != driver && p.homeRegion().equals(HZ))
            .flatMap(p -> traffic.vehiclesOf(p).stream())
            .findFirst()
            .orElseThrow();
    refused("openGetTrafficFines", fines(foreign), 404, "traffic.vehicle_not_owned");
  }

  /** The bank's signed read of the fines of {@code car} under the driver's consent. */
  private static Call fines(Vehicle car) {
    return PartnerTestBed.get(
        bed,
        bank,
        "/open/v1/traffic/fines",
        q(
            "region",
            HZ,
            "plate",
            car.plate(),
            "plateType",
            car.plateType(),
            "consentId",
            consentId));
  }

  // ---------- proofs ----------

  @Test
  void aProofIsIssuedToTheConsentingCitizenVerifiesAndIsAuditedWithPartnerAndConsent()
      throws Exception {
    for (PartnerKey key : List.of(bank, bankSm2)) {
      JsonObject issued =
          answered(
              keySet,
              "openIssueHousingFundProof",
              post(bed, key, "/open/v1/housing-fund/proofs", proofRequest(consentId)),
              201);
      String proof = issued.getString("proof");
      // The holder is the citizen of the consent: the proof states their masked name and is theirs
      // to download.
      JsonObject claims =
          new JsonObject(
              new String(
                  Base64.getUrlDecoder().decode(proof.split("\\.")[1]), StandardCharsets.UTF_8));
      assertThat(claims.getJsonObject("holder").getString("name"))
          .isEqualTo(Masking.maskName(driver.name()));
      assertThat(claims.getJsonObject("issuer").getString("departmentId")).isEqualTo(FUND);
      assertThat(proof).doesNotContain(driver.idNumber());
      HttpResponse<String> download = bed.get("/v1/proofs/" + issued.getString("serial"), driverL3);
      assertThat(download.statusCode()).as(download.body()).isEqualTo(200);
      assertThat(Http.json(download).getString("proof")).isEqualTo(proof);
      assertThat(bed.get("/v1/proofs/" + issued.getString("serial"), bobL3).statusCode())
          .isEqualTo(404);
      // The public verify and the partner's verify agree.
      HttpResponse<String> publicVerdict =
          Http.send(
              "POST",
              bed.gateway.baseUrl() + "/v1/proofs/verify",
              new JsonObject().put("proof", proof).encode(),
              Map.of());
      assertThat(Http.json(publicVerdict).getBoolean("valid")).isTrue();
      JsonObject verdict =
          answered(
              keySet,
              "openVerifyProof",
              post(bed, other, "/open/v1/proofs/verify", new JsonObject().put("proof", proof)),
              200);
      assertThat(verdict.getBoolean("valid")).as(verdict.encode()).isTrue();
      assertThat(verdict.getString("serial")).isEqualTo(issued.getString("serial"));
    }
    List<Row> rows =
        PartnerTestBed.auditRows(
            bed,
            "SELECT actor_id, citizen_key, outcome, details FROM audit_log "
                + "WHERE action = 'certificates.issue' AND actor_type = 'partner'");
    assertThat(rows).isNotEmpty();
    assertThat(
            rows.stream()
                .anyMatch(
                    r ->
                        r.getString("actor_id").equals("bank-p")
                            && r.getString("citizen_key")
                                .equals(GatewayTestBed.citizenKey(driverL3))
                            && new JsonObject(r.getString("details"))
                                .getString("consentId")
                                .equals(consentId)
                            && new JsonObject(r.getString("details"))
                                .getString("partner")
                                .equals("bank-p")))
        .isTrue();
    for (Row r : rows) {
      assertThat(r.getString("details"))
          .doesNotContain(driver.idNumber())
          .doesNotContain(driver.name());
    }
  }

  @Test
  void verifyingNeedsNoConsentRefusesOneAndTellsATamperedProof() {
    String proof =
        post(bed, bank, "/open/v1/housing-fund/proofs", proofRequest(consentId))
            .json()
            .getString("proof");
    String[] parts = proof.split("\\.");
    String tampered =
        parts[0]
            + "."
            + parts[1].substring(0, parts[1].length() - 2)
            + (parts[1].endsWith("A") ? "B" : "A")
            + parts[1].substring(parts[1].length() - 1)
            + "."
            + parts[2];
    JsonObject verdict =
        answered(
            keySet,
            "openVerifyProof",
            post(bed, bank, "/open/v1/proofs/verify", new JsonObject().put("proof", tampered)),
            200);
    assertThat(verdict.getBoolean("valid")).isFalse();
    // Only the documented field: a consent id (or anything naming a citizen) is refused.
    Call withConsent =
        post(
            bed,
            bank,
            "/open/v1/proofs/verify",
            new JsonObject().put("proof", proof).put("consentId", consentId));
    refused("openVerifyProof", withConsent, 400, "request.invalid");
    assertThat(withConsent.json().getJsonObject("details").getJsonObject("fields").fieldNames())
        .containsExactly("consentId");
    refused(
        "openVerifyProof",
        post(bed, bank, "/open/v1/proofs/verify", new JsonObject().put("proof", 7)),
        400,
        "request.invalid");
  }

  @Test
  void theProofRoutesRefuseWithoutConsentAnotherPartnersConsentAScopeNotGrantedOrARevokedConsent() {
    // No consent.
    refused(
        "openIssueHousingFundProof",
        post(
            bed,
            bank,
            "/open/v1/housing-fund/proofs",
            proofRequest(consentId).put("consentId", null)),
        403,
        "consent.required");
    JsonObject noField = proofRequest(consentId);
    noField.remove("consentId");
    refused(
        "openIssueHousingFundProof",
        post(bed, bank, "/open/v1/housing-fund/proofs", noField),
        403,
        "consent.required");
    // Another partner's consent: bank-q holds the scope, the consent is bank-p's.
    refused(
        "openIssueHousingFundProof",
        post(bed, other, "/open/v1/housing-fund/proofs", proofRequest(consentId)),
        403,
        "consent.not_granted");
    // Scope not granted to the partner, on both routes.
    refused(
        "openIssueHousingFundProof",
        post(bed, readOnly, "/open/v1/housing-fund/proofs", proofRequest(consentId)),
        403,
        "partner.scope_denied");
    refused(
        "openVerifyProof",
        post(bed, readOnly, "/open/v1/proofs/verify", new JsonObject().put("proof", "a.b.c")),
        403,
        "partner.scope_denied");
    // A consent that does not cover proofs.issue.
    String housingOnly =
        consent(bed, driverL3, "bank-p", 7, "housing-fund.account").getString("consentId");
    refused(
        "openIssueHousingFundProof",
        post(bed, bank, "/open/v1/housing-fund/proofs", proofRequest(housingOnly)),
        403,
        "consent.scope_not_covered");
    // A revoked consent.
    String revoked = consent(bed, driverL3, "bank-p", 7, "proofs.issue").getString("consentId");
    answered(
        keySet,
        "openIssueHousingFundProof",
        post(bed, bank, "/open/v1/housing-fund/proofs", proofRequest(revoked)),
        201);
    HttpResponse<String> revoke =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/consents/" + revoked,
            null,
            Map.of("Authorization", "Bearer " + driverL3));
    assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(204);
    refused(
        "openIssueHousingFundProof",
        post(bed, bank, "/open/v1/housing-fund/proofs", proofRequest(revoked)),
        403,
        "consent.revoked");
    // The body is signed: one changed byte is refused before any consent is read.
    String body = proofRequest(consentId).encode();
    refused(
        "openIssueHousingFundProof",
        PartnerTestBed.send(
            bed.gateway.baseUrl(),
            bank,
            "POST",
            "/open/v1/housing-fund/proofs",
            List.of(),
            List.of(),
            body,
            body.replace("\"validDays\":30", "\"validDays\":90"),
            bed.clock.instant().getEpochSecond(),
            PartnerSigner.newNonce()),
        401,
        "partner.signature_invalid");
    // Undocumented fields and query parameters are refused like on every partner route.
    refused(
        "openIssueHousingFundProof",
        post(
            bed,
            bank,
            "/open/v1/housing-fund/proofs",
            proofRequest(consentId).put("idNumber", bob.idNumber())),
        400,
        "request.invalid");
  }
}
