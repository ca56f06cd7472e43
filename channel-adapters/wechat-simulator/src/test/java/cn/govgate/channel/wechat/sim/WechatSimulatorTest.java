package cn.govgate.channel.wechat.sim;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.wechat.WechatCrypto;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The simulator on its own: control API, notification delivery and retries, serial formats,
 * merchant checks.
 */
@ExtendWith(VertxExtension.class)
class WechatSimulatorTest {

  static final String APP = "wxsimtest00000001";
  static final String MCH = "1900000001";
  static final String KEY = "0123456789abcdefABCDEF0123456789";

  Vertx vertx;
  WechatSimulator sim;
  WebClient http;
  static final KeyPair MERCHANT = rsa();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    sim =
        await(
            WechatSimulator.start(
                vertx,
                WechatSimulatorOptions.defaults()
                    .withNotifyRetryDelays(List.of(Duration.ofMillis(20), Duration.ofMillis(40)))));
    http = WebClient.create(vertx);
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    await(sim.close());
  }

  @Test
  void listensOnLoopbackAndServesTheControlApi() {
    assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port());
    control("/__sim/apps", new JsonObject().put("appId", APP).put("appSecret", "secret"));
    control(
        "/__sim/users",
        new JsonObject().put("openid", "oUser1").put("name", "王五").put("idNumber", "X1"));
    String code =
        control("/__sim/auth-codes", new JsonObject().put("appId", APP).put("openid", "oUser1"))
            .getString("code");

    HttpResponse<Buffer> login =
        await(
            http.getAbs(
                    sim.baseUrl()
                        + "/sns/jscode2session?appid="
                        + APP
                        + "&secret=secret&js_code="
                        + code
                        + "&grant_type=authorization_code")
                .send());

    assertThat(login.bodyAsJsonObject().getString("openid")).isEqualTo("oUser1");
    assertThat(login.bodyAsJsonObject().containsKey("errcode")).isFalse();
    assertThat(login.bodyAsJsonObject().containsKey("unionid")).isFalse();
  }

  @Test
  void changesKnobsThroughTheControlApi() {
    JsonObject knobs =
        await(
                http.putAbs(sim.baseUrl() + "/__sim/knobs")
                    .sendJsonObject(
                        new JsonObject()
                            .put("usedCodeErrcode", 40163)
                            .put("getinfoMd5UpperCase", true)
                            .put("forcedErrors", new JsonObject().put("jscode2session", "40226"))))
            .bodyAsJsonObject();

    assertThat(knobs.getInteger("usedCodeErrcode")).isEqualTo(40163);
    assertThat(sim.knobs().getinfoMd5UpperCase()).isTrue();
    assertThat(sim.knobs().forcedError("jscode2session")).isEqualTo("40226");
    JsonObject answer =
        await(http.getAbs(sim.baseUrl() + "/sns/jscode2session?appid=x&secret=y&js_code=z").send())
            .bodyAsJsonObject();
    assertThat(answer.getInteger("errcode")).isEqualTo(40226);
  }

  @Test
  void usesAPublicKeyIdSerialByDefaultAndACertificateSerialOnRequest() {
    assertThat(sim.platformSerial()).matches("PUB_KEY_ID_\\d{28}");
    WechatSimulator certMode =
        await(
            WechatSimulator.start(
                vertx, WechatSimulatorOptions.defaults().withPublicKeyIdSerial(false)));
    try {
      assertThat(certMode.platformSerial()).matches("[0-9A-F]{40}");
    } finally {
      await(certMode.close());
    }
  }

  @Test
  void answersSignError401ToAnUnsignedPayRequest() {
    HttpResponse<Buffer> answer =
        await(http.getAbs(sim.baseUrl() + "/v3/pay/transactions/out-trade-no/X1?mchid=1").send());

    assertThat(answer.statusCode()).isEqualTo(401);
    assertThat(answer.bodyAsJsonObject().getString("code")).isEqualTo("SIGN_ERROR");
  }

  @Test
  void retriesANotificationUntilItIsAcknowledged() {
    AtomicInteger attempts = new AtomicInteger();
    String url = notifyServer(() -> attempts.incrementAndGet() < 3 ? 500 : 200);
    String order = prepay(url);

    await(sim.payOrder(order));

    assertThat(sim.notificationAttempts(order)).isEqualTo(3);
    assertThat(sim.orderState(order)).isEqualTo("SUCCESS");
  }

  @Test
  void acceptsNoContentAsAcknowledgementOnlyWhenTheKnobAllowsIt() {
    String url = notifyServer(() -> 204);
    String first = prepay(url);
    await(sim.payOrder(first));
    assertThat(sim.notificationAttempts(first)).isEqualTo(1);

    sim.knobs().acceptNoContentAck(false);
    String second = prepay(url);
    assertThat(sim.payOrder(second).toCompletionStage().toCompletableFuture())
        .failsWithin(5, TimeUnit.SECONDS);
    assertThat(sim.notificationAttempts(second)).isEqualTo(3);
  }

  private String notifyServer(java.util.function.IntSupplier status) {
    var server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(req -> req.response().setStatusCode(status.getAsInt()).end())
                .listen(0, "127.0.0.1"));
    return "http://127.0.0.1:" + server.actualPort() + "/notify";
  }

  /**
   * Registers app, user and merchant, and creates an order with a signed v3 request; returns
   * out_trade_no.
   */
  private String prepay(String notifyUrl) {
    String publicKey = Base64.getEncoder().encodeToString(MERCHANT.getPublic().getEncoded());
    sim.registerApp(APP, "secret")
        .registerMerchant(MCH, publicKey, "SERIAL1", KEY)
        .addUser(new SimUser("oPayer", null, null, null));
    sim.issueAuthCode(APP, "oPayer");
    String outTradeNo = "SIM" + System.nanoTime();
    String body =
        new JsonObject()
            .put("appid", APP)
            .put("mchid", MCH)
            .put("description", "d")
            .put("out_trade_no", outTradeNo)
            .put("notify_url", notifyUrl)
            .put("amount", new JsonObject().put("total", 1).put("currency", "CNY"))
            .put("payer", new JsonObject().put("openid", "oPayer"))
            .encode();
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    String nonce = WechatCrypto.nonce(32);
    String signature =
        WechatCrypto.sign(
            MERCHANT.getPrivate(),
            WechatCrypto.requestMessage(
                "POST", "/v3/pay/transactions/jsapi", timestamp, nonce, body));
    HttpResponse<Buffer> answer =
        await(
            http.postAbs(sim.baseUrl() + "/v3/pay/transactions/jsapi")
                .putHeader("Content-Type", "application/json")
                .putHeader(
                    "Authorization",
                    "WECHATPAY2-SHA256-RSA2048 signature=\""
                        + signature
                        + "\",serial_no=\"SERIAL1\","
                        + "timestamp=\""
                        + timestamp
                        + "\",nonce_str=\""
                        + nonce
                        + "\",mchid=\""
                        + MCH
                        + "\"")
                .sendBuffer(Buffer.buffer(body)));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Wechatpay-Serial")).isEqualTo(sim.platformSerial());
    assertThat(answer.getHeader("Request-ID")).isNotBlank();
    assertThat(
            WechatCrypto.verify(
                WechatCrypto.parsePublicKey(sim.platformPublicKey()),
                WechatCrypto.responseMessage(
                    answer.getHeader("Wechatpay-Timestamp"),
                    answer.getHeader("Wechatpay-Nonce"),
                    answer.bodyAsString()),
                answer.getHeader("Wechatpay-Signature")))
        .isTrue();
    return outTradeNo;
  }

  private JsonObject control(String path, JsonObject body) {
    HttpResponse<Buffer> answer = await(http.postAbs(sim.baseUrl() + path).sendJsonObject(body));
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
