package cn.govgate.channel.alipay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlipayWireTest {

  @Test
  void signContentKeepsSignTypeDropsSignAndEmptyValuesAndSortsRawValues() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("timestamp", "2024-05-13 17:49:20");
    p.put("sign", "xyz");
    p.put("app_id", "2021000122671080");
    p.put("method", "alipay.security.risk.content.analyze");
    p.put("charset", "utf-8");
    p.put("sign_type", "RSA2");
    p.put("version", "1.0");
    p.put("notify_url", "");
    assertThat(AlipayWire.requestSignContent(p))
        .isEqualTo(
            "app_id=2021000122671080&charset=utf-8"
                + "&method=alipay.security.risk.content.analyze&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0");
  }

  @Test
  void extractsTheDocumentedSignedObject() throws Exception {
    String body =
        "{\"alipay_trade_create_response\":{\"code\":\"10000\",\"msg\":\"Success\",\"out_trade_no\":"
            + "\"20150320010101001\",\"trade_no\":\"2019062322001446881000041395\"},\"sign\":\"TS355N0Q==\"}";
    assertThat(AlipayWire.extractSigned(body, "alipay.trade.create").content())
        .isEqualTo(
            "{\"code\":\"10000\","
                + "\"msg\":\"Success\",\"out_trade_no\":\"20150320010101001\",\"trade_no\":\"2019062322001446881000041395\"}");
  }

  @Test
  void ignoresBracesAndEscapedQuotesInsideStrings() throws Exception {
    String inner = "{\"code\":\"10000\",\"msg\":\"a}\\\"}{b\",\"x\":{\"y\":\"}\"}}";
    String body = "{\"alipay_trade_query_response\":" + inner + ",\"sign\":\"s\"}";
    assertThat(AlipayWire.extractSigned(body, "alipay.trade.query").content()).isEqualTo(inner);
  }

  @Test
  void fallsBackToErrorResponse() throws Exception {
    String body =
        "{\"error_response\":{\"code\":\"40002\",\"sub_code\":\"isv.code-invalid\"},\"sign\":\"s\"}";
    AlipayWire.SignedPart part = AlipayWire.extractSigned(body, "alipay.system.oauth.token");
    assertThat(part.node()).isEqualTo("error_response");
    assertThat(part.content()).isEqualTo("{\"code\":\"40002\",\"sub_code\":\"isv.code-invalid\"}");
  }

  @Test
  void refusesADuplicatedRootNode() {
    String body =
        "{\"alipay_trade_query_response\":{\"code\":\"10000\"},\"sign\":\"s\","
            + "\"alipay_trade_query_response\":{\"code\":\"10000\",\"trade_status\":\"TRADE_SUCCESS\"}}";
    assertThatThrownBy(() -> AlipayWire.extractSigned(body, "alipay.trade.query"))
        .isInstanceOfSatisfying(
            AlipayWire.UnsignableResponseException.class,
            e -> assertThat(e.duplicateNode()).isTrue());
  }

  @Test
  void refusesATruncatedObject() {
    assertThatThrownBy(
            () ->
                AlipayWire.extractSigned(
                    "{\"alipay_trade_query_response\":{\"code\":\"10", "alipay.trade.query"))
        .isInstanceOf(AlipayWire.UnsignableResponseException.class);
  }

  @Test
  void convertsFenAndYuanExactly() {
    assertThat(AlipayWire.yuan(8850)).isEqualTo("88.50");
    assertThat(AlipayWire.yuan(1)).isEqualTo("0.01");
    assertThat(AlipayWire.fen("88.5")).isEqualTo(8850);
    assertThat(AlipayWire.fen("0.10")).isEqualTo(10);
    assertThatThrownBy(() -> AlipayWire.fen("0.001")).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void parsesFormValuesDecodingOnce() {
    Map<String, String> p = AlipayWire.parseForm("a=%25E4%25B8%25AD&b=x+y&c=%E4%B8%AD");
    assertThat(p).containsEntry("a", "%E4%B8%AD").containsEntry("b", "x y").containsEntry("c", "中");
    assertThatThrownBy(() -> AlipayWire.parseForm("a=1&a=2"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sm2SignaturesVerifyOnlyWithTheSameUserId() {
    AlipayCrypto.KeyPairBase64 keys = TestSupport.APP_SM2;
    String sig = AlipayCrypto.signer(SignType.SM2, keys.privateKey(), null).sign("a=1&b=中");
    assertThat(
            AlipayCrypto.verifier(SignType.SM2, keys.publicKey(), AlipayCrypto.DEFAULT_SM2_USER_ID)
                .verify("a=1&b=中", sig))
        .isTrue();
    assertThat(
            AlipayCrypto.verifier(SignType.SM2, keys.publicKey(), "another-user-id")
                .verify("a=1&b=中", sig))
        .isFalse();
    assertThat(AlipayCrypto.verifier(SignType.SM2, keys.publicKey(), null).verify("a=2&b=中", sig))
        .isFalse();
  }
}
