package cn.govgate.payments;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.identity.IdentityTestBed;
import cn.govgate.registry.RegistryFixture;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
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
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Payments operations end to end (issue 13, item 5): an operator resolves orders in {@code
 * needs_review} through the admin API — refunds through either channel's simulator, exactly once,
 * finished by the refund's answer, its notification or the reconciler; or books them to the
 * department — and the reconciler closes what the channel closed. Real money at the simulators: the
 * orders get into review the way they do in life (the bill was paid at the counter meanwhile, so
 * the department refuses the delivery).
 */
class PaymentOperationsTest {
  private static final ApiContract ADMIN = ApiContract.of("admin-api.yaml");
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");
  private static final String HZ = SyntheticCitizens.HANGZHOU;
  private static final Duration RECONCILE_AFTER = Duration.ofMinutes(2);

  private static GatewayTestBed bed;
  private static DepartmentSimulator traffic;
  private static DepartmentSimulator utilities;
  private static final Set<String> usedBills = new HashSet<>();
  private static final Set<String> usedPeople = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    bed =
        new GatewayTestBed(
            60,
            4343L,
            TestClock.running(),
            "payments.outboxInterval",
            "100ms",
            "payments.reconcileInterval",
            "200ms",
            "payments.reconcileAfter",
            RECONCILE_AFTER.toSeconds() + "s");
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
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  /**
   * An order of the citizen behind {@code token}, paid at its channel, that its department refused
   * (paid twice).
   */
  private record InReview(String token, String orderId, long amountFen) {}

  private static InReview paidTwiceThroughWechat() {
    SyntheticCitizen holder = null;
    Bill bill = null;
    HouseholdAccount account = null;
    synchronized (usedBills) {
      outer:
      for (SyntheticCitizen p : hangzhou()) {
        if (usedPeople.contains(p.idNumber())) continue;
        for (HouseholdAccount a : utilities.accountsOf(p)) {
          Bill b = utilities.billOf(a);
          if (!b.initiallyPaid() && b.amountFen() > 0 && usedBills.add(b.billRef())) {
            usedPeople.add(p.idNumber());
            holder = p;
            bill = b;
            account = a;
            break outer;
          }
        }
      }
    }
    String token = bed.l1(holder);
    HttpResponse<String> placed =
        bed.pay(
            token,
            UUID.randomUUID().toString(),
            new JsonObject()
                .put("billType", "utility_bill")
                .put("region", HZ)
                .put("utilityType", account.utilityType())
                .put("accountNo", account.accountNo()));
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
    String orderId = Http.json(placed).getString("orderId");
    payAtTheCounter("utilities.bill-payment", "billRef", bill.billRef(), bill.amountFen());
    GatewayTestBed.await(bed.identity.wechat.payOrder(orderId));
    bed.awaitStatus(token, orderId, "needs_review");
    return new InReview(token, orderId, bill.amountFen());
  }

  private static InReview paidTwiceThroughAlipay() {
    SyntheticCitizen owner = null;
    Fine fine = null;
    synchronized (usedBills) {
      outer:
      for (SyntheticCitizen p : hangzhou()) {
        if (usedPeople.contains(p.idNumber())) continue;
        for (Vehicle v : traffic.vehiclesOf(p)) {
          for (Fine f : traffic.finesOf(p, v)) {
            if (!f.initiallyPaid()
                && f.payable()
                && f.amountFen() > 0
                && usedBills.add(f.decisionNumber())) {
              usedPeople.add(p.idNumber());
              owner = p;
              fine = f;
              break outer;
            }
          }
        }
      }
    }
    String token = bed.l2(owner);
    String orderId = placeFine(token, fine);
    payAtTheCounter(
        "traffic.fine-payment", "decisionNumber", fine.decisionNumber(), fine.amountFen());
    GatewayTestBed.await(bed.identity.alipay.payOrder(orderId));
    bed.awaitStatus(token, orderId, "needs_review");
    return new InReview(token, orderId, fine.amountFen());
  }

  private static String placeFine(String token, Fine fine) {
    HttpResponse<String> placed =
        bed.pay(
            token,
            UUID.randomUUID().toString(),
            new JsonObject()
                .put("billType", "traffic_fine")
                .put("region", HZ)
                .put("decisionNumber", fine.decisionNumber()));
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
    return Http.json(placed).getString("orderId");
  }

