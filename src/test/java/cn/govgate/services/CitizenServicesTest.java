package cn.govgate.services;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdentityTestBed;
import cn.govgate.identity.Masking;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The citizen service endpoints end to end: channel simulators → session → assurance gate →
 * department simulators registered through the admin API → answer, with embedded PostgreSQL; every
 * response checked against {@code gateway-api.yaml}.
 */
class CitizenServicesTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String CD = SyntheticCitizens.CHENGDU;
  private static final String HZ_FUND = "hz-gjj";

  /**
   * A vehicle-lookup limit other than the default, so that the test shows the setting is honoured.
   */
  private static final int VEHICLE_LOOKUP_LIMIT = 5;

  private static GatewayTestBed bed;
  private static DepartmentSimulator traffic;
  private static DepartmentSimulator utilities;
  private static DepartmentSimulator chengduSocial;
  private static List<SyntheticCitizen> drivers;
  private static List<SyntheticCitizen> hangzhou;
  private static List<SyntheticCitizen> chengdu;
  private static int next;

  @BeforeAll
  static void start() throws Exception {
    bed =
        new GatewayTestBed(
            80,
            6006L,
            TestClock.running(),
            "services.vehicleLookupLimit",
            String.valueOf(VEHICLE_LOOKUP_LIMIT));
    bed.department(
        "hz-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        HZ,
        "social-security.account",
        "social-security.contributions");
    bed.department(
        HZ_FUND,
        DepartmentFamily.HOUSING_FUND,
        HZ,
        "housing-fund.account",
        "housing-fund.contributions",
        "housing-fund.proof-data");
    traffic =
        bed.department("hz-jj", DepartmentFamily.TRAFFIC, HZ, "traffic.vehicles", "traffic.fines");
    utilities = bed.department("hz-water", DepartmentFamily.UTILITIES, HZ, "utilities.bill");
    // Chengdu offers social security only, from a department of its own (the outage test breaks
    // it).
    chengduSocial =
        bed.department(
            "cd-rsj",
            DepartmentFamily.SOCIAL_SECURITY,
            CD,
            "social-security.account",
            "social-security.contributions");
    hangzhou = bed.identity.people.stream().filter(p -> p.homeRegion().equals(HZ)).toList();
    chengdu = bed.identity.people.stream().filter(p -> p.homeRegion().equals(CD)).toList();
    drivers = hangzhou.stream().filter(p -> !traffic.vehiclesOf(p).isEmpty()).toList();
    assertThat(drivers).hasSizeGreaterThan(8);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  /** A Hangzhou citizen with at least one vehicle that no other test has used. */
  private static synchronized SyntheticCitizen driver() {
    return drivers.get(next++);
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String months() {
    YearMonth to = YearMonth.now(bed.clock.withZone(ZoneOffset.ofHours(8))).minusMonths(1);
    return "&from=" + to.minusMonths(11) + "&to=" + to;
  }

  private static JsonObject ok(String operationId, HttpResponse<String> r) {
    API.assertValid(operationId, r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answer = Http.json(r);
    assertThat(answer.getString("interactionId")).hasSize(22);
    assertThat(answer.getBoolean("stale")).isFalse();
    assertThat(Instant.parse(answer.getString("asOf"))).isNotNull();
    return answer;
  }

  private static JsonObject error(
      String operationId, HttpResponse<String> r, int status, String code) {
    API.assertValid(operationId, r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject e = Http.json(r);
    assertThat(e.getString("code")).as(r.body()).isEqualTo(code);
    return e;
  }

  private static String citizenKey(String token) {
    return IdentityTestBed.payload(token).getString("sub");
  }

  // ---------- happy paths on both channels ----------

  @Test
  void aCitizenLoggedInThroughAlipayQueriesEveryFamily() {
    everyFamilyAnswers("alipay", driver());
  }

  @Test
  void aCitizenLoggedInThroughWechatQueriesEveryFamily() {
    everyFamilyAnswers("wechat", driver());
  }

  private void everyFamilyAnswers(String channel, SyntheticCitizen person) {
    String token = bed.l3(channel, person);

    JsonObject account =
        ok("getSocialSecurityAccount", bed.get("/v1/social-security/account?region=" + HZ, token));
    assertThat(account.getString("department")).isEqualTo("hz-rsj");
    assertThat(account.getJsonObject("data").getJsonObject("city").getString("code")).isEqualTo(HZ);

    JsonObject contributions =
        ok(
            "getSocialSecurityContributions",
            bed.get("/v1/social-security/contributions?region=" + HZ + months(), token));
    assertThat(contributions.getJsonObject("data").getString("to"))
        .isEqualTo(
            YearMonth.now(bed.clock.withZone(ZoneOffset.ofHours(8))).minusMonths(1).toString());

    JsonObject fund =
        ok("getHousingFundAccount", bed.get("/v1/housing-fund/account?region=" + HZ, token));
    assertThat(fund.getString("department")).isEqualTo(HZ_FUND);
    assertThat(fund.getJsonObject("data").getString("accountNo")).matches("[0-9]{12}");
    JsonObject deposits =
        ok(
            "getHousingFundContributions",
            bed.get("/v1/housing-fund/contributions?region=" + HZ + months(), token));
    assertThat(deposits.getJsonObject("data").getString("accountNo"))
        .isEqualTo(fund.getJsonObject("data").getString("accountNo"));

    JsonObject vehicles =
        ok("getTrafficVehicles", bed.get("/v1/traffic/vehicles?region=" + HZ, token));
    List<Vehicle> mine = traffic.vehiclesOf(person);
    assertThat(
            vehicles.getJsonObject("data").getJsonArray("vehicles").stream()
                .map(v -> ((JsonObject) v).getString("plate"))
                .toList())
        .containsExactlyElementsOf(mine.stream().map(Vehicle::plate).toList());

    Vehicle car = mine.get(0);
    JsonObject fines =
        ok(
            "getTrafficFines",
            bed.get(
                "/v1/traffic/fines?region="
                    + HZ
                    + "&plate="
                    + q(car.plate())
                    + "&plateType="
                    + car.plateType(),
                token));
    assertThat(
            fines.getJsonObject("data").getJsonArray("fines").stream()
                .map(f -> ((JsonObject) f).getString("decisionNumber"))
                .toList())
        .containsExactlyElementsOf(
            traffic.finesOf(person, car).stream().map(Fine::decisionNumber).toList());

    HouseholdAccount household =
        utilities.accountsOf(person).stream()
            .filter(a -> a.utilityType().equals("water"))
            .findFirst()
            .orElseThrow();
    JsonObject bill =
        ok(
            "getUtilityBill",
            bed.get(
                "/v1/utilities/bill?region="
                    + HZ
                    + "&utilityType=water&accountNo="
                    + household.accountNo(),
                token));
    assertThat(bill.getJsonObject("data").getString("holderName"))
        .isEqualTo(Masking.maskName(person.name()));

    // Each answer carries its own interaction, and a citizen can rate it.
    Set<String> interactions = new HashSet<>();
    for (JsonObject a : List.of(account, contributions, fund, deposits, vehicles, fines, bill)) {
      interactions.add(a.getString("interactionId"));
    }
    assertThat(interactions).hasSize(7);
    // A read leaves one row: its audit record, which carries the interaction; no interaction row.
    GatewayTestBed.await(bed.gateway.audit().flush());
    assertThat(
            count("SELECT count(*) FROM audit_log WHERE interaction_id = ANY ($1)", interactions))
        .isEqualTo(7);
    assertThat(count("SELECT count(*) FROM service_interactions WHERE id = ANY ($1)", interactions))
        .isZero();
    // Another citizen cannot rate it (nor probe it: the same 404 as an unknown id).
    HttpResponse<String> stranger =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", account.getString("interactionId"))
                .put("level", 5),
            bed.l3(channel, driver()));
    assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(404);
    HttpResponse<String> rated =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", account.getString("interactionId"))
                .put("level", 5),
            token);
    assertThat(rated.statusCode()).as(rated.body()).isEqualTo(201);
    // The bill (looked up by account number, not as the citizen's own record) is rated by the
    // citizen who read it.
    HttpResponse<String> billRated =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", bill.getString("interactionId"))
                .put("level", 2)
                .put("comment", "太慢"),
            token);
    assertThat(billRated.statusCode()).as(billRated.body()).isEqualTo(201);
    // A rated read's interaction now has its own row, taken from the audit record.
    Row kept =
        GatewayTestBed.await(
                bed.gateway
                    .database()
                    .pool()
                    .preparedQuery(
                        "SELECT citizen_key, service_type, department_id, region "
                            + "FROM service_interactions WHERE id = $1")
                    .execute(Tuple.of(bill.getString("interactionId"))))
            .iterator()
            .next();
    assertThat(kept.getString("citizen_key")).isEqualTo(citizenKey(token));
    assertThat(kept.getString("service_type")).isEqualTo("utilities.bill");
    assertThat(kept.getString("department_id")).isEqualTo(bill.getString("department"));
    assertThat(kept.getString("region")).isEqualTo(HZ);
  }

  private long count(String sql, Set<String> ids) {
    return GatewayTestBed.await(
            bed.gateway
                .database()
                .pool()
                .preparedQuery(sql)
                .execute(Tuple.of(ids.toArray(new String[0]))))
        .iterator()
        .next()
        .getLong(0);
  }

  // ---------- assurance levels ----------

  @Test
  void anL1SessionMustStepUpForL2AndL3Services() {
    String token = bed.l1(driver());
    JsonObject e =
        error(
            "getSocialSecurityAccount",
            bed.get("/v1/social-security/account?region=" + HZ, token),
            403,
            "identity.step_up_required");
    assertThat(e.getJsonObject("details").getString("requiredLevel")).isEqualTo("L3");
    assertThat(e.getJsonObject("details").getString("currentLevel")).isEqualTo("L1");
    error(
        "getHousingFundContributions",
        bed.get("/v1/housing-fund/contributions?region=" + HZ + months(), token),
        403,
        "identity.step_up_required");
    JsonObject traffic =
        error(
            "getTrafficVehicles",
            bed.get("/v1/traffic/vehicles?region=" + HZ, token),
            403,
            "identity.step_up_required");
    assertThat(traffic.getJsonObject("details").getString("requiredLevel")).isEqualTo("L2");
    error(
        "lookUpVehicle",
        bed.post(
            "/v1/traffic/vehicle-lookups",
            new JsonObject()
                .put("region", HZ)
                .put("plate", "浙A12345")
                .put("plateType", "02")
                .put("vinLast6", "123456"),
            token),
        403,
        "identity.step_up_required");
    HttpResponse<String> proof =
        bed.post(
            "/v1/housing-fund/proofs",
            new JsonObject().put("region", HZ).put("purpose", "租房").put("validDays", 30),
            token);
    error("issueHousingFundProof", proof, 403, "identity.step_up_required");
  }

  @Test
  void anL2SessionServesTrafficButMustStepUpForL3Services() {
    SyntheticCitizen person = driver();
    String token = bed.l2(person);
    JsonObject e =
        error(
            "getHousingFundAccount",
            bed.get("/v1/housing-fund/account?region=" + HZ, token),
            403,
            "identity.step_up_required");
    assertThat(e.getJsonObject("details").getString("currentLevel")).isEqualTo("L2");
    error(
        "getSocialSecurityContributions",
        bed.get("/v1/social-security/contributions?region=" + HZ + months(), token),
        403,
        "identity.step_up_required");
    ok("getTrafficVehicles", bed.get("/v1/traffic/vehicles?region=" + HZ, token));
  }

  @Test
  void withoutASessionEveryServiceIsUnauthorized() {
    error(
        "getSocialSecurityAccount",
        bed.get("/v1/social-security/account?region=" + HZ, null),
        401,
        "auth.invalid_token");
    error(
        "getUtilityBill",
        bed.get(
            "/v1/utilities/bill?region=" + HZ + "&utilityType=water&accountNo=1234567890", null),
        401,
        "auth.invalid_token");
  }

  // ---------- another citizen's data ----------

  @Test
  void finesOfAnotherCitizensCarAreRefusedAsNotOwned() {
    SyntheticCitizen me = driver();
    SyntheticCitizen other = driver();
    String token = bed.l2(me);
    Vehicle theirs = traffic.vehiclesOf(other).get(0);
    long before = traffic.requestCount();
    error(
        "getTrafficFines",
        bed.get(
            "/v1/traffic/fines?region="
                + HZ
                + "&plate="
                + q(theirs.plate())
                + "&plateType="
                + theirs.plateType(),
            token),
        404,
        "traffic.vehicle_not_owned");
    assertThat(traffic.requestCount() - before)
        .as("only the citizen's own vehicle list was asked for")
        .isEqualTo(1);
  }

  @Test
  void identifiersInTheQueryNeverSelectAnotherCitizensRecords() {
    SyntheticCitizen me = driver();
    SyntheticCitizen other = driver();
    String mine = bed.l3("alipay", me);
    String theirs = bed.l3("wechat", other);
    JsonObject own =
        ok("getHousingFundAccount", bed.get("/v1/housing-fund/account?region=" + HZ, mine));
    JsonObject otherAccount =
        ok("getHousingFundAccount", bed.get("/v1/housing-fund/account?region=" + HZ, theirs));
    assertThat(otherAccount.getJsonObject("data").getString("accountNo"))
        .isNotEqualTo(own.getJsonObject("data").getString("accountNo"));

    String extra =
        "&idNumber="
            + other.idNumber()
            + "&name="
            + q(other.name())
            + "&citizenKey="
            + citizenKey(theirs);
    JsonObject tried =
        ok("getHousingFundAccount", bed.get("/v1/housing-fund/account?region=" + HZ + extra, mine));
    assertThat(tried.getJsonObject("data")).isEqualTo(own.getJsonObject("data"));
    JsonObject vehicles =
        ok("getTrafficVehicles", bed.get("/v1/traffic/vehicles?region=" + HZ + extra, mine));
    assertThat(
            vehicles.getJsonObject("data").getJsonArray("vehicles").stream()
                .map(v -> ((JsonObject) v).getString("plate"))
                .toList())
        .containsExactlyElementsOf(traffic.vehiclesOf(me).stream().map(Vehicle::plate).toList());
  }

  @Test
  void aProofIsDownloadedOnlyByItsHolder() {
    SyntheticCitizen holder = driver();
    String token = bed.l3("alipay", holder);
    String other = bed.l3("wechat", driver());
    JsonObject issued = issue(token, 30);
    String url = "/v1/proofs/" + issued.getString("serial");
    HttpResponse<String> mine = bed.get(url, token);
    API.assertValid("getProof", mine);
    assertThat(Http.json(mine).getString("proof")).isEqualTo(issued.getString("proof"));
    error("getProof", bed.get(url, other), 404, "proof.unknown");
  }

  // ---------- proofs through the endpoint ----------

  private static JsonObject issue(String token, int validDays) {
    HttpResponse<String> r =
        bed.post(
            "/v1/housing-fund/proofs",
            new JsonObject()
                .put("region", HZ)
                .put("purpose", "办理个人住房贷款")
                .put("validDays", validDays),
            token);
    API.assertValid("issueHousingFundProof", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static boolean independentlyVerified(String proof) throws Exception {
    HttpResponse<String> jwks = Http.get(bed.gateway.baseUrl() + "/.well-known/jwks.json");
    JWSObject jws = JWSObject.parse(proof);
    ECKey key = JWKSet.parse(jwks.body()).getKeyByKeyId(jws.getHeader().getKeyID()).toECKey();
    return jws.verify(new ECDSAVerifier(key));
  }

  private static JsonObject verdict(String proof) {
    HttpResponse<String> r =
        Http.post(
            bed.gateway.baseUrl() + "/v1/proofs/verify",
            new JsonObject().put("proof", proof).encode());
    API.assertValid("verifyProof", r);
    return Http.json(r);
  }

  @Test
  void
      aProofIssuedThroughTheEndpointVerifiesIndependentlyAndFailsAfterTamperingExpiryAndRevocation()
          throws Exception {
    SyntheticCitizen holder = driver();
    String token = bed.l3("wechat", holder);
    JsonObject issued = issue(token, 1);
    String proof = issued.getString("proof");
    assertThat(independentlyVerified(proof)).isTrue();
    JsonObject claims = new JsonObject(JWSObject.parse(proof).getPayload().toString());
    assertThat(claims.getJsonObject("issuer").getString("departmentId")).isEqualTo(HZ_FUND);
    assertThat(claims.getJsonObject("holder").getString("name"))
        .isEqualTo(Masking.maskName(holder.name()));
    assertThat(claims.encode()).doesNotContain(holder.idNumber());
    assertThat(verdict(proof).getBoolean("valid")).isTrue();

    String[] parts = proof.split("\\.");
    JsonObject changed = claims.copy().put("purpose", "其他用途");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(changed.encode().getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertThat(independentlyVerified(tampered)).isFalse();
    assertThat(verdict(tampered).getJsonArray("reasons")).containsExactly("bad_signature");

    bed.clock.advance(Duration.ofDays(1).plusSeconds(1));
    try {
      assertThat(verdict(proof).getJsonArray("reasons")).containsExactly("expired");
    } finally {
      bed.clock.advance(Duration.ofDays(1).plusSeconds(1).negated());
    }

    String serial = issue(token, 30).getString("serial");
    JsonObject second = issue(token, 30);
    HttpResponse<String> revoked =
        Http.post(
            bed.gateway.baseUrl()
                + "/admin/v1/departments/"
                + HZ_FUND
                + "/proofs/"
                + second.getString("serial")
                + "/revoke",
            new JsonObject().put("reason", "申请人撤回").encode(),
            java.util.Map.of("Authorization", bed.credential(HZ_FUND)));
    API.assertValid("revokeProof", revoked);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    JsonObject after = verdict(second.getString("proof"));
    assertThat(after.getBoolean("valid")).isFalse();
    assertThat(after.getJsonArray("reasons")).containsExactly("revoked");
    assertThat(serial).isNotEqualTo(second.getString("serial"));
  }

  // ---------- vehicle lookups ----------

  @Test
  void aVehicleOfSomeoneElseIsFoundByPlateTypeAndVinAndLookupsAreLimitedPerCitizen() {
    SyntheticCitizen me = driver();
    SyntheticCitizen owner = driver();
    String token = bed.l2(me);
    Vehicle car = traffic.vehiclesOf(owner).get(0);
    JsonObject key =
        new JsonObject()
            .put("region", HZ)
            .put("plate", car.plate())
            .put("plateType", car.plateType())
            .put("vinLast6", car.vinLast6());
    HttpResponse<String> found = bed.post("/v1/traffic/vehicle-lookups", key, token);
    JsonObject answer = ok("lookUpVehicle", found);
    JsonObject vehicle = answer.getJsonObject("data").getJsonObject("vehicle");
    assertThat(vehicle.getString("plate")).isEqualTo(car.plate());
    assertThat(vehicle.containsKey("registeredOn")).isFalse();
    assertThat(
            answer.getJsonObject("data").getJsonArray("fines").stream()
                .map(f -> ((JsonObject) f).getString("decisionNumber"))
                .toList())
        .containsExactlyElementsOf(
            traffic.finesOf(owner, car).stream().map(Fine::decisionNumber).toList());
    assertThat(found.body()).doesNotContain(owner.name()).doesNotContain(owner.idNumber());

    String wrongVin = car.vinLast6().equals("000000") ? "111111" : "000000";
    error(
        "lookUpVehicle",
        bed.post("/v1/traffic/vehicle-lookups", key.copy().put("vinLast6", wrongVin), token),
        404,
        "department.vehicle_not_found");
    // The unknown vehicle counted too: a citizen cannot sweep VINs for free.
    for (int i = 2; i < VEHICLE_LOOKUP_LIMIT; i++) {
      ok("lookUpVehicle", bed.post("/v1/traffic/vehicle-lookups", key, token));
    }
    HttpResponse<String> limited = bed.post("/v1/traffic/vehicle-lookups", key, token);
    error("lookUpVehicle", limited, 429, "traffic.lookup_rate_limited");
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 3600L);

    // Another citizen has a budget of their own.
    ok("lookUpVehicle", bed.post("/v1/traffic/vehicle-lookups", key, bed.l2(driver())));
    // Once the oldest lookup leaves the hour, one more is allowed.
    bed.clock.advance(Duration.ofSeconds(retryAfter));
    ok("lookUpVehicle", bed.post("/v1/traffic/vehicle-lookups", key, token));
  }

  // ---------- utilities ----------

  @Test
  void anyLoggedInCitizenSeesAHouseholdBillWithTheHolderMasked() {
    SyntheticCitizen holder = hangzhou.get(hangzhou.size() - 1);
    String token = bed.l1(driver());
    HouseholdAccount household =
        utilities.accountsOf(holder).stream()
            .filter(a -> a.utilityType().equals("power"))
            .findFirst()
            .orElseThrow();
    HttpResponse<String> r =
        bed.get(
            "/v1/utilities/bill?region="
                + HZ
                + "&utilityType=power&accountNo="
                + household.accountNo(),
            token);
    JsonObject bill = ok("getUtilityBill", r).getJsonObject("data");
    assertThat(bill.getString("holderName"))
        .isEqualTo(Masking.maskName(holder.name()))
        .isNotEqualTo(holder.name());
    assertThat(bill.getString("accountNo")).isEqualTo(household.accountNo());
    assertThat(r.body()).doesNotContain(holder.name()).doesNotContain(holder.idNumber());
    error(
        "getUtilityBill",
        bed.get(
            "/v1/utilities/bill?region=" + HZ + "&utilityType=power&accountNo=9999999999", token),
        404,
        "department.bill_not_found");
  }

  // ---------- regions and parameters ----------

  @Test
  void anUnknownRegionListsTheKnownOnesAndAServiceNotOfferedSaysWhatIs() {
    String token = bed.l3("alipay", driver());
    JsonObject unknown =
        error(
            "getSocialSecurityAccount",
            bed.get("/v1/social-security/account?region=110100", token),
            404,
            "region.unknown");
    assertThat(unknown.getJsonObject("details").getJsonArray("knownRegions"))
        .containsExactly(HZ, CD);
    JsonObject notOffered =
        error(
            "getTrafficVehicles",
            bed.get("/v1/traffic/vehicles?region=" + CD, token),
            404,
            "region.service_not_offered");
    assertThat(notOffered.getJsonObject("details").getJsonArray("servicesInRegion"))
        .contains("social-security.account")
        .doesNotContain("traffic.vehicles");
    assertThat(notOffered.getJsonObject("details").getJsonArray("regionsOfService"))
        .containsExactly(HZ);
  }

  @Test
  void invalidParametersAreFieldErrors() {
    String token = bed.l3("wechat", driver());
    assertThat(
            fields(
                "getSocialSecurityAccount",
                bed.get("/v1/social-security/account?region=33010", token)))
        .containsKey("region");
    assertThat(fields("getSocialSecurityAccount", bed.get("/v1/social-security/account", token)))
        .containsKey("region");
    // A repeated parameter is refused rather than letting one of its values win.
    assertThat(
            fields(
                "getSocialSecurityAccount",
                bed.get("/v1/social-security/account?region=" + HZ + "&region=" + CD, token)))
        .containsKey("region");
    assertThat(
            fields(
                "getHousingFundContributions",
                bed.get(
                    "/v1/housing-fund/contributions?region=" + HZ + "&from=2024-13&to=2024-05",
                    token)))
        .containsKey("from");
    assertThat(
            fields(
                "getHousingFundContributions",
                bed.get(
                    "/v1/housing-fund/contributions?region=" + HZ + "&from=2024-06&to=2024-05",
                    token)))
        .containsKey("from");
    assertThat(
            fields(
                "getSocialSecurityContributions",
                bed.get(
                    "/v1/social-security/contributions?region=" + HZ + "&from=2021-01&to=2024-01",
                    token)))
        .containsKey("to");
    ok(
        "getSocialSecurityContributions",
        bed.get(
            "/v1/social-security/contributions?region=" + HZ + "&from=2021-02&to=2024-01", token));
    assertThat(
            fields(
                "getTrafficFines",
                bed.get(
                    "/v1/traffic/fines?region=" + HZ + "&plate=" + q("浙I12345") + "&plateType=2",
                    token)))
        .containsKeys("plate", "plateType");
    assertThat(
            fields(
                "lookUpVehicle",
                bed.post(
                    "/v1/traffic/vehicle-lookups",
                    new JsonObject()
                        .put("region", HZ)
                        .put("plate", "ABC")
                        .put("plateType", 2)
                        .put("vinLast6", "12345O"),
                    token)))
        .containsKeys("plate", "plateType", "vinLast6");
    assertThat(
            fields(
                "getUtilityBill",
                bed.get(
                    "/v1/utilities/bill?region=" + HZ + "&utilityType=heat&accountNo=12", token)))
        .containsKeys("utilityType", "accountNo");
  }

  private static java.util.Map<String, Object> fields(String operationId, HttpResponse<String> r) {
    return error(operationId, r, 400, "request.invalid")
        .getJsonObject("details")
        .getJsonObject("fields")
        .getMap();
  }

  // ---------- department outage ----------

  @Test
  void aDepartmentDownServesTheLabelledStaleCopyOr503WithRetryAfter() {
    SyntheticCitizen person = chengdu.get(0);
    String token = bed.l3("alipay", person);
    JsonObject fresh =
        ok("getSocialSecurityAccount", bed.get("/v1/social-security/account?region=" + CD, token));
    chengduSocial.faults(DepartmentFaults.none().withUnderMaintenance(true));
    try {
      HttpResponse<String> r = bed.get("/v1/social-security/account?region=" + CD, token);
      API.assertValid("getSocialSecurityAccount", r);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject stale = Http.json(r);
      assertThat(stale.getBoolean("stale")).isTrue();
      assertThat(stale.getString("asOf")).isEqualTo(fresh.getString("asOf"));
      assertThat(stale.getJsonObject("data")).isEqualTo(fresh.getJsonObject("data"));

      // No copy of this query: 503 with Retry-After (maintenance, or the breaker the failures
      // opened).
      HttpResponse<String> none =
          bed.get("/v1/social-security/contributions?region=" + CD + months(), token);
      API.assertValid("getSocialSecurityContributions", none);
      assertThat(none.statusCode()).as(none.body()).isEqualTo(503);
      assertThat(Http.json(none).getString("code"))
          .isIn("department.under_maintenance", "department.unavailable");
      assertThat(Long.parseLong(none.headers().firstValue("Retry-After").orElseThrow()))
          .isPositive();
    } finally {
      chengduSocial.faults(DepartmentFaults.none());
    }
  }

  // ---------- audit ----------

  @Test
  void everyReadIsAuditedWithoutPersonalData() throws Exception {
    SyntheticCitizen person = driver();
    String token = bed.l3("alipay", person);
    String key = citizenKey(token);
    ok("getSocialSecurityAccount", bed.get("/v1/social-security/account?region=" + HZ, token));
    ok(
        "getHousingFundContributions",
        bed.get("/v1/housing-fund/contributions?region=" + HZ + months(), token));
    ok("getTrafficVehicles", bed.get("/v1/traffic/vehicles?region=" + HZ, token));
    Vehicle car = traffic.vehiclesOf(person).get(0);
    ok(
        "getTrafficFines",
        bed.get(
            "/v1/traffic/fines?region="
                + HZ
                + "&plate="
                + q(car.plate())
                + "&plateType="
                + car.plateType(),
            token));
    error(
        "getSocialSecurityAccount",
        bed.get("/v1/social-security/account?region=110100", token),
        404,
        "region.unknown");
    HouseholdAccount household = utilities.accountsOf(person).get(0);
    String l1 = bed.l1(driver());
    ok(
        "getUtilityBill",
        bed.get(
            "/v1/utilities/bill?region="
                + HZ
                + "&utilityType="
                + household.utilityType()
                + "&accountNo="
                + household.accountNo(),
            l1));

    bed.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    List<Row> rows = new ArrayList<>();
    bed.gateway
        .database()
        .pool()
        .preparedQuery(
            "SELECT actor_type, actor_id, action, citizen_key, outcome, "
                + "request_id, details FROM audit_log WHERE citizen_key = $1 OR actor_id = $2 ORDER BY seq")
        .execute(Tuple.of(key, citizenKey(l1)))
        .await(10, TimeUnit.SECONDS)
        .forEach(rows::add);
    Predicate<Row> read =
        r ->
            r.getString("action")
                .matches("(social_security|housing_fund|traffic|utilities)\\..*\\.read");
    List<String> actions =
        rows.stream()
            .filter(read)
            .map(r -> r.getString("action") + ":" + r.getString("outcome"))
            .toList();
    assertThat(actions)
        .containsExactly(
            "social_security.account.read:success",
            "housing_fund.contributions.read:success",
            "traffic.vehicles.read:success",
            "traffic.fines.read:success",
            "social_security.account.read:failure",
            "utilities.bill.read:success");
    for (Row r : rows.stream().filter(read).toList()) {
      assertThat(r.getString("request_id")).isNotBlank();
      String details = r.getString("details");
      assertThat(details)
          .doesNotContain(person.idNumber())
          .doesNotContain(person.name())
          .doesNotContain(car.plate())
          .doesNotContain(household.accountNo());
      if (r.getString("action").startsWith("utilities")) {
        assertThat(r.getString("citizen_key")).isNull();
        assertThat(r.getString("actor_type")).isEqualTo("channel_user");
      } else {
        assertThat(r.getString("citizen_key")).isEqualTo(key);
        assertThat(r.getString("actor_id")).isEqualTo(key);
        assertThat(new JsonObject(details).getString("region")).isIn(HZ, "110100");
      }
    }
    assertThat(new JsonArray(actions).size()).isEqualTo(6);
  }
}
