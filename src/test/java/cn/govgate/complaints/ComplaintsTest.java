package cn.govgate.complaints;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Consultations and complaints on the gateway as production wires it, shared by the tests of this
 * class: citizens with their own sessions (through the channel simulators), departments with the
 * credentials the operator issued them, routing from the registered backends. The clock stands
 * still on Thursday 2026-09-24 10:00 in Beijing, the day before the Mid-Autumn holiday that runs
 * into National Day; only the last test moves it (past deadlines).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComplaintsTest {
  private static final ApiContract CITIZEN_API = ApiContract.of("gateway-api.yaml");
  private static final ApiContract ADMIN_API = ApiContract.of("admin-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String TRAFFIC = "hz-jj";
  private static final String HOUSING = "hz-gjj";
  private static final String SOCIAL = "hz-rsj";

  private static GatewayTestBed bed;
  private static Iterator<SyntheticCitizen> people;

  @BeforeAll
  static void start() throws Exception {
    bed =
        new GatewayTestBed(
            40,
            2026L,
            TestClock.at("2026-09-24T02:00:00Z"),
            "complaints.consultationDays",
            "3",
            "complaints.complaintDays",
            "5",
            "complaints.overdueInterval",
            "1h",
            "complaints.dailyLimit",
            "5");
    bed.department(
        TRAFFIC, DepartmentFamily.TRAFFIC, HANGZHOU, "traffic.fines", "traffic.vehicles");
    bed.department(HOUSING, DepartmentFamily.HOUSING_FUND, HANGZHOU, "housing-fund.account");
    bed.department(SOCIAL, DepartmentFamily.SOCIAL_SECURITY, HANGZHOU, "social-security.account");
    people = new ArrayList<>(bed.identity.people).iterator();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  // ---------- helpers ----------

  private static String citizen() {
    return bed.l2(people.next());
  }

  private static JsonObject request(String kind, String serviceType, String text) {
    return new JsonObject()
        .put("kind", kind)
        .put("serviceType", serviceType)
        .put("region", HANGZHOU)
        .put("text", text);
  }

  private static HttpResponse<String> file(String token, JsonObject body, String idempotencyKey) {
    Map<String, String> headers = new HashMap<>(IdentityTestBed.bearer(token));
    if (idempotencyKey != null) headers.put("Idempotency-Key", idempotencyKey);
    HttpResponse<String> r =
        Http.post(bed.gateway.baseUrl() + "/v1/complaints", body.encode(), headers);
    CITIZEN_API.assertValid("fileComplaint", r);
    return r;
  }

  private static JsonObject filed(String token, String kind, String serviceType, String text) {
    HttpResponse<String> r = file(token, request(kind, serviceType, text), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r);
  }

  private static HttpResponse<String> mine(String token, String id) {
    HttpResponse<String> r = bed.get("/v1/complaints/" + id, token);
    CITIZEN_API.assertValid("getComplaint", r);
    return r;
  }

  private static HttpResponse<String> admin(
      String method,
      String departmentId,
      String path,
      String auth,
      JsonObject body,
      String operationId) {
    HttpResponse<String> r =
        Http.send(
            method,
            bed.gateway.baseUrl() + "/admin/v1/departments/" + departmentId + "/complaints" + path,
            body == null ? null : body.encode(),
            Map.of("Authorization", auth));
    ADMIN_API.assertValid(operationId, r);
    return r;
  }

  private static JsonArray departmentItems(String departmentId, String query) {
    HttpResponse<String> r =
        admin(
            "GET",
            departmentId,
            query,
            bed.credential(departmentId),
            null,
            "listDepartmentComplaints");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r).getJsonArray("items");
  }

  private static boolean listed(JsonArray items, String id) {
    return items.stream().anyMatch(i -> id.equals(((JsonObject) i).getString("id")));
  }

  // ---------- tests ----------

  @Test
  @Order(1)
  void aComplaintGoesToTheDepartmentRegisteredForItsServiceAndRegion() {
    String token = citizen();
    JsonObject fine = filed(token, "complaint", "traffic.fines", "罚单地点与实际不符，请核实。");
    assertThat(fine.getString("departmentId")).isEqualTo(TRAFFIC);
    assertThat(fine.getString("status")).isEqualTo("open");
    JsonObject fund = filed(token, "consultation", "housing-fund.account", "公积金提取需要哪些材料？");
    assertThat(fund.getString("departmentId")).isEqualTo(HOUSING);

    assertThat(listed(departmentItems(TRAFFIC, ""), fine.getString("id"))).isTrue();
    assertThat(listed(departmentItems(TRAFFIC, ""), fund.getString("id"))).isFalse();
    assertThat(listed(departmentItems(HOUSING, "?kind=consultation"), fund.getString("id")))
        .isTrue();
  }

  @Test
  @Order(2)
  void deadlinesCountWorkingDaysAcrossMidAutumnAndNationalDay() {
    String token = citizen();
    // Thursday 24 September: 中秋 25–27, Mon 28, Tue 29, Wed 30 → a consultation is due by the end of
    // the 30th.
    JsonObject consultation = filed(token, "consultation", "traffic.fines", "违章可以在手机上处理吗？");
    assertThat(consultation.getInteger("workingDays")).isEqualTo(3);
    assertThat(consultation.getString("deadline")).isEqualTo("2026-09-30T16:00:00Z");
    // 国庆 1–7 October, then Thu 8 and Fri 9: a complaint is due by the end of 9 October.
    JsonObject complaint = filed(token, "complaint", "traffic.fines", "处理窗口排队过长。");
    assertThat(complaint.getInteger("workingDays")).isEqualTo(5);
    assertThat(complaint.getString("deadline")).isEqualTo("2026-10-09T16:00:00Z");
  }

  @Test
  @Order(3)
  void aTransferKeepsTheDeadlineAndMovesTheItemToTheOtherDepartment() {
    String token = citizen();
    JsonObject item = filed(token, "complaint", "traffic.fines", "这个问题应由社保部门处理。");
    String id = item.getString("id");
    HttpResponse<String> moved =
        admin(
            "POST",
            TRAFFIC,
            "/" + id + "/transfer",
            bed.credential(TRAFFIC),
            new JsonObject().put("toDepartment", SOCIAL).put("reason", "涉及社保待遇，转人社局办理"),
            "transferComplaint");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(Http.json(moved).getString("deadline")).isEqualTo(item.getString("deadline"));
    assertThat(Http.json(moved).getString("departmentId")).isEqualTo(SOCIAL);

    assertThat(
            admin("GET", TRAFFIC, "/" + id, bed.credential(TRAFFIC), null, "getDepartmentComplaint")
                .statusCode())
        .isEqualTo(404);
    HttpResponse<String> atSocial =
        admin("GET", SOCIAL, "/" + id, bed.credential(SOCIAL), null, "getDepartmentComplaint");
    assertThat(atSocial.statusCode()).as(atSocial.body()).isEqualTo(200);
    JsonObject seen = Http.json(atSocial);
    assertThat(seen.getString("deadline")).isEqualTo(item.getString("deadline"));
    assertThat(seen.getInteger("transfers")).isEqualTo(1);
    JsonObject transfer = seen.getJsonArray("history").getJsonObject(1);
    assertThat(transfer.getString("action")).isEqualTo("transferred");
    assertThat(transfer.getString("fromDepartment")).isEqualTo(TRAFFIC);
    assertThat(transfer.getString("reason")).isEqualTo("涉及社保待遇，转人社局办理");

    JsonObject mine = Http.json(mine(token, id));
    assertThat(mine.getString("departmentId")).isEqualTo(SOCIAL);
    assertThat(mine.getString("deadline")).isEqualTo(item.getString("deadline"));
    // To an unknown department, or to itself: refused, nothing changes.
    HttpResponse<String> nowhere =
        admin(
            "POST",
            SOCIAL,
            "/" + id + "/transfer",
            bed.credential(SOCIAL),
            new JsonObject().put("toDepartment", "no-such-dept").put("reason", "x"),
            "transferComplaint");
    assertThat(nowhere.statusCode()).isEqualTo(422);
    assertThat(Http.json(nowhere).getString("code")).isEqualTo("complaint.transfer_target_unknown");
    assertThat(
            admin(
                    "POST",
                    SOCIAL,
                    "/" + id + "/transfer",
                    bed.credential(SOCIAL),
                    new JsonObject().put("toDepartment", SOCIAL).put("reason", "x"),
                    "transferComplaint")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  @Order(4)
  void aDepartmentCannotSeeOrChangeAnotherDepartmentsItems() {
    String token = citizen();
    String id = filed(token, "complaint", "traffic.fines", "请核实罚单。").getString("id");
    // Under the other department's path, with its own credential: 403.
    HttpResponse<String> foreign =
        admin("GET", TRAFFIC, "", bed.credential(HOUSING), null, "listDepartmentComplaints");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(Http.json(foreign).getString("code")).isEqualTo("auth.forbidden_department");
    // Under its own path, the other department's item does not exist.
    assertThat(
            admin("GET", HOUSING, "/" + id, bed.credential(HOUSING), null, "getDepartmentComplaint")
                .statusCode())
        .isEqualTo(404);
    HttpResponse<String> reply =
        admin(
            "POST",
            HOUSING,
            "/" + id + "/reply",
            bed.credential(HOUSING),
            new JsonObject().put("reply", "不是我们的事项"),
            "replyToComplaint");
    assertThat(reply.statusCode()).isEqualTo(404);
    assertThat(Http.json(reply).getString("code")).isEqualTo("complaint.not_found");
    assertThat(listed(departmentItems(HOUSING, ""), id)).isFalse();
    // Without a credential: 401.
    assertThat(
            Http.get(bed.gateway.baseUrl() + "/admin/v1/departments/" + TRAFFIC + "/complaints")
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  @Order(5)
  void aCitizenSeesOnlyTheirOwnItems() {
    String alice = citizen();
    String bob = citizen();
    String id = filed(alice, "consultation", "traffic.vehicles", "车辆年检如何预约？").getString("id");
    assertThat(mine(alice, id).statusCode()).isEqualTo(200);
    HttpResponse<String> probe = mine(bob, id);
    assertThat(probe.statusCode()).isEqualTo(404);
    assertThat(Http.json(probe).getString("code")).isEqualTo("complaint.not_found");
    HttpResponse<String> list = bed.get("/v1/complaints", bob);
    CITIZEN_API.assertValid("listComplaints", list);
    assertThat(listed(Http.json(list).getJsonArray("items"), id)).isFalse();
    HttpResponse<String> own = bed.get("/v1/complaints", alice);
    assertThat(listed(Http.json(own).getJsonArray("items"), id)).isTrue();
  }

  @Test
  @Order(6)
  void theDepartmentRepliesTheCitizenReadsTheReplyAndRatesIt() {
    String token = citizen();
    String id = filed(token, "complaint", "housing-fund.account", "账户余额显示有误。").getString("id");
    HttpResponse<String> replied =
        admin(
            "POST",
            HOUSING,
            "/" + id + "/reply",
            bed.credential(HOUSING),
            new JsonObject().put("reply", "已核实并更正，感谢反馈。"),
            "replyToComplaint");
    assertThat(replied.statusCode()).as(replied.body()).isEqualTo(200);
    assertThat(Http.json(replied).getString("status")).isEqualTo("answered");
    HttpResponse<String> again =
        admin(
            "POST",
            HOUSING,
            "/" + id + "/reply",
            bed.credential(HOUSING),
            new JsonObject().put("reply", "再次答复"),
            "replyToComplaint");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(Http.json(again).getString("code")).isEqualTo("complaint.already_replied");

    JsonObject mine = Http.json(mine(token, id));
    assertThat(mine.getString("reply")).isEqualTo("已核实并更正，感谢反馈。");
    assertThat(mine.getBoolean("repliedOnTime")).isTrue();
    String interaction = mine.getString("replyInteractionId");
    assertThat(interaction).isNotBlank();
    HttpResponse<String> rated =
        bed.post(
            "/v1/ratings",
            new JsonObject().put("interactionId", interaction).put("level", 5),
            token);
    assertThat(rated.statusCode()).as(rated.body()).isEqualTo(201);

    HttpResponse<String> closed =
        admin(
            "POST", HOUSING, "/" + id + "/close", bed.credential(HOUSING), null, "closeComplaint");
    assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
    assertThat(Http.json(closed).getString("status")).isEqualTo("closed");
    assertThat(
            Http.json(mine(token, id)).getJsonArray("history").stream()
                .map(h -> ((JsonObject) h).getString("action"))
                .toList())
        .containsExactly("submitted", "replied", "closed");
  }

  @Test
  @Order(7)
  void anItemIsClosedOnlyAfterItsReply() {
    String id = filed(citizen(), "consultation", "traffic.fines", "罚款可以分期吗？").getString("id");
    HttpResponse<String> r =
        admin(
            "POST", TRAFFIC, "/" + id + "/close", bed.credential(TRAFFIC), null, "closeComplaint");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(Http.json(r).getString("code")).isEqualTo("complaint.not_replied");
  }

  @Test
  @Order(8)
  void theTextReplyAndReasonAreSealedInTheProfilesAlgorithmAndNeverLoggedOrAudited()
      throws Exception {
    String text = "我的身份证号码是330106199001011234，请勿泄露。";
    String reason = "投诉人称罚单属于他人车辆，转交车管所核实";
    String reply = "已核实车辆登记信息，罚单已撤销";
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String token = citizen();
    String id;
    try {
      id = filed(token, "complaint", "traffic.fines", text).getString("id");
      assertThat(
              admin(
                      "POST",
                      TRAFFIC,
                      "/" + id + "/transfer",
                      bed.credential(TRAFFIC),
                      new JsonObject().put("toDepartment", HOUSING).put("reason", reason),
                      "transferComplaint")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              admin(
                      "POST",
                      HOUSING,
                      "/" + id + "/reply",
                      bed.credential(HOUSING),
                      new JsonObject().put("reply", reply),
                      "replyToComplaint")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              admin("GET", HOUSING, "", bed.credential(HOUSING), null, "listDepartmentComplaints")
                  .statusCode())
          .isEqualTo(200);
      assertThat(Http.json(mine(token, id)).getString("reply")).isEqualTo(reply);
    } finally {
      root.detachAppender(logs);
    }

    // At rest: each sealed column in the algorithm of the profile the suite runs in (AES-256-GCM
    // under "d1", or SM4-GCM under its own key "sm4k:…" in the shangmi run), none readable.
    String prefix = cn.govgate.testing.TestGateways.profile().equals("shangmi") ? "sm4k:" : "d1:";
    Object[] row =
        query(
            "SELECT c.text_enc, c.reply_enc, e.reason_enc FROM complaints c JOIN complaint_events e"
                + " ON e.complaint_id = c.id AND e.reason_enc IS NOT NULL WHERE c.id = $1",
            id);
    for (Object sealed : row) {
      assertThat((String) sealed)
          .startsWith(prefix)
          .doesNotContain("330106")
          .doesNotContain("身份证")
          .doesNotContain("罚单")
          .doesNotContain("车管所");
    }

    // Never in a log line, nor in the audit records of filing, transfer, reply and reads.
    assertThat(logs.list).as("the flow was logged").isNotEmpty();
    StringBuilder logged = new StringBuilder();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
      logged
          .append(e.getFormattedMessage())
          .append(' ')
          .append(java.util.Arrays.toString(e.getArgumentArray()))
          .append(' ')
          .append(e.getMDCPropertyMap())
          .append('\n');
      if (e.getThrowableProxy() != null)
        logged.append(e.getThrowableProxy().getMessage()).append('\n');
    }
    GatewayTestBed.await(bed.gateway.audit().flush());
    String audited =
        (String)
            query(
                "SELECT string_agg(a::text, E'\\n') FROM audit_log a WHERE a.details LIKE $1",
                "%" + id + "%")[0];
    assertThat(audited)
        .as("audit records of the item")
        .contains("complaints.filed")
        .contains("complaints.transferred")
        .contains("complaints.replied")
        .contains("complaints.read")
        .contains("complaints.department_read");
    for (String secret :
        new String[] {text, "330106199001011234", reason, "车管所核实", reply, "罚单已撤销"}) {
      assertThat(logged.toString()).doesNotContain(secret);
      assertThat(audited).doesNotContain(secret);
    }
  }

  private static Object[] query(String sql, Object... params) throws Exception {
    var rows =
        bed.gateway
            .database()
            .pool()
            .preparedQuery(sql)
            .execute(Tuple.from(java.util.Arrays.asList(params)))
            .await(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(rows.size()).as(sql).isEqualTo(1);
    var r = rows.iterator().next();
    Object[] out = new Object[r.size()];
    for (int i = 0; i < out.length; i++) out[i] = r.getValue(i);
    return out;
  }

  @Test
  @Order(8)
  void theRequestFingerprintIsKeyedInTheProfilesBlindIndexAlgorithm() throws Exception {
    String text = "我的身份证号码是330106199001011234，请勿泄露。";
    String id = filed(citizen(), "complaint", "traffic.fines", text).getString("id");
    cn.govgate.identity.PersonalDataCipher cipher =
        cn.govgate.identity.PersonalDataCipher.create(
            bed.gateway.config().identity().dataKeys(),
            bed.gateway.config().identity().sm4DataKeys(),
            bed.gateway.config().identity().blindIndexKey(),
            bed.gateway.config().crypto());
    // Keyed (the blind-index key and algorithm: HMAC-SM3 in the shangmi run), not an unkeyed digest
    // anyone reading the table could confirm a guessed text with.
    String canonical = "9:complaint13:traffic.fines6:330100" + utf8Length(text) + ":" + text + "0:";
    assertThat((String) query("SELECT request_hash FROM complaints WHERE id = $1", id)[0])
        .isNotEqualTo(sha256Hex(canonical))
        .isEqualTo(cipher.blindIndex("complaints.request", canonical))
        .startsWith(cipher.indexing().tag());
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static String sha256Hex(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  @Order(9)
  void badRequestsGetCodedErrorsAndNothingIsStored() {
    String token = citizen();
    HttpResponse<String> invalid =
        file(
            token,
            new JsonObject()
                .put("kind", "praise")
                .put("serviceType", "x")
                .put("region", "33")
                .put("text", "a".repeat(2001)),
            null);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(Http.json(invalid).getJsonObject("details").getJsonObject("fields").fieldNames())
        .containsExactlyInAnyOrder("kind", "serviceType", "region", "text");
    HttpResponse<String> malformed =
        Http.post(
            bed.gateway.baseUrl() + "/v1/complaints", "{not json", IdentityTestBed.bearer(token));
    assertThat(malformed.statusCode()).isEqualTo(400);
    HttpResponse<String> notOffered =
        file(token, request("complaint", "utilities.bill", "水费"), null);
    assertThat(notOffered.statusCode()).isEqualTo(404);
    assertThat(Http.json(notOffered).getString("code")).isEqualTo("region.service_not_offered");
    HttpResponse<String> strangeLink =
        file(
            token,
            request("complaint", "traffic.fines", "关于这次查询")
                .put("interactionId", "not-an-interaction-of-mine"),
            null);
    assertThat(strangeLink.statusCode()).isEqualTo(404);
    assertThat(Http.json(strangeLink).getString("code")).isEqualTo("complaint.interaction_unknown");
    // L1 (channel login only) may not file.
    HttpResponse<String> l1 =
        file(bed.l1(people.next()), request("complaint", "traffic.fines", "匿名"), null);
    assertThat(l1.statusCode()).isEqualTo(403);
    assertThat(Http.json(bed.get("/v1/complaints", token)).getJsonArray("items")).isEmpty();
  }

  @Test
  @Order(10)
  void theSameIdempotencyKeyAnswersTheSameItemAndADifferentBodyIsRefused() throws Exception {
    String token = citizen();
    JsonObject body = request("complaint", "traffic.fines", "重复提交测试");
    HttpResponse<String> first = file(token, body, "complaint-key-0001");
    HttpResponse<String> second = file(token, body, "complaint-key-0001");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(Http.json(second).getString("id")).isEqualTo(Http.json(first).getString("id"));
    HttpResponse<String> other =
        file(token, request("complaint", "traffic.fines", "另一件事"), "complaint-key-0001");
    assertThat(other.statusCode()).isEqualTo(422);
    // A row filed before keyed fingerprints holds the unkeyed SHA-256: its retry still replays.
    String id = Http.json(first).getString("id");
    String legacy =
        sha256Hex("9:complaint13:traffic.fines6:330100" + utf8Length("重复提交测试") + ":重复提交测试0:");
    bed.gateway
        .database()
        .pool()
        .preparedQuery("UPDATE complaints SET request_hash = $2 WHERE id = $1")
        .execute(Tuple.of(id, legacy))
        .await(10, java.util.concurrent.TimeUnit.SECONDS);
    HttpResponse<String> retried = file(token, body, "complaint-key-0001");
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(Http.json(retried).getString("id")).isEqualTo(id);
    assertThat(
            file(token, request("complaint", "traffic.fines", "另一件事"), "complaint-key-0001")
                .statusCode())
        .isEqualTo(422);
    assertThat(Http.json(bed.get("/v1/complaints", token)).getJsonArray("items")).hasSize(1);
  }

  @Test
  @Order(11)
  void aCitizenFilesAtMostTheDailyLimit() {
    String token = citizen();
    for (int i = 0; i < 5; i++)
      assertThat(file(token, request("consultation", "traffic.fines", "问题" + i), null).statusCode())
          .isEqualTo(201);
    HttpResponse<String> sixth = file(token, request("consultation", "traffic.fines", "问题6"), null);
    assertThat(sixth.statusCode()).isEqualTo(429);
    assertThat(Http.json(sixth).getString("code")).isEqualTo("complaint.daily_limit");
    assertThat(sixth.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  @Order(12)
  void anItemMayNameACaseOfTheCitizensOwnAndNoOneElses() {
    String alice = citizen();
    String bob = citizen();
    HttpResponse<String> cases = bed.get("/v1/my/cases", alice);
    assertThat(cases.statusCode()).as(cases.body()).isEqualTo(200);
    // An L2 citizen has at least the real-name verification that made them L2.
    String caseId = Http.json(cases).getJsonArray("items").getJsonObject(0).getString("caseId");

    JsonObject linked =
        Http.json(
            file(
                alice,
                request("complaint", "traffic.fines", "关于这件办件的处理").put("caseId", caseId),
                null));
    assertThat(linked.getString("caseId")).isEqualTo(caseId);
    assertThat(Http.json(mine(alice, linked.getString("id"))).getString("caseId"))
        .isEqualTo(caseId);
    HttpResponse<String> atPolice =
        admin(
            "GET",
            TRAFFIC,
            "/" + linked.getString("id"),
            bed.credential(TRAFFIC),
            null,
            "getDepartmentComplaint");
    assertThat(Http.json(atPolice).getString("caseId")).isEqualTo(caseId);

    // Another citizen naming it, or a case nobody has: 404, nothing filed.
    for (String foreign : new String[] {caseId, "payment-NO-SUCH-ORDER"}) {
      HttpResponse<String> refused =
          file(bob, request("complaint", "traffic.fines", "试探").put("caseId", foreign), null);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(404);
      assertThat(Http.json(refused).getString("code")).isEqualTo("complaint.case_unknown");
    }
    HttpResponse<String> malformed =
        file(bob, request("complaint", "traffic.fines", "格式不对").put("caseId", "nonsense"), null);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(Http.json(malformed).getJsonObject("details").getJsonObject("fields").fieldNames())
        .containsExactly("caseId");
    assertThat(Http.json(bed.get("/v1/complaints", bob)).getJsonArray("items")).isEmpty();
  }

  @Test
  @Order(100)
  void anUnansweredItemPastItsDeadlineIsMarkedOverdueOnceAndCounted() throws Exception {
    String token = citizen();
    JsonObject consultation = filed(token, "consultation", "social-security.account", "退休手续怎么办理？");
    String id = consultation.getString("id");
    JsonObject answered = filed(token, "consultation", "social-security.account", "已答复的咨询");
    assertThat(
            admin(
                    "POST",
                    SOCIAL,
                    "/" + answered.getString("id") + "/reply",
                    bed.credential(SOCIAL),
                    new JsonObject().put("reply", "见办事指南"),
                    "replyToComplaint")
                .statusCode())
        .isEqualTo(200);

    // Still on the last working day (Wednesday 30 September, 23:59 in Beijing): not overdue.
    bed.clock.advance(
        Duration.between(
            java.time.Instant.parse("2026-09-24T02:00:00Z"),
            java.time.Instant.parse("2026-09-30T15:59:00Z")));
    GatewayTestBed.await(bed.gateway.overdueWatch().runOnce());
    assertThat(Http.json(mine(token, id)).getString("status")).isEqualTo("open");

    bed.clock.advance(Duration.ofMinutes(2));
    GatewayTestBed.await(bed.gateway.overdueWatch().runOnce());
    GatewayTestBed.await(bed.gateway.overdueWatch().runOnce());
    JsonObject item = Http.json(mine(token, id));
    assertThat(item.getString("status")).isEqualTo("overdue");
    assertThat(
            item.getJsonArray("history").stream()
                .filter(h -> "overdue".equals(((JsonObject) h).getString("action"))))
        .hasSize(1);
    assertThat(Http.json(mine(token, answered.getString("id"))).getString("status"))
        .isEqualTo("answered");
    assertThat(listed(departmentItems(SOCIAL, "?status=overdue"), id)).isTrue();
    assertThat(listed(departmentItems(SOCIAL, "?status=overdue"), answered.getString("id")))
        .isFalse();

    String scrape = bed.gateway.registry().scrape();
    assertThat(scrape)
        .contains(
            "govgate_complaints_overdue{department=\"" + SOCIAL + "\",kind=\"consultation\"} 1.0");
    assertThat(scrape).contains("govgate_complaints_marked_overdue_total{kind=\"consultation\"}");

    // A late reply is recorded as late; the item leaves the overdue gauge.
    HttpResponse<String> late =
        admin(
            "POST",
            SOCIAL,
            "/" + id + "/reply",
            bed.credential(SOCIAL),
            new JsonObject().put("reply", "抱歉答复晚了"),
            "replyToComplaint");
    assertThat(late.statusCode()).isEqualTo(200);
    assertThat(Http.json(late).getBoolean("repliedOnTime")).isFalse();
    GatewayTestBed.await(bed.gateway.overdueWatch().runOnce());
    assertThat(bed.gateway.registry().scrape())
        .doesNotContain(
            "govgate_complaints_overdue{department=\"" + SOCIAL + "\",kind=\"consultation\"} 1.0");
  }
}
