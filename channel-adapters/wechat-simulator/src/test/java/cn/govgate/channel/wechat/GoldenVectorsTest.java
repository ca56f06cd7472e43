package cn.govgate.channel.wechat;

import static cn.govgate.channel.wechat.WechatTestBed.APP_ID;
import static cn.govgate.channel.wechat.WechatTestBed.OTHER_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test vectors of channel-adapters/WIRE-FORMATS.md Appendix A and §6.1, §7.1. */
class GoldenVectorsTest {

  static final String SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ==";
  static final String IV = "r7BXXKkLb8qrSNn05n0qiA==";
  static final String ENCRYPTED_DATA =
      ""
          + "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+"
          + "3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6"
          + "/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs"
          + "8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns"
          + "/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG"
          + "20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

  static WechatTestBed bed;

  @BeforeAll
  static void start() {
    bed = WechatTestBed.start();
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @Test
  void decryptsTheOfficialEncryptedDataSample() {
    JsonObject data = bed.adapter.decryptUserData(APP_ID, SESSION_KEY, ENCRYPTED_DATA, IV);

    assertThat(data.getString("openId")).isEqualTo("oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    assertThat(data.getString("unionId")).isEqualTo("ocMvos6NjeKLIBqg5Mr9QjxrP1FA");
    assertThat(data.getJsonObject("watermark").getLong("timestamp")).isEqualTo(1477314187L);
  }

  @Test
  void rejectsEncryptedDataWatermarkedForAnotherApp() {
    ChannelException e =
        catchThrowableOfType(
            ChannelException.class,
            () -> bed.adapter.decryptUserData(OTHER_APP_ID, SESSION_KEY, ENCRYPTED_DATA, IV));

    assertThat(e.kind()).isEqualTo(Kind.APP_ID_MISMATCH);
    assertThat(e.fault()).isEqualTo(Fault.INTEGRATION);
  }

  @Test
  void rejectsEncryptedDataUnderTheWrongSessionKey() {
    ChannelException e =
        catchThrowableOfType(
            ChannelException.class,
            () ->
                bed.adapter.decryptUserData(
                    APP_ID, "AAAAAAAAAAAAAAAAAAAAAA==", ENCRYPTED_DATA, IV));

    assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
  }

  @Test
  void rejectsEncryptedDataForAnUnconfiguredApp() {
    ChannelException e =
        catchThrowableOfType(
            ChannelException.class,
            () ->
                bed.adapter.decryptUserData("wx0000000000000000", SESSION_KEY, ENCRYPTED_DATA, IV));

    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_APP);
  }

  @Test
  void encryptsAndDecryptsTheWechatPayGcmVector() throws Exception {
    String key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

    assertThat(WechatCrypto.encryptAesGcm(key, "uluk4a9R25RW", "associatedData", "message"))
        .isEqualTo("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=");
    assertThat(
            WechatCrypto.decryptAesGcm(
                key, "uluk4a9R25RW", "associatedData", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="))
        .isEqualTo("message");
  }

  @Test
  void computesTheCertHashVector() {
    assertThat(WechatCrypto.certHash("IDENTITY_CARD", "张三", "110101199003071234"))
        .isEqualTo("5aecd84d5d60d76be35f489bb60fb582fac8df914b8b56d8142d1f8312f594ac");
  }

  @Test
  void computesTheLegacyGetinfoDigests() {
    assertThat(WechatCrypto.md5Hex("110101199003071234"))
        .isEqualTo("f6b028f8c1a2441f149c6a332be54609");
    assertThat(WechatCrypto.md5Hex("张三")).isEqualTo("615db57aa314529aaa0fbe95b3e95bd3");
  }

  @Test
  void buildsTheRequestStringToSignOfTheSdkTest() {
    assertThat(
            WechatCrypto.requestMessage(
                "GET",
                "/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109",
                "1652750623",
                "eBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u",
                ""))
        .isEqualTo(
            "GET\n/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109\n1652750623\n"
                + "eBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u\n\n");
  }

  @Test
  void signsAndVerifiesWithSha256WithRsa() {
    KeyPair keys = WechatTestBed.MERCHANT_KEYS;
    String message = WechatCrypto.responseMessage("1652750623", "nonce", "{\"a\":1}");
    String signature = WechatCrypto.sign(keys.getPrivate(), message);

    assertThat(WechatCrypto.verify(keys.getPublic(), message, signature)).isTrue();
    assertThat(WechatCrypto.verify(keys.getPublic(), message.replace("1}", "2}"), signature))
        .isFalse();
    assertThat(WechatCrypto.verify(keys.getPublic(), message, "not base64!")).isFalse();
    assertThat(Base64.getDecoder().decode(signature)).hasSize(256);
  }
}
