package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.channel.spi.Payments.RefundRequest;
import cn.govgate.channel.spi.Payments.RefundResult;
import cn.govgate.channel.spi.Payments.RefundStatus;
import cn.govgate.testing.CallbackServer;
import com.wechat.pay.java.core.RSAPublicKeyConfig;
import com.wechat.pay.java.core.notification.NotificationParser;
import com.wechat.pay.java.core.notification.RequestParam;
import com.wechat.pay.java.service.refund.RefundService;
import com.wechat.pay.java.service.refund.model.AmountReq;
import com.wechat.pay.java.service.refund.model.CreateRequest;
import com.wechat.pay.java.service.refund.model.QueryByOutRefundNoRequest;
import com.wechat.pay.java.service.refund.model.Refund;
import com.wechat.pay.java.service.refund.model.RefundNotification;
import com.wechat.pay.java.service.refund.model.Status;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WeChat Pay v3 refunds (§9) end to end: the adapter against the simulator (signed both ways, once
 * per out_refund_no, the encrypted REFUND.SUCCESS notification), and the official wechatpay-java
 * SDK against the simulator (its requests accepted, its answers and notifications verified by the
 * SDK).
 */
class RefundTest {

  static WechatTestBed bed;

  @BeforeAll
  static void start() {
    bed = WechatTestBed.start();
    bed.login(ZHANG);
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  /** A paid order of 123.00 yuan whose payment notification went to {@code notify}. */
  private static PrepayRequest paidOrder(CallbackServer notify) {
    PrepayRequest order = PayTest.order(notify.url());
    await(bed.adapter.prepay(order));
    await(bed.sim.payOrder(order.orderId()));
    return order;
  }

  private static CallbackServer refundNotifications(CopyOnWriteArrayList<RefundResult> into) {
    return CallbackServer.start(
        bed.vertx,
        callback ->
            bed.adapter
                .verifyRefundCallback(callback)
                .map(
                    r -> {
                      into.add(r);
                      return bed.adapter.acknowledgeReply();
                    })
                .otherwise(e -> bed.adapter.rejectReply()));
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 10 s");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void refundsOncePerRefundIdAndTheVerifiedNotificationSaysItSucceeded() {
    CallbackServer pay = CallbackServer.verifying(bed.vertx, bed.adapter);
    PrepayRequest order = paidOrder(pay);
    CopyOnWriteArrayList<RefundResult> notified = new CopyOnWriteArrayList<>();
    CallbackServer refunds = refundNotifications(notified);
    RefundRequest request =
        new RefundRequest(
            APP_ID, order.orderId(), order.orderId() + "R1", 12300, 12300, "退款", refunds.url());

    RefundResult accepted = await(bed.adapter.refund(request));
    assertThat(accepted.status()).isIn(RefundStatus.PROCESSING, RefundStatus.SUCCESS);
    assertThat(accepted.refundFen()).isEqualTo(12300);
    assertThat(accepted.channelRefundRef()).startsWith("5030");

    // A retry after a timeout uses the same id: the same refund, not a second one.
    RefundResult again = await(bed.adapter.refund(request));
    assertThat(again.channelRefundRef()).isEqualTo(accepted.channelRefundRef());
    assertThat(bed.sim.refunds(order.orderId()))
        .containsExactly(java.util.Map.entry(request.refundId(), 12300L));

    waitFor(() -> !notified.isEmpty());
    assertThat(notified)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(RefundStatus.SUCCESS);
              assertThat(r.orderId()).isEqualTo(order.orderId());
              assertThat(r.refundId()).isEqualTo(request.refundId());
              assertThat(r.refundFen()).isEqualTo(12300);
              assertThat(r.refundedAt()).isNotNull();
            });
    RefundResult queried =
        await(bed.adapter.queryRefund(APP_ID, order.orderId(), request.refundId()));
    assertThat(queried.status()).isEqualTo(RefundStatus.SUCCESS);
    assertThat(bed.sim.orderState(order.orderId())).isEqualTo("REFUND");
  }

  @Test
  void anUnknownRefundIsNotFoundAndAnUnpaidOrderCannotBeRefunded() {
    assertThat(await(bed.adapter.queryRefund(APP_ID, "GG_none", "GG_noneR1")).status())
        .isEqualTo(RefundStatus.NOT_FOUND);
    PrepayRequest unpaid = PayTest.order(null);
    await(bed.adapter.prepay(unpaid));
    ChannelException e =
        failure(
            bed.adapter.refund(
                new RefundRequest(
                    APP_ID, unpaid.orderId(), unpaid.orderId() + "R1", 12300, 12300, null, null)));
    assertThat(e.channelCode()).isEqualTo("RESOURCE_NOT_EXISTS");
  }

  @Test
  void aRefundNotificationWithAnotherSignatureIsRejected() {
    CallbackServer pay = CallbackServer.verifying(bed.vertx, bed.adapter);
    PrepayRequest order = paidOrder(pay);
    CallbackServer capture =
        CallbackServer.start(
            bed.vertx, callback -> Future.succeededFuture(new CallbackReply(200, null, null)));
    await(
        bed.adapter.refund(
            new RefundRequest(
                APP_ID,
                order.orderId(),
                order.orderId() + "R1",
                12300,
                12300,
                null,
                capture.url())));
    waitFor(() -> !capture.received.isEmpty());
    CallbackRequest genuine = capture.received.get(0);
    assertThat(await(bed.adapter.verifyRefundCallback(genuine)).status())
        .isEqualTo(RefundStatus.SUCCESS);

    CallbackRequest tampered =
        new CallbackRequest(
            genuine.headers(),
            genuine.contentType(),
            genuine.body().replace("REFUND.SUCCESS", "REFUND.CLOSED"));
    assertThat(failure(bed.adapter.verifyRefundCallback(tampered)).kind())
        .isEqualTo(Kind.SIGNATURE_INVALID);
    // A payment notification is no refund notification, even though it verifies.
    CallbackRequest payment = pay.received.get(0);
    assertThat(failure(bed.adapter.verifyRefundCallback(payment)).kind())
        .isEqualTo(Kind.MALFORMED_RESPONSE);
  }

  @Test
  void wechatpaySdkRefundsAgainstTheSimulatorAndParsesItsRefundNotification() {
    CallbackServer pay = CallbackServer.verifying(bed.vertx, bed.adapter);
    PrepayRequest order = paidOrder(pay);
    CallbackServer capture =
        CallbackServer.start(
            bed.vertx, callback -> Future.succeededFuture(new CallbackReply(200, null, null)));
    RSAPublicKeyConfig config = WechatPaySdk.config(bed.sim);
    RefundService service =
        new RefundService.Builder().httpClient(WechatPaySdk.httpClient(bed.sim, config)).build();

    CreateRequest create = new CreateRequest();
    create.setOutTradeNo(order.orderId());
    create.setOutRefundNo(order.orderId() + "S1");
    create.setReason("退款");
    create.setNotifyUrl(capture.url());
    AmountReq amount = new AmountReq();
    amount.setRefund(12300L);
    amount.setTotal(12300L);
    amount.setCurrency("CNY");
    create.setAmount(amount);
    Refund refund = service.create(create);
    assertThat(refund.getOutRefundNo()).isEqualTo(create.getOutRefundNo());
    assertThat(refund.getAmount().getRefund()).isEqualTo(12300L);

    QueryByOutRefundNoRequest query = new QueryByOutRefundNoRequest();
    query.setOutRefundNo(create.getOutRefundNo());
    waitFor(() -> !capture.received.isEmpty());
    assertThat(service.queryByOutRefundNo(query).getStatus()).isEqualTo(Status.SUCCESS);

    CallbackRequest callback = capture.received.get(0);
    RefundNotification n =
        new NotificationParser(config)
            .parse(
                new RequestParam.Builder()
                    .serialNumber(callback.headers().get("wechatpay-serial"))
                    .nonce(callback.headers().get("wechatpay-nonce"))
                    .signature(callback.headers().get("wechatpay-signature"))
                    .timestamp(callback.headers().get("wechatpay-timestamp"))
                    .signType(callback.headers().get("wechatpay-signature-type"))
                    .body(callback.body())
                    .build(),
                RefundNotification.class);
    assertThat(n.getRefundStatus()).isEqualTo(Status.SUCCESS);
    assertThat(n.getOutRefundNo()).isEqualTo(create.getOutRefundNo());
    assertThat(n.getAmount().getRefund()).isEqualTo(12300L);
    // The adapter reads the same refund the SDK made.
    assertThat(
            await(bed.adapter.queryRefund(APP_ID, order.orderId(), create.getOutRefundNo()))
                .status())
        .isEqualTo(RefundStatus.SUCCESS);
  }
}
