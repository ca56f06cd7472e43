package cn.govgate.reminders;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.wechat.sim.SimSubscribeMessage;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two reminder topics {@link RemindersTest} does not cover: a utility bill coming due (asked of
 * the utility company in a batch, {@code utilities.due-bills}) and a proof about to expire
 * (govgate's own records). The clock stands on 2026-03-10 and bills fall due on the 25th, so this
 * gateway reminds of what is due within 20 days.
 */
class DueRemindersTest {
  private static final ApiContract CONTRACT = ApiContract.of("gateway-api.yaml");
  private static final String HANGZHOU = SyntheticCitizens.HANGZHOU;
  private static final String WX_BILL = "WxBillTmpl_0001";
  private static final String WX_PROOF = "WxProofTmpl_0001";

  private static GatewayTestBed bed;
  private static DepartmentSimulator water;

  @BeforeAll
  static void start() throws Exception {
    String wx = IdentityTestBed.WECHAT_APP;
    bed =
        new GatewayTestBed(
            40,
            2029L,
            TestClock.at("2026-03-10T02:00:00Z"),
            "reminders.templates." + wx + ".utility_bill",
            WX_BILL,
            "reminders.templates." + wx + ".utility_bill.fields",
            "thing1=title,thing2=account,amount3=amount,date4=due",
            "reminders.templates." + wx + ".proof_expiring",
            WX_PROOF,
            "reminders.templates." + wx + ".proof_expiring.fields",
            "thing1=title,thing2=serial,date3=due",
            "reminders.dueWithin",
            "20d",
            "reminders.findInterval",
            "1h");
    bed.identity.wechat.registerTemplate(
        wx, WX_BILL, List.of("thing1", "thing2", "amount3", "date4"), false);
    bed.identity.wechat.registerTemplate(wx, WX_PROOF, List.of("thing1", "thing2", "date3"), false);
    water =
        bed.department(
            "hz-water",
            DepartmentFamily.UTILITIES,
            HANGZHOU,
            "utilities.bill",
            "utilities.due-bills");
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        HANGZHOU,
        "housing-fund.account",
        "housing-fund.proof-data");
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  private static HttpResponse<String> subscribe(String token, JsonObject body) {
    HttpResponse<String> r = bed.post("/v1/reminders/subscriptions", body, token);
    CONTRACT.assertValid("subscribeToReminders", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return r;
  }

  private static void rounds() {
    GatewayTestBed.await(bed.gateway.reminders().findDue());
    GatewayTestBed.await(bed.gateway.reminders().sendDue());
  }

  @Test
  void aBillComingDueAndAProofAboutToExpireAreEachRemindedOnce() {
    // A Hangzhou citizen whose water company has an unpaid current bill, and whose housing fund
    // issues them a proof valid for two days.
    SyntheticCitizen person = null;
    HouseholdAccount account = null;
    String openid = null;
    String token = null;
    String serial = null;
    for (SyntheticCitizen p : bed.identity.people) {
      if (!p.homeRegion().equals(HANGZHOU)) continue;
      HouseholdAccount unpaid =
          water.accountsOf(p).stream()
              .filter(
                  a -> {
                    Bill b = water.billOf(a);
                    return !b.initiallyPaid() && b.amountFen() > 0;
                  })
              .findFirst()
              .orElse(null);
      if (unpaid == null) continue;
      String id = bed.identity.wechatUser(p);
      String l3 = bed.identity.wechatToL3(bed.gateway, id, p);
      HttpResponse<String> proof =
          Http.post(
              bed.gateway.baseUrl() + "/v1/housing-fund/proofs",
              new JsonObject()
                  .put("purpose", "办理个人住房贷款")
                  .put("validDays", 2)
                  .put("region", HANGZHOU)
                  .encode(),
              IdentityTestBed.bearer(l3));
      if (proof.statusCode() != 201) continue;
      person = p;
      account = unpaid;
      openid = id;
      token = l3;
      serial = Http.json(proof).getString("serial");
      break;
    }
    assertThat(person).as("a citizen with an unpaid bill and a housing-fund account").isNotNull();

    bed.identity.wechat.requestSubscribeMessage(
        IdentityTestBed.WECHAT_APP, openid, Map.of(WX_BILL, "accept", WX_PROOF, "accept"));
    subscribe(
        token,
        new JsonObject()
            .put("topic", "utility_bill")
            .put("templateId", WX_BILL)
            .put("region", HANGZHOU)
            .put("utilityType", account.utilityType())
            .put("accountNo", account.accountNo()));
    subscribe(token, new JsonObject().put("topic", "proof_expiring").put("templateId", WX_PROOF));

    rounds();
    rounds();
    bed.clock.advance(Duration.ofHours(2)); // the subscriptions are checked again
    rounds();
    rounds();

    String to = openid;
    List<SimSubscribeMessage> got =
        bed.identity.wechat.subscribeMessages().stream()
            .filter(m -> m.openid().equals(to))
            .toList();
    List<SimSubscribeMessage> bills =
        got.stream().filter(m -> m.templateId().equals(WX_BILL)).toList();
    List<SimSubscribeMessage> proofs =
        got.stream().filter(m -> m.templateId().equals(WX_PROOF)).toList();
    assertThat(bills).hasSize(1);
    assertThat(bills.get(0).data().getJsonObject("amount3").getString("value")).startsWith("¥");
    assertThat(bills.get(0).data().getJsonObject("date4").getString("value"))
        .isEqualTo(water.billOf(account).dueDate().toString());
    assertThat(bills.get(0).data().getJsonObject("thing2").getString("value"))
        .endsWith(account.accountNo().substring(6))
        .doesNotContain(account.accountNo());
    assertThat(proofs).hasSize(1);
    assertThat(serial).startsWith(proofs.get(0).data().getJsonObject("thing2").getString("value"));
    assertThat(proofs.get(0).data().getJsonObject("date3").getString("value"))
        .isEqualTo("2026-03-12");
    assertThat(bed.gateway.registry().scrape())
        .contains(
            "govgate_reminders_total{channel=\"wechat\",outcome=\"sent\",topic=\"utility_bill\"} 1.0")
        .contains(
            "govgate_reminders_total{channel=\"wechat\",outcome=\"sent\",topic=\"proof_expiring\"} 1.0");
  }
}
