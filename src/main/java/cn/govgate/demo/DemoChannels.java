package cn.govgate.demo;

import cn.govgate.channel.alipay.AlipayApp;
import cn.govgate.channel.alipay.AlipayConfig;
import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.wechat.WechatApp;
import cn.govgate.channel.wechat.WechatConfig;
import cn.govgate.channel.wechat.WechatMerchant;
import cn.govgate.channel.wechat.sim.WechatSimulator;
import cn.govgate.channel.wechat.sim.WechatSimulatorOptions;
import cn.govgate.config.ChannelsConfig;
import cn.govgate.config.DemoKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The demo's channels: the Alipay and WeChat simulators in-process on loopback ports, app and merchant keys
 * generated into {@code <dataDir>/keys/}, the first {@code demo.citizens} synthetic citizens (seed {@value #SEED})
 * as test users of both (the manifest lists the first {@value #MANIFEST_CITIZENS}), and the adapter settings
 * pointing at them.
 */
public final class DemoChannels {
  static final int MANIFEST_CITIZENS = 20;
  static final long SEED = 2024;
  /** The demo's Alipay mini-program. */
  public static final String ALIPAY_APP_ID = "2021000000000001";
  /** The demo's WeChat mini-program. */
  public static final String WECHAT_APP_ID = "wx00000000demo0001";
  static final String MCH_ID = "1900000001";

  private final AlipaySimulator alipay;
  private final WechatSimulator wechat;
  private final ChannelsConfig config;
  private final Path keys;
  private final List<SyntheticCitizen> citizens;

  private DemoChannels(AlipaySimulator alipay, WechatSimulator wechat, ChannelsConfig config, Path keys,
      List<SyntheticCitizen> citizens) {
    this.alipay = alipay;
    this.wechat = wechat;
    this.config = config;
    this.keys = keys;
    this.citizens = citizens;
  }

  private record Keys(DemoKeys.RsaKeys alipayApp, DemoKeys.RsaKeys merchant, String wechatSecret, String apiV3Key) {}

  /** Generates (or reuses) the keys, starts both simulators and registers the app, merchant and users. */
  public static Future<DemoChannels> start(Vertx vertx, Path dataDir, String notifyBaseUrl, int citizenCount) {
    Path keys = dataDir.resolve("keys");
    return vertx.executeBlocking(() -> new Keys(
            DemoKeys.rsa(keys.resolve("alipay-app-private.pem")),
            DemoKeys.rsa(keys.resolve("wechat-merchant-private.pem")),
            DemoKeys.hexSecret(keys.resolve("wechat-app-secret.txt"), 32),
            DemoKeys.hexSecret(keys.resolve("wechat-apiv3-key.txt"), 32)), false)
        .compose(k -> AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults().withPort(0))
            .compose(a -> WechatSimulator.start(vertx, WechatSimulatorOptions.defaults().withPort(0))
                .map(w -> wire(a, w, k, keys, notifyBaseUrl, citizenCount))));
  }

  private static DemoChannels wire(AlipaySimulator a, WechatSimulator w, Keys k, Path keys, String notifyBaseUrl,
      int citizenCount) {
    a.registerApp(ALIPAY_APP_ID, SignType.RSA2, k.alipayApp().publicKeyBase64(), null);
    String merchantSerial = "DEMO" + k.merchant().publicKeyBase64().substring(40, 56).toUpperCase(Locale.ROOT)
        .replaceAll("[^A-Z0-9]", "0");
    w.registerApp(WECHAT_APP_ID, k.wechatSecret())
        .registerMerchant(MCH_ID, k.merchant().publicKeyBase64(), merchantSerial, k.apiV3Key());
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(citizenCount, SEED);
    for (int i = 0; i < citizens.size(); i++) {
      SyntheticCitizen c = citizens.get(i);
      a.addUser(cn.govgate.channel.alipay.sim.SimUser.certified(alipayUserId(i), c.name(), c.idNumber()));
      w.addUser(new cn.govgate.channel.wechat.sim.SimUser(openid(i), unionid(i), c.name(), c.idNumber()));
    }
    AlipayConfig alipayConfig = new AlipayConfig(a.gatewayUrl(), Duration.ofSeconds(5), List.of(
        new AlipayApp(ALIPAY_APP_ID, SignType.RSA2, k.alipayApp().privateKeyBase64(), a.platformPublicKey(), null,
            notifyBaseUrl + "/callbacks/alipay")));
    WechatConfig wechatConfig = new WechatConfig(w.baseUrl(), w.baseUrl(), Duration.ofSeconds(5),
        List.of(new WechatApp(WECHAT_APP_ID, k.wechatSecret())),
        new WechatMerchant(MCH_ID, k.merchant().privateKeyBase64(), merchantSerial, k.apiV3Key(),
            w.platformPublicKey(), w.platformSerial(), notifyBaseUrl + "/callbacks/wechat"));
    return new DemoChannels(a, w, new ChannelsConfig(alipayConfig, wechatConfig), keys, citizens);
  }

  /** The Alipay user id of demo citizen {@code i}. */
  public static String alipayUserId(int i) {
    return String.format(Locale.ROOT, "2088%012d", 100_000 + i);
  }

  /** The WeChat openid of demo citizen {@code i}. */
  public static String openid(int i) {
    return String.format(Locale.ROOT, "oDemo%023d", i);
  }

  static String unionid(int i) {
    return String.format(Locale.ROOT, "uDemo%023d", i);
  }

  /** The adapter settings pointing at the simulators. */
  public ChannelsConfig config() {
    return config;
  }

  public AlipaySimulator alipay() {
    return alipay;
  }

  public WechatSimulator wechat() {
    return wechat;
  }

  /** The manifest part: simulators, apps, key files, test citizens and how to log in as each. */
  public JsonObject manifest(String gatewayBaseUrl) {
    String alipayBase = alipay.gatewayUrl().replaceFirst("/gateway\\.do$", "");
    JsonArray people = new JsonArray();
    for (int i = 0; i < Math.min(MANIFEST_CITIZENS, citizens.size()); i++) {
      SyntheticCitizen c = citizens.get(i);
      people.add(new JsonObject()
          .put("name", c.name())
          .put("idNumber", c.idNumber())
          .put("alipayUserId", alipayUserId(i))
          .put("wechatOpenid", openid(i)));
    }
    String json = "-H 'Content-Type: application/json'";
    return new JsonObject()
        .put("alipay", new JsonObject()
            .put("gatewayUrl", alipay.gatewayUrl())
            .put("controlUrl", alipayBase + "/__sim")
            .put("appId", ALIPAY_APP_ID)
            .put("signType", "RSA2")
            .put("appPrivateKeyFile", keys.resolve("alipay-app-private.pem").toString())
            .put("platformPublicKey", alipay.platformPublicKey()))
        .put("wechat", new JsonObject()
            .put("baseUrl", wechat.baseUrl())
            .put("controlUrl", wechat.baseUrl() + "/__sim")
            .put("appId", WECHAT_APP_ID)
            .put("appSecretFile", keys.resolve("wechat-app-secret.txt").toString())
            .put("mchId", MCH_ID)
            .put("merchantPrivateKeyFile", keys.resolve("wechat-merchant-private.pem").toString())
            .put("apiV3KeyFile", keys.resolve("wechat-apiv3-key.txt").toString())
            .put("platformSerial", wechat.platformSerial()))
        .put("testCitizens", people)
        .put("login", new JsonObject()
            .put("note", "Synthetic people (valid, never-issued ID numbers). Replace <userId>/<openid>, <name>, "
                + "<idNumber> with a test citizen's values; <token> with the token of the previous step.")
            .put("alipay", new JsonArray()
                .add("curl -s " + json + " -d '{\"appId\":\"" + ALIPAY_APP_ID + "\",\"userId\":\"<userId>\"}' "
                    + alipayBase + "/__sim/auth-codes   # -> {authCode}")
                .add("curl -s " + json + " -d '{\"channel\":\"alipay\",\"appId\":\"" + ALIPAY_APP_ID
                    + "\",\"authCode\":\"<authCode>\"}' " + gatewayBaseUrl + "/v1/sessions   # -> {token} at L1")
                .add("curl -s " + json + " -H 'Authorization: Bearer <token>' -d '{\"name\":\"<name>\",\"idNumber\":"
                    + "\"<idNumber>\"}' " + gatewayBaseUrl + "/v1/identity/verifications   # -> {verificationId, "
                    + "clientParams.certifyId}")
                .add("curl -s " + json + " -d '{\"certifyId\":\"<certifyId>\",\"userId\":\"<userId>\"}' "
                    + alipayBase + "/__sim/face/perform   # the citizen does the face check")
                .add("curl -s -X POST -H 'Authorization: Bearer <token>' " + gatewayBaseUrl
                    + "/v1/identity/verifications/<verificationId>/complete   # -> {token} at L3"))
            .put("wechat", new JsonArray()
                .add("curl -s " + json + " -d '{\"appId\":\"" + WECHAT_APP_ID + "\",\"openid\":\"<openid>\"}' "
                    + wechat.baseUrl() + "/__sim/auth-codes   # -> {code}")
                .add("curl -s " + json + " -d '{\"channel\":\"wechat\",\"appId\":\"" + WECHAT_APP_ID
                    + "\",\"authCode\":\"<code>\"}' " + gatewayBaseUrl + "/v1/sessions   # -> {token} at L1")
                .add("curl -s " + json + " -H 'Authorization: Bearer <token>' -d '{\"name\":\"<name>\",\"idNumber\":"
                    + "\"<idNumber>\"}' " + gatewayBaseUrl + "/v1/identity/verifications   # -> {verificationId, "
                    + "clientParams.verifyId}")
                .add("curl -s " + json + " -d '{\"verifyId\":\"<verifyId>\",\"openid\":\"<openid>\"}' "
                    + wechat.baseUrl() + "/__sim/face/perform   # the citizen does the face check")
                .add("curl -s -X POST -H 'Authorization: Bearer <token>' " + gatewayBaseUrl
                    + "/v1/identity/verifications/<verificationId>/complete   # -> {token} at L3")));
  }

  /** Stops both simulators. */
  public Future<Void> close() {
    return Future.join(alipay.close(), wechat.close()).mapEmpty();
  }
}
