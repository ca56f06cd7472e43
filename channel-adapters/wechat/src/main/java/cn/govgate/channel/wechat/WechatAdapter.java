package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Kind;
import cn.govgate.channel.spi.ChannelSubject;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The WeChat {@link ChannelAdapter}: {@code jscode2session} login, cached access tokens, {@code
 * encryptedData} decryption, city-service face verification (new and legacy flows) and WeChat Pay
 * v3 JSAPI payments with verified, decrypted callbacks. Non-blocking; one circuit breaker per API
 * ({@code channel.wechat.<api>}); metric {@code govgate.channel.calls} tagged channel, api and
 * outcome.
 */
public final class WechatAdapter implements ChannelAdapter {

  private final WechatConfig config;
  private final Map<String, WechatApp> apps;
  private final MiniProgramClient mini;
  private final AccessTokens tokens;
  private final WechatFace face;
  private final WechatPay pay;
  private final WechatRefunds refunds;

  private WechatAdapter(
      Vertx vertx,
      WechatConfig config,
      CircuitBreakerRegistry breakers,
      MeterRegistry meters,
      Clock clock) {
    this.config = config;
    // A plain map, not Map.copyOf: lookups of a null app id must answer "unknown", not throw.
    Map<String, WechatApp> byId = new LinkedHashMap<>();
    config.apps().forEach(app -> byId.put(app.appId(), app));
    this.apps = Collections.unmodifiableMap(byId);
    WebClient client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setConnectTimeout((int) config.timeout().toMillis())
                .setUserAgent("govgate-wechat")
                // When the gateway traces: a client span per call inside a traced request, with
                // the W3C traceparent sent along (outside what WeChat Pay's signature covers).
                .setTracingPolicy(TracingPolicy.PROPAGATE));
    CallGuard guard = new CallGuard(breakers, meters, config.timeout());
    this.mini = new MiniProgramClient(client, config.apiBaseUrl(), guard);
    this.tokens = new AccessTokens(mini, apps, clock);
    this.face = new WechatFace(mini, tokens, apps.keySet(), clock);
    PaySignatures signatures =
        config.merchant() == null ? null : new PaySignatures(config.merchant(), clock);
    PayClient payClient =
        signatures == null ? null : new PayClient(client, config.payBaseUrl(), signatures, guard);
    this.pay =
        signatures == null ? null : new WechatPay(payClient, signatures, apps.keySet(), clock);
    this.refunds =
        signatures == null ? null : new WechatRefunds(payClient, signatures, apps.keySet());
  }

  /** Creates the adapter with the system UTC clock. Keys are parsed here; a bad key fails fast. */
  public static WechatAdapter create(
      Vertx vertx, WechatConfig config, CircuitBreakerRegistry breakers, MeterRegistry meters) {
    return create(vertx, config, breakers, meters, Clock.systemUTC());
  }

  /** Creates the adapter with a clock for token expiry, signature timestamps and time windows. */
  public static WechatAdapter create(
      Vertx vertx,
      WechatConfig config,
      CircuitBreakerRegistry breakers,
      MeterRegistry meters,
      Clock clock) {
    return new WechatAdapter(vertx, config, breakers, meters, clock);
  }

  @Override
  public Channel channel() {
    return Channel.WECHAT;
  }

  @Override
  public Set<String> appIds() {
    return apps.keySet();
  }

  @Override
  public Future<ChannelSubject> exchangeCode(String appId, String authCode) {
    String api = "jscode2session";
    WechatApp app = apps.get(appId);
    if (app == null) return Future.failedFuture(WechatErrors.unknownApp(api));
    if (authCode == null || authCode.isBlank()) {
      return Future.failedFuture(
          WechatErrors.of(
              api,
              Kind.INVALID_AUTH_CODE,
              ChannelException.Fault.CITIZEN,
              null,
              "empty auth code"));
    }
    String query =
        "/sns/jscode2session?appid="
            + enc(appId)
            + "&secret="
            + enc(app.appSecret())
            + "&js_code="
            + enc(authCode)
            + "&grant_type=authorization_code";
    return mini.get(
        api,
        query,
        json -> {
          String openid = json.getString("openid");
          String sessionKey = json.getString("session_key");
          if (openid == null || openid.isEmpty() || sessionKey == null || sessionKey.isEmpty()) {
            throw WechatErrors.malformed(api, "jscode2session answer lacks openid or session_key");
          }
          return new ChannelSubject(
              Channel.WECHAT, appId, openid, json.getString("unionid"), null, sessionKey);
        });
  }

  /**
   * A valid access token for the app: cached, refreshed at 80 % of {@code expires_in}, one
   * in-flight {@code stable_token} call shared by all concurrent callers. Never log the result.
   */
  public Future<String> accessToken(String appId) {
    return tokens.get(appId);
  }

  /**
   * Decrypts mini-program {@code encryptedData} (§5.3: AES-128-CBC with the session key, PKCS#7)
   * and checks {@code watermark.appid}. Fails with INTEGRATION: UNKNOWN_APP, MALFORMED_RESPONSE
   * (bad key, padding or JSON) or APP_ID_MISMATCH.
   */
  public JsonObject decryptUserData(
      String appId, String sessionKey, String encryptedData, String iv) {
    String api = "decrypt_user_data";
    if (!apps.containsKey(appId)) throw WechatErrors.unknownApp(api);
    JsonObject json;
    try {
      json = new JsonObject(WechatCrypto.decryptAesCbc(sessionKey, iv, encryptedData));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw WechatErrors.malformed(
          api, "encryptedData does not decrypt to JSON with this session key");
    }
    JsonObject watermark = json.getValue("watermark") instanceof JsonObject w ? w : null;
    if (watermark == null || !appId.equals(watermark.getValue("appid"))) {
      throw WechatErrors.integration(
          api, Kind.APP_ID_MISMATCH, "watermark.appid is not the app's id");
    }
    return json;
  }

  @Override
  public Future<FaceStart> startFace(FaceRequest request) {
    return face.start(request);
  }

  @Override
  public Future<FaceResult> queryFace(FaceRequest request, String reference) {
    return face.query(request, reference);
  }

  /**
   * The legacy face flow (§6.1): asks {@code getinfo} for the front end's {@code verifyResult} and
   * passes only if {@code identify_ret == 0}, the openid is the session's, both MD5s match the
   * claimed identity (either hex case) and the check is at most 10 minutes old.
   */
  public Future<FaceResult> queryLegacyIdentify(
      String appId, String openid, String name, String idNumber, String verifyResult) {
    return face.queryLegacy(appId, openid, name, idNumber, verifyResult);
  }

  @Override
  public Future<Prepay> prepay(PrepayRequest request) {
    return payments("pay_jsapi").compose(p -> p.prepay(request, config.merchant().notifyUrl()));
  }

  @Override
  public Future<PaymentEvent> verifyCallback(CallbackRequest request) {
    return payments("pay_notify").compose(p -> p.verifyCallback(request));
  }

  @Override
  public CallbackReply acknowledgeReply() {
    return new CallbackReply(200, "application/json", "{\"code\":\"SUCCESS\",\"message\":\"成功\"}");
  }

  @Override
  public CallbackReply rejectReply() {
    return new CallbackReply(500, "application/json", "{\"code\":\"FAIL\",\"message\":\"失败\"}");
  }

  /**
   * WeChat Pay retries on any 4xx or 5xx; 401 for a callback that does not verify (WIRE-FORMATS
   * §7.4).
   */
  @Override
  public CallbackReply refuseReply() {
    return new CallbackReply(401, "application/json", "{\"code\":\"FAIL\",\"message\":\"签名错误\"}");
  }

  @Override
  public Future<PaymentEvent> queryOrder(String appId, String orderId) {
    return payments("pay_query").compose(p -> p.queryOrder(appId, orderId));
  }

  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    return payments("pay_refund").compose(p -> refunds.refund(request));
  }

  @Override
  public Future<RefundResult> queryRefund(String appId, String orderId, String refundId) {
    return payments("pay_refund_query").compose(p -> refunds.query(appId, orderId, refundId));
  }

  @Override
  public Future<RefundResult> verifyRefundCallback(CallbackRequest request) {
    return payments("pay_refund_notify").compose(p -> refunds.verifyCallback(request));
  }

  /**
   * {@code POST /cgi-bin/message/subscribe/send} (§10.2) with a cached access token (refreshed once
   * on 40001/42001). Values are cut to the length their keyword's type allows ({@code thing} 20
   * characters…), since the platform refuses a long value (47003) rather than shortening it. 43101
   * fails with USER_REFUSED, any other errcode with REJECTED (or PLATFORM_ERROR for -1).
   */
  @Override
  public Future<Void> sendSubscriptionMessage(SubscriptionMessage message) {
    String api = SubscribeMessages.API;
    if (!apps.containsKey(message.appId()))
      return Future.failedFuture(WechatErrors.unknownApp(api));
    JsonObject body = SubscribeMessages.body(message);
    return tokens.withToken(
        message.appId(),
        token ->
            mini.post(
                api,
                "/cgi-bin/message/subscribe/send?access_token=" + enc(token),
                body,
                json -> (Void) null));
  }

  private Future<WechatPay> payments(String api) {
    if (pay == null) {
      return Future.failedFuture(
          WechatErrors.integration(api, Kind.REJECTED, "no WeChat Pay merchant configured"));
    }
    return Future.succeededFuture(pay);
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String rfc3339(java.time.Instant instant) {
    return instant
        .atOffset(ZoneOffset.ofHours(8))
        .truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  static Map<String, String> params(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) map.put(keyValues[i], keyValues[i + 1]);
    return Map.copyOf(map);
  }
}
