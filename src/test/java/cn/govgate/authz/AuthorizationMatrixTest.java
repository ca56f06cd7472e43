package cn.govgate.authz;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.http.ServedRoute;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The authorisation matrix: for EVERY route the gateway's routers serve ({@link
 * cn.govgate.app.Gateway#routes()}), every principal that must not pass tries it and is refused
 * with the right status and code — no session, a lower assurance level, another citizen (A's
 * orders, proofs, interactions, complaints, subscriptions and verifications with B's session: 404,
 * so that nothing tells B they exist), a department credential and the operator key on citizen
 * routes, a citizen session on admin routes, another department's credential, a department reaching
 * another department's backends, complaints, rectifications or proofs under its own path, and a
 * department on operator-only routes. {@link #everyServedRouteIsInTheMatrix} fails when a route is
 * served that the matrix does not name, so a new route cannot ship without its row.
 *
 * <p><b>Partners.</b> Every {@code /open/v1} route refuses an unsigned call (no header, or a
 * citizen's session) and {@code Who.PARTNER_WITHOUT_CONSENT}: a correctly signed call of another
 * partner naming A's consent to the first (signed per attempt, as a fresh nonce is needed each
 * time). {@code POST /open/v1/proofs/verify} takes no consent (as the public verify): there the
 * refusal is {@code Who.PARTNER_WITHOUT_SCOPE}, the same other partner, not granted {@code
 * proofs.verify}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final String DEPT_A = "hz-rsj";
  private static final String DEPT_B = "hz-jj";
  private static final String ALI_FINE = "ali-fine-tpl";

  /** Who knocks. */
  enum Who {
    NONE,
    L1,
    L2,
    CITIZEN_B,
    DEPT_A,
    DEPT_B,
    OPERATOR,
    CITIZEN_A,
    PARTNER_WITHOUT_CONSENT,
    PARTNER_WITHOUT_SCOPE
  }

  record Attempt(Who who, String method, String path, String body, int status, String code) {
    @Override
    public String toString() {
      return who + " " + method + " " + path + " → " + status + " " + code;
    }
  }

  private GatewayTestBed bed;
  private cn.govgate.partner.client.PartnerSigner otherPartner;
  private DepartmentSimulator water;
  private final Map<Who, String> auth = new HashMap<>();

  /**
   * Resources of citizen A and of the departments, by the path parameter or body field that names
   * them.
   */
  private final Map<String, String> own = new HashMap<>();

  /** route ("METHOD /template") → the refusals it must give; an empty list marks a public route. */
  private final Map<String, List<Attempt>> matrix = new LinkedHashMap<>();

  private final Map<String, String> publicBecause = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    bed =
        new GatewayTestBed(
            40,
            4242L,
            TestClock.running(),
            "reminders.templates." + IdentityTestBed.ALIPAY_APP + ".traffic_fine",
            ALI_FINE,
            "reminders.templates." + IdentityTestBed.ALIPAY_APP + ".traffic_fine.fields",
            "keyword1=title,keyword2=plate,keyword3=amount,keyword4=due");
    bed.identity.alipay.registerTemplate(
        IdentityTestBed.ALIPAY_APP,
        ALI_FINE,
        List.of("keyword1", "keyword2", "keyword3", "keyword4"),
        false);
    bed.department(
        DEPT_A,
        DepartmentFamily.SOCIAL_SECURITY,
        HZ,
        "social-security.account",
        "social-security.contributions");
    bed.department(
        DEPT_B,
        DepartmentFamily.TRAFFIC,
        HZ,
        "traffic.vehicles",
        "traffic.fines",
        "traffic.fine-payment",
        "traffic.due-fines");
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        HZ,
        "housing-fund.account",
        "housing-fund.contributions",
        "housing-fund.proof-data");
    water =
        bed.department(
            "hz-water", DepartmentFamily.UTILITIES, HZ, "utilities.bill", "utilities.bill-payment");
    List<SyntheticCitizen> hz =
        bed.identity.people.stream().filter(p -> p.homeRegion().equals(HZ)).toList();
    String a = bed.l3("alipay", hz.get(0));
    auth.put(Who.CITIZEN_A, "Bearer " + a);
    auth.put(Who.CITIZEN_B, "Bearer " + bed.l3("alipay", hz.get(1)));
    auth.put(Who.L1, "Bearer " + bed.l1(hz.get(2)));
    auth.put(Who.L2, "Bearer " + bed.l2(hz.get(3)));
    auth.put(Who.DEPT_A, bed.credential(DEPT_A));
    auth.put(Who.DEPT_B, bed.credential(DEPT_B));
    auth.put(Who.OPERATOR, bed.operator);
    createResourcesOfA(a, hz);
    describe();
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
  }

  /** Everything A owns that B will reach for, and what one department owns that the other will. */
  private void createResourcesOfA(String a, List<SyntheticCitizen> hz) {
    JsonObject account = ok(bed.get("/v1/social-security/account?region=" + HZ, a), 200);
    own.put("interactionId", account.getString("interactionId"));
    // A bad rating opens a rectification item of DEPT_A.
    ok(
        bed.post(
            "/v1/ratings",
            new JsonObject()
                .put("interactionId", own.get("interactionId"))
                .put("level", 1)
                .put("comment", "太慢")
                .put("indicators", new JsonArray().add("efficiency")),
            a),
        201);
    JsonObject items =
        ok(Http.get(admin(DEPT_A) + "/rectifications", Map.of("Authorization", bed.operator)), 200);
    own.put(
        "rectificationId",
        String.valueOf(items.getJsonArray("items").getJsonObject(0).getValue("id")));
    JsonObject proof =
        ok(
            bed.post(
                "/v1/housing-fund/proofs",
                new JsonObject().put("region", HZ).put("purpose", "购房").put("validDays", 30),
                a),
            201);
    own.put("serial", proof.getString("serial"));
    JsonObject complaint =
        ok(
            bed.post(
                "/v1/complaints",
                new JsonObject()
                    .put("kind", "complaint")
                    .put("serviceType", "traffic.fines")
                    .put("region", HZ)
                    .put("text", "罚单有误"),
                a),
            201);
    own.put("complaintId", complaint.getString("id"));
    assertThat(complaint.getString("departmentId")).as("routed to DEPT_B").isEqualTo(DEPT_B);
    JsonObject subscription =
        ok(
            bed.post(
                "/v1/reminders/subscriptions",
                new JsonObject()
                    .put("topic", "traffic_fine")
                    .put("templateId", ALI_FINE)
                    .put("region", HZ),
                a),
            201);
    own.put("subscriptionId", subscription.getString("id"));
    own.put("orderId", utilityOrder(a));
    JsonObject credentials =
        ok(Http.get(admin(DEPT_B) + "/credentials", Map.of("Authorization", bed.operator)), 200);
    own.put(
        "credentialOfB",
        credentials.getJsonArray("credentials").getJsonObject(0).getString("credentialId"));
    JsonObject backends =
        ok(Http.get(admin(DEPT_B) + "/backends", Map.of("Authorization", bed.operator)), 200);
    own.put("backendOfB", backends.getJsonArray("backends").getJsonObject(0).getString("id"));
    // A verification that A's channel user started (a new WeChat login of A's person), for B to
    // complete.
    String wechatOfA = bed.identity.wechatToken(bed.gateway, bed.identity.wechatUser(hz.get(0)));
    HttpResponse<String> started =
        IdentityTestBed.start(bed.gateway, wechatOfA, hz.get(0).name(), hz.get(0).idNumber());
    own.put("verificationId", ok(started, 201).getString("verificationId"));
    // A consents to partner authz-bank; authz-other, granted the same scopes, holds no consent of
    // A.
    // authz-other is granted every scope but proofs.verify (the matrix's partner without a scope).
    JsonArray scopes =
        new JsonArray()
            .add("housing-fund.account")
            .add("social-security.account")
            .add("traffic.fines")
            .add("utilities.bill")
            .add("proofs.issue");
    for (String app : List.of("authz-bank", "authz-other")) {
      ok(
          Http.post(
              bed.gateway.baseUrl() + "/admin/v1/partners",
              new JsonObject()
                  .put("appId", app)
                  .put("name", app)
                  .put(
                      "scopes",
                      app.equals("authz-bank") ? scopes.copy().add("proofs.verify") : scopes)
                  .put("quota", new JsonObject().put("perSecond", 1000).put("perDay", 100000))
                  .put("callbackUrl", "https://partner.example.cn/cb")
                  .encode(),
              Map.of("Authorization", bed.operator)),
          201);
    }
    var pair = cn.govgate.partner.client.Keys.generate(cn.govgate.partner.client.Algorithm.RSA2);
    ok(
        Http.post(
            bed.gateway.baseUrl() + "/admin/v1/partners/authz-other/keys",
            new JsonObject()
                .put("keyId", "k1")
                .put("algorithm", "RSA2")
                .put("publicKey", cn.govgate.partner.client.Keys.spki(pair.getPublic()))
                .encode(),
            Map.of("Authorization", bed.operator)),
        201);
    GatewayTestBed.await(bed.gateway.partners().reload());
    otherPartner =
        cn.govgate.partner.client.PartnerSigner.create(
            "authz-other", "k1", cn.govgate.partner.client.Algorithm.RSA2, pair.getPrivate());
    own.put(
        "consentOfA",
        ok(
                bed.post(
                    "/v1/consents",
                    new JsonObject()
                        .put("appId", "authz-bank")
                        .put("scopes", scopes)
                        .put("purpose", "x")
                        .put("days", 1),
                    a),
                201)
            .getString("consentId"));
    own.forEach((k, v) -> assertThat(v).as(k).isNotNull());
  }

  /** A's order for some household's unpaid bill (anyone may pay a utility bill). */
  private String utilityOrder(String token) {
    for (SyntheticCitizen p : bed.identity.people) {
      if (!p.homeRegion().equals(HZ)) continue;
      for (var account : water.accountsOf(p)) {
        var bill = water.billOf(account);
        if (bill.initiallyPaid() || bill.amountFen() <= 0) continue;
        JsonObject body =
            new JsonObject()
                .put("billType", "utility_bill")
                .put("region", HZ)
                .put("utilityType", account.utilityType())
                .put("accountNo", account.accountNo());
        return ok(bed.pay(token, UUID.randomUUID().toString(), body), 201).getString("orderId");
      }
    }
    throw new IllegalStateException("no unpaid bill in the synthetic data");
  }

  // ---------- the matrix ----------

  private void describe() {
    String ss = "?region=" + HZ;
    publicRoute("GET /health/live", "liveness for the orchestrator");
    publicRoute("GET /health/ready", "readiness for the orchestrator");
    publicRoute("GET /metrics", "Prometheus scrape (ops port in production)");
    publicRoute("GET /.well-known/jwks.json", "proof verification keys, public by design");
    publicRoute("POST /v1/sessions", "login: the channel's auth code is the credential");
    publicRoute("GET /v1/catalog", "what each region offers");
    publicRoute("GET /v1/stats/ratings", "published 好差评 statistics");
    publicRoute("GET /v1/stats/service-levels", "published service levels");
    publicRoute("POST /v1/proofs/verify", "anyone holding a proof may verify it");
    publicRoute(
        "GET /open/v1/keys",
        "the keys that verify the gateway's signed partner answers, public by design");
    String consent = "&consentId=" + own.get("consentOfA");
    for (String p :
        List.of(
            "/social-security/account" + ss,
            "/social-security/contributions" + ss + "&from=2026-01&to=2026-02",
            "/housing-fund/account" + ss,
            "/housing-fund/contributions" + ss + "&from=2026-01&to=2026-02",
            "/traffic/fines" + ss + "&plate=%E6%B5%99A12345&plateType=02",
            "/utilities/bill" + ss + "&utilityType=water&accountNo=1234567890")) {
      partner(
          "GET /open/v1" + p.substring(0, p.indexOf('?')),
          r ->
              r.query(p.substring(p.indexOf('?')) + consent)
                  .refuse(Who.NONE, 401, "partner.signature_missing")
                  .refuse(Who.CITIZEN_A, 401, "partner.signature_missing")
                  .refuse(Who.PARTNER_WITHOUT_CONSENT, 403, "consent.not_granted"));
    }
    // Proofs: issued under A's consent, named in the signed body; verified with no consent (like
    // the public verify), so there the refusals are the unsigned call and a partner without the
    // scope.
    partner(
        "POST /open/v1/housing-fund/proofs",
        r ->
            r.body(
                    new JsonObject()
                        .put("consentId", own.get("consentOfA"))
                        .put("region", HZ)
                        .put("purpose", "住房贷款审批")
                        .put("validDays", 30))
                .refuse(Who.NONE, 401, "partner.signature_missing")
                .refuse(Who.CITIZEN_A, 401, "partner.signature_missing")
                .refuse(Who.PARTNER_WITHOUT_CONSENT, 403, "consent.not_granted"));
    partner(
        "POST /open/v1/proofs/verify",
        r ->
            r.body(new JsonObject().put("proof", "a.b.c"))
                .refuse(Who.NONE, 401, "partner.signature_missing")
                .refuse(Who.CITIZEN_A, 401, "partner.signature_missing")
                .refuse(Who.PARTNER_WITHOUT_SCOPE, 403, "partner.scope_denied"));
    row(
        "POST /v1/consents",
        r ->
            r.body(
                    new JsonObject()
                        .put("appId", "authz-bank")
                        .put("scopes", new JsonArray().add("housing-fund.account"))
                        .put("purpose", "x")
                        .put("days", 1))
                .session()
                .level(3));
    row("GET /v1/consents", r -> r.session().level(2));
    row(
        "DELETE /v1/consents/:consentId",
        r ->
            r.param("consentId", own.get("consentOfA"))
                .session()
                .level(2)
                .refuse(Who.CITIZEN_B, 404, "consent.not_found"));
    String pa = "/admin/v1/partners";
    row(
        "POST " + pa,
        r -> r.body(new JsonObject().put("appId", "authz-new")).admin().operatorOnly());
    for (String route :
        List.of(
            "GET " + pa + "/:appId",
            "PUT " + pa + "/:appId",
            "POST " + pa + "/:appId/suspend",
            "POST " + pa + "/:appId/activate",
            "POST " + pa + "/:appId/keys",
            "DELETE " + pa + "/:appId/keys/:keyId",
            "GET " + pa + "/:appId/versions")) {
      row(
          route,
          r ->
              r.param("appId", "authz-bank")
                  .param("keyId", "k1")
                  .body(
                      route.startsWith("GET") || route.startsWith("DELETE")
                          ? null
                          : new JsonObject())
                  .admin()
                  .operatorOnly());
    }
    row(
        "POST /callbacks/alipay",
        r ->
            r.body(
                    "notify_type=trade_status_sync&out_trade_no="
                        + own.get("orderId")
                        + "&trade_status=TRADE_SUCCESS&sign=AAAA")
                .refuse(Who.NONE, 200, "fail"));
    row(
        "POST /callbacks/wechat",
        r -> r.body("{\"id\":\"EV-1\",\"resource\":{}}").refuse(Who.NONE, 401, "FAIL"));
    row(
        "POST /callbacks/wechat/refunds",
        r -> r.body("{\"id\":\"EV-2\",\"resource\":{}}").refuse(Who.NONE, 401, "FAIL"));
    row("GET /admin/v1/payments", r -> r.admin().refuse(Who.DEPT_A, 403, "auth.operator_only"));
    row(
        "POST /admin/v1/payments/:orderId/resolve",
        r ->
            r.param("orderId", own.get("orderId"))
                .body(new JsonObject().put("action", "refund").put("reason", "x"))
                .admin()
                .refuse(Who.DEPT_A, 403, "auth.operator_only"));

    row("DELETE /v1/sessions/current", r -> r.session());
    row("GET /v1/me", r -> r.session());
    row("POST /v1/identity/verifications", r -> r.session());
    row(
        "POST /v1/identity/verifications/:id/complete",
        r ->
            r.param("id", own.get("verificationId"))
                .session()
                .refuse(Who.CITIZEN_B, 404, "identity.verification_not_found"));
    row("DELETE /v1/identity/binding", r -> r.session());
    for (String p :
        List.of(
            "/social-security/account" + ss,
            "/social-security/contributions" + ss + "&from=2025-01&to=2025-06",
            "/housing-fund/account" + ss,
            "/housing-fund/contributions" + ss + "&from=2025-01&to=2025-06")) {
      row(
          "GET /v1" + p.substring(0, p.indexOf('?')),
          r -> r.query(p.substring(p.indexOf('?'))).session().level(3));
    }
    row(
        "POST /v1/housing-fund/proofs",
        r ->
            r.body(new JsonObject().put("region", HZ).put("purpose", "x").put("validDays", 1))
                .session()
                .level(3));
    row("GET /v1/traffic/vehicles", r -> r.query(ss).session().level(2));
    row(
        "GET /v1/traffic/fines",
        r -> r.query(ss + "&plate=%E6%B5%99A12345&plateType=02").session().level(2));
    row(
        "POST /v1/traffic/vehicle-lookups",
        r ->
            r.body(
                    new JsonObject()
                        .put("region", HZ)
                        .put("plate", "浙A12345")
                        .put("plateType", "02")
                        .put("vinLast6", "123456"))
                .session()
                .level(2));
    row(
        "GET /v1/utilities/bill",
        r -> r.query(ss + "&utilityType=water&accountNo=1234567890").session());
    row(
        "POST /v1/payments",
        r ->
            r.header("Idempotency-Key", "authz-matrix-1")
                .body(
                    new JsonObject()
                        .put("billType", "traffic_fine")
                        .put("region", HZ)
                        .put("decisionNumber", "3301000000000001"))
                .session()
                .refuse(Who.L1, 403, "identity.step_up_required"));
    row(
        "GET /v1/payments/:orderId",
        r ->
            r.param("orderId", own.get("orderId"))
                .session()
                .refuse(Who.CITIZEN_B, 404, "payment.not_found"));
    row(
        "GET /v1/proofs/:serial",
        r ->
            r.param("serial", own.get("serial"))
                .refuse(Who.NONE, 401, "identity.session_required")
                .refuse(Who.CITIZEN_B, 404, "proof.unknown")
                .refuse(Who.DEPT_A, 401, "auth.invalid_token")
                .refuse(Who.OPERATOR, 401, "auth.invalid_token"));
    row(
        "POST /v1/ratings",
        r ->
            r.body(new JsonObject().put("interactionId", own.get("interactionId")).put("level", 5))
                .refuse(Who.CITIZEN_B, 404, "rating.interaction_unknown")
                .refuse(Who.NONE, 404, "rating.interaction_unknown")
                .refuse(Who.DEPT_A, 401, "auth.invalid_token"));
    row(
        "POST /v1/complaints",
        r ->
            r.body(
                    new JsonObject()
                        .put("kind", "consultation")
                        .put("serviceType", "traffic.fines")
                        .put("region", HZ)
                        .put("text", "问"))
                .session()
                .level(2));
    row("GET /v1/complaints", r -> r.session().level(2));
    row(
        "GET /v1/complaints/:id",
        r ->
            r.param("id", own.get("complaintId"))
                .session()
                .level(2)
                .refuse(Who.CITIZEN_B, 404, "complaint.not_found"));
    row("GET /v1/reminders/templates", r -> r.session().level(2));
    row(
        "POST /v1/reminders/subscriptions",
        r ->
            r.body(
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", ALI_FINE)
                        .put("region", HZ))
                .session()
                .level(2));
    row("GET /v1/reminders/subscriptions", r -> r.session().level(2));
    row(
        "DELETE /v1/reminders/subscriptions/:id",
        r ->
            r.param("id", own.get("subscriptionId"))
                .session()
                .level(2)
                .refuse(Who.CITIZEN_B, 404, "reminder.not_found"));

    row("GET /v1/my/cases", r -> r.session());
    for (String kind : List.of("payment", "proof", "complaint")) {
      String id =
          own.get(
              kind.equals("payment") ? "orderId" : kind.equals("proof") ? "serial" : "complaintId");
      row(
          "GET /v1/my/cases/:caseId",
          r ->
              r.param("caseId", kind + "-" + id)
                  .session()
                  .refuse(Who.CITIZEN_B, 404, "case.not_found"));
    }

    String d = "/admin/v1/departments/:departmentId";
    row(
        "POST /admin/v1/departments",
        r ->
            r.body(new JsonObject().put("id", "authz-new").put("name", "x").put("kind", "traffic"))
                .admin()
                .operatorOnly());
    row("GET /admin/v1/departments", r -> r.admin().operatorOnly());
    row("GET " + d, r -> r.admin().otherDepartment());
    row("POST " + d + "/credentials", r -> r.admin().otherDepartment().operatorOnly());
    row("GET " + d + "/credentials", r -> r.admin().otherDepartment());
    // DEPT_B's credential: DEPT_A may neither rotate nor revoke it, under DEPT_B's path or its own.
    row(
        "POST " + d + "/credentials/:credentialId/rotate",
        r ->
            r.param("credentialId", own.get("credentialOfB"))
                .admin()
                .refuseUnder(DEPT_B, Who.DEPT_A, 403, "auth.forbidden_department")
                .refuseUnder(DEPT_A, Who.DEPT_A, 404, "registry.credential_not_found"));
    row(
        "DELETE " + d + "/credentials/:credentialId",
        r ->
            r.param("credentialId", own.get("credentialOfB"))
                .admin()
                .refuseUnder(DEPT_B, Who.DEPT_A, 403, "auth.forbidden_department")
                .refuseUnder(DEPT_A, Who.DEPT_A, 404, "registry.credential_not_found"));
    row("GET " + d + "/assignments", r -> r.admin().otherDepartment());
    row(
        "POST " + d + "/assignments",
        r ->
            r.body(
                    new JsonObject()
                        .put("serviceTypes", new JsonArray().add("traffic.fines"))
                        .put("regions", new JsonArray().add("510100")))
                .admin()
                .otherDepartment()
                .operatorOnly());
    row("GET " + d + "/assignments/versions", r -> r.admin().otherDepartment());
    row(
        "DELETE " + d + "/assignments/:serviceType/:region",
        r ->
            r.param("serviceType", "social-security.account")
                .param("region", HZ)
                .admin()
                .otherDepartment()
                .operatorOnly());
    row("GET " + d + "/backends", r -> r.admin().otherDepartment());
    row(
        "POST " + d + "/backends",
        r ->
            r.body(
                    new JsonObject()
                        .put("serviceType", "social-security.account")
                        .put("region", HZ)
                        .put("url", "http://127.0.0.1:1/x"))
                .admin()
                .otherDepartment());
    for (String b : List.of("GET", "PUT", "DELETE")) {
      row(
          b + " " + d + "/backends/:backendId",
          r ->
              r.body(b.equals("PUT") ? new JsonObject().put("url", "http://127.0.0.1:1/x") : null)
                  .backendOfB());
    }
    for (String action : List.of("disable", "enable")) {
      row("POST " + d + "/backends/:backendId/" + action, r -> r.backendOfB());
    }
    row("GET " + d + "/backends/:backendId/versions", r -> r.backendOfB());
    row(
        "POST /admin/v1/backends/:backendId/breaker",
        r ->
            r.param("backendId", own.get("backendOfB"))
                .body(new JsonObject().put("state", "forced_open"))
                .admin()
                .operatorOnly());
    // Complaints are routed to DEPT_B: DEPT_A reaches for it under its own path and finds nothing.
    row("GET " + d + "/complaints", r -> r.admin().otherDepartment());
    for (String c : List.of("", "/reply", "/transfer", "/close")) {
      row(
          (c.isEmpty() ? "GET " : "POST ") + d + "/complaints/:id" + c,
          r ->
              r.param("id", own.get("complaintId"))
                  .param("departmentId", DEPT_B)
                  .body(
                      c.isEmpty()
                          ? null
                          : new JsonObject()
                              .put("reply", "答")
                              .put("toDepartment", "hz-gjj")
                              .put("reason", "不归我们"))
                  .admin()
                  .otherDepartment()
                  .refuseUnder(DEPT_A, Who.DEPT_A, 404, "complaint.not_found"));
    }
    // The rectification item is DEPT_A's: DEPT_B reaches for it under its own path.
    row("GET " + d + "/rectifications", r -> r.admin().otherDepartment());
    for (String c : List.of("/answer", "/close")) {
      row(
          "POST " + d + "/rectifications/:id" + c,
          r ->
              r.param("id", own.get("rectificationId"))
                  .body(c.equals("/answer") ? new JsonObject().put("answer", "已整改") : null)
                  .admin()
                  .otherDepartment()
                  .refuseUnder(DEPT_B, Who.DEPT_B, 404, "rectification.unknown"));
    }
    // A's proof was issued from hz-gjj's data: neither DEPT_A nor DEPT_B may revoke it.
    row(
        "POST " + d + "/proofs/:serial/revoke",
        r ->
            r.param("serial", own.get("serial"))
                .body(new JsonObject().put("reason", "x"))
                .admin()
                .otherDepartment()
                .refuseUnder(DEPT_A, Who.DEPT_A, 404, "proof.unknown"));
  }

  /**
   * A route anyone may call: it is in the matrix, with the reason, and nobody is refused for who
   * they are.
   */
  private void publicRoute(String route, String because) {
    matrix.put(route, List.of());
    publicBecause.put(route, because);
  }

  /** The rows of partner routes ({@code /open/v1}), once they exist: see the class comment. */
  private void partner(String route, Consumer<Row> spec) {
    row(route, spec);
  }

  private void row(String route, Consumer<Row> spec) {
    String[] parts = route.split(" ", 2);
    Row r = new Row(parts[0], parts[1]);
    spec.accept(r);
    matrix.computeIfAbsent(route, k -> new ArrayList<>()).addAll(r.attempts());
  }

  /** One route's refusals, built fluently; parameters default to A's and DEPT_A's own values. */
  private final class Row {
    final String method;
    final String template;
    final Map<String, String> params = new HashMap<>(Map.of("departmentId", DEPT_A));
    final Map<String, String> headers = new HashMap<>();
    final List<Object[]> refusals = new ArrayList<>();
    String query = "";
    String body;

    Row(String method, String template) {
      this.method = method;
      this.template = template;
    }

    Row param(String name, String value) {
      params.put(name, value);
      return this;
    }

    Row query(String q) {
      query = q;
      return this;
    }

    Row header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Row body(Object b) {
      body = b == null ? null : b.toString();
      return this;
    }

    Row refuse(Who who, int status, String code) {
      refusals.add(new Object[] {who, null, status, code});
      return this;
    }

    /** As {@code who}, with the department path parameter set to {@code departmentId}. */
    Row refuseUnder(String departmentId, Who who, int status, String code) {
      refusals.add(new Object[] {who, departmentId, status, code});
      return this;
    }

    /**
     * A citizen session route: nobody, a department credential and the operator key are no session.
     */
    Row session() {
      return refuse(Who.NONE, 401, "auth.invalid_token")
          .refuse(Who.DEPT_A, 401, "auth.invalid_token")
          .refuse(Who.OPERATOR, 401, "auth.invalid_token");
    }

    /** Needs level {@code n}: every session below it is told to step up. */
    Row level(int n) {
      refuse(Who.L1, 403, "identity.step_up_required");
      return n >= 3 ? refuse(Who.L2, 403, "identity.step_up_required") : this;
    }

    /** An admin route: nobody and a citizen session are no admin credential. */
    Row admin() {
      return refuse(Who.NONE, 401, "auth.missing_credentials")
          .refuse(Who.CITIZEN_A, 401, "auth.invalid_credentials");
    }

    /**
     * Under DEPT_A's path (or the row's department), DEPT_B's credential manages another
     * department.
     */
    Row otherDepartment() {
      Who other = DEPT_B.equals(params.get("departmentId")) ? Who.DEPT_A : Who.DEPT_B;
      return refuse(other, 403, "auth.forbidden_department");
    }

    /** The operator's alone: a department is refused even under its own path. */
    Row operatorOnly() {
      return refuseUnder(DEPT_A, Who.DEPT_A, 403, "auth.operator_only");
    }

    /**
     * DEPT_B's backend: DEPT_A is refused under DEPT_B's path and does not find it under its own.
     */
    Row backendOfB() {
      return param("backendId", own.get("backendOfB"))
          .admin()
          .refuseUnder(DEPT_B, Who.DEPT_A, 403, "auth.forbidden_department")
          .refuseUnder(DEPT_A, Who.DEPT_A, 404, "admin.backend_not_found");
    }

    List<Attempt> attempts() {
      List<Attempt> out = new ArrayList<>();
      for (Object[] f : refusals) {
        Map<String, String> p = new HashMap<>(params);
        if (f[1] != null) p.put("departmentId", (String) f[1]);
        String path = template;
        for (Map.Entry<String, String> e : p.entrySet())
          path = path.replace(":" + e.getKey(), e.getValue());
        out.add(new Attempt((Who) f[0], method, path + query, body, (int) f[2], (String) f[3]));
      }
      return out;
    }
  }

  // ---------- the tests ----------

  @Test
  void everyServedRouteIsInTheMatrix() {
    TreeSet<String> served = new TreeSet<>();
    for (ServedRoute r : bed.gateway.routes()) served.add(r.toString());
    assertThat(served)
        .as("the inventory reads the real routers")
        .contains("GET /v1/payments/:orderId", "POST /admin/v1/departments", "GET /health/ready");
    assertThat(new TreeSet<>(matrix.keySet()))
        .as("routes served without a row in the matrix, or rows of routes " + "no longer served")
        .isEqualTo(served);
  }

  @TestFactory
  Stream<DynamicTest> everyOtherPrincipalIsRefused() {
    return matrix.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(), () -> e.getValue().forEach(this::assertRefused)));
  }

  @Test
  void everyRouteThatRefusesNobodyIsPublicByDesign() {
    assertThat(publicBecause.keySet())
        .containsExactlyInAnyOrderElementsOf(
            matrix.entrySet().stream()
                .filter(e -> e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .toList());
  }

  private void assertRefused(Attempt a) {
    Map<String, String> headers = new HashMap<>();
    if (auth.get(a.who()) != null) headers.put("Authorization", auth.get(a.who()));
    if (a.who() == Who.PARTNER_WITHOUT_CONSENT || a.who() == Who.PARTNER_WITHOUT_SCOPE) {
      int q = a.path().indexOf('?');
      List<Map.Entry<String, String>> query = new ArrayList<>();
      if (q >= 0) {
        for (String pair : a.path().substring(q + 1).split("&")) {
          String[] kv = pair.split("=", 2);
          query.add(
              Map.entry(
                  java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8),
                  java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8)));
        }
      }
      byte[] body =
          a.body() == null
              ? new byte[0]
              : a.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      headers.put(
          "Authorization",
          otherPartner
              .sign(a.method(), q < 0 ? a.path() : a.path().substring(0, q), query, body)
              .authorization());
    }
    if (a.body() != null && a.path().startsWith("/callbacks/alipay")) {
      headers.put("Content-Type", "application/x-www-form-urlencoded");
    }
    headers.put("Idempotency-Key", "authz-" + UUID.randomUUID());
    HttpResponse<String> r =
        Http.send(a.method(), bed.gateway.baseUrl() + a.path(), a.body(), headers);
    assertThat(r.statusCode()).as(a + ": " + r.body()).isEqualTo(a.status());
    if (a.path().startsWith("/callbacks/")) {
      assertThat(r.body()).as(a.toString()).contains(a.code());
      return;
    }
    JsonObject error = Http.json(r);
    Contracts.assertError(error);
    assertThat(error.getString("code")).as(a + ": " + r.body()).isEqualTo(a.code());
  }

  private String admin(String department) {
    return bed.gateway.baseUrl() + "/admin/v1/departments/" + department;
  }

  private static JsonObject ok(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Http.json(r);
  }
}
