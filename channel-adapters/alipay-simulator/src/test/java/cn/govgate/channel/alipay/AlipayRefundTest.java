package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimUser;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.channel.spi.Payments.RefundRequest;
import cn.govgate.channel.spi.Payments.RefundResult;
import cn.govgate.channel.spi.Payments.RefundStatus;
import cn.govgate.testing.CallbackServer;
import com.alipay.api.DefaultAlipayClient;
import com.alipay.api.domain.AlipayTradeFastpayRefundQueryModel;
import com.alipay.api.domain.AlipayTradeRefundModel;
import com.alipay.api.internal.util.AlipaySignature;
import com.alipay.api.request.AlipayTradeFastpayRefundQueryRequest;
import com.alipay.api.request.AlipayTradeRefundRequest;
import com.alipay.api.response.AlipayTradeFastpayRefundQueryResponse;
import com.alipay.api.response.AlipayTradeRefundResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code alipay.trade.refund} and {@code alipay.trade.fastpay.refund.query} (§8) end to end: the
 * adapter against the simulator (once per out_request_no, a replay confirmed by the query, final
 * refusals as FAILED), the simulator's exact signature check, and the official alipay-sdk-java
 * refunding against the simulator.
 */
class AlipayRefundTest {

  static final String APP = "2021000300000002";
  static final SimUser USER = SimUser.certified("2088102104798888", "钱七", "110101198506061236");

