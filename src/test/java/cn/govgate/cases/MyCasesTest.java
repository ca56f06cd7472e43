package cn.govgate.cases;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 我的办件 on the gateway as production wires it: one citizen does everything a citizen can start —
 * steps up through the channel, pays a fine and a bill through the Alipay simulator, issues a
 * housing-fund proof, rates an answer badly (which opens a rectification), files a complaint,
 * grants a partner platform a consent — and finds all of it in one list; another citizen and other
 * logins never see it. Every answer is checked against {@code gateway-api.yaml}.
 */
class MyCasesTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String PARTNER = "bank-cases";

  private static GatewayTestBed bed;
  private static DepartmentSimulator traffic;
  private static DepartmentSimulator utilities;
  private static final Set<String> usedPeople = new HashSet<>();

  /** The busy citizen's session and what they started, set up once. */
  private static String busy;

  private static SyntheticCitizen busyPerson;
  private static final Map<String, String> started = new java.util.LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    bed = new GatewayTestBed(60, 1414L, TestClock.running(), "payments.outboxInterval", "100ms");
    traffic =
        bed.department(
            "hz-jj",
            DepartmentFamily.TRAFFIC,
            HZ,
            "traffic.vehicles",
            "traffic.fines",
            "traffic.fine-payment");
    utilities =
        bed.department(
            "hz-water", DepartmentFamily.UTILITIES, HZ, "utilities.bill", "utilities.bill-payment");
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        HZ,
        "housing-fund.account",
        "housing-fund.proof-data");
    busyPerson = personWithFineAndBill();
    busy = bed.l3("alipay", busyPerson);
    doEverything();
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  /**
   * Pays a fine and a bill, issues a proof, rates an answer 差评, files a complaint; remembers each
   * id.
   */
  private static void doEverything() {
    Fine fine = payableFine(busyPerson);
    String fineOrder =
        pay(
            busy,
            new JsonObject()
                .put("billType", "traffic_fine")
                .put("region", HZ)
                .put("decisionNumber", fine.decisionNumber()));
    HouseholdAccount account = unpaidAccount(busyPerson);
    String billOrder =
        pay(
            busy,
            new JsonObject()
                .put("billType", "utility_bill")
                .put("region", HZ)
                .put("utilityType", account.utilityType())
                .put("accountNo", account.accountNo()));
    GatewayTestBed.await(bed.identity.alipay.payOrder(fineOrder));
    bed.awaitStatus(busy, fineOrder, "delivered");
    started.put("payment-" + fineOrder, "delivered");
    started.put("payment-" + billOrder, "pending");

    HttpResponse<String> proof =
        bed.post(
            "/v1/housing-fund/proofs",
            new JsonObject().put("region", HZ).put("purpose", "办理个人住房贷款").put("validDays", 30),
            busy);
    assertThat(proof.statusCode()).as(proof.body()).isEqualTo(201);
    started.put("proof-" + Http.json(proof).getString("serial"), "valid");

    HttpResponse<String> vehicles = bed.get("/v1/traffic/vehicles?region=" + HZ, busy);
    assertThat(vehicles.statusCode()).as(vehicles.body()).isEqualTo(200);
    String interactionId = Http.json(vehicles).getString("interactionId");
    HttpResponse<String> rating =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", interactionId)
                .put("level", 2)
                .put("indicators", new JsonArray().add("efficiency"))
                .put("comment", "查询太慢"),
            busy);
    assertThat(rating.statusCode()).as(rating.body()).isEqualTo(201);
    started.put("rating-" + interactionId, "rectification_open");

    HttpResponse<String> complaint =
        bed.post(
            "/v1/complaints",
            new JsonObject()
                .put("kind", "complaint")
                .put("serviceType", "traffic.fines")
                .put("region", HZ)
                .put("text", "罚单地点与实际不符，请核实。"),
            busy);
    assertThat(complaint.statusCode()).as(complaint.body()).isEqualTo(201);
    started.put("complaint-" + Http.json(complaint).getString("id"), "open");

    // A partner platform, registered by the operator, and the citizen's consent to it.
    HttpResponse<String> partner =
        Http.send(
            "POST",
            bed.gateway.baseUrl() + "/admin/v1/partners",
            new JsonObject()
                .put("appId", PARTNER)
                .put("name", "测试银行")
                .put("scopes", new JsonArray().add("housing-fund.account").add("traffic.fines"))
                .put("quota", new JsonObject().put("perSecond", 10).put("perDay", 1000))
                .put("callbackUrl", "https://bank.example.cn/consented")
                .encode(),
            Map.of("Authorization", bed.operator));
    assertThat(partner.statusCode()).as(partner.body()).isEqualTo(201);
    GatewayTestBed.await(bed.gateway.partners().reload());
    started.put("consent-" + grant(busy), "granted");
  }

  private static String grant(String l3) {
    HttpResponse<String> consent =
        bed.post(
            "/v1/consents",
            new JsonObject()
                .put("appId", PARTNER)
                .put("scopes", new JsonArray().add("traffic.fines").add("housing-fund.account"))
                .put("purpose", "住房贷款审批")
                .put("days", 30),
            l3);
    assertThat(consent.statusCode()).as(consent.body()).isEqualTo(201);
    return Http.json(consent).getString("consentId");
  }

  // ---------- tests ----------

  @Test
  void aCitizenFindsEverythingTheyStartedInOneListNewestFirst() {
    List<JsonObject> items = all(busy, 100);
    Map<String, JsonObject> byId =
        items.stream().collect(Collectors.toMap(i -> i.getString("caseId"), i -> i));
    started.forEach(
        (caseId, status) -> {
          assertThat(byId).as("my cases lists %s", caseId).containsKey(caseId);
          assertThat(byId.get(caseId).getString("status")).as(caseId).isEqualTo(status);
        });
    // The step-up through Alipay (real name, face) is there too, passed.
    assertThat(items)
        .anySatisfy(
            i -> {
              assertThat(i.getString("kind")).isEqualTo("verification");
              assertThat(i.getString("status")).isEqualTo("passed");
            });
    for (int k = 1; k < items.size(); k++) {
      assertThat(Instant.parse(items.get(k - 1).getString("startedAt")))
          .isAfterOrEqualTo(Instant.parse(items.get(k).getString("startedAt")));
    }

    JsonObject paidFine = byId.get(started.keySet().iterator().next());
    assertThat(paidFine.getJsonObject("summary").getString("receiptNo")).isNotBlank();
    assertThat(paidFine.getJsonObject("summary").getString("billType")).isEqualTo("traffic_fine");
    assertThat(
            paidFine.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("state")))
        .containsExactly("done", "done", "done");
    assertThat(paidFine.getString("resource"))
        .isEqualTo("/v1/payments/" + paidFine.getString("id"));

    JsonObject rating =
        items.stream().filter(i -> i.getString("kind").equals("rating")).findFirst().orElseThrow();
    assertThat(rating.getJsonObject("summary").getInteger("level")).isEqualTo(2);
    assertThat(rating.getJsonObject("summary").getString("rectificationDeadline")).isNotBlank();
    assertThat(rating.getJsonArray("steps").getJsonObject(1).getString("name"))
        .isEqualTo("rectification_opened");

    JsonObject consent =
        items.stream().filter(i -> i.getString("kind").equals("consent")).findFirst().orElseThrow();
    assertThat(consent.getJsonObject("summary").getString("partnerName")).isEqualTo("测试银行");
    assertThat(consent.getJsonObject("summary").getString("appId")).isEqualTo(PARTNER);
    assertThat(consent.getJsonObject("summary").getJsonArray("scopes"))
        .containsExactly("housing-fund.account", "traffic.fines");
    assertThat(consent.getJsonObject("summary").getString("purpose")).isEqualTo("住房贷款审批");
    assertThat(consent.getJsonObject("summary").getString("expiresAt")).isNotBlank();
    assertThat(consent.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("name")))
        .containsExactly("granted", "expired");
    assertThat(consent.getJsonArray("steps").getJsonObject(1).getString("state"))
        .isEqualTo("pending");
    assertThat(consent.getString("resource")).isEqualTo("/v1/consents/" + consent.getString("id"));

    JsonObject complaint =
        items.stream()
            .filter(i -> i.getString("kind").equals("complaint"))
            .findFirst()
            .orElseThrow();
    assertThat(complaint.getJsonObject("summary").getString("department")).isEqualTo("hz-jj");
    assertThat(complaint.getJsonArray("steps").getJsonObject(1).getString("due")).isNotBlank();
    // No text, no name, no ID number in what the list shows.
    String raw = bed.get("/v1/my/cases?limit=100", busy).body();
    assertThat(raw)
        .doesNotContain("罚单地点")
        .doesNotContain(busyPerson.name())
        .doesNotContain(busyPerson.idNumber());
  }

  @Test
  void eachCaseOpensAtItsDetailLink() {
    for (JsonObject item : all(busy, 100)) {
      HttpResponse<String> detail = bed.get(item.getString("detail"), busy);
      API.assertValid("getMyCase", detail);
      assertThat(detail.statusCode()).as(detail.body()).isEqualTo(200);
      assertThat(Http.json(detail)).isEqualTo(item);
    }
  }

  @Test
  void anotherCitizenNeverSeesMine() {
    String other = bed.l3("wechat", nextPerson());
    List<JsonObject> theirs = all(other, 100);
    Set<String> mine =
        all(busy, 100).stream().map(i -> i.getString("caseId")).collect(Collectors.toSet());
    assertThat(theirs).extracting(i -> i.getString("caseId")).doesNotContainAnyElementsOf(mine);
    for (String caseId : started.keySet()) {
      HttpResponse<String> r = bed.get("/v1/my/cases/" + caseId, other);
      API.assertValid("getMyCase", r);
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(Http.json(r).getString("code")).isEqualTo("case.not_found");
    }
  }

  @Test
  void theSameCitizenSeesTheirCasesThroughTheirOtherChannel() {
    // The busy citizen logs in through WeChat too and steps up there: the same citizen, so the same
    // cases, but the
    // Alipay order's own endpoint is not offered to the WeChat login (orders are read by the paying
    // login only).
    String wechat = bed.l3("wechat", busyPerson);
    Map<String, JsonObject> seen =
        all(wechat, 100).stream().collect(Collectors.toMap(i -> i.getString("caseId"), i -> i));
    assertThat(seen.keySet()).containsAll(started.keySet());
    JsonObject fine = seen.get(started.keySet().iterator().next());
    assertThat(fine.containsKey("resource")).isFalse();
    assertThat(
            seen.values().stream().filter(i -> i.getString("kind").equals("verification")).count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRevokedConsentShowsRevokedWithItsTimeAndNothingLeftToRevoke() {
    SyntheticCitizen person = nextPerson();
    String l3 = bed.l3("alipay", person);
    String consentId = grant(l3);
    HttpResponse<String> revoke =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/consents/" + consentId,
            null,
            Map.of("Authorization", "Bearer " + l3));
    assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(204);
    HttpResponse<String> r = bed.get("/v1/my/cases/consent-" + consentId, l3);
    API.assertValid("getMyCase", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject item = Http.json(r);
    assertThat(item.getString("status")).isEqualTo("revoked");
    assertThat(item.getJsonObject("summary").getString("revokedAt")).isNotBlank();
    assertThat(item.getJsonArray("steps").getJsonObject(1).getString("name")).isEqualTo("revoked");
    assertThat(item.getString("updatedAt"))
        .isEqualTo(item.getJsonObject("summary").getString("revokedAt"));
    assertThat(item.containsKey("resource")).isFalse();
    // Only the kind asked for; the busy citizen's consent is not among this citizen's.
    HttpResponse<String> consents = bed.get("/v1/my/cases?kind=consent", l3);
    API.assertValid("listMyCases", consents);
    assertThat(Http.json(consents).getJsonArray("items"))
        .extracting(i -> ((JsonObject) i).getString("caseId"))
        .containsExactly("consent-" + consentId);
  }

  @Test
  void anExpiredConsentIsExpiredAsTheConsentsConcernDerivesIt() {
    Instant granted = Instant.parse("2026-01-01T00:00:00Z");
    JsonObject facts =
        new JsonObject()
            .put("appId", PARTNER)
            .put("partnerName", "测试银行")
            .put("scopes", new JsonArray().add("traffic.fines"))
            .put("purpose", "贷款")
            .put("expiresAt", "2026-01-31T00:00:00+00:00");
    JsonObject live =
        CaseView.of(
            "consent", "cst_x", granted, null, facts, Instant.parse("2026-01-30T23:59:59Z"));
    JsonObject expired =
        CaseView.of(
            "consent", "cst_x", granted, null, facts, Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(live.getString("status")).isEqualTo("granted");
    assertThat(expired.getString("status")).isEqualTo("expired");
    assertThat(expired.getJsonArray("steps").getJsonObject(1))
        .isEqualTo(
            new JsonObject()
                .put("name", "expired")
                .put("state", "done")
                .put("at", "2026-01-31T00:00:00Z")
                .put("due", "2026-01-31T00:00:00Z"));
    assertThat(expired.containsKey("resource")).isFalse();
  }

  @Test
  void pagesByCursorVisitEveryItemOnceInOrder() {
    List<String> whole = all(busy, 100).stream().map(i -> i.getString("caseId")).toList();
    List<String> paged = all(busy, 2).stream().map(i -> i.getString("caseId")).toList();
    assertThat(whole.size()).isGreaterThanOrEqualTo(6);
    assertThat(paged).isEqualTo(whole);

    HttpResponse<String> proofs = bed.get("/v1/my/cases?kind=proof", busy);
    API.assertValid("listMyCases", proofs);
    assertThat(Http.json(proofs).getJsonArray("items")).hasSize(1);
  }

  @Test
  void anUnboundLoginSeesWhatItsChannelIdentityDidAndNothingElse() {
    SyntheticCitizen person = personWithFineAndBill();
    String l1 = bed.l1(person);
    assertThat(all(l1, 100)).isEmpty();
    HouseholdAccount account = unpaidAccount(person);
    String order =
        pay(
            l1,
            new JsonObject()
                .put("billType", "utility_bill")
                .put("region", HZ)
                .put("utilityType", account.utilityType())
                .put("accountNo", account.accountNo()));
    List<JsonObject> items = all(l1, 100);
    assertThat(items).extracting(i -> i.getString("caseId")).containsExactly("payment-" + order);
    assertThat(items.get(0).getString("resource")).isEqualTo("/v1/payments/" + order);

    // An anonymous (L1) answer rated by the login it was given to: its rating is in its list.
    HttpResponse<String> bill =
        bed.get(
            "/v1/utilities/bill?region="
                + HZ
                + "&utilityType="
                + account.utilityType()
                + "&accountNo="
                + account.accountNo(),
            l1);
    assertThat(bill.statusCode()).as(bill.body()).isEqualTo(200);
    String interactionId = Http.json(bill).getString("interactionId");
    HttpResponse<String> rating =
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", interactionId)
                .put("level", 4)
                .put("indicators", new JsonArray().add("convenience")),
            l1);
    assertThat(rating.statusCode()).as(rating.body()).isEqualTo(201);
    items = all(l1, 100);
    assertThat(items)
        .extracting(i -> i.getString("caseId"))
        .containsExactly("rating-" + interactionId, "payment-" + order);
    assertThat(items.get(0).getString("status")).isEqualTo("rated");
    assertThat(items.get(0).getJsonObject("summary").getString("serviceType"))
        .isEqualTo("utilities.bill");
    HttpResponse<String> detail = bed.get("/v1/my/cases/rating-" + interactionId, l1);
    API.assertValid("getMyCase", detail);
    assertThat(detail.statusCode()).isEqualTo(200);

    // Neither the busy citizen nor another unbound login sees the stranger's payment or rating.
    assertThat(all(busy, 100))
        .extracting(i -> i.getString("caseId"))
        .doesNotContain("payment-" + order, "rating-" + interactionId);
    String stranger = bed.l1(nextPerson());
    assertThat(all(stranger, 100)).isEmpty();
    assertThat(bed.get("/v1/my/cases/rating-" + interactionId, stranger).statusCode())
        .isEqualTo(404);
  }

  @Test
  void badQueriesAreRefusedWithTheirField() {
    for (String query :
        List.of(
            "limit=0",
            "limit=101",
            "limit=x",
            "kind=parking",
            "cursor=%21%21",
            "cursor="
                + java.util.Base64.getUrlEncoder()
                    .encodeToString("1|nope|x".getBytes(StandardCharsets.UTF_8)))) {
      HttpResponse<String> r = bed.get("/v1/my/cases?" + query, busy);
      API.assertValid("listMyCases", r);
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(Http.json(r).getString("code")).isEqualTo("request.invalid");
    }
    HttpResponse<String> anonymous = bed.get("/v1/my/cases", null);
    API.assertValid("listMyCases", anonymous);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    for (String caseId : List.of("nothing", "parking-1", "proof-")) {
      assertThat(bed.get("/v1/my/cases/" + caseId, busy).statusCode()).as(caseId).isEqualTo(404);
    }
  }

  // ---------- helpers ----------

  /**
   * Every case of the session, page by page ({@code limit} per page), each page checked against the
   * contract.
   */
  private static List<JsonObject> all(String token, int limit) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> r =
          bed.get(
              "/v1/my/cases?limit="
                  + limit
                  + (cursor == null
                      ? ""
                      : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)),
              token);
      API.assertValid("listMyCases", r);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject page = Http.json(r);
      page.getJsonArray("items").forEach(i -> out.add((JsonObject) i));
      cursor = page.getString("nextCursor");
      assertThat(out.size()).isLessThan(1000);
    } while (cursor != null);
    return out;
  }

  private static String pay(String token, JsonObject body) {
    HttpResponse<String> r = bed.pay(token, UUID.randomUUID().toString(), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).getString("orderId");
  }

  private static synchronized SyntheticCitizen personWithFineAndBill() {
    for (SyntheticCitizen p : bed.identity.people) {
      if (!p.homeRegion().equals(HZ) || usedPeople.contains(p.idNumber())) continue;
      boolean fund =
          DepartmentData.housingFund(p.idNumber(), LocalDate.now()).status().equals("normal");
      if (fund && payableFineOrNull(p) != null && unpaidAccountOrNull(p) != null) {
        usedPeople.add(p.idNumber());
        return p;
      }
    }
    throw new IllegalStateException("no Hangzhou citizen with a payable fine and an unpaid bill");
  }

  private static synchronized SyntheticCitizen nextPerson() {
    for (SyntheticCitizen p : bed.identity.people) {
      if (usedPeople.add(p.idNumber())) return p;
    }
    throw new IllegalStateException("no person left");
  }

  private static Fine payableFine(SyntheticCitizen p) {
    return payableFineOrNull(p);
  }

  private static Fine payableFineOrNull(SyntheticCitizen p) {
    for (Vehicle v : traffic.vehiclesOf(p)) {
      for (Fine f : traffic.finesOf(p, v)) {
        if (!f.initiallyPaid() && f.payable() && f.amountFen() > 0) return f;
      }
    }
    return null;
  }

  private static HouseholdAccount unpaidAccount(SyntheticCitizen p) {
    return unpaidAccountOrNull(p);
  }

  private static HouseholdAccount unpaidAccountOrNull(SyntheticCitizen p) {
    for (HouseholdAccount a : utilities.accountsOf(p)) {
      Bill bill = utilities.billOf(a);
      if (!bill.initiallyPaid() && bill.amountFen() > 0) return a;
    }
    return null;
  }
}
