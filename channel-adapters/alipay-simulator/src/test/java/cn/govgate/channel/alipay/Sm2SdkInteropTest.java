package cn.govgate.channel.alipay;

import static cn.govgate.channel.alipay.TestSupport.APP_SM2;
import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.alipay.sim.SimUser;
import com.alipay.api.DefaultAlipayClient;
import com.alipay.api.internal.util.AlipaySignature;
import com.alipay.api.request.AlipaySystemOauthTokenRequest;
import com.alipay.api.response.AlipaySystemOauthTokenResponse;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

/**
 * Our SM2 (SM3withSM2, user id 1234567812345678, PKCS#8/SPKI keys) against alipay-sdk-java's SM2.
 */
class Sm2SdkInteropTest {

  static final String CONTENT =
      "app_id=2021000100000002&biz_content={\"out_trade_no\":\"A1\"}&charset=utf-8"
          + "&method=alipay.trade.query&sign_type=SM2&timestamp=2024-05-13 17:49:20&version=1.0&subject=水费";

  @Test
  void sdkVerifiesOurSm2Signature() throws Exception {
    String sign = AlipayCrypto.signer(SignType.SM2, APP_SM2.privateKey(), null).sign(CONTENT);
    assertThat(AlipaySignature.rsaCheck(CONTENT, sign, APP_SM2.publicKey(), "utf-8", "SM2"))
        .isTrue();
    assertThat(AlipaySignature.rsaCheck(CONTENT + "x", sign, APP_SM2.publicKey(), "utf-8", "SM2"))
        .isFalse();
  }

  @Test
  void weVerifyTheSdksSm2Signature() throws Exception {
    String sign = AlipaySignature.rsaSign(CONTENT, APP_SM2.privateKey(), "utf-8", "SM2");
    assertThat(AlipayCrypto.verifier(SignType.SM2, APP_SM2.publicKey(), null).verify(CONTENT, sign))
        .isTrue();
  }

  @Test
  void sdkWithAnSm2AppTalksToTheSimulator() throws Exception {
    Vertx vertx = TestSupport.vertx();
    AlipaySimulator sim =
        TestSupport.await(AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults()));
    try {
      sim.registerApp("2021000600000001", SignType.SM2, APP_SM2.publicKey(), null);
      sim.addUser(SimUser.anonymous("2088000000000088"));
      DefaultAlipayClient sdk =
          new DefaultAlipayClient(
              sim.gatewayUrl(),
              "2021000600000001",
              APP_SM2.privateKey(),
              "json",
              "utf-8",
              sim.platformSm2PublicKey(),
              "SM2");
      AlipaySystemOauthTokenRequest request = new AlipaySystemOauthTokenRequest();
      request.setGrantType("authorization_code");
      request.setCode(sim.issueAuthCode("2021000600000001", "2088000000000088"));
      AlipaySystemOauthTokenResponse response = sdk.execute(request);
      assertThat(response.isSuccess()).isTrue();
      assertThat(response.getUserId()).isEqualTo("2088000000000088");
    } finally {
      TestSupport.await(sim.close());
      TestSupport.await(vertx.close());
    }
  }
}
