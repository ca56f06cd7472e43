package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.APP_SM2;
import static cn.govgate.channel.alipay.TestSupport.await;
import static cn.govgate.channel.alipay.TestSupport.awaitFailure;
import static cn.govgate.channel.alipay.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimKnobs;
import cn.govgate.channel.alipay.sim.SimUser;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelSubject;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.FaceVerification.FaceResult;
import cn.govgate.channel.spi.FaceVerification.FaceStart;
import cn.govgate.channel.spi.FaceVerification.Outcome;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.Prepay;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.channel.spi.RealName;
import cn.govgate.testing.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The adapter against the simulator, one test per operation and outcome. */
@ExtendWith(VertxExtension.class)
class AlipayRoundTripTest {

  static final String APP = "2021000100000001";
  static final String SM2_APP = "2021000100000002";
  static final SimUser ZHANG = SimUser.certified("2088102104794936", "张三", "11010119900307123x");
  static final SimUser LI = SimUser.certified("2088102104790001", "李四", "110101198001011234");
  static final SimUser ANON = SimUser.anonymous("2088102146225135");

  static Vertx vertx;
  static AlipaySimulator sim;
  static AlipayAdapter adapter;
  static final AtomicInteger orderSeq = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim =
        await(
            AlipaySimulator.start(
                vertx,
                AlipaySimulatorOptions.defaults()
                    .withNotifyRetryDelays(
                        List.of(Duration.ofMillis(50), Duration.ofMillis(100)))));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    sim.registerApp(SM2_APP, SignType.SM2, APP_SM2.publicKey(), null);
    List.of(ZHANG, LI, ANON).forEach(sim::addUser);
    adapter =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                sim.gatewayUrl(),
                Duration.ofSeconds(5),
                List.of(
                    AlipayApp.rsa2(APP, APP_RSA.privateKey(), sim.platformPublicKey()),
                    AlipayApp.sm2(SM2_APP, APP_SM2.privateKey(), sim.platformSm2PublicKey()))),
            TestSupport.breakers(TestClock.frozenNow()),
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void tearDown() {
    await(sim.close());
    await(vertx.close());
  }

  @AfterEach
  void resetKnobs() {
    sim.knobs()
        .clearForcedErrors()
        .passedEncoding(SimKnobs.PassedEncoding.STRING)
        .pendingEncoding(SimKnobs.PendingEncoding.OMIT)
        .oauthCodeMsg(false)
        .shareRealName(true)
        .identityInfoPopulated(false);
  }

  static String nextOrderId() {
    return "GOV" + System.nanoTime() + orderSeq.incrementAndGet();
  }

  // ---- login ----

  @Test
  void logsInWithRealNameFromUserInfoShare() {
    ChannelSubject subject =
        await(adapter.exchangeCode(APP, sim.issueAuthCode(APP, ZHANG.userId())));
    assertThat(subject.appId()).isEqualTo(APP);
    assertThat(subject.userId()).isEqualTo(ZHANG.userId());
    assertThat(subject.sessionSecret()).startsWith("authusr");
    assertThat(subject.realName()).isEqualTo(new RealName(true, "张三", "11010119900307123X"));
  }

  @Test
  void logsInWithoutRealNameForAnUncertifiedUser() {
    ChannelSubject subject =
        await(adapter.exchangeCode(APP, sim.issueAuthCode(APP, ANON.userId())));
    assertThat(subject.userId()).isEqualTo(ANON.userId());
    assertThat(subject.realName().certified()).isFalse();
    assertThat(subject.realName().name()).isNull();
    assertThat(subject.realName().idNumber()).isNull();
  }

  @Test
  void logsInWithoutRealNameWhenTheAppLacksThePermission() {
    sim.knobs()
        .forceError(
            "alipay.user.info.share",
            new SimKnobs.ForcedError(
                "40006",
                "Insufficient Permissions",
                "isv.insufficient-isv-permissions",
                "ISV权限不足"));
    ChannelSubject subject =
        await(adapter.exchangeCode(APP, sim.issueAuthCode(APP, ZHANG.userId())));
    assertThat(subject.userId()).isEqualTo(ZHANG.userId());
    assertThat(subject.realName()).isNull();
  }

  @Test
  void logsInWhenOauthTokenCarriesCodeAndMsg() {
    sim.knobs().oauthCodeMsg(true);
    assertThat(await(adapter.exchangeCode(APP, sim.issueAuthCode(APP, ZHANG.userId()))).userId())
        .isEqualTo(ZHANG.userId());
  }

  @Test
  void loginFailsWhenUserInfoShareIsBusy() {
    sim.knobs().forceSystemBusy("alipay.user.info.share");
    ChannelException e =
        awaitFailure(adapter.exchangeCode(APP, sim.issueAuthCode(APP, ZHANG.userId())));
    assertThat(e.fault()).isEqualTo(ChannelException.Fault.PLATFORM);
    assertThat(e.api()).isEqualTo("alipay.user.info.share");
  }

  @Test
  void sm2AppLogsInAndPays() {
    ChannelSubject subject =
        await(adapter.exchangeCode(SM2_APP, sim.issueAuthCode(SM2_APP, ZHANG.userId())));
    assertThat(subject.realName().certified()).isTrue();
    String orderId = nextOrderId();
    Prepay prepay =
        await(
            adapter.prepay(
                new PrepayRequest(SM2_APP, ZHANG.userId(), orderId, 1200, "燃气费", null, null)));
    assertThat(prepay.clientParams()).containsEntry("tradeNO", prepay.channelOrderRef());
    await(sim.payOrder(orderId));
    PaymentEvent event = await(adapter.queryOrder(SM2_APP, orderId));
    assertThat(event.status()).isEqualTo(PaymentStatus.PAID);
    assertThat(event.amountFen()).isEqualTo(1200);
    assertThat(sim.lastNotification(orderId)).containsEntry("sign_type", "SM2");
    PaymentEvent notified =
        await(
            adapter.verifyCallback(
                new CallbackRequest(
                    Map.of(),
                    "application/x-www-form-urlencoded",
                    AlipayWire.formEncode(sim.lastNotification(orderId)))));
    assertThat(notified.status()).isEqualTo(PaymentStatus.PAID);
  }

  // ---- face ----

  static FaceRequest faceRequest(SimUser claimed) {
    return new FaceRequest(
        APP,
        claimed.userId(),
        claimed.name(),
        claimed.idNumber().toLowerCase(),
        nextOrderId(),
        "https://gw.example/face/return");
  }

  @Test
  void faceStartsReturnsASignedCertifyUrlThatTheSimulatorServes() {
    FaceStart start = await(adapter.startFace(faceRequest(ZHANG)));
    assertThat(start.clientParams()).containsEntry("certifyId", start.reference());
    String url = start.clientParams().get("certifyUrl");
    assertThat(url)
        .startsWith(sim.gatewayUrl() + "?")
        .contains("method=alipay.user.certify.open.certify")
        .contains("&sign=");
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> page = await(client.getAbs(url).send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains(start.reference()).doesNotContain("error_response");
    HttpResponse<?> tampered =
        await(client.getAbs(url.replace("certify_id%22%3A%22", "certify_id%22%3A%22x")).send());
    assertThat(tampered.bodyAsString()).contains("isv.invalid-signature");
    client.close();
  }

  @Test
  void facePassesForTheSubmittedIdentity() {
    FaceRequest request = faceRequest(ZHANG);
    FaceStart start = await(adapter.startFace(request));
    assertThat(await(adapter.queryFace(request, start.reference())).outcome())
        .isEqualTo(Outcome.PENDING);
    assertThat(sim.performFace(start.reference(), ZHANG.userId())).isTrue();
    FaceResult result = await(adapter.queryFace(request, start.reference()));
    assertThat(result.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(result.channelCode()).isEqualTo("passed=T");
  }

  @Test
  void facePassesWhenPassedIsEncodedAsAnArray() {
    sim.knobs().passedEncoding(SimKnobs.PassedEncoding.ARRAY);
    FaceRequest request = faceRequest(ZHANG);
    FaceStart start = await(adapter.startFace(request));
    sim.performFace(start.reference(), ZHANG.userId());
    assertThat(await(adapter.queryFace(request, start.reference())).outcome())
        .isEqualTo(Outcome.PASSED);
  }

  @Test
  void faceFailsWhenAnotherPersonDoesTheCheck() {
    FaceRequest request = faceRequest(ZHANG);
    FaceStart start = await(adapter.startFace(request));
    assertThat(sim.performFace(start.reference(), LI.userId())).isFalse();
    FaceResult result = await(adapter.queryFace(request, start.reference()));
    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.channelCode()).isEqualTo("passed=F");
  }

  @Test
  void aPassedCertificationDoesNotCountForAnotherIdentityWhenAlipayEchoesIt() {
    sim.knobs().identityInfoPopulated(true);
    FaceRequest request = faceRequest(ZHANG);
    FaceStart start = await(adapter.startFace(request));
    sim.performFace(start.reference(), ZHANG.userId());
    assertThat(await(adapter.queryFace(request, start.reference())).outcome())
        .isEqualTo(Outcome.PASSED);
    FaceRequest other =
        new FaceRequest(APP, LI.userId(), LI.name(), LI.idNumber(), request.outSeqNo(), null);
    FaceResult result = await(adapter.queryFace(other, start.reference()));
    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.detail()).contains("identity_info");
  }

  @Test
  void faceFailsForAnUnknownCertifyId() {
    FaceResult result =
        await(adapter.queryFace(faceRequest(ZHANG), "00000000000000000000000000000000"));
    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.channelCode()).isEqualTo("CERTIFY_ID_EXPIRED");
  }

  // ---- payments ----

  @Test
  void createsQueriesAndIsNotifiedOfAPayment(VertxTestContext ctx) throws Throwable {
    ConcurrentLinkedQueue<PaymentEvent> received = new ConcurrentLinkedQueue<>();
    HttpServer merchant = await(notificationServer(received, 0));
    String orderId = nextOrderId();
    String notifyUrl = "http://127.0.0.1:" + merchant.actualPort() + "/alipay/notify";

    Prepay prepay =
        await(
            adapter.prepay(
                new PrepayRequest(APP, ZHANG.userId(), orderId, 8850, "水费缴纳", notifyUrl, null)));
    assertThat(prepay.channelOrderRef()).hasSize(28);
    assertThat(prepay.clientParams()).isEqualTo(Map.of("tradeNO", prepay.channelOrderRef()));
    PaymentEvent pending = await(adapter.queryOrder(APP, orderId));
    assertThat(pending.status()).isEqualTo(PaymentStatus.PENDING);
    assertThat(pending.amountFen()).isEqualTo(8850);

    await(sim.payOrder(orderId));
    eventually(() -> sim.notificationAcknowledged(orderId));
    assertThat(sim.notificationAttempts(orderId)).isEqualTo(1);
    assertThat(received)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.orderId()).isEqualTo(orderId);
              assertThat(e.status()).isEqualTo(PaymentStatus.PAID);
              assertThat(e.amountFen()).isEqualTo(8850);
              assertThat(e.payerUserId()).isEqualTo(ZHANG.userId());
              assertThat(e.channelTradeNo()).isEqualTo(prepay.channelOrderRef());
              assertThat(e.eventId()).isNotBlank();
              assertThat(e.paidAt()).isNotNull();
            });
    PaymentEvent paid = await(adapter.queryOrder(APP, orderId));
    assertThat(paid.status()).isEqualTo(PaymentStatus.PAID);
    assertThat(paid.channelTradeNo()).isEqualTo(prepay.channelOrderRef());
    assertThat(paid.payerUserId()).isEqualTo(ZHANG.userId());
    merchant.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void notificationIsRetriedUntilAnsweredSuccess() {
    ConcurrentLinkedQueue<PaymentEvent> received = new ConcurrentLinkedQueue<>();
    HttpServer merchant = await(notificationServer(received, 2));
    String orderId = nextOrderId();
    await(
        adapter.prepay(
            new PrepayRequest(
                APP,
                ZHANG.userId(),
                orderId,
                100,
                "电费",
                "http://127.0.0.1:" + merchant.actualPort() + "/alipay/notify",
                null)));
    await(sim.payOrder(orderId));
    eventually(() -> sim.notificationAcknowledged(orderId));
    assertThat(sim.notificationAttempts(orderId)).isEqualTo(3);
    assertThat(received)
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.status()).isEqualTo(PaymentStatus.PAID));
    await(merchant.close());
  }

  @Test
  void sameOrderWithAnotherAmountIsRejected() {
    String orderId = nextOrderId();
    Prepay first =
        await(
            adapter.prepay(new PrepayRequest(APP, ZHANG.userId(), orderId, 500, "罚款", null, null)));
    Prepay again =
        await(
            adapter.prepay(new PrepayRequest(APP, ZHANG.userId(), orderId, 500, "罚款", null, null)));
    assertThat(again.channelOrderRef()).isEqualTo(first.channelOrderRef());
    ChannelException e =
        awaitFailure(
            adapter.prepay(new PrepayRequest(APP, ZHANG.userId(), orderId, 600, "罚款", null, null)));
    assertThat(e.kind()).isEqualTo(ChannelException.Kind.REJECTED);
    assertThat(e.channelCode()).isEqualTo("ACQ.CONTEXT_INCONSISTENT");
  }

  @Test
  void unknownOrderIsNotFound() {
    assertThat(await(adapter.queryOrder(APP, "NOPE-" + nextOrderId())).status())
        .isEqualTo(PaymentStatus.NOT_FOUND);
  }

  /**
   * A merchant endpoint that verifies with the adapter and rejects the first {@code rejectFirst}
   * deliveries.
   */
  private static io.vertx.core.Future<HttpServer> notificationServer(
      ConcurrentLinkedQueue<PaymentEvent> received, int rejectFirst) {
    AtomicInteger seen = new AtomicInteger();
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .compose(
                        body ->
                            adapter.verifyCallback(
                                new CallbackRequest(
                                    Map.of(), req.getHeader("Content-Type"), body.toString())))
                    .map(
                        event -> {
                          received.add(event);
                          return seen.incrementAndGet() > rejectFirst
                              ? adapter.acknowledgeReply()
                              : adapter.rejectReply();
                        })
                    .otherwise(e -> adapter.rejectReply())
                    .onSuccess(reply -> write(req.response(), reply)))
        .listen(0, "127.0.0.1");
  }

  private static void write(io.vertx.core.http.HttpServerResponse response, CallbackReply reply) {
    response
        .setStatusCode(reply.status())
        .putHeader("Content-Type", reply.contentType())
        .end(reply.body());
  }
}
