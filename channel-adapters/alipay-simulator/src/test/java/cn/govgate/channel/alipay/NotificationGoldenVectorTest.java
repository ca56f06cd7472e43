package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.await;
import static cn.govgate.channel.alipay.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Appendix A item 1: a real Alipay notification signature. */
class NotificationGoldenVectorTest {

  static final String ALIPAY_PUBLIC_KEY =
      "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQj"
          + "HiGjeYZjOPIPHR5knm2jnnz/YGIXIofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AUokBzJrzY+aGX"
          + "2xcOrxFYRlFilvVLTXg4LWjR1tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXG"
          + "KDsm/9TFWwO8EPHHHCaQdjtV5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9rEoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB";
  static final String SIGN =
      "QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nLWZp"
          + "Xyyh0LEWdK2S6Ri7nPwrVgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnObT1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSv"
          + "FEy0WnzuhcyHPX5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsg"
          + "PE8P0y095uQcDdK0YjCh4x7wVSov+lrmOQ==";

  static Vertx vertx;
  static AlipayAdapter adapter;

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    adapter =
        AlipayAdapter.create(
            vertx,
            new AlipayConfig(
                "http://127.0.0.1:9/gateway.do",
                Duration.ofSeconds(2),
                List.of(
                    AlipayApp.rsa2(
                        "2019073166072302", TestSupport.APP_RSA.privateKey(), ALIPAY_PUBLIC_KEY))),
            CircuitBreakerRegistry.ofDefaults(),
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void tearDown() {
    await(vertx.close());
  }

  static Map<String, String> notification() {
    Map<String, String> n = new LinkedHashMap<>();
    n.put("gmt_create", "2019-08-15 15:56:22");
    n.put("charset", "utf-8");
    n.put("seller_email", "z97-yuquerevenue@service.aliyun.com");
    n.put("subject", "语雀空间 500人规模");
    n.put("sign", SIGN);
    n.put("buyer_id", "2088102534368455");
    n.put("invoice_amount", "0.10");
    n.put("notify_id", "2019081500222155624068450559358070");
    n.put("fund_bill_list", "[{\"amount\":\"0.10\",\"fundChannel\":\"ALIPAYACCOUNT\"}]");
    n.put("notify_type", "trade_status_sync");
    n.put("trade_status", "TRADE_SUCCESS");
    n.put("receipt_amount", "0.10");
    n.put("buyer_pay_amount", "0.10");
    n.put("sign_type", "RSA2");
    n.put("app_id", "2019073166072302");
    n.put("seller_id", "2088531891668739");
    n.put("gmt_payment", "2019-08-15 15:56:24");
    n.put("notify_time", "2019-08-15 15:56:25");
    n.put("version", "1.0");
    n.put("out_trade_no", "20190815155618536-564-57");
    n.put("total_amount", "0.10");
    n.put("trade_no", "2019081522001468450512505578");
    n.put("auth_app_id", "2019073166072302");
    n.put("buyer_logon_id", "xud***@126.com");
    n.put("point_amount", "0.00");
    return n;
  }

  static CallbackRequest callback(Map<String, String> params) {
    return new CallbackRequest(
        Map.of(),
        "application/x-www-form-urlencoded; charset=utf-8",
        AlipayWire.formEncode(params));
  }

  @Test
  void realAlipayNotificationVerifies() {
    PaymentEvent event = await(adapter.verifyCallback(callback(notification())));
    assertThat(event)
        .isEqualTo(
            new PaymentEvent(
                Channel.ALIPAY,
                "2019073166072302",
                "20190815155618536-564-57",
                "2019081522001468450512505578",
                PaymentStatus.PAID,
                10,
                "2088102534368455",
                Instant.parse("2019-08-15T07:56:24Z"),
                "2019081500222155624068450559358070"));
  }

  @Test
  void theVerifiedStringIsExactlyTheDocumentedOne() {
    String content = AlipayWire.notificationSignContent(notification());
    assertThat(content)
        .startsWith("app_id=2019073166072302&auth_app_id=")
        .endsWith("trade_status=TRADE_SUCCESS&version=1.0")
        .doesNotContain("sign");
    assertThat(AlipayCrypto.verifier(SignType.RSA2, ALIPAY_PUBLIC_KEY, null).verify(content, SIGN))
        .isTrue();
  }

  @Test
  void verificationFailsWhenSignTypeIsKept() {
    Map<String, String> withSignType = new LinkedHashMap<>(notification());
    String keptSignType = AlipayWire.requestSignContent(withSignType);
    assertThat(keptSignType).contains("sign_type=RSA2");
    assertThat(
            AlipayCrypto.verifier(SignType.RSA2, ALIPAY_PUBLIC_KEY, null)
                .verify(keptSignType, SIGN))
        .isFalse();
  }

  @Test
  void rejectsATamperedAmount() {
    Map<String, String> n = notification();
    n.put("total_amount", "0.01");
    ChannelException e = awaitFailure(adapter.verifyCallback(callback(n)));
    assertThat(e.kind()).isEqualTo(ChannelException.Kind.SIGNATURE_INVALID);
    assertThat(e.fault()).isEqualTo(ChannelException.Fault.INTEGRATION);
  }

  @Test
  void rejectsANotificationForAnUnconfiguredApp() {
    Map<String, String> n = notification();
    n.put("app_id", "2019000000000000");
    assertThat(awaitFailure(adapter.verifyCallback(callback(n))).kind())
        .isEqualTo(ChannelException.Kind.UNKNOWN_APP);
  }

  @Test
  void rejectsAnUnsignedNotification() {
    Map<String, String> n = notification();
    n.remove("sign");
    assertThat(awaitFailure(adapter.verifyCallback(callback(n))).kind())
        .isEqualTo(ChannelException.Kind.SIGNATURE_INVALID);
  }

  @Test
  void repliesExactlySuccessOrFail() {
    assertThat(adapter.acknowledgeReply())
        .isEqualTo(new cn.govgate.channel.spi.Payments.CallbackReply(200, "text/plain", "success"));
    assertThat(adapter.rejectReply().body()).isEqualTo("fail");
  }
}
