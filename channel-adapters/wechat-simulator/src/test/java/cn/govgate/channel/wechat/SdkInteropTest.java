package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.APP_SECRET;
import static cn.govgate.channel.wechat.WechatTestBed.MCH_ID;
import static cn.govgate.channel.wechat.WechatTestBed.ZHANG;
import static cn.govgate.channel.wechat.WechatTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import cn.binarywang.wx.miniapp.api.WxMaService;
import cn.binarywang.wx.miniapp.api.impl.WxMaServiceImpl;
import cn.binarywang.wx.miniapp.bean.WxMaJscode2SessionResult;
import cn.binarywang.wx.miniapp.config.impl.WxMaDefaultConfigImpl;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import cn.govgate.testing.CallbackServer;
import com.wechat.pay.java.core.RSAPublicKeyConfig;
import com.wechat.pay.java.core.exception.ServiceException;
import com.wechat.pay.java.core.http.HttpClient;
import com.wechat.pay.java.core.notification.NotificationParser;
import com.wechat.pay.java.core.notification.RequestParam;
import com.wechat.pay.java.service.payments.jsapi.JsapiServiceExtension;
import com.wechat.pay.java.service.payments.jsapi.model.Amount;
import com.wechat.pay.java.service.payments.jsapi.model.CloseOrderRequest;
import com.wechat.pay.java.service.payments.jsapi.model.Payer;
import com.wechat.pay.java.service.payments.jsapi.model.PrepayWithRequestPaymentResponse;
import com.wechat.pay.java.service.payments.jsapi.model.QueryOrderByOutTradeNoRequest;
import com.wechat.pay.java.service.payments.model.Transaction;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official SDKs accept what the simulator produces, and the simulator accepts what they send.
 * SDK calls block, so they run on the JUnit thread only.
 */
class SdkInteropTest {

  static WechatTestBed bed;
  static RSAPublicKeyConfig payConfig;

  @BeforeAll
  static void start() {
    bed = WechatTestBed.start();
    bed.login(ZHANG);
    payConfig = WechatPaySdk.config(bed.sim);
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @Test
  void wechatpaySdkVerifiesAndDecryptsASimulatorCallback() {
    CallbackServer capture =
        CallbackServer.start(
            bed.vertx, callback -> Future.succeededFuture(new CallbackReply(200, null, null)));
    PrepayRequest order = PayTest.order(capture.url());
    await(bed.adapter.prepay(order));
    await(bed.sim.payOrder(order.orderId()));
    CallbackRequest callback = capture.received.get(0);

    Transaction tx =
        new NotificationParser(payConfig)
            .parse(
                new RequestParam.Builder()
                    .serialNumber(callback.headers().get("wechatpay-serial"))
                    .nonce(callback.headers().get("wechatpay-nonce"))
                    .signature(callback.headers().get("wechatpay-signature"))
                    .timestamp(callback.headers().get("wechatpay-timestamp"))
                    .signType(callback.headers().get("wechatpay-signature-type"))
                    .body(callback.body())
                    .build(),
                Transaction.class);

    assertThat(tx.getOutTradeNo()).isEqualTo(order.orderId());
    assertThat(tx.getTradeState()).isEqualTo(Transaction.TradeStateEnum.SUCCESS);
    assertThat(tx.getAmount().getTotal()).isEqualTo(12300);
    assertThat(tx.getPayer().getOpenid()).isEqualTo(ZHANG.openid());
  }

  @Test
  void wechatpaySdkPrepaysAgainstTheSimulatorAndValidatesItsSignedAnswers() {
    JsapiServiceExtension service =
        new JsapiServiceExtension.Builder().config(payConfig).httpClient(toSimulator()).build();
    Amount amount = new Amount();
    amount.setTotal(500);
    amount.setCurrency("CNY");
    Payer payer = new Payer();
    payer.setOpenid(ZHANG.openid());
    com.wechat.pay.java.service.payments.jsapi.model.PrepayRequest request =
        new com.wechat.pay.java.service.payments.jsapi.model.PrepayRequest();
    request.setAppid(APP_ID);
    request.setMchid(MCH_ID);
    request.setDescription("水费");
    request.setOutTradeNo("SDK" + System.nanoTime());
    request.setNotifyUrl("https://gov.example.cn/notify");
    request.setAmount(amount);
    request.setPayer(payer);

    PrepayWithRequestPaymentResponse payment = service.prepayWithRequestPayment(request);
    assertThat(payment.getPackageVal()).startsWith("prepay_id=wx");
    assertThat(payment.getSignType()).isEqualTo("RSA");

    QueryOrderByOutTradeNoRequest query = new QueryOrderByOutTradeNoRequest();
    query.setMchid(MCH_ID);
    query.setOutTradeNo(request.getOutTradeNo());
    Transaction tx = service.queryOrderByOutTradeNo(query);
    assertThat(tx.getTradeState()).isEqualTo(Transaction.TradeStateEnum.NOTPAY);
    assertThat(await(bed.adapter.queryOrder(APP_ID, request.getOutTradeNo())).status())
        .isEqualTo(PaymentStatus.PENDING);

    CloseOrderRequest close = new CloseOrderRequest();
    close.setMchid(MCH_ID);
    close.setOutTradeNo(request.getOutTradeNo());
    service.closeOrder(close);
    assertThat(await(bed.adapter.queryOrder(APP_ID, request.getOutTradeNo())).status())
        .isEqualTo(PaymentStatus.CLOSED);
  }

  @Test
  void wechatpaySdkReadsTheSimulatorsErrorBody() {
    JsapiServiceExtension service =
        new JsapiServiceExtension.Builder().config(payConfig).httpClient(toSimulator()).build();
    QueryOrderByOutTradeNoRequest query = new QueryOrderByOutTradeNoRequest();
    query.setMchid(MCH_ID);
    query.setOutTradeNo("NO_SUCH_ORDER_1");

    Throwable thrown = catchThrowable(() -> service.queryOrderByOutTradeNo(query));

    assertThat(thrown).isInstanceOf(ServiceException.class);
    assertThat(((ServiceException) thrown).getErrorCode()).isEqualTo("ORDER_NOT_EXIST");
    assertThat(((ServiceException) thrown).getHttpStatusCode()).isEqualTo(404);
  }

  @Test
  void weixinJavaMiniappLogsInAgainstTheSimulator() throws Exception {
    WxMaDefaultConfigImpl config = new WxMaDefaultConfigImpl();
    config.setAppid(APP_ID);
    config.setSecret(APP_SECRET);
    config.setApiHostUrl(bed.sim.baseUrl());
    WxMaService service = new WxMaServiceImpl();
    service.setWxMaConfig(config);

    WxMaJscode2SessionResult session =
        service.getUserService().getSessionInfo(bed.sim.issueAuthCode(APP_ID, ZHANG.openid()));

    assertThat(session.getOpenid()).isEqualTo(ZHANG.openid());
    assertThat(session.getUnionid()).isEqualTo(ZHANG.unionid());
    assertThat(session.getSessionKey()).isEqualTo(bed.sim.sessionKey(APP_ID, ZHANG.openid()));
  }

  /**
   * The SDK's own client (signing, validation), with its requests rerouted from
   * api.mch.weixin.qq.com.
   */
  private static HttpClient toSimulator() {
    return WechatPaySdk.httpClient(bed.sim, payConfig);
  }
}
