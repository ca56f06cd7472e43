package cn.govgate.reminders;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.channel.alipay.sim.SimSubscriptionMessage;
import cn.govgate.channel.wechat.sim.SimSubscribeMessage;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reminders through the real channel simulators and a real traffic-police simulator, as production
 * wires them: each citizen accepts templates in the simulated mini-program dialogs (the platforms
 * keep the grants), subscribes through the API, and the scheduler finds the unpaid fines and sends.
 * Each test uses citizens of its own.
 */
class RemindersTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String POLICE = "hz-jj";
  private static final String WX_FINE = "WxFineTmpl_0001";
  private static final String WX_REPLY = "WxReplyTmpl_0001";
  private static final String ALI_FINE = "AliFineTmpl0001";

  private static GatewayTestBed bed;
  private static DepartmentSimulator police;
  private static Iterator<SyntheticCitizen> finedPeople;

  /** One person with a session on each channel and their channel user keys. */
  private record Citizen(
      SyntheticCitizen person,
      String alipayUser,
      String alipayToken,
      String openid,
      String wechatToken) {}

  @BeforeAll
  static void start() throws Exception {
    String ali = IdentityTestBed.ALIPAY_APP;
    String wx = IdentityTestBed.WECHAT_APP;
    bed =
        new GatewayTestBed(
            60,
            2028L,
            TestClock.at("2026-03-10T02:00:00Z"),
            "reminders.templates." + wx + ".traffic_fine",
            WX_FINE,
            "reminders.templates." + wx + ".traffic_fine.fields",
            "thing1=title,car_number2=plate,amount3=amount,date4=due",
            "reminders.templates." + wx + ".traffic_fine.page",
            "pages/fines/detail?no={ref}",
            "reminders.templates." + wx + ".complaint_reply",
            WX_REPLY,
            "reminders.templates." + wx + ".complaint_reply.fields",
            "thing1=title,character_string2=reference,time3=time",
            "reminders.templates." + ali + ".traffic_fine",
            ALI_FINE,
            "reminders.templates." + ali + ".traffic_fine.fields",
            "keyword1=title,keyword2=plate,keyword3=amount,keyword4=due",
            "reminders.retryBackoff",
            "1m",
            "reminders.findInterval",
            "1h");
    bed.identity.wechat.registerTemplate(
        wx, WX_FINE, List.of("thing1", "car_number2", "amount3", "date4"), false);
    bed.identity.wechat.registerTemplate(
        wx, WX_REPLY, List.of("thing1", "character_string2", "time3"), false);
    bed.identity.alipay.registerTemplate(
        ali, ALI_FINE, List.of("keyword1", "keyword2", "keyword3", "keyword4"), false);
    police =
        bed.department(
            POLICE, DepartmentFamily.TRAFFIC, HANGZHOU, "traffic.fines", "traffic.due-fines");
    List<SyntheticCitizen> fined = new ArrayList<>();
    for (SyntheticCitizen p : bed.identity.people) {
      if (p.homeRegion().equals(HANGZHOU) && unpaidFines(p) > 0) fined.add(p);
    }
    assertThat(fined).hasSizeGreaterThanOrEqualTo(5);
    finedPeople = fined.iterator();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  private static long unpaidFines(SyntheticCitizen p) {
    long n = 0;
    for (Vehicle v : police.vehiclesOf(p)) {
      for (Fine f : police.finesOf(p, v)) if (!f.initiallyPaid() && f.payable()) n++;
    }
    return n;
  }

  /**
   * A fined citizen logged in on Alipay (L2, certified real name) and on WeChat (L3, face), bound
   * to one key.
   */
  private static Citizen citizen() {
    SyntheticCitizen person = finedPeople.next();
    String alipayUser = bed.identity.alipayUser(person, true);
    String login = bed.identity.alipayToken(bed.gateway, alipayUser);
    HttpResponse<String> l2 =
        IdentityTestBed.start(bed.gateway, login, person.name(), person.idNumber());
    assertThat(l2.statusCode()).as(l2.body()).isEqualTo(201);
    String alipayToken = Http.json(l2).getJsonObject("session").getString("token");
    String openid = bed.identity.wechatUser(person);
    String wechatToken = bed.identity.wechatToL3(bed.gateway, openid, person);
    assertThat(GatewayTestBed.citizenKey(wechatToken))
        .isEqualTo(GatewayTestBed.citizenKey(alipayToken));
    return new Citizen(person, alipayUser, alipayToken, openid, wechatToken);
  }

  private static HttpResponse<String> subscribe(String token, JsonObject body) {
    HttpResponse<String> r = bed.post("/v1/reminders/subscriptions", body, token);
    CONTRACT.assertValid("subscribeToReminders", r);
    return r;
  }

  /** The citizen accepts the fine templates in both mini-programs and tells the gateway. */
  private static void subscribeToFines(Citizen c) {
    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, c.openid(), Map.of(WX_FINE, "accept"));
    bed.identity.alipay.requestSubscribeMessage(
        IdentityTestBed.ALIPAY_APP, c.alipayUser(), Map.of(ALI_FINE, "accept"));
    HttpResponse<String> wx =
        subscribe(
            c.wechatToken(),
            new JsonObject()
                .put("topic", "traffic_fine")
                .put("templateId", WX_FINE)
                .put("region", HANGZHOU));
    assertThat(wx.statusCode()).as(wx.body()).isEqualTo(201);
    assertThat(Http.json(wx).getInteger("remainingGrants")).isEqualTo(1);
    HttpResponse<String> ali =
        subscribe(
            c.alipayToken(),
            new JsonObject()
                .put("topic", "traffic_fine")
                .put("templateId", ALI_FINE)
                .put("region", HANGZHOU));
    assertThat(ali.statusCode()).as(ali.body()).isEqualTo(201);
  }

  private static List<SimSubscribeMessage> wechatMessages(Citizen c) {
    return bed.identity.wechat.subscribeMessages().stream()
        .filter(m -> m.openid().equals(c.openid()))
        .toList();
  }

  private static List<SimSubscriptionMessage> alipayMessages(Citizen c) {
    return bed.identity.alipay.subscriptionMessages().stream()
        .filter(m -> m.recipient().equals(c.alipayUser()))
        .toList();
  }

  private static JsonObject subscriptions(String token) {
    HttpResponse<String> r = bed.get("/v1/reminders/subscriptions", token);
    CONTRACT.assertValid("listReminderSubscriptions", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  private static void rounds(Gateway g) {
    GatewayTestBed.await(g.reminders().findDue());
    GatewayTestBed.await(g.reminders().sendDue());
  }

  @Test
  void aSubscribedCitizenWithAnUnpaidFineGetsExactlyOneReminderPerChannelWithTwoInstances()
      throws Exception {
    Citizen c = citizen();
    HttpResponse<String> templates = bed.get("/v1/reminders/templates", c.wechatToken());
    CONTRACT.assertValid("getReminderTemplates", templates);
    assertThat(Http.json(templates).getJsonArray("topics").encode())
        .contains(WX_FINE)
        .contains(WX_REPLY);
    subscribeToFines(c);

    Gateway second =
        Gateway.start(GovgateConfig.from(ConfigValues.of(bed.settings)), bed.clock)
            .await(2, TimeUnit.MINUTES);
    try {
      // Both instances look for what is due and send, at the same time, several times over.
      for (int i = 0; i < 3; i++) {
        Future.join(bed.gateway.reminders().findDue(), second.reminders().findDue())
            .await(30, TimeUnit.SECONDS);
        Future.join(bed.gateway.reminders().sendDue(), second.reminders().sendDue())
            .await(30, TimeUnit.SECONDS);
      }
      bed.clock.advance(Duration.ofHours(2)); // the next check of the subscriptions is due again
      Future.join(bed.gateway.reminders().findDue(), second.reminders().findDue())
          .await(30, TimeUnit.SECONDS);
      Future.join(bed.gateway.reminders().sendDue(), second.reminders().sendDue())
          .await(30, TimeUnit.SECONDS);
    } finally {
      TestGateways.stop(second);
    }

    List<SimSubscribeMessage> wechat = wechatMessages(c);
    assertThat(wechat).hasSize(1);
    assertThat(wechat.get(0).templateId()).isEqualTo(WX_FINE);
    assertThat(wechat.get(0).data().getJsonObject("amount3").getString("value")).startsWith("¥");
    assertThat(wechat.get(0).page()).startsWith("pages/fines/detail?no=");
    assertThat(alipayMessages(c)).hasSize(1);
    assertThat(alipayMessages(c).get(0).templateId()).isEqualTo(ALI_FINE);
    JsonObject subs = subscriptions(c.wechatToken());
    assertThat(subs.getJsonArray("items")).hasSize(2);
    subs.getJsonArray("items")
        .forEach(
            s -> {
              assertThat(((JsonObject) s).getInteger("remainingGrants")).isZero();
              assertThat(((JsonObject) s).getString("lastReminderAt")).isNotNull();
            });
    // Nothing was sent that the platforms refused: every send had a grant.
    assertThat(bed.identity.wechat.calls("subscribe_send")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aRefusedGrantStopsTheSubscriptionAndIsNeverRetried() {
    Citizen c = citizen();
    // The citizen declined in the dialog, but the mini-program subscribed anyway (or the grant was
    // withdrawn).
    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, c.openid(), Map.of(WX_FINE, "reject"));
    assertThat(
            subscribe(
                    c.wechatToken(),
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", WX_FINE)
                        .put("region", HANGZHOU))
                .statusCode())
        .isEqualTo(201);
    int before = bed.identity.wechat.calls("subscribe_send");
    rounds(bed.gateway);
    assertThat(bed.identity.wechat.calls("subscribe_send")).isEqualTo(before + 1);
    assertThat(wechatMessages(c)).isEmpty();
    JsonObject sub = subscriptions(c.wechatToken()).getJsonArray("items").getJsonObject(0);
    assertThat(sub.getString("status")).isEqualTo("refused");

    bed.clock.advance(Duration.ofHours(2));
    rounds(bed.gateway);
    rounds(bed.gateway);
    assertThat(bed.identity.wechat.calls("subscribe_send")).isEqualTo(before + 1);
    assertThat(bed.gateway.registry().scrape())
        .contains(
            "govgate_reminders_total{channel=\"wechat\","
                + "outcome=\"refused\",topic=\"traffic_fine\"}");
  }

  @Test
  void aChannelOutageIsRetriedWithBackoffAndTheReminderArrivesOnceAfterRecovery() {
    Citizen c = citizen();
    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, c.openid(), Map.of(WX_FINE, "accept"));
    assertThat(
            subscribe(
                    c.wechatToken(),
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", WX_FINE)
                        .put("region", HANGZHOU))
                .statusCode())
        .isEqualTo(201);
    bed.identity.wechat.knobs().outage(true);
    try {
      rounds(bed.gateway);
      GatewayTestBed.await(bed.gateway.reminders().sendDue()); // backing off: not due again yet
      assertThat(wechatMessages(c)).isEmpty();
    } finally {
      bed.identity.wechat.knobs().outage(false);
    }
    GatewayTestBed.await(bed.gateway.reminders().sendDue());
    assertThat(wechatMessages(c)).as("still backing off").isEmpty();
    bed.clock.advance(Duration.ofMinutes(2));
    GatewayTestBed.await(bed.gateway.reminders().sendDue());
    GatewayTestBed.await(bed.gateway.reminders().sendDue());
    assertThat(wechatMessages(c)).hasSize(1);
    assertThat(bed.gateway.registry().scrape())
        .contains(
            "govgate_reminders_total{channel=\"wechat\","
                + "outcome=\"retry\",topic=\"traffic_fine\"}");
  }

  @Test
  void aReplyToAComplaintRemindsTheSubscribedCitizen() {
    Citizen c = citizen();
    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, c.openid(), Map.of(WX_REPLY, "accept"));
    assertThat(
            subscribe(
                    c.wechatToken(),
                    new JsonObject().put("topic", "complaint_reply").put("templateId", WX_REPLY))
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> filed =
        bed.post(
            "/v1/complaints",
            new JsonObject()
                .put("kind", "complaint")
                .put("serviceType", "traffic.fines")
                .put("region", HANGZHOU)
                .put("text", "罚单有误"),
            c.wechatToken());
    assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
    String id = Http.json(filed).getString("id");
    HttpResponse<String> replied =
        Http.post(
            bed.gateway.baseUrl()
                + "/admin/v1/departments/"
                + POLICE
                + "/complaints/"
                + id
                + "/reply",
            new JsonObject().put("reply", "已核实撤销").encode(),
            Map.of("Authorization", bed.credential(POLICE)));
    assertThat(replied.statusCode()).as(replied.body()).isEqualTo(200);
    GatewayTestBed.await(bed.gateway.reminders().sendDue());
    List<SimSubscribeMessage> got = wechatMessages(c);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).data().getJsonObject("character_string2").getString("value"))
        .isEqualTo(id);
  }

  @Test
  void citizensListAndCancelOnlyTheirOwnSubscriptions() {
    Citizen c = citizen();
    Citizen other = citizen();
    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, c.openid(), Map.of(WX_FINE, "accept"));
    String id =
        Http.json(
                subscribe(
                    c.wechatToken(),
                    new JsonObject()
                        .put("topic", "traffic_fine")
                        .put("templateId", WX_FINE)
                        .put("region", HANGZHOU)))
            .getString("id");
    HttpResponse<String> foreign =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/reminders/subscriptions/" + id,
            null,
            IdentityTestBed.bearer(other.wechatToken()));
    CONTRACT.assertValid("cancelReminderSubscription", foreign);
    assertThat(foreign.statusCode()).isEqualTo(404);
    HttpResponse<String> cancelled =
        Http.send(
            "DELETE",
            bed.gateway.baseUrl() + "/v1/reminders/subscriptions/" + id,
            null,
            IdentityTestBed.bearer(c.wechatToken()));
    CONTRACT.assertValid("cancelReminderSubscription", cancelled);
    assertThat(Http.json(cancelled).getString("status")).isEqualTo("cancelled");
    assertThat(subscriptions(c.wechatToken()).getJsonArray("items")).isEmpty();
    rounds(bed.gateway);
    assertThat(wechatMessages(c)).isEmpty();

    HttpResponse<String> wrongTemplate =
        subscribe(
            c.wechatToken(),
            new JsonObject()
                .put("topic", "traffic_fine")
                .put("templateId", "NotOurs")
                .put("region", HANGZHOU));
    assertThat(wrongTemplate.statusCode()).isEqualTo(400);
    HttpResponse<String> noTemplate =
        subscribe(
            c.alipayToken(),
            new JsonObject().put("topic", "complaint_reply").put("templateId", "x"));
    assertThat(noTemplate.statusCode()).isEqualTo(409);
    assertThat(Http.json(noTemplate).getString("code")).isEqualTo("reminder.topic_unavailable");
    HttpResponse<String> otherCity =
        subscribe(
            c.wechatToken(),
            new JsonObject()
                .put("topic", "traffic_fine")
                .put("templateId", WX_FINE)
                .put("region", "110000"));
    assertThat(otherCity.statusCode()).isEqualTo(404);
  }
}
