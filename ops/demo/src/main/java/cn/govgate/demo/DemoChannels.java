package cn.govgate.demo;

import cn.govgate.channel.alipay.SignType;
import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.alipay.sim.AlipaySimulatorOptions;
import cn.govgate.channel.wechat.sim.WechatSimulator;
import cn.govgate.channel.wechat.sim.WechatSimulatorOptions;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's channels: the Alipay and WeChat simulators on loopback ports, app and merchant keys
 * generated into {@code <dataDir>/keys/}, the first {@code demo.citizens} synthetic citizens (seed
 * {@value #SEED}) as test users of both (the manifest lists the first {@value #MANIFEST_CITIZENS}),
 * and the gateway settings that point its real adapters at them.
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
  private final Map<String, String> settings;
  private final DemoKeys keys;
  private final List<SyntheticCitizen> citizens;

  private DemoChannels(
      AlipaySimulator alipay,
      WechatSimulator wechat,
      Map<String, String> settings,
      DemoKeys keys,
      List<SyntheticCitizen> citizens) {
    this.alipay = alipay;
    this.wechat = wechat;
    this.settings = settings;
    this.keys = keys;
    this.citizens = citizens;
  }

  private record Keys(
      DemoKeys.RsaKeys alipayApp,
      DemoKeys.RsaKeys merchant,
      String wechatSecret,
      String apiV3Key) {}

  /**
   * Generates (or reuses) the keys, starts both simulators (on {@code alipayPort} and {@code
   * wechatPort}, 0 = any free port) and registers the app, the merchant and the users.
   */
  public static Future<DemoChannels> start(
      Vertx vertx,
      DemoKeys keys,
      int alipayPort,
      int wechatPort,
      String notifyBaseUrl,
      int citizenCount) {
    return vertx
        .executeBlocking(
            () ->
                new Keys(
                    keys.rsa("alipay-app-private.pem"),
                    keys.rsa("wechat-merchant-private.pem"),
                    keys.hexSecret("wechat-app-secret.txt", 32),
                    keys.hexSecret("wechat-apiv3-key.txt", 32)),
            false)
        .compose(
            k ->
                AlipaySimulator.start(vertx, AlipaySimulatorOptions.defaults().withPort(alipayPort))
                    .compose(
                        a ->
                            WechatSimulator.start(
                                    vertx, WechatSimulatorOptions.defaults().withPort(wechatPort))
                                .map(w -> wire(a, w, k, keys, notifyBaseUrl, citizenCount))));
  }

  private static DemoChannels wire(
      AlipaySimulator a,
      WechatSimulator w,
      Keys k,
      DemoKeys keys,
      String notifyBaseUrl,
      int citizenCount) {
    a.registerApp(ALIPAY_APP_ID, SignType.RSA2, k.alipayApp().publicKeyBase64(), null);
    String merchantSerial =
        "DEMO"
            + k.merchant()
                .publicKeyBase64()
                .substring(40, 56)
                .toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]", "0");
    w.registerApp(WECHAT_APP_ID, k.wechatSecret())
        .registerMerchant(MCH_ID, k.merchant().publicKeyBase64(), merchantSerial, k.apiV3Key());
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(citizenCount, SEED);
    for (int i = 0; i < citizens.size(); i++) {
      SyntheticCitizen c = citizens.get(i);
      a.addUser(
          cn.govgate.channel.alipay.sim.SimUser.certified(alipayUserId(i), c.name(), c.idNumber()));
      w.addUser(
          new cn.govgate.channel.wechat.sim.SimUser(openid(i), unionid(i), c.name(), c.idNumber()));
    }
    // The gateway's own configuration keys, as an operator would set them for the real platforms.
    // The private keys
    // are passed in memory (never written to a configuration file); their PEM files are in the
    // manifest for clients.
    Map<String, String> s = new LinkedHashMap<>();
    String alipayApp = "alipay.app." + ALIPAY_APP_ID + ".";
    s.put("alipay.apps", ALIPAY_APP_ID);
    s.put("alipay.gatewayUrl", a.gatewayUrl());
    s.put(alipayApp + "signType", "RSA2");
    s.put(alipayApp + "privateKey", k.alipayApp().privateKeyBase64());
    s.put(alipayApp + "alipayPublicKey", a.platformPublicKey());
    s.put(alipayApp + "notifyUrl", notifyBaseUrl + "/callbacks/alipay");
    s.put("wechat.apps", WECHAT_APP_ID);
    s.put("wechat.apiBaseUrl", w.baseUrl());
    s.put("wechat.payBaseUrl", w.baseUrl());
    s.put("wechat.app." + WECHAT_APP_ID + ".secret", "file:" + keys.file("wechat-app-secret.txt"));
    s.put("wechat.merchant.mchId", MCH_ID);
    s.put("wechat.merchant.privateKey", "file:" + keys.file("wechat-merchant-private.pem"));
    s.put("wechat.merchant.serialNo", merchantSerial);
    s.put("wechat.merchant.apiV3Key", "file:" + keys.file("wechat-apiv3-key.txt"));
    s.put("wechat.merchant.platformPublicKey", w.platformPublicKey());
    s.put("wechat.merchant.platformSerial", w.platformSerial());
    s.put("wechat.merchant.notifyUrl", notifyBaseUrl + "/callbacks/wechat");
    reminderTemplates(a, w, s);
    return new DemoChannels(a, w, Map.copyOf(s), keys, citizens);
  }

  /**
   * Subscription templates of the demo apps, in both simulators and in the gateway's reminder
   * settings.
   */
  static final Map<String, String> WECHAT_TEMPLATES =
      Map.of(
          "traffic_fine", "DemoWxFine0001:thing1=title,car_number2=plate,amount3=amount,date4=due",
          "utility_bill",
              "DemoWxBill0001:thing1=title,character_string2=account,amount3=amount,date4=due",
          "proof_expiring", "DemoWxProof001:thing1=title,character_string2=serial,date3=due",
          "complaint_reply", "DemoWxReply001:thing1=title,character_string2=reference,time3=time");

  static final Map<String, String> ALIPAY_TEMPLATES =
      Map.of(
          "traffic_fine",
              "DemoAliFine001:keyword1=title,keyword2=plate,keyword3=amount,keyword4=due",
          "utility_bill",
              "DemoAliBill001:keyword1=title,keyword2=account,keyword3=amount,keyword4=due",
          "proof_expiring", "DemoAliProof01:keyword1=title,keyword2=serial,keyword3=due",
          "complaint_reply", "DemoAliReply01:keyword1=title,keyword2=reference,keyword3=time");

  private static void reminderTemplates(
      AlipaySimulator a, WechatSimulator w, Map<String, String> s) {
    WECHAT_TEMPLATES.forEach(
        (topic, spec) -> {
          String[] parts = spec.split(":", 2);
          w.registerTemplate(WECHAT_APP_ID, parts[0], keywords(parts[1]), false);
          s.put("reminders.templates." + WECHAT_APP_ID + "." + topic, parts[0]);
          s.put("reminders.templates." + WECHAT_APP_ID + "." + topic + ".fields", parts[1]);
        });
    ALIPAY_TEMPLATES.forEach(
        (topic, spec) -> {
          String[] parts = spec.split(":", 2);
          a.registerTemplate(ALIPAY_APP_ID, parts[0], keywords(parts[1]), false);
          s.put("reminders.templates." + ALIPAY_APP_ID + "." + topic, parts[0]);
          s.put("reminders.templates." + ALIPAY_APP_ID + "." + topic + ".fields", parts[1]);
        });
    // The demo looks for what is due every 30 s instead of every hour, so a walkthrough sees its
    // reminder soon.
    s.put("reminders.findInterval", "30s");
    s.put("reminders.sendInterval", "5s");
  }

  private static List<String> keywords(String fields) {
    return java.util.Arrays.stream(fields.split(",")).map(pair -> pair.split("=")[0]).toList();
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

  /** The gateway's channel settings, pointing its adapters at the simulators. */
  public Map<String, String> gatewaySettings() {
    return settings;
  }

  /** The synthetic citizens both simulators know as users, in order (index i is user i of each). */
  public List<SyntheticCitizen> citizens() {
    return citizens;
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
      people.add(
          new JsonObject()
              .put("name", c.name())
              .put("idNumber", c.idNumber())
              .put("alipayUserId", alipayUserId(i))
              .put("wechatOpenid", openid(i)));
    }
    String json = "-H 'Content-Type: application/json'";
    return new JsonObject()
        .put(
            "alipay",
            new JsonObject()
                .put("gatewayUrl", alipay.gatewayUrl())
                .put("controlUrl", alipayBase + "/__sim")
                .put("appId", ALIPAY_APP_ID)
                .put("signType", "RSA2")
                .put("appPrivateKeyFile", keys.file("alipay-app-private.pem").toString())
                .put("platformPublicKey", alipay.platformPublicKey()))
        .put(
            "wechat",
            new JsonObject()
                .put("baseUrl", wechat.baseUrl())
                .put("controlUrl", wechat.baseUrl() + "/__sim")
                .put("appId", WECHAT_APP_ID)
                .put("appSecretFile", keys.file("wechat-app-secret.txt").toString())
                .put("mchId", MCH_ID)
                .put("merchantPrivateKeyFile", keys.file("wechat-merchant-private.pem").toString())
                .put("apiV3KeyFile", keys.file("wechat-apiv3-key.txt").toString())
                .put("platformSerial", wechat.platformSerial()))
        .put("testCitizens", people)
        .put(
            "reminders",
            new JsonObject()
                .put(
                    "note",
                    "Play the citizen accepting a template in the mini-program's subscription dialog, then "
                        + "tell the gateway (POST /v1/reminders/subscriptions with the session token). What the platforms "
                        + "delivered: GET <controlUrl>/subscribe/messages.")
                .put(
                    "wechat",
                    new JsonArray()
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"appId\":\""
                                + WECHAT_APP_ID
                                + "\",\"openid\":\"<openid>\","
                                + "\"choices\":{\""
                                + WECHAT_TEMPLATES.get("traffic_fine").split(":")[0]
                                + "\":\"accept\"}}' "
                                + wechat.baseUrl()
                                + "/__sim/subscribe/request")
                        .add(
                            "curl -s "
                                + json
                                + " -H 'Authorization: Bearer <token>' -d '{\"topic\":\"traffic_fine\","
                                + "\"templateId\":\""
                                + WECHAT_TEMPLATES.get("traffic_fine").split(":")[0]
                                + "\",\"region\":"
                                + "\"330100\"}' "
                                + gatewayBaseUrl
                                + "/v1/reminders/subscriptions")
                        .add("curl -s " + wechat.baseUrl() + "/__sim/subscribe/messages"))
                .put(
                    "alipay",
                    new JsonArray()
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"appId\":\""
                                + ALIPAY_APP_ID
                                + "\",\"userId\":\"<userId>\","
                                + "\"choices\":{\""
                                + ALIPAY_TEMPLATES.get("traffic_fine").split(":")[0]
                                + "\":\"accept\"}}' "
                                + alipayBase
                                + "/__sim/subscribe/request")
                        .add(
                            "curl -s "
                                + json
                                + " -H 'Authorization: Bearer <token>' -d '{\"topic\":\"traffic_fine\","
                                + "\"templateId\":\""
                                + ALIPAY_TEMPLATES.get("traffic_fine").split(":")[0]
                                + "\",\"region\":"
                                + "\"330100\"}' "
                                + gatewayBaseUrl
                                + "/v1/reminders/subscriptions")
                        .add("curl -s " + alipayBase + "/__sim/subscribe/messages")))
        .put(
            "login",
            new JsonObject()
                .put(
                    "note",
                    "Synthetic people (valid, never-issued ID numbers). Replace <userId>/<openid>, <name>, "
                        + "<idNumber> with a test citizen's values; <token> with the token of the previous step.")
                .put(
                    "alipay",
                    new JsonArray()
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"appId\":\""
                                + ALIPAY_APP_ID
                                + "\",\"userId\":\"<userId>\"}' "
                                + alipayBase
                                + "/__sim/auth-codes   # -> {authCode}")
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"channel\":\"alipay\",\"appId\":\""
                                + ALIPAY_APP_ID
                                + "\",\"authCode\":\"<authCode>\"}' "
                                + gatewayBaseUrl
                                + "/v1/sessions   # -> {token} at L1")
                        .add(
                            "curl -s "
                                + json
                                + " -H 'Authorization: Bearer <token>' -d '{\"name\":\"<name>\",\"idNumber\":"
                                + "\"<idNumber>\"}' "
                                + gatewayBaseUrl
                                + "/v1/identity/verifications   # -> {verificationId, "
                                + "clientParams.certifyId}")
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"certifyId\":\"<certifyId>\",\"userId\":\"<userId>\"}' "
                                + alipayBase
                                + "/__sim/face/perform   # the citizen does the face check")
                        .add(
                            "curl -s -X POST -H 'Authorization: Bearer <token>' "
                                + gatewayBaseUrl
                                + "/v1/identity/verifications/<verificationId>/complete   # -> {token} at L3"))
                .put(
                    "wechat",
                    new JsonArray()
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"appId\":\""
                                + WECHAT_APP_ID
                                + "\",\"openid\":\"<openid>\"}' "
                                + wechat.baseUrl()
                                + "/__sim/auth-codes   # -> {code}")
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"channel\":\"wechat\",\"appId\":\""
                                + WECHAT_APP_ID
                                + "\",\"authCode\":\"<code>\"}' "
                                + gatewayBaseUrl
                                + "/v1/sessions   # -> {token} at L1")
                        .add(
                            "curl -s "
                                + json
                                + " -H 'Authorization: Bearer <token>' -d '{\"name\":\"<name>\",\"idNumber\":"
                                + "\"<idNumber>\"}' "
                                + gatewayBaseUrl
                                + "/v1/identity/verifications   # -> {verificationId, "
                                + "clientParams.verifyId}")
                        .add(
                            "curl -s "
                                + json
                                + " -d '{\"verifyId\":\"<verifyId>\",\"openid\":\"<openid>\"}' "
                                + wechat.baseUrl()
                                + "/__sim/face/perform   # the citizen does the face check")
                        .add(
                            "curl -s -X POST -H 'Authorization: Bearer <token>' "
                                + gatewayBaseUrl
                                + "/v1/identity/verifications/<verificationId>/complete   # -> {token} at L3")));
  }

  /** Stops both simulators. */
  public Future<Void> close() {
    return Future.join(alipay.close(), wechat.close()).mapEmpty();
  }
}
