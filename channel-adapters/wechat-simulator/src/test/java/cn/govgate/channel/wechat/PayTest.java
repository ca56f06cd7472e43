package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.LI;
import static cn.govgate.channel.wechat.WechatTestBed.MERCHANT_KEYS;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.Prepay;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.testing.CallbackServer;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WeChat Pay v3: prepay, paySign, query, signed answers and their rejections. */
class PayTest {

  static final AtomicInteger ORDERS = new AtomicInteger();
  static WechatTestBed bed;

  @BeforeAll
  static void start() {
    bed = WechatTestBed.start();
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @BeforeEach
  void login() {
    bed.login(ZHANG);
    bed.login(LI);
  }

  static PrepayRequest order(String notifyUrl) {
    return new PrepayRequest(
        APP_ID,
        ZHANG.openid(),
        "GG" + System.nanoTime() + ORDERS.incrementAndGet(),
        12300,
        "交通违法罚款",
        notifyUrl,
        null);
  }

  @Test
  void prepaysAndSignsTheRequestPaymentParameters() {
    PrepayRequest request = order(null);
    Prepay prepay = await(bed.adapter.prepay(request));

    assertThat(prepay.channelOrderRef()).startsWith("wx");
    assertThat(prepay.clientParams())
        .containsEntry("appId", APP_ID)
        .containsEntry("package", "prepay_id=" + prepay.channelOrderRef())
        .containsEntry("signType", "RSA")
        .containsEntry("timeStamp", Long.toString(bed.clock.instant().getEpochSecond()));
    assertThat(prepay.clientParams().get("nonceStr")).hasSize(32);
    String message =
        WechatCrypto.paySignMessage(
            APP_ID,
            prepay.clientParams().get("timeStamp"),
            prepay.clientParams().get("nonceStr"),
            prepay.clientParams().get("package"));
    assertThat(
            WechatCrypto.verify(
                MERCHANT_KEYS.getPublic(), message, prepay.clientParams().get("paySign")))
        .isTrue();
    assertThat(bed.calls("pay_jsapi", "ok")).isPositive();
  }

  @Test
  void queriesAnOrderBeforeAndAfterPayment() {
    CallbackServer notify = CallbackServer.verifying(bed.vertx, bed.adapter);
    PrepayRequest request = order(notify.url());
    await(bed.adapter.prepay(request));

    PaymentEvent pending = await(bed.adapter.queryOrder(APP_ID, request.orderId()));
    assertThat(pending.status()).isEqualTo(PaymentStatus.PENDING);
    assertThat(pending.amountFen()).isEqualTo(12300);

    await(bed.sim.payOrder(request.orderId()));
    PaymentEvent paid = await(bed.adapter.queryOrder(APP_ID, request.orderId()));

    assertThat(paid.status()).isEqualTo(PaymentStatus.PAID);
    assertThat(paid.channelTradeNo()).hasSize(28);
    assertThat(paid.payerUserId()).isEqualTo(ZHANG.openid());
    assertThat(paid.paidAt()).isNotNull();
    assertThat(paid.eventId()).isNull();
  }

  @Test
  void reportsAnUnknownOrderAsNotFound() {
    assertThat(await(bed.adapter.queryOrder(APP_ID, "GG_no_such_order")).status())
        .isEqualTo(PaymentStatus.NOT_FOUND);
  }

  @Test
  void deliversAVerifiedDecryptedCallbackAndGetsItAcknowledged() {
    CallbackServer notify = CallbackServer.verifying(bed.vertx, bed.adapter);
    PrepayRequest request = order(notify.url());
    await(bed.adapter.prepay(request));

    await(bed.sim.payOrder(request.orderId()));

    assertThat(bed.sim.notificationAttempts(request.orderId())).isEqualTo(1);
    assertThat(notify.events)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.status()).isEqualTo(PaymentStatus.PAID);
              assertThat(event.orderId()).isEqualTo(request.orderId());
              assertThat(event.amountFen()).isEqualTo(12300);
              assertThat(event.appId()).isEqualTo(APP_ID);
              assertThat(event.eventId()).startsWith("EV-");
              assertThat(event.channelTradeNo()).isNotBlank();
            });
  }

  @Test
  void rejectsAPayerWhoIsNotAUserOfTheApp() {
    PrepayRequest stranger =
        new PrepayRequest(
            APP_ID, "oStrangerNotOfThisApp000000", "GG" + System.nanoTime(), 100, "x", null, null);

    ChannelException e = failure(bed.adapter.prepay(stranger));

    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
    assertThat(e.channelCode()).isEqualTo("PARAM_ERROR");
  }

  @Test
  void simulatorRejectsARequestSignedWithAnotherMerchantKey() {
    WechatAdapter wrongKey =
        bed.adapter(
            c ->
                new WechatConfig(
                    c.apiBaseUrl(),
                    c.payBaseUrl(),
                    c.timeout(),
                    c.apps(),
                    new WechatMerchant(
                        c.merchant().mchId(),
                        WechatTestBed.base64(WechatTestBed.rsa().getPrivate().getEncoded()),
                        c.merchant().merchantSerialNo(),
                        c.merchant().apiV3Key(),
                        c.merchant().platformPublicKey(),
                        c.merchant().platformSerial(),
                        c.merchant().notifyUrl())));

    ChannelException e = failure(wrongKey.prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.SIGNATURE_INVALID);
    assertThat(e.channelCode()).isEqualTo("SIGN_ERROR");
  }

  @Test
  void simulatorRejectsARequestOutsideTheTimestampWindow() {
    WechatAdapter late = bed.adapter(c -> c, bed.clock.ahead(Duration.ofMinutes(-5)));

    assertThat(failure(late.queryOrder(APP_ID, "GG_any")).channelCode()).isEqualTo("SIGN_ERROR");
  }

  @Test
  void rejectsAnAnswerSignedWithAnotherPlatformKey() {
    WechatAdapter wrongPlatformKey =
        withMerchant(
            WechatTestBed.base64(WechatTestBed.rsa().getPublic().getEncoded()),
            bed.sim.platformSerial());

    assertThat(failure(wrongPlatformKey.prepay(order(null))).kind())
        .isEqualTo(Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsAnAnswerFromAnUnknownPlatformSerial() {
    WechatAdapter otherSerial =
        withMerchant(bed.sim.platformPublicKey(), "PUB_KEY_ID_0000000000000000000000000000");

    assertThat(failure(otherSerial.prepay(order(null))).kind()).isEqualTo(Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsATamperedAnswer() {
    ChannelException e =
        failure(viaProxy((h, body) -> body.replace("wx", "wy")).prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.SIGNATURE_INVALID);
    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
  }

  @Test
  void rejectsATruncatedAnswer() {
    ChannelException e =
        failure(viaProxy((h, body) -> body.substring(0, body.length() - 3)).prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsAnAnswerWithAnExpiredTimestamp() {
    String old = Long.toString(bed.clock.instant().minus(Duration.ofMinutes(5)).getEpochSecond());
    ChannelException e =
        failure(
            viaProxy(
                    (h, body) -> {
                      h.set("Wechatpay-Timestamp", old);
                      return body;
                    })
                .prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.TIMESTAMP_OUT_OF_WINDOW);
  }

  @Test
  void rejectsAnAnswerWithANonNumericTimestamp() {
    ChannelException e =
        failure(
            viaProxy(
                    (h, body) -> {
                      h.set("Wechatpay-Timestamp", "soon");
                      return body;
                    })
                .prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.TIMESTAMP_OUT_OF_WINDOW);
  }

  @Test
  void rejectsASignedAnswerThatIsNotJson() {
    ChannelException e =
        failure(
            viaProxy(
                    (h, body) -> {
                      h.set("Content-Type", "text/plain");
                      return body;
                    })
                .prepay(order(null)));

    assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
  }

  @Test
  void treatsSystemErrorAsAPlatformFault() {
    bed.sim.knobs().forceError("pay_query", "SYSTEM_ERROR");
    try {
      ChannelException e = failure(bed.adapter.queryOrder(APP_ID, "GG_any"));

      assertThat(e.fault()).isEqualTo(Fault.PLATFORM);
      assertThat(e.channelCode()).isEqualTo("SYSTEM_ERROR");
    } finally {
      bed.sim.knobs().clearForcedError("pay_query");
    }
  }

  private WechatAdapter withMerchant(String platformKey, String platformSerial) {
    return bed.adapter(
        c ->
            new WechatConfig(
                c.apiBaseUrl(),
                c.payBaseUrl(),
                c.timeout(),
                c.apps(),
                new WechatMerchant(
                    c.merchant().mchId(),
                    c.merchant().merchantPrivateKey(),
                    c.merchant().merchantSerialNo(),
                    c.merchant().apiV3Key(),
                    platformKey,
                    platformSerial,
                    c.merchant().notifyUrl())));
  }

  private WechatAdapter viaProxy(BiFunction<MultiMap, String, String> tamper) {
    TamperingProxy proxy = TamperingProxy.start(bed.vertx, bed.sim.baseUrl(), tamper);
    return bed.adapter(
        c ->
            new WechatConfig(c.apiBaseUrl(), proxy.baseUrl(), c.timeout(), c.apps(), c.merchant()));
  }
}