  /**
   * The bill is paid through another system of the department (a service window) while the order is
   * open.
   */
  private static void payAtTheCounter(
      String serviceType, String refField, String ref, long amountFen) {
    GatewayTestBed.await(
        bed.gateway
            .departments()
            .call(
                serviceType,
                HZ,
                null,
                new JsonObject()
                    .put(refField, ref)
                    .put("orderId", "COUNTER" + System.nanoTime())
                    .put("amountFen", amountFen)
                    .put("channelTradeNo", "WINDOW-" + System.nanoTime())
                    .put("paidAt", Instant.now().toString()),
                "counter-" + ref,
                false));
  }

  private static HttpResponse<String> resolve(String orderId, String auth, JsonObject body) {
    return Http.send(
        "POST",
        bed.gateway.baseUrl() + "/admin/v1/payments/" + orderId + "/resolve",
        body.encode(),
        Map.of("Authorization", auth));
  }

  private static List<String> audited(String action, String orderId) throws Exception {
    bed.gateway.audit().flush().await(10, TimeUnit.SECONDS);
    var rows =
        bed.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT details FROM audit_log WHERE action = $1 "
                    + "AND details::jsonb->>'orderId' = $2 ORDER BY seq")
            .execute(Tuple.of(action, orderId))
            .await(10, TimeUnit.SECONDS);
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(String.valueOf(r.getValue("details"))));
    return out;
  }

  @Test
  void anOperatorRefundsAWechatOrderOnceAndTheRefundNotificationFinishesIt() throws Exception {
    InReview o = paidTwiceThroughWechat();
    JsonObject review = Http.json(bed.order(o.token(), o.orderId()));
    assertThat(review.getString("statusReason"))
        .isEqualTo("department_refused:department.already_paid");

    HttpResponse<String> listed =
        Http.send(
            "GET",
            bed.gateway.baseUrl() + "/admin/v1/payments?status=needs_review",
            null,
            Map.of("Authorization", bed.operator));
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    ADMIN.assertValid("listPaymentsInReview", listed);
    assertThat(listed.body()).contains(o.orderId());

    String reason = "市民在窗口已缴，线上重复缴费，原路退回";
    HttpResponse<String> resolved =
        resolve(
            o.orderId(),
            bed.operator,
            new JsonObject().put("action", "refund").put("reason", reason));
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
    ADMIN.assertValid("resolvePayment", resolved);
    assertThat(Http.json(resolved).getString("status")).isIn("refunding", "refunded");
    assertThat(Http.json(resolved).getJsonObject("refund").getLong("amountFen"))
        .isEqualTo(o.amountFen());

    JsonObject refunded = bed.awaitStatus(o.token(), o.orderId(), "refunded");
    API.assertValid("getPayment", bed.order(o.token(), o.orderId()));
    assertThat(refunded.containsKey("receipt")).isFalse();
    assertThat(bed.identity.wechat.refunds(o.orderId()))
        .containsExactly(Map.entry(o.orderId() + "R1", o.amountFen()));
    RegistryFixture.waitFor(
        () -> bed.identity.wechat.refundNotificationAttempts(o.orderId() + "R1") == 1,
        Duration.ofSeconds(10));

    HttpResponse<String> again =
        resolve(
            o.orderId(),
            bed.operator,
            new JsonObject().put("action", "refund").put("reason", reason));
    assertThat(again.statusCode()).isEqualTo(409);
    ADMIN.assertValid("resolvePayment", again);
    assertThat(Http.json(again).getString("code")).isEqualTo("payment.not_in_review");
    assertThat(bed.identity.wechat.refunds(o.orderId())).hasSize(1);

    assertThat(audited("payment.resolved", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("\"refund\"").doesNotContain(reason));
    assertThat(audited("payment.refund", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("refunded"));
  }

  @Test
  void anOperatorRefundsAnAlipayOrderAndItIsRefundedAtOnce() throws Exception {
    InReview o = paidTwiceThroughAlipay();
    HttpResponse<String> resolved =
        resolve(
            o.orderId(),
            bed.operator,
            new JsonObject().put("action", "refund").put("reason", "重复缴费"));
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
    ADMIN.assertValid("resolvePayment", resolved);
    // Alipay answers fund_change=Y: the refund is done by the time the operator gets the answer.
    assertThat(Http.json(resolved).getString("status")).isEqualTo("refunded");
    assertThat(Http.json(resolved).getJsonObject("refund").getString("status"))
        .isEqualTo("succeeded");
    assertThat(bed.identity.alipay.refunds(o.orderId()))
        .containsExactly(Map.entry(o.orderId() + "R1", o.amountFen()));
    assertThat(Http.json(bed.order(o.token(), o.orderId())).getString("status"))
        .isEqualTo("refunded");

    // Alipay then notifies the refund on the payment's notify_url (§8.3): verified, applied once,
    // acknowledged; the same notification again changes nothing.
    String refundId = o.orderId() + "R1";
    RegistryFixture.waitFor(
        () -> bed.identity.alipay.refundNotificationAcknowledged(o.orderId(), refundId),
        Duration.ofSeconds(10));
    Map<String, String> notification =
        bed.identity.alipay.refundNotification(o.orderId(), refundId);
    assertThat(notification).containsEntry("out_biz_no", refundId);
    HttpResponse<String> duplicate =
        Http.post(
            bed.gateway.baseUrl() + "/callbacks/alipay",
            cn.govgate.channel.alipay.AlipayWire.formEncode(notification),
            Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
    assertThat(duplicate.statusCode()).isEqualTo(200);
    assertThat(duplicate.body()).isEqualTo("success");
    assertThat(Http.json(bed.order(o.token(), o.orderId())).getString("status"))
        .isEqualTo("refunded");
    assertThat(bed.identity.alipay.refunds(o.orderId())).hasSize(1);
    assertThat(audited("payment.refund", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("refunded"));
  }

  /**
   * An Alipay order in review whose refund the operator asked for and Alipay only accepted (§8.1
   * {@code fund_change=N}, §8.2 {@code REFUND_PROCESSING}): checked to stay {@code refunding},
   * refunded nowhere, while the reconciler asks about it at least twice.
   */
  private static InReview aRefundAlipayOnlyAccepted() throws Exception {
    InReview o = paidTwiceThroughAlipay();
    String refundId = o.orderId() + "R1";
    HttpResponse<String> resolved;
    bed.identity.alipay.knobs().refundsProcessing(true);
    try {
      resolved =
          resolve(
              o.orderId(),
              bed.operator,
              new JsonObject().put("action", "refund").put("reason", "重复缴费"));
    } finally {
      // Refunds accepted so far stay processing; later ones are done at once again.
      bed.identity.alipay.knobs().refundsProcessing(false);
    }
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
    ADMIN.assertValid("resolvePayment", resolved);
    assertThat(Http.json(resolved).getString("status")).isEqualTo("refunding");
    assertThat(Http.json(resolved).getJsonObject("refund").getString("status"))
        .isEqualTo("processing");
    assertThat(bed.identity.alipay.refundsProcessing(o.orderId()))
        .containsExactly(Map.entry(refundId, o.amountFen()));

    int asked = bed.identity.alipay.refundQueries(o.orderId());
    RegistryFixture.waitFor(
        () -> bed.identity.alipay.refundQueries(o.orderId()) >= asked + 2, Duration.ofSeconds(10));
    HttpResponse<String> meanwhile = bed.order(o.token(), o.orderId());
    API.assertValid("getPayment", meanwhile);
    assertThat(Http.json(meanwhile).getString("status")).isEqualTo("refunding");
    assertThat(bed.identity.alipay.refunds(o.orderId())).isEmpty();
    assertThat(bed.identity.alipay.refundsProcessing(o.orderId())).hasSize(1);
    assertThat(audited("payment.refund", o.orderId())).isEmpty();
    assertThat(refundRows(o.orderId())).containsExactly(refundId + " processing");
    return o;
  }

  private static List<String> refundRows(String orderId) throws Exception {
    var rows =
        bed.gateway
            .database()
            .pool()
            .preparedQuery(
                "SELECT refund_id, status FROM payment_refunds WHERE order_id = $1 ORDER BY refund_id")
            .execute(Tuple.of(orderId))
            .await(10, TimeUnit.SECONDS);
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getString("refund_id") + " " + r.getString("status")));
    return out;
  }

  @Test
  void anAlipayRefundStillProcessingEndsRefundedOnceWhenAlipaySettlesIt() throws Exception {
    InReview o = aRefundAlipayOnlyAccepted();
    String refundId = o.orderId() + "R1";

    // Alipay settles it and notifies it (§8.3); the reconciler's next query may tell first.
    // Either way: refunded once, one audit record, the notification acknowledged.
    assertThat(bed.identity.alipay.settleRefund(o.orderId(), refundId)).isTrue();
    bed.awaitStatus(o.token(), o.orderId(), "refunded");
    API.assertValid("getPayment", bed.order(o.token(), o.orderId()));
    RegistryFixture.waitFor(
        () -> bed.identity.alipay.refundNotificationAcknowledged(o.orderId(), refundId),
        Duration.ofSeconds(10));
    // The same notification again (Alipay re-delivers until success) changes nothing.
    HttpResponse<String> duplicate =
        Http.post(
            bed.gateway.baseUrl() + "/callbacks/alipay",
            cn.govgate.channel.alipay.AlipayWire.formEncode(
                bed.identity.alipay.refundNotification(o.orderId(), refundId)),
            Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
    assertThat(duplicate.statusCode()).isEqualTo(200);
    assertThat(duplicate.body()).isEqualTo("success");

    JsonObject order = Http.json(bed.order(o.token(), o.orderId()));
    assertThat(order.getString("status")).isEqualTo("refunded");
    assertThat(order.containsKey("receipt")).isFalse();
    assertThat(bed.identity.alipay.refunds(o.orderId()))
        .containsExactly(Map.entry(refundId, o.amountFen()));
    assertThat(bed.identity.alipay.refundsProcessing(o.orderId())).isEmpty();
    assertThat(refundRows(o.orderId())).containsExactly(refundId + " succeeded");
    assertThat(audited("payment.resolved", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("\"refund\""));
    assertThat(audited("payment.refund", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("refunded"));
    // No operator can refund it a second time.
    HttpResponse<String> again =
        resolve(
            o.orderId(),
            bed.operator,
            new JsonObject().put("action", "refund").put("reason", "重复缴费"));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(Http.json(again).getString("code")).isEqualTo("payment.not_in_review");
    assertThat(bed.identity.alipay.refunds(o.orderId())).hasSize(1);
  }

  @Test
  void anAlipayRefundStillProcessingAndNeverNotifiedIsEndedByTheRefundQuery() throws Exception {
    InReview o = aRefundAlipayOnlyAccepted();
    String refundId = o.orderId() + "R1";
    bed.identity.alipay.knobs().refundNotifications(false);
    try {
      assertThat(bed.identity.alipay.settleRefund(o.orderId(), refundId)).isTrue();
      // Only the reconciler's query (§8.2, now REFUND_SUCCESS) can tell.
      bed.awaitStatus(o.token(), o.orderId(), "refunded");
    } finally {
      bed.identity.alipay.knobs().refundNotifications(true);
    }
    API.assertValid("getPayment", bed.order(o.token(), o.orderId()));
    assertThat(bed.identity.alipay.refundNotification(o.orderId(), refundId)).isNull();
    assertThat(bed.identity.alipay.refunds(o.orderId()))
        .containsExactly(Map.entry(refundId, o.amountFen()));
    assertThat(refundRows(o.orderId())).containsExactly(refundId + " succeeded");
    assertThat(audited("payment.refund", o.orderId()))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("refunded").contains("reconciler"));
  }

  @Test
  void aLostRefundNotificationIsFoundByTheReconciler() {
    InReview o = paidTwiceThroughWechat();
    bed.identity.wechat.knobs().refundNotifications(false);
    try {
      HttpResponse<String> resolved =
          resolve(
              o.orderId(),
              bed.operator,
              new JsonObject().put("action", "refund").put("reason", "重复缴费"));
      assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
      // The answer reads the order after the channel's first word; the reconciler runs on its own
      // timer and may already have settled the refund by then, so either state is right here.
      assertThat(Http.json(resolved).getString("status")).isIn("refunding", "refunded");
      // Only the reconciler's query can tell now.
      bed.awaitStatus(o.token(), o.orderId(), "refunded");
    } finally {
      bed.identity.wechat.knobs().refundNotifications(true);
    }
    assertThat(bed.identity.wechat.refundNotificationAttempts(o.orderId() + "R1")).isZero();
    assertThat(bed.identity.wechat.refunds(o.orderId())).hasSize(1);
  }

  @Test
  void anOperatorBooksAPaymentBySomeoneElseToTheDepartment() throws Exception {
    SyntheticCitizen holder = null;
    Bill bill = null;
    HouseholdAccount account = null;
    synchronized (usedBills) {
      outer:
      for (SyntheticCitizen p : hangzhou()) {
        if (usedPeople.contains(p.idNumber())) continue;
        for (HouseholdAccount a : utilities.accountsOf(p)) {
          Bill b = utilities.billOf(a);
          if (!b.initiallyPaid() && b.amountFen() > 0 && usedBills.add(b.billRef())) {
            usedPeople.add(p.idNumber());
            holder = p;
            bill = b;
            account = a;
            break outer;
          }
        }
      }
    }
    String token = bed.l1(holder);
    String orderId =
        Http.json(
                bed.pay(
                    token,
                    UUID.randomUUID().toString(),
                    new JsonObject()
                        .put("billType", "utility_bill")
                        .put("region", HZ)
                        .put("utilityType", account.utilityType())
                        .put("accountNo", account.accountNo())))
            .getString("orderId");
    // A verified statement as the adapter returns it: the right amount, paid by another WeChat
    // user.
    PaymentEvent other =
        new PaymentEvent(
            Channel.WECHAT,
            IdentityTestBed.WECHAT_APP,
            orderId,
            "4200000000000000999",
            PaymentStatus.PAID,
            bill.amountFen(),
            "oSomebodyElse0000000000000002",
            Instant.now(),
            "evt-" + UUID.randomUUID());
    assertThat(GatewayTestBed.await(bed.payments().events().applyPaid(other, "callback", "test")))
        .isEqualTo("payer_mismatch");

    HttpResponse<String> booked =
        resolve(
            orderId,
            bed.operator,
            new JsonObject().put("action", "book").put("reason", "家属代缴，核实无误"));
    assertThat(booked.statusCode()).as(booked.body()).isEqualTo(200);
    ADMIN.assertValid("resolvePayment", booked);
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    assertThat(audited("payment.resolved", orderId))
        .singleElement()
        .satisfies(d -> assertThat(d).contains("book"));
  }

  @Test
  void onlyTheOperatorResolvesAndOnlyWhatIsInReview() {
    HttpResponse<String> unknown =
        resolve(
            "GGNOSUCHORDER",
            bed.operator,
            new JsonObject().put("action", "refund").put("reason", "x"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    ADMIN.assertValid("resolvePayment", unknown);
    HttpResponse<String> department =
        resolve(
            "GGNOSUCHORDER",
            bed.credential("hz-water"),
            new JsonObject().put("action", "refund").put("reason", "x"));
    assertThat(department.statusCode()).isEqualTo(403);
    ADMIN.assertValid("resolvePayment", department);
    assertThat(Http.json(department).getString("code")).isEqualTo("auth.operator_only");
    HttpResponse<String> nobody =
        resolve(
            "GGNOSUCHORDER",
            "Bearer " + "A".repeat(44),
            new JsonObject().put("action", "refund").put("reason", "x"));
    assertThat(nobody.statusCode()).isEqualTo(401);
    HttpResponse<String> bad =
        resolve(
            "GGNOSUCHORDER",
            bed.operator,
            new JsonObject().put("action", "forgive").put("reason", " "));
    assertThat(bad.statusCode()).isEqualTo(400);
    ADMIN.assertValid("resolvePayment", bad);
    assertThat(Http.json(bad).getJsonObject("details").getJsonObject("fields").fieldNames())
        .containsExactlyInAnyOrder("action", "reason");
  }

  @Test
  void theReconcilerClosesAnOrderTheChannelClosed() {
    SyntheticCitizen owner = null;
    Fine fine = null;
    synchronized (usedBills) {
      outer:
      for (SyntheticCitizen p : hangzhou()) {
        if (usedPeople.contains(p.idNumber())) continue;
        for (Vehicle v : traffic.vehiclesOf(p)) {
          for (Fine f : traffic.finesOf(p, v)) {
            if (!f.initiallyPaid()
                && f.payable()
                && f.amountFen() > 0
                && usedBills.add(f.decisionNumber())) {
              usedPeople.add(p.idNumber());
              owner = p;
              fine = f;
              break outer;
            }
          }
        }
      }
    }
    String token = bed.l2(owner);
    String orderId = placeFine(token, fine);
    assertThat(bed.identity.alipay.closeOrder(orderId)).isTrue();
    bed.clock.advance(RECONCILE_AFTER.plusSeconds(1));
    JsonObject closed = bed.awaitStatus(token, orderId, "closed");
    assertThat(closed.getString("statusReason")).isEqualTo("channel_closed");
    // The bill is free again: a new order may be placed.
    assertThat(placeFine(token, fine)).isNotEqualTo(orderId);
  }

  private static List<SyntheticCitizen> hangzhou() {
    return bed.identity.people.stream().filter(p -> p.homeRegion().equals(HZ)).toList();
  }
}