  static Vertx vertx;
  static AlipaySimulator sim;
  static AlipayAdapter adapter;
  static final ConcurrentLinkedQueue<Map<String, String>> captured = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim = await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    sim.addUser(USER);
    sim.onRequest(captured::add);
    adapter =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                sim.gatewayUrl(),
                java.time.Duration.ofSeconds(30),
                java.util.List.of(
                    AlipayApp.rsa2(APP, APP_RSA.privateKey(), sim.platformPublicKey()))),
            io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  @AfterAll
  static void tearDown() {
    adapter.close();
    await(sim.close());
    await(vertx.close());
  }

  private static String paidOrder(long fen) {
    String orderId = "GG" + System.nanoTime();
    await(
        adapter.prepay(new PrepayRequest(APP, USER.userId(), orderId, fen, "交通违法罚款", null, null)));
    await(sim.payOrder(orderId));
    return orderId;
  }

  @Test
  void refundsOncePerRequestNumberAndAReplayIsConfirmedByTheQuery() throws Exception {
    String orderId = paidOrder(8850);
    RefundRequest request =
        new RefundRequest(APP, orderId, orderId + "R1", 8850, 8850, "撤销申请", null);

    RefundResult first = await(adapter.refund(request));
    assertThat(first.status()).isEqualTo(RefundStatus.SUCCESS);
    assertThat(first.refundFen()).isEqualTo(8850);
    assertThat(first.refundedAt()).isNotNull();
    Map<String, String> sent =
        captured.stream()
            .filter(
                p ->
                    "alipay.trade.refund".equals(p.get("method"))
                        && p.get("biz_content").contains(orderId))
            .findFirst()
            .orElseThrow();
    assertThat(sent.get("biz_content"))
        .contains("\"refund_amount\":\"88.50\"")
        .contains("\"out_request_no\":\"" + request.refundId() + "\"");
    assertThat(
            AlipaySignature.rsaCheckV2(new HashMap<>(sent), APP_RSA.publicKey(), "utf-8", "RSA2"))
        .isTrue();

    // The same request again (a retry after a timeout): fund_change=N, confirmed as done by the
    // query, refunded once.
    RefundResult replay = await(adapter.refund(request));
    assertThat(replay.status()).isEqualTo(RefundStatus.SUCCESS);
    assertThat(sim.refunds(orderId)).containsExactly(Map.entry(request.refundId(), 8850L));
    assertThat(await(adapter.queryOrder(APP, orderId)).status())
        .isEqualTo(cn.govgate.channel.spi.Payments.PaymentStatus.CLOSED);
  }

  /** The merchant's endpoint: records every notification and answers success. */
  private static CallbackServer merchant() {
    return CallbackServer.start(
        vertx, callback -> Future.succeededFuture(adapter.acknowledgeReply()));
  }

  private static String paidOrder(long fen, String notifyUrl) {
    String orderId = "GG" + System.nanoTime();
    await(
        adapter.prepay(
            new PrepayRequest(APP, USER.userId(), orderId, fen, "交通违法罚款", notifyUrl, null)));
    await(sim.payOrder(orderId));
    return orderId;
  }

  @Test
  void aRefundIsNotifiedOnThePaymentsNotifyUrlSignedLikeItsOtherNotifications() {
    CallbackServer merchant = merchant();
    List<CallbackRequest> received = merchant.received;
    try {
      String url = merchant.url("/alipay/notify");
      String orderId = paidOrder(8850, url);
      TestSupport.eventually(() -> received.size() == 1);
      // A partial refund, then the rest: each notified with its out_biz_no, the refunded total and
      // the trade's status after it.
      await(
          adapter.refund(new RefundRequest(APP, orderId, orderId + "R1", 3000, 8850, null, null)));
      await(
          adapter.refund(new RefundRequest(APP, orderId, orderId + "R2", 5850, 8850, null, null)));
      TestSupport.eventually(() -> received.size() == 3);
      TestSupport.eventually(() -> sim.refundNotificationAcknowledged(orderId, orderId + "R2"));
      List<CallbackRequest> all = new java.util.ArrayList<>(received);
      RefundResult r1 = await(adapter.verifyRefundCallback(all.get(1)));
      assertThat(r1.status()).isEqualTo(RefundStatus.SUCCESS);
      assertThat(r1.orderId()).isEqualTo(orderId);
      assertThat(r1.refundId()).isEqualTo(orderId + "R1");
      assertThat(r1.refundFen()).isEqualTo(3000);
      assertThat(r1.refundedAt()).isNotNull();
      RefundResult r2 = await(adapter.verifyRefundCallback(all.get(2)));
      assertThat(r2.refundId()).isEqualTo(orderId + "R2");
      assertThat(r2.refundFen()).as("refund_fee: the trade's refunded total").isEqualTo(8850);
      assertThat(sim.refundNotification(orderId, orderId + "R1"))
          .containsEntry("notify_type", "trade_status_sync")
          .containsEntry("trade_status", "TRADE_SUCCESS")
          .containsEntry("out_biz_no", orderId + "R1")
          .containsEntry("refund_fee", "30.00")
          .containsKeys("gmt_refund", "sign");
      assertThat(sim.refundNotification(orderId, orderId + "R2"))
          .containsEntry("trade_status", "TRADE_CLOSED");
      // On the payment route, the adapter reads it as no new payment.
      assertThat(await(adapter.verifyCallback(all.get(1))).status())
          .isEqualTo(cn.govgate.channel.spi.Payments.PaymentStatus.REFUNDED);
      // The payment notification is no refund notification; a changed refund_fee breaks the
      // signature.
      assertThat(TestSupport.awaitFailure(adapter.verifyRefundCallback(all.get(0))).kind())
          .isEqualTo(ChannelException.Kind.MALFORMED_RESPONSE);
      CallbackRequest tampered =
          new CallbackRequest(
              Map.of(),
              all.get(1).contentType(),
              all.get(1).body().replace("refund_fee=30.00", "refund_fee=88.50"));
      assertThat(tampered.body()).isNotEqualTo(all.get(1).body());
      assertThat(TestSupport.awaitFailure(adapter.verifyRefundCallback(tampered)).kind())
          .isEqualTo(ChannelException.Kind.SIGNATURE_INVALID);

      // The knob off: the refund happens, nothing is notified.
      sim.knobs().refundNotifications(false);
      String quiet = paidOrder(1200, url);
      TestSupport.eventually(() -> received.size() == 4);
      assertThat(
              await(
                      adapter.refund(
                          new RefundRequest(APP, quiet, quiet + "R1", 1200, 1200, null, null)))
                  .status())
          .isEqualTo(RefundStatus.SUCCESS);
      assertThat(sim.refundNotification(quiet, quiet + "R1")).isNull();
    } finally {
      sim.knobs().refundNotifications(true);
      await(merchant.close());
    }
  }

  @Test
  void aRefundStillProcessingIsOnlyAcceptedUntilItSettlesThenNotifiedOnce() throws Exception {
    CallbackServer merchant = merchant();
    List<CallbackRequest> received = merchant.received;
    sim.knobs().refundsProcessing(true);
    try {
      String url = merchant.url("/alipay/notify");
      String orderId = paidOrder(8850, url);
      TestSupport.eventually(() -> received.size() == 1);
      RefundRequest request =
          new RefundRequest(APP, orderId, orderId + "R1", 8850, 8850, "撤销申请", null);

      // Accepted only (§8.1 fund_change=N): the adapter asks §8.2, which says REFUND_PROCESSING.
      RefundResult first = await(adapter.refund(request));
      assertThat(first.status()).isEqualTo(RefundStatus.PROCESSING);
      assertThat(sim.refunds(orderId)).isEmpty();
      assertThat(sim.refundsProcessing(orderId))
          .containsExactly(Map.entry(request.refundId(), 8850L));
      // A retry under the same request number is the same refund, still processing; another
      // amount under it is refused; nothing is refunded or notified meanwhile.
      assertThat(await(adapter.refund(request)).status()).isEqualTo(RefundStatus.PROCESSING);
      assertThat(
              await(
                      adapter.refund(
                          new RefundRequest(
                              APP, orderId, request.refundId(), 8000, 8850, null, null)))
                  .status())
          .isEqualTo(RefundStatus.FAILED);
      RefundResult queried = await(adapter.queryRefund(APP, orderId, request.refundId()));
      assertThat(queried.status()).isEqualTo(RefundStatus.PROCESSING);
      assertThat(queried.refundFen()).isEqualTo(8850);
      assertThat(sim.refundsProcessing(orderId)).hasSize(1);
      assertThat(sim.refunds(orderId)).isEmpty();
      assertThat(sim.refundNotification(orderId, request.refundId())).isNull();
      assertThat(await(adapter.queryOrder(APP, orderId)).status())
          .isEqualTo(cn.govgate.channel.spi.Payments.PaymentStatus.PAID);

      // The official SDK reads the same wire: fund_change=N, nothing refunded yet; PROCESSING.
      DefaultAlipayClient sdk =
          new DefaultAlipayClient(
              sim.gatewayUrl(),
              APP,
              APP_RSA.privateKey(),
              "json",
              "utf-8",
              sim.platformPublicKey(),
              "RSA2");
      AlipayTradeRefundModel model = new AlipayTradeRefundModel();
      model.setOutTradeNo(orderId);
      model.setRefundAmount("88.50");
      model.setOutRequestNo(request.refundId());
      AlipayTradeRefundRequest sdkRefund = new AlipayTradeRefundRequest();
      sdkRefund.setBizModel(model);
      AlipayTradeRefundResponse accepted = sdk.execute(sdkRefund);
      assertThat(accepted.isSuccess()).as(accepted.getBody()).isTrue();
      assertThat(accepted.getFundChange()).isEqualTo("N");
      assertThat(accepted.getRefundFee()).isEqualTo("0.00");
      AlipayTradeFastpayRefundQueryModel queryModel = new AlipayTradeFastpayRefundQueryModel();
      queryModel.setOutTradeNo(orderId);
      queryModel.setOutRequestNo(request.refundId());
      AlipayTradeFastpayRefundQueryRequest query = new AlipayTradeFastpayRefundQueryRequest();
      query.setBizModel(queryModel);
      AlipayTradeFastpayRefundQueryResponse processing = sdk.execute(query);
      assertThat(processing.getRefundStatus()).isEqualTo("REFUND_PROCESSING");
      assertThat(processing.getRefundAmount()).isEqualTo("88.50");

      // Settled: refunded once, the query says REFUND_SUCCESS, the trade is closed, one signed
      // refund notification is delivered; settling again does nothing.
      assertThat(sim.settleRefund(orderId, request.refundId())).isTrue();
      assertThat(sim.settleRefund(orderId, request.refundId())).isFalse();
      assertThat(sim.refunds(orderId)).containsExactly(Map.entry(request.refundId(), 8850L));
      assertThat(sim.refundsProcessing(orderId)).isEmpty();
      RefundResult done = await(adapter.queryRefund(APP, orderId, request.refundId()));
      assertThat(done.status()).isEqualTo(RefundStatus.SUCCESS);
      assertThat(done.refundFen()).isEqualTo(8850);
      assertThat(done.refundedAt()).isNotNull();
      TestSupport.eventually(() -> received.size() == 2);
      TestSupport.eventually(() -> sim.refundNotificationAcknowledged(orderId, request.refundId()));
      RefundResult notified = await(adapter.verifyRefundCallback(List.copyOf(received).get(1)));
      assertThat(notified.status()).isEqualTo(RefundStatus.SUCCESS);
      assertThat(notified.refundId()).isEqualTo(request.refundId());
      assertThat(notified.refundFen()).isEqualTo(8850);
      assertThat(await(adapter.queryOrder(APP, orderId)).status())
          .isEqualTo(cn.govgate.channel.spi.Payments.PaymentStatus.CLOSED);
      // A retry after the settlement is a replay of a done refund: confirmed, not repeated.
      assertThat(await(adapter.refund(request)).status()).isEqualTo(RefundStatus.SUCCESS);
      assertThat(sim.refunds(orderId)).hasSize(1);
      assertThat(received).hasSize(2);
    } finally {
      sim.knobs().refundsProcessing(false);
      await(merchant.close());
    }
  }

  @Test
  void finalRefusalsAreFailedAndAnUnknownRefundIsNotFound() {
    String unpaid = "GG" + System.nanoTime();
    await(adapter.prepay(new PrepayRequest(APP, USER.userId(), unpaid, 100, "水费", null, null)));
    assertThat(
            await(
                    adapter.refund(
                        new RefundRequest(APP, unpaid, unpaid + "R1", 100, 100, null, null)))
                .status())
        .isEqualTo(RefundStatus.FAILED);
    String paid = paidOrder(500);
    await(adapter.refund(new RefundRequest(APP, paid, paid + "R1", 500, 500, null, null)));
    // Another amount under the same request number is refused, never a second refund.
    assertThat(
            await(adapter.refund(new RefundRequest(APP, paid, paid + "R1", 400, 500, null, null)))
                .status())
        .isEqualTo(RefundStatus.FAILED);
    assertThat(await(adapter.queryRefund(APP, paid, paid + "R9")).status())
        .isEqualTo(RefundStatus.NOT_FOUND);
    assertThat(await(adapter.queryRefund(APP, "GG_none", "GG_noneR1")).status())
        .isEqualTo(RefundStatus.NOT_FOUND);
  }

  @Test
  void theSimulatorRefusesARefundSignedWithAnotherKey() {
    String orderId = paidOrder(300);
    AlipayAdapter wrongKey =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                sim.gatewayUrl(),
                java.time.Duration.ofSeconds(30),
                java.util.List.of(
                    AlipayApp.rsa2(
                        APP,
                        AlipayCrypto.generate(SignType.RSA2).privateKey(),
                        sim.platformPublicKey()))),
            io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    ChannelException e =
        TestSupport.awaitFailure(
            wrongKey.refund(new RefundRequest(APP, orderId, orderId + "R1", 300, 300, null, null)));
    assertThat(e.kind()).isEqualTo(ChannelException.Kind.SIGNATURE_INVALID);
    assertThat(sim.refunds(orderId)).isEmpty();
    wrongKey.close();
  }

  @Test
  void sdkRefundsAgainstTheSimulatorAndTheAdapterSeesIt() throws Exception {
    String orderId = paidOrder(1200);
    DefaultAlipayClient sdk =
        new DefaultAlipayClient(
            sim.gatewayUrl(),
            APP,
            APP_RSA.privateKey(),
            "json",
            "utf-8",
            sim.platformPublicKey(),
            "RSA2");
    AlipayTradeRefundModel model = new AlipayTradeRefundModel();
    model.setOutTradeNo(orderId);
    model.setRefundAmount("12.00");
    model.setOutRequestNo(orderId + "S1");
    model.setRefundReason("撤销申请");
    AlipayTradeRefundRequest request = new AlipayTradeRefundRequest();
    request.setBizModel(model);
    AlipayTradeRefundResponse response = sdk.execute(request);
    assertThat(response.isSuccess()).as(response.getBody()).isTrue();
    assertThat(response.getFundChange()).isEqualTo("Y");
    assertThat(response.getRefundFee()).isEqualTo("12.00");

    AlipayTradeFastpayRefundQueryModel queryModel = new AlipayTradeFastpayRefundQueryModel();
    queryModel.setOutTradeNo(orderId);
    queryModel.setOutRequestNo(orderId + "S1");
    AlipayTradeFastpayRefundQueryRequest query = new AlipayTradeFastpayRefundQueryRequest();
    query.setBizModel(queryModel);
    AlipayTradeFastpayRefundQueryResponse queried = sdk.execute(query);
    assertThat(queried.isSuccess()).isTrue();
    assertThat(queried.getRefundAmount()).isEqualTo("12.00");
    assertThat(queried.getRefundStatus()).isEqualTo("REFUND_SUCCESS");

    assertThat(await(adapter.queryRefund(APP, orderId, orderId + "S1")).status())
        .isEqualTo(RefundStatus.SUCCESS);
  }
}
