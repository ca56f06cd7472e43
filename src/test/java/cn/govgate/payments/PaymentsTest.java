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
import cn.govgate.sim.departments.DepartmentFaults;
import cn.govgate.sim.departments.DepartmentSimulator;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
 * Paying fines and bills end to end: mini-program session → department confirms the amount →
 * channel prepay → the channel simulator pays and POSTs its signed callback → paid exactly once →
 * outbox → the department books it → receipt. Every citizen-facing answer is checked against {@code
 * gateway-api.yaml}.
 */
class PaymentsTest {
  private static final ApiContract API = ApiContract.of("gateway-api.yaml");
  private static final String HZ = SyntheticCitizens.HANGZHOU;

  private static final Duration BACKOFF = Duration.ofMinutes(1);
  private static final Duration RECONCILE_AFTER = Duration.ofMinutes(2);
  private static GatewayTestBed bed;
  private static DepartmentSimulator traffic;
  private static DepartmentSimulator utilities;
  private static final Set<String> usedBills = new HashSet<>();
  private static final Set<String> usedPeople = new HashSet<>();

  private record PayableFine(SyntheticCitizen owner, Fine fine) {}

  private record PayableBill(SyntheticCitizen holder, HouseholdAccount account, Bill bill) {}

  @BeforeAll
  static void start() throws Exception {
    bed =
        new GatewayTestBed(
            60,
            4242L,
            TestClock.running(),
            "payments.outboxInterval",
            "100ms",
            "payments.outboxBackoff",
            BACKOFF.toSeconds() + "s",
            "payments.reconcileInterval",
            "100ms",
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

  @Test
  void paysAFineThroughAlipayExactlyOnceAndShowsTheReceipt() {
    PayableFine f = nextFine();
    String token = bed.l2(f.owner());
    String key = UUID.randomUUID().toString();
    JsonObject ask = fineRequest(f);

    HttpResponse<String> created = bed.pay(token, key, ask);
    API.assertValid("createPayment", created);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject order = Http.json(created);
    String orderId = order.getString("orderId");
    assertThat(order.getLong("amountFen")).isEqualTo(f.fine().amountFen());
    assertThat(order.getString("status")).isEqualTo("pending");
    assertThat(order.getString("channel")).isEqualTo("alipay");
    assertThat(order.getJsonObject("clientParams").getString("tradeNO")).isNotBlank();

    // The same request with the same key: the same order, nothing new at the channel.
    HttpResponse<String> again = bed.pay(token, key, ask);
    API.assertValid("createPayment", again);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Http.json(again).getString("orderId")).isEqualTo(orderId);

    String tradeNo = GatewayTestBed.await(bed.identity.alipay.payOrder(orderId));
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    API.assertValid("getPayment", bed.order(token, orderId));
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    assertThat(delivered.getJsonObject("receipt").getString("department")).isEqualTo("hz-jj");
    assertThat(delivered.containsKey("clientParams")).isFalse();
    assertThat(bed.identity.alipay.notificationAcknowledged(orderId)).isTrue();
    assertThat(tradeNo).isNotBlank();

    // The department shows the fine paid.
    JsonObject fines =
        Http.json(
            Http.get(
                bed.gateway.baseUrl()
                    + "/v1/traffic/fines?region="
                    + HZ
                    + "&plate="
                    + URLEncoder.encode(vehicleOf(f).plate(), StandardCharsets.UTF_8)
                    + "&plateType="
                    + vehicleOf(f).plateType(),
                IdentityTestBed.bearer(token)));
    JsonObject fine =
        fines.getJsonObject("data").getJsonArray("fines").stream()
            .map(JsonObject.class::cast)
            .filter(x -> x.getString("decisionNumber").equals(f.fine().decisionNumber()))
            .findFirst()
            .orElseThrow();
    assertThat(fine.getString("status")).isEqualTo("paid");

    // Alipay's notification replayed byte for byte: acknowledged, nothing changes, still one
    // delivery.
    Map<String, String> notification = bed.identity.alipay.lastNotification(orderId);
    HttpResponse<String> replay =
        Http.send(
            "POST",
            bed.gateway.baseUrl() + "/callbacks/alipay",
            form(notification),
            Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.body()).isEqualTo("success");
    JsonObject outbox = GatewayTestBed.await(bed.payments().store().outboxRow(orderId));
    assertThat(outbox.getInteger("attempts")).isEqualTo(1);
    assertThat(outbox.getBoolean("done")).isTrue();
    assertThat(bed.awaitStatus(token, orderId, "delivered").getJsonObject("receipt"))
        .isEqualTo(delivered.getJsonObject("receipt"));

    // The trail: created by the citizen, paid (then the replay, a duplicate), delivered; no
    // personal data in it.
    GatewayTestBed.await(bed.gateway.audit().flush());
    List<String> trail =
        GatewayTestBed.await(
            bed.gateway
                .database()
                .pool()
                .preparedQuery(
                    "SELECT action, outcome, details FROM audit_log WHERE details LIKE $1 ORDER BY seq")
                .execute(io.vertx.sqlclient.Tuple.of("%" + orderId + "%"))
                .map(
                    rows -> {
                      List<String> out = new java.util.ArrayList<>();
                      rows.forEach(
                          r -> {
                            assertThat(r.getString("details"))
                                .doesNotContain(f.owner().idNumber())
                                .doesNotContain(f.owner().name());
                            out.add(r.getString("action") + ":" + r.getString("outcome"));
                          });
                      return out;
                    }));
    assertThat(trail)
        .contains("payment.create:success", "payment.paid:success", "payment.delivered:success");
    assertThat(trail.stream().filter(a -> a.equals("payment.delivered:success")).count())
        .isEqualTo(1);
  }

  @Test
  void rejectsACallbackWithATamperedSignatureSoTheChannelRetries() {
    PayableFine f = nextFine();
    String token = bed.l2(f.owner());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), fineRequest(f)))
            .getString("orderId");
    GatewayTestBed.await(bed.identity.alipay.payOrder(orderId));
    bed.awaitStatus(token, orderId, "delivered");
    Map<String, String> forged =
        new java.util.HashMap<>(bed.identity.alipay.lastNotification(orderId));
    forged.put("total_amount", "0.01");
    HttpResponse<String> r =
        Http.send(
            "POST",
            bed.gateway.baseUrl() + "/callbacks/alipay",
            form(forged),
            Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
    assertThat(r.body()).isEqualTo("fail");
    assertThat(bed.awaitStatus(token, orderId, "delivered").getLong("amountFen"))
        .isEqualTo(f.fine().amountFen());
  }

  /**
   * Found by the contract fuzzer: an unsigned WeChat callback was answered 500, as if the gateway
   * had failed.
   */
  @Test
  void aWechatCallbackThatDoesNotVerifyIs401FailNotA5xx() {
    for (String body :
        List.of("", "{}", "{\"id\":\"EV-1\",\"resource\":{\"ciphertext\":\"AAAA\"}}")) {
      HttpResponse<String> r =
          Http.send(
              "POST",
              bed.gateway.baseUrl() + "/callbacks/wechat",
              body,
              Map.of(
                  "Content-Type",
                  "application/json",
                  "Wechatpay-Signature",
                  "c2ln",
                  "Wechatpay-Nonce",
                  "n1",
                  "Wechatpay-Timestamp",
                  String.valueOf(Instant.now().getEpochSecond()),
                  "Wechatpay-Serial",
                  "00"));
      assertThat(r.statusCode()).as(body).isEqualTo(401);
      assertThat(Http.json(r).getString("code")).isEqualTo("FAIL");
    }
  }

  @Test
  void paysAUtilityBillThroughWechatAtL1() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    HttpResponse<String> created = bed.pay(token, UUID.randomUUID().toString(), billRequest(b));
    API.assertValid("createPayment", created);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject order = Http.json(created);
    String orderId = order.getString("orderId");
    assertThat(order.getString("billRef")).isEqualTo(b.bill().billRef());
    assertThat(order.getLong("amountFen")).isEqualTo(b.bill().amountFen());
    assertThat(order.getJsonObject("clientParams").getString("package")).startsWith("prepay_id=");

    GatewayTestBed.await(bed.identity.wechat.payOrder(orderId));
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    API.assertValid("getPayment", bed.order(token, orderId));
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    assertThat(delivered.getString("paidAt")).isNotBlank();
    assertThat(bed.identity.wechat.notificationAttempts(orderId)).isEqualTo(1);

    JsonObject bill =
        Http.json(
            Http.get(
                bed.gateway.baseUrl()
                    + "/v1/utilities/bill?region="
                    + HZ
                    + "&utilityType="
                    + b.account().utilityType()
                    + "&accountNo="
                    + b.account().accountNo(),
                IdentityTestBed.bearer(token)));
    assertThat(bill.getJsonObject("data").getString("status")).isEqualTo("paid");
  }

  @Test
  void aSecondOrderForTheSameBillIsRefusedWithoutNamingTheExistingOne() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String key = UUID.randomUUID().toString();
    HttpResponse<String> placed = bed.pay(token, key, billRequest(b));
    String first = Http.json(placed).getString("orderId");

    // Anyone may pay a utility bill: another citizen learns only that the bill has a payment in
    // progress.
    String someoneElse = bed.l1(nextPerson());
    HttpResponse<String> other = bed.pay(someoneElse, UUID.randomUUID().toString(), billRequest(b));
    API.assertValid("createPayment", other);
    assertThat(other.statusCode()).isEqualTo(409);
    JsonObject error = Http.json(other);
    assertThat(error.getString("code")).isEqualTo("payment.bill_already_has_order");
    assertThat(error.containsKey("details")).as(other.body()).isFalse();
    assertThat(other.body()).doesNotContain(first).doesNotContain("pending");

    // The payer with another key is refused the same way; with their own key they find their order
    // again.
    HttpResponse<String> sameCitizenNewKey =
        bed.pay(token, UUID.randomUUID().toString(), billRequest(b));
    assertThat(sameCitizenNewKey.statusCode()).isEqualTo(409);
    assertThat(sameCitizenNewKey.body()).doesNotContain(first);
    HttpResponse<String> retry = bed.pay(token, key, billRequest(b));
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    assertThat(Http.json(retry).getString("orderId")).isEqualTo(first);
  }

  @Test
  void theSameKeyForAnotherBillIsRefused() {
    PayableBill one = nextBill();
    PayableBill two = nextBill();
    String token = bed.l1(one.holder());
    String key = UUID.randomUUID().toString();
    assertThat(bed.pay(token, key, billRequest(one)).statusCode()).isEqualTo(201);
    HttpResponse<String> reused = bed.pay(token, key, billRequest(two));
    API.assertValid("createPayment", reused);
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(Http.json(reused).getString("code")).isEqualTo("payment.idempotency_key_reused");
  }

  @Test
  void anotherCitizenCannotReadTheOrder() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
            .getString("orderId");
    HttpResponse<String> mine = bed.order(token, orderId);
    API.assertValid("getPayment", mine);
    assertThat(mine.statusCode()).isEqualTo(200);

    HttpResponse<String> theirs = bed.order(bed.l1(nextPerson()), orderId);
    API.assertValid("getPayment", theirs);
    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(Http.json(theirs).getString("code")).isEqualTo("payment.not_found");
  }

  @Test
  void finesNeedAVerifiedRealNameAndAKey() {
    PayableFine f = nextFine();
    String l1 = bed.l1(f.owner());
    HttpResponse<String> refused = bed.pay(l1, UUID.randomUUID().toString(), fineRequest(f));
    API.assertValid("createPayment", refused);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(Http.json(refused).getString("code")).isEqualTo("identity.step_up_required");

    HttpResponse<String> keyless = bed.pay(bed.l2(f.owner()), null, fineRequest(f));
    API.assertValid("createPayment", keyless);
    assertThat(keyless.statusCode()).isEqualTo(400);
  }

  @Test
  void aPaymentOfAnotherAmountIsKeptForReviewAndNeverDelivered() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    JsonObject order = Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)));
    String orderId = order.getString("orderId");
    // A verified statement, as WechatAdapter.verifyCallback returns it, of 1 fen less than the
    // order.
    PaymentEvent less =
        new PaymentEvent(
            Channel.WECHAT,
            IdentityTestBed.WECHAT_APP,
            orderId,
            "4200000000000000001",
            PaymentStatus.PAID,
            b.bill().amountFen() - 1,
            null,
            Instant.now(),
            "evt-" + UUID.randomUUID());
    assertThat(GatewayTestBed.await(bed.payments().events().applyPaid(less, "callback", "test")))
        .isEqualTo("amount_mismatch");
    JsonObject review = bed.awaitStatus(token, orderId, "needs_review");
    API.assertValid("getPayment", bed.order(token, orderId));
    assertThat(review.getString("statusReason")).isEqualTo("amount_mismatch");
    assertThat(GatewayTestBed.await(bed.payments().store().outboxRow(orderId))).isNull();
    // The same statement again changes nothing; the bill stays blocked for a human to settle.
    assertThat(GatewayTestBed.await(bed.payments().events().applyPaid(less, "callback", "test")))
        .isEqualTo("duplicate");
    assertThat(Http.json(bed.order(token, orderId)).getString("status")).isEqualTo("needs_review");
    assertThat(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)).statusCode())
        .isEqualTo(409);
  }

  @Test
  void aDepartmentThatIsDownGetsThePaymentLaterExactlyOnce() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
            .getString("orderId");
    utilities.faults(DepartmentFaults.none().withUnderMaintenance(true));
    try {
      GatewayTestBed.await(bed.identity.wechat.payOrder(orderId));
      bed.awaitStatus(token, orderId, "paid");
      RegistryFixture.waitFor(
          () -> {
            JsonObject row = GatewayTestBed.await(bed.payments().store().outboxRow(orderId));
            return row.getInteger("attempts") == 1 && row.getString("lastError") != null;
          },
          Duration.ofSeconds(20));
    } finally {
      utilities.faults(DepartmentFaults.none());
    }
    // Up again, but the next attempt waits for its backoff: an explicit round finds nothing due.
    GatewayTestBed.await(bed.payments().outbox().runOnce());
    JsonObject row = GatewayTestBed.await(bed.payments().store().outboxRow(orderId));
    assertThat(row.getInteger("attempts")).isEqualTo(1);
    assertThat(row.getString("lastError")).isEqualTo("department.under_maintenance");

    bed.clock.advance(BACKOFF.plusSeconds(1));
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    JsonObject done = GatewayTestBed.await(bed.payments().store().outboxRow(orderId));
    assertThat(done.getInteger("attempts")).isEqualTo(2);
    assertThat(done.getBoolean("done")).isTrue();
  }

  @Test
  void aCallbackLostWhileTheGatewayWasDownIsFoundByTheReconciler() throws Exception {
    PayableFine f = nextFine();
    String token = bed.l2(f.owner());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), fineRequest(f)))
            .getString("orderId");
    bed.stopGateway();
    bed.identity.alipay.knobs().notifyRetryDelays(List.of());
    try {
      GatewayTestBed.await(bed.identity.alipay.payOrder(orderId));
      RegistryFixture.waitFor(
          () -> bed.identity.alipay.notificationAttempts(orderId) == 1, Duration.ofSeconds(10));
    } finally {
      bed.startGateway();
      bed.identity
          .alipay
          .knobs()
          .notifyRetryDelays(
              cn.govgate.channel.alipay.sim.AlipaySimulatorOptions.ALIPAY_RETRY_SCHEDULE);
    }
    assertThat(bed.identity.alipay.notificationAcknowledged(orderId)).isFalse();
    assertThat(Http.json(bed.order(token, orderId)).getString("status")).isEqualTo("pending");

    bed.clock.advance(RECONCILE_AFTER.plusSeconds(1));
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    assertThat(
            GatewayTestBed.await(bed.payments().store().outboxRow(orderId)).getInteger("attempts"))
        .isEqualTo(1);
  }

  @Test
  void concurrentStatementsOfOnePaymentMarkItPaidOnce() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
            .getString("orderId");
    // What the adapter returns for one payment told several times at once (channel retries racing
    // each other).
    PaymentEvent paid =
        new PaymentEvent(
            Channel.WECHAT,
            IdentityTestBed.WECHAT_APP,
            orderId,
            "4200000000000000777",
            PaymentStatus.PAID,
            b.bill().amountFen(),
            null,
            Instant.now(),
            "evt-" + UUID.randomUUID());
    List<Future<String>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++)
      all.add(bed.payments().events().applyPaid(paid, "callback", "test-" + i));
    GatewayTestBed.await(Future.join(all));
    assertThat(all.stream().map(Future::result).toList())
        .containsOnlyOnce("paid")
        .containsOnly("paid", "duplicate");
    JsonObject delivered = bed.awaitStatus(token, orderId, "delivered");
    assertThat(delivered.getJsonObject("receipt").getString("receiptNo")).isNotBlank();
    assertThat(
            GatewayTestBed.await(bed.payments().store().outboxRow(orderId)).getInteger("attempts"))
        .isEqualTo(1);
  }

  @Test
  void aChannelThatCannotCreateTheOrderLeavesTheBillFree() {
    PayableFine f = nextFine();
    String token = bed.l2(f.owner());
    String key = UUID.randomUUID().toString();
    bed.identity.alipay.knobs().forceSystemBusy("alipay.trade.create");
    HttpResponse<String> failed;
    try {
      failed = bed.pay(token, key, fineRequest(f));
    } finally {
      bed.identity.alipay.knobs().clearForcedErrors();
    }
    API.assertValid("createPayment", failed);
    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(502);
    assertThat(Http.json(failed).getString("code")).isEqualTo("payment.channel_failed");

    // The closed order is what that key stands for; a new attempt (new key) gets a new, payable
    // order.
    HttpResponse<String> replay = bed.pay(token, key, fineRequest(f));
    assertThat(Http.json(replay).getString("status")).isEqualTo("closed");
    HttpResponse<String> retried = bed.pay(token, UUID.randomUUID().toString(), fineRequest(f));
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(201);
    String closedId = Http.json(replay).getString("orderId");
    assertThat(Http.json(retried).getString("orderId")).isNotEqualTo(closedId);

    // Should the channel still report the closed order paid, the money is kept track of: the
    // statement is stored,
    // the order keeps its place (the bill has a live order again) with the reason, and nothing is
    // delivered.
    PaymentEvent late =
        new PaymentEvent(
            Channel.ALIPAY,
            IdentityTestBed.ALIPAY_APP,
            closedId,
            "2024000000000000099",
            PaymentStatus.PAID,
            f.fine().amountFen(),
            null,
            Instant.now(),
            null);
    assertThat(GatewayTestBed.await(bed.payments().events().applyPaid(late, "reconciler", "test")))
        .isEqualTo("paid_after_close");
    JsonObject kept = Http.json(bed.order(token, closedId));
    assertThat(kept.getString("status")).isEqualTo("closed");
    assertThat(kept.getString("statusReason")).isEqualTo("paid_after_close");
    assertThat(GatewayTestBed.await(bed.payments().store().outboxRow(closedId))).isNull();
  }

  @Test
  void aPaymentBySomeoneElseIsKeptForReview() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
            .getString("orderId");
    PaymentEvent other =
        new PaymentEvent(
            Channel.WECHAT,
            IdentityTestBed.WECHAT_APP,
            orderId,
            "4200000000000000888",
            PaymentStatus.PAID,
            b.bill().amountFen(),
            "oSomebodyElse0000000000000001",
            Instant.now(),
            "evt-x");
    assertThat(GatewayTestBed.await(bed.payments().events().applyPaid(other, "callback", "test")))
        .isEqualTo("payer_mismatch");
    assertThat(Http.json(bed.order(token, orderId)).getString("status")).isEqualTo("needs_review");
    assertThat(GatewayTestBed.await(bed.payments().store().outboxRow(orderId))).isNull();
  }

  @Test
  void twoInstancesDeliverEachPaymentOnce() throws Exception {
    var second =
        cn.govgate.app.Gateway.start(
                cn.govgate.config.GovgateConfig.from(
                    cn.govgate.config.ConfigValues.of(bed.settings)),
                bed.clock)
            .await(2, java.util.concurrent.TimeUnit.MINUTES);
    try {
      List<String> tokens = new java.util.ArrayList<>();
      List<String> orders = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PayableBill b = nextBill();
        String token = bed.l1(b.holder());
        tokens.add(token);
        orders.add(
            Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
                .getString("orderId"));
      }
      for (String orderId : orders) GatewayTestBed.await(bed.identity.wechat.payOrder(orderId));
      for (int i = 0; i < orders.size(); i++)
        bed.awaitStatus(tokens.get(i), orders.get(i), "delivered");
      for (String orderId : orders) {
        assertThat(
                GatewayTestBed.await(bed.payments().store().outboxRow(orderId))
                    .getInteger("attempts"))
            .as("claims of " + orderId)
            .isEqualTo(1);
      }
    } finally {
      cn.govgate.testing.TestGateways.stop(second);
    }
  }

  @Test
  void countsOutcomesByChannelAndExportsTheBacklog() {
    PayableBill b = nextBill();
    String token = bed.l1(b.holder());
    String orderId =
        Http.json(bed.pay(token, UUID.randomUUID().toString(), billRequest(b)))
            .getString("orderId");
    double before = counter("wechat", "paid");
    GatewayTestBed.await(bed.identity.wechat.payOrder(orderId));
    bed.awaitStatus(token, orderId, "delivered");
    assertThat(counter("wechat", "paid")).isEqualTo(before + 1);
    assertThat(counter("wechat", "created")).isPositive();
    assertThat(bed.gateway.registry().find("govgate.payments.outbox.backlog").gauge()).isNotNull();
    assertThat(
            bed.gateway
                .registry()
                .find("govgate.payments.deliveries")
                .tag("outcome", "delivered")
                .counter()
                .count())
        .isPositive();
  }

  private static double counter(String channel, String outcome) {
    var c =
        bed.gateway
            .registry()
            .find("govgate.payments")
            .tag("channel", channel)
            .tag("outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  // ---------- data ----------

  private static JsonObject fineRequest(PayableFine f) {
    return new JsonObject()
        .put("billType", "traffic_fine")
        .put("region", HZ)
        .put("decisionNumber", f.fine().decisionNumber());
  }

  private static JsonObject billRequest(PayableBill b) {
    return new JsonObject()
        .put("billType", "utility_bill")
        .put("region", HZ)
        .put("utilityType", b.account().utilityType())
        .put("accountNo", b.account().accountNo());
  }

  private static Vehicle vehicleOf(PayableFine f) {
    return traffic.vehiclesOf(f.owner()).stream()
        .filter(
            v ->
                traffic.finesOf(f.owner(), v).stream()
                    .anyMatch(x -> x.decisionNumber().equals(f.fine().decisionNumber())))
        .findFirst()
        .orElseThrow();
  }

  private static synchronized PayableFine nextFine() {
    for (SyntheticCitizen p : hangzhou()) {
      if (usedPeople.contains(p.idNumber())) continue;
      for (Vehicle v : traffic.vehiclesOf(p)) {
        for (Fine fine : traffic.finesOf(p, v)) {
          if (!fine.initiallyPaid()
              && fine.payable()
              && fine.amountFen() > 0
              && usedBills.add(fine.decisionNumber())) {
            usedPeople.add(p.idNumber());
            return new PayableFine(p, fine);
          }
        }
      }
    }
    throw new IllegalStateException("no payable fine left in the synthetic data");
  }

  private static synchronized PayableBill nextBill() {
    for (SyntheticCitizen p : hangzhou()) {
      if (usedPeople.contains(p.idNumber())) continue;
      for (HouseholdAccount a : utilities.accountsOf(p)) {
        Bill bill = utilities.billOf(a);
        if (!bill.initiallyPaid() && bill.amountFen() > 0 && usedBills.add(bill.billRef())) {
          usedPeople.add(p.idNumber());
          return new PayableBill(p, a, bill);
        }
      }
    }
    throw new IllegalStateException("no unpaid bill left in the synthetic data");
  }

  private static synchronized SyntheticCitizen nextPerson() {
    for (SyntheticCitizen p : bed.identity.people) {
      if (usedPeople.add(p.idNumber())) return p;
    }
    throw new IllegalStateException("no person left");
  }

  private static List<SyntheticCitizen> hangzhou() {
    return bed.identity.people.stream().filter(p -> p.homeRegion().equals(HZ)).toList();
  }

  private static String form(Map<String, String> params) {
    return params.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
