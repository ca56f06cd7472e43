package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_RSA;
import static cn.govgate.channel.alipay.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimKnobs;
import cn.govgate.channel.alipay.sim.SimUser;
import cn.govgate.channel.spi.FaceVerification.FaceRequest;
import cn.govgate.channel.spi.Payments.PrepayRequest;
import com.alipay.api.AlipayApiException;
import com.alipay.api.DefaultAlipayClient;
import com.alipay.api.domain.AlipayTradeCreateModel;
import com.alipay.api.internal.util.AlipaySignature;
import com.alipay.api.request.AlipaySystemOauthTokenRequest;
import com.alipay.api.request.AlipayTradeCreateRequest;
import com.alipay.api.request.AlipayUserCertifyOpenCertifyRequest;
import com.alipay.api.request.AlipayUserInfoShareRequest;
import com.alipay.api.response.AlipaySystemOauthTokenResponse;
import com.alipay.api.response.AlipayTradeCreateResponse;
import com.alipay.api.response.AlipayUserInfoShareResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official alipay-sdk-java against our simulator and adapter: the SDK's requests are accepted
 * by the simulator, the simulator's responses and notifications verify in the SDK, the adapter's
 * requests verify with the SDK's {@code AlipaySignature}. The SDK blocks, so it runs on the JUnit
 * thread only.
 */
class AlipaySdkInteropTest {

  static final String APP = "2021000300000001";
  static final SimUser USER = SimUser.certified("2088102104797777", "赵六", "110101198506061236");

  static Vertx vertx;
  static AlipaySimulator sim;
  static DefaultAlipayClient sdk;
  static final ConcurrentLinkedQueue<Map<String, String>> captured = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void setUp() {
    vertx = TestSupport.vertx();
    sim = await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    sim.registerApp(APP, SignType.RSA2, APP_RSA.publicKey(), null);
    sim.addUser(USER);
    sim.onRequest(captured::add);
    sdk =
        new DefaultAlipayClient(
            sim.gatewayUrl(),
            APP,
            APP_RSA.privateKey(),
            "json",
            "utf-8",
            sim.platformPublicKey(),
            "RSA2");
  }

  @AfterAll
  static void tearDown() {
    await(sim.close());
    await(vertx.close());
  }

  @AfterEach
  void reset() {
    sim.knobs().mangling(SimKnobs.Mangling.NONE).oauthCodeMsg(false);
    captured.clear();
  }

  @Test
  void sdkExchangesAnAuthCodeAndVerifiesTheSimulatorsSignature() throws Exception {
    AlipaySystemOauthTokenRequest request = new AlipaySystemOauthTokenRequest();
    request.setGrantType("authorization_code");
    request.setCode(sim.issueAuthCode(APP, USER.userId()));
    AlipaySystemOauthTokenResponse response = sdk.execute(request);
    assertThat(response.isSuccess()).isTrue();
    assertThat(response.getUserId()).isEqualTo(USER.userId());
    assertThat(response.getAccessToken()).startsWith("authusrB");
    assertThat(response.getExpiresIn()).isEqualTo("1296000");

    AlipayUserInfoShareResponse info =
        sdk.execute(new AlipayUserInfoShareRequest(), response.getAccessToken());
    assertThat(info.isSuccess()).isTrue();
    assertThat(info.getUserName()).isEqualTo("赵六");
    assertThat(info.getCertNo()).isEqualTo("110101198506061236");
    assertThat(info.getIsCertified()).isEqualTo("T");
  }

  @Test
  void sdkSeesAnInvalidCodeAsAFailedResponse() throws Exception {
    AlipaySystemOauthTokenRequest request = new AlipaySystemOauthTokenRequest();
    request.setGrantType("authorization_code");
    request.setCode("not-issued");
    AlipaySystemOauthTokenResponse response = sdk.execute(request);
    assertThat(response.isSuccess()).isFalse();
    assertThat(response.getSubCode()).isEqualTo("isv.code-invalid");
  }

