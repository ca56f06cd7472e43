package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.LI;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static cn.govgate.channel.wechat.WechatTestBed.failure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.testing.CallbackServer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Payment callbacks: a real one captured from the simulator, then every way it can be wrong. */
class CallbackTest {

  static WechatTestBed bed;
  static CallbackRequest captured;
  static PrepayRequest order;

  @BeforeAll
  static void captureOneCallback() {
    bed = WechatTestBed.start();
    bed.login(ZHANG);
    bed.login(LI);
    CallbackServer capture =
        CallbackServer.start(
            bed.vertx, callback -> Future.succeededFuture(new CallbackReply(204, null, null)));
    order = PayTest.order(capture.url());
    await(bed.adapter.prepay(order));
    await(bed.sim.payOrder(order.orderId()));
    captured = capture.received.get(0);
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @Test
  void verifiesAndDecryptsTheCapturedCallback() {
    PaymentEvent event = await(bed.adapter.verifyCallback(captured));

    assertThat(event.status()).isEqualTo(PaymentStatus.PAID);
    assertThat(event.orderId()).isEqualTo(order.orderId());
    assertThat(event.payerUserId()).isEqualTo(ZHANG.openid());
    assertThat(event.eventId()).isEqualTo(new JsonObject(captured.body()).getString("id"));
    assertThat(captured.headers())
        .containsEntry("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048")
        .containsEntry("wechatpay-serial", bed.sim.platformSerial());
    assertThat(new JsonObject(captured.body()).getJsonObject("resource").getString("nonce"))
        .hasSize(12);
  }

  @Test
  void answersWithTheRepliesWechatExpects() {
    assertThat(bed.adapter.acknowledgeReply())
        .isEqualTo(
            new CallbackReply(
                200, "application/json", "{\"code\":\"SUCCESS\",\"message\":\"成功\"}"));
    assertThat(bed.adapter.rejectReply().status()).isEqualTo(500);
    assertThat(new JsonObject(bed.adapter.rejectReply().body()).getString("code"))
        .isEqualTo("FAIL");
  }

  @Test
  void rejectsATamperedBody() {
    String body = captured.body().replace("\"TRANSACTION.SUCCESS\"", "\"TRANSACTION.SUCCESS \"");

    assertRejected(
        new CallbackRequest(captured.headers(), captured.contentType(), body),
        Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsATamperedSignature() {
    assertRejected(
        withHeader("wechatpay-signature", flipFirst(captured.headers().get("wechatpay-signature"))),
        Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsACallbackSignedByAnotherKey() {
    String timestamp = captured.headers().get("wechatpay-timestamp");
    String nonce = captured.headers().get("wechatpay-nonce");
    String forged =
        WechatCrypto.sign(
            WechatTestBed.rsa().getPrivate(),
            WechatCrypto.responseMessage(timestamp, nonce, captured.body()));

    assertRejected(withHeader("wechatpay-signature", forged), Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsAnUnknownSerial() {
    assertRejected(
        withHeader("wechatpay-serial", "PUB_KEY_ID_0000000000000000000000000001"),
        Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsACallbackReplayedFiveMinutesLater() {
    WechatAdapter later = bed.adapter(c -> c, bed.clock.ahead(Duration.ofMinutes(5)));

    ChannelException e = failure(later.verifyCallback(captured));

    assertThat(e.kind()).isEqualTo(Kind.TIMESTAMP_OUT_OF_WINDOW);
  }

  @Test
  void rejectsAMissingSignatureHeader() {
    Map<String, String> headers = new HashMap<>(captured.headers());
    headers.remove("wechatpay-nonce");

    assertRejected(
        new CallbackRequest(headers, captured.contentType(), captured.body()),
        Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsATruncatedBody() {
    String body = captured.body().substring(0, captured.body().length() - 10);

    assertRejected(
        new CallbackRequest(captured.headers(), captured.contentType(), body),
        Kind.SIGNATURE_INVALID);
  }

  @Test
  void rejectsAnEmptyBody() {
    assertRejected(
        new CallbackRequest(captured.headers(), captured.contentType(), ""),
        Kind.MALFORMED_RESPONSE);
  }

  @Test
  void rejectsAResourceEncryptedWithAnotherApiV3Key() {
    WechatAdapter otherKey =
        bed.adapter(
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
                        "0123456789abcdef0123456789abcdef",
                        c.merchant().platformPublicKey(),
                        c.merchant().platformSerial(),
                        c.merchant().notifyUrl())));

    assertThat(failure(otherKey.verifyCallback(captured)).fault()).isEqualTo(Fault.INTEGRATION);
  }

  @Test
  void rejectsAPaymentForAnAppItDoesNotServe() {
    WechatAdapter otherApps =
        bed.adapter(
            c ->
                new WechatConfig(
                    c.apiBaseUrl(),
                    c.payBaseUrl(),
                    c.timeout(),
                    List.of(new WechatApp("wx0000000000000000", "secret")),
                    c.merchant()));

    assertThat(failure(otherApps.verifyCallback(captured)).kind()).isEqualTo(Kind.APP_ID_MISMATCH);
  }

  private static CallbackRequest withHeader(String name, String value) {
    Map<String, String> headers = new HashMap<>(captured.headers());
    headers.put(name, value);
    return new CallbackRequest(headers, captured.contentType(), captured.body());
  }

  private static void assertRejected(CallbackRequest request, Kind kind) {
    ChannelException e = failure(bed.adapter.verifyCallback(request));
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
    assertThat(e.api()).isEqualTo("pay_notify");
  }

  /** Changes the first Base64 character to a different one, so the signature always differs. */
  private static String flipFirst(String signature) {
    char replacement = signature.charAt(0) == 'A' ? 'B' : 'A';
    return replacement + signature.substring(1);
  }
}