  @Test
  void sdkCreatesATradeAndTheNotificationVerifiesWithRsaCheckV1() throws Exception {
    AlipayTradeCreateModel model = new AlipayTradeCreateModel();
    model.setOutTradeNo("SDK" + System.nanoTime());
    model.setTotalAmount("88.50");
    model.setSubject("水费缴纳");
    model.setBuyerId(USER.userId());
    AlipayTradeCreateRequest request = new AlipayTradeCreateRequest();
    request.setBizModel(model);
    request.setNotifyUrl("http://127.0.0.1:1/notify");
    AlipayTradeCreateResponse response = sdk.execute(request);
    assertThat(response.isSuccess()).isTrue();
    assertThat(response.getOutTradeNo()).isEqualTo(model.getOutTradeNo());
    assertThat(response.getTradeNo()).hasSize(28);
    assertThat(captured)
        .anySatisfy(p -> assertThat(p).containsEntry("notify_url", "http://127.0.0.1:1/notify"));

    await(sim.payOrder(model.getOutTradeNo()));
    Map<String, String> notification = sim.lastNotification(model.getOutTradeNo());
    // rsaCheckV1 removes sign and sign_type from the map it is given: hand it copies.
    assertThat(
            AlipaySignature.rsaCheckV1(
                new HashMap<>(notification), sim.platformPublicKey(), "utf-8", "RSA2"))
        .isTrue();
    Map<String, String> tampered = new HashMap<>(notification);
    tampered.put("total_amount", "0.01");
    assertThat(AlipaySignature.rsaCheckV1(tampered, sim.platformPublicKey(), "utf-8", "RSA2"))
        .isFalse();
  }

  @Test
  void sdkRefusesATamperedSimulatorResponse() {
    sim.knobs().mangling(SimKnobs.Mangling.TAMPERED_CONTENT);
    AlipaySystemOauthTokenRequest request = new AlipaySystemOauthTokenRequest();
    request.setGrantType("authorization_code");
    request.setCode(sim.issueAuthCode(APP, USER.userId()));
    assertThatThrownBy(() -> sdk.execute(request)).isInstanceOf(AlipayApiException.class);
  }

  @Test
  void simulatorServesTheSdksSignedCertifyPageUrl() throws Exception {
    AlipayAdapter adapter = adapter();
    String certifyId =
        await(
                adapter.startFace(
                    new FaceRequest(
                        APP,
                        USER.userId(),
                        USER.name(),
                        USER.idNumber(),
                        "SDKFACE" + System.nanoTime(),
                        "https://gw.example/return")))
            .reference();
    AlipayUserCertifyOpenCertifyRequest request = new AlipayUserCertifyOpenCertifyRequest();
    request.setBizContent("{\"certify_id\":\"" + certifyId + "\"}");
    String url = sdk.pageExecute(request, "GET").getBody();
    assertThat(url).startsWith(sim.gatewayUrl() + "?");
    WebClient client = WebClient.create(vertx);
    HttpResponse<?> page = await(client.getAbs(url).send());
    assertThat(page.bodyAsString()).contains(certifyId).doesNotContain("isv.");
    client.close();
    adapter.close();
  }

  @Test
  void sdkVerifiesTheAdaptersRequestSignature() throws Exception {
    AlipayAdapter adapter = adapter();
    String orderId = "ADP" + System.nanoTime();
    await(
        adapter.prepay(
            new PrepayRequest(
                APP, USER.userId(), orderId, 8850, "水费缴纳", "https://gw.example/notify", null)));
    Map<String, String> request =
        captured.stream()
            .filter(p -> "alipay.trade.create".equals(p.get("method")))
            .findFirst()
            .orElseThrow();
    assertThat(request.get("biz_content")).contains("\"total_amount\":\"88.50\"").contains(orderId);
    assertThat(request)
        .containsEntry("notify_url", "https://gw.example/notify")
        .containsEntry("sign_type", "RSA2");
    // rsaCheckV2 is the SDK's check over every parameter except sign, sign_type included: the
    // request recipe.
    assertThat(
            AlipaySignature.rsaCheckV2(
                new HashMap<>(request), APP_RSA.publicKey(), "utf-8", "RSA2"))
        .isTrue();
    Map<String, String> tampered = new HashMap<>(request);
    tampered.put("biz_content", request.get("biz_content").replace("88.50", "0.01"));
    assertThat(AlipaySignature.rsaCheckV2(tampered, APP_RSA.publicKey(), "utf-8", "RSA2"))
        .isFalse();
    adapter.close();
  }

  static AlipayAdapter adapter() {
    return AlipayAdapter.create(
        vertx,
        new AlipayConfig(
            sim.gatewayUrl(),
            Duration.ofSeconds(5),
            List.of(AlipayApp.rsa2(APP, APP_RSA.privateKey(), sim.platformPublicKey()))),
        CircuitBreakerRegistry.ofDefaults(),
        new SimpleMeterRegistry());
  }
}
