package cn.govgate.channel.alipay;

import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelCalls;
import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Signed calls to {@code gateway.do}: builds and signs the request, sends it without blocking,
 * verifies the signed part of the answer, classifies failures, and runs each API under its own
 * circuit breaker and timer.
 */
final class AlipayGateway {

  static final String METRIC = ChannelCalls.METRIC;

  /** One configured app with its keys parsed once. */
  record KeyedApp(AlipayApp app, AlipayCrypto.Signer signer, AlipayCrypto.Verifier verifier) {
    static KeyedApp of(AlipayApp app) {
      return new KeyedApp(
          app,
          AlipayCrypto.signer(app.signType(), app.appPrivateKey(), app.sm2UserId()),
          AlipayCrypto.verifier(app.signType(), app.alipayPublicKey(), app.sm2UserId()));
    }
  }

  private final WebClient client;
  private final AlipayConfig config;
  private final ChannelCalls calls;
  private final Clock clock;

  AlipayGateway(
      Vertx vertx,
      AlipayConfig config,
      CircuitBreakerRegistry breakers,
      MeterRegistry meters,
      Clock clock) {
    this.config = config;
    this.calls = ChannelCalls.create(Channel.ALIPAY, breakers, meters);
    this.clock = clock;
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                .setUserAgent("govgate-alipay")
                .setFollowRedirects(false)
                // When the gateway traces: a client span per call inside a traced request, with
                // the W3C traceparent sent along (outside the signed parameters).
                .setTracingPolicy(TracingPolicy.PROPAGATE));
  }

  /** All signed parameters of a call, protocol and application, {@code sign} included. */
  Map<String, String> signedParams(KeyedApp app, GatewayCall call) {
    Map<String, String> all = new TreeMap<>(protocolParams(app, call));
    all.putAll(call.applicationParams());
    all.put("sign", app.signer().sign(AlipayWire.requestSignContent(all)));
    return all;
  }

  private Map<String, String> protocolParams(KeyedApp app, GatewayCall call) {
    Map<String, String> p = new TreeMap<>();
    p.put("app_id", app.app().appId());
    p.put("method", call.method());
    p.put("format", "json");
    p.put("charset", "utf-8");
    p.put("sign_type", app.app().signType().name());
    p.put("timestamp", AlipayWire.timestamp(clock.instant()));
    p.put("version", "1.0");
    p.putAll(call.protocolParams());
    return p;
  }

  /**
   * The GET URL of a page API (e.g. certify): every parameter, signed, URL-encoded in the query
   * string.
   */
  String pageUrl(KeyedApp app, GatewayCall call) {
    return config.gatewayUrl()
        + (config.gatewayUrl().contains("?") ? "&" : "?")
        + AlipayWire.formEncode(signedParams(app, call));
  }

  /**
   * Runs a call under the API's breaker and timer; answers the verified inner object of a
   * successful call.
   */
  Future<JsonObject> call(KeyedApp app, GatewayCall call) {
    return call(app, call, Set.of());
  }

  /**
   * As {@link #call(KeyedApp, GatewayCall)}, but answers whose {@code sub_code} is in {@code
   * expected} (e.g. {@code ACQ.TRADE_NOT_EXIST}) are results, not failures: they count as successes
   * for breaker and metrics.
   */
  Future<JsonObject> call(KeyedApp app, GatewayCall call, Set<String> expected) {
    return guarded(call.method(), () -> send(app, call, expected));
  }

  private Future<JsonObject> send(KeyedApp app, GatewayCall call, Set<String> expected) {
    Map<String, String> signed = signedParams(app, call);
    Map<String, String> query = new TreeMap<>(signed);
    query.keySet().removeAll(call.applicationParams().keySet());
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    call.applicationParams().forEach(form::add);
    String url =
        config.gatewayUrl()
            + (config.gatewayUrl().contains("?") ? "&" : "?")
            + AlipayWire.formEncode(query);
    String api = call.method();
    return client
        .postAbs(url)
        .traceOperation("alipay " + api)
        .putHeader("Accept", "text/plain,text/xml,text/javascript,text/html,application/json")
        .idleTimeout(config.timeout().toMillis())
        .sendForm(form, "utf-8")
        .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .recover(t -> Future.failedFuture(transportFailure(api, t)))
        .compose(resp -> Future.succeededFuture(verify(app, api, resp, expected)));
  }

  private static ChannelException transportFailure(String api, Throwable t) {
    if (t instanceof ChannelException ce) return ce;
    if (t instanceof TimeoutException) {
      return AlipayErrors.of(
          api, Kind.TIMEOUT, Fault.PLATFORM, null, "Alipay " + api + " timed out");
    }
    return AlipayErrors.of(
        api,
        Kind.PLATFORM_UNAVAILABLE,
        Fault.PLATFORM,
        null,
        "Alipay " + api + " unreachable: " + t.getClass().getSimpleName());
  }

  private JsonObject verify(
      KeyedApp app, String api, HttpResponse<Buffer> resp, Set<String> expected) {
    if (resp.statusCode() >= 500) {
      throw AlipayErrors.of(
          api,
          Kind.PLATFORM_UNAVAILABLE,
          Fault.PLATFORM,
          "http." + resp.statusCode(),
          "Alipay " + api + " answered HTTP " + resp.statusCode());
    }
    if (resp.statusCode() != 200) {
      throw AlipayErrors.of(
          api,
          Kind.REJECTED,
          Fault.INTEGRATION,
          "http." + resp.statusCode(),
          "Alipay " + api + " answered HTTP " + resp.statusCode());
    }
    String body = resp.body() == null ? "" : resp.body().toString(StandardCharsets.UTF_8);
    return verifyBody(app, api, body, expected);
  }

  /**
   * Verifies a raw response body and returns the inner object, or throws the classified failure.
   */
  static JsonObject verifyBody(KeyedApp app, String api, String body, Set<String> expected) {
    AlipayWire.SignedPart part;
    try {
      part = AlipayWire.extractSigned(body, api);
    } catch (AlipayWire.UnsignableResponseException e) {
      throw AlipayErrors.of(
          api,
          e.duplicateNode() ? Kind.SIGNATURE_INVALID : Kind.MALFORMED_RESPONSE,
          Fault.INTEGRATION,
          null,
          "Alipay " + api + " response refused: " + e.getMessage());
    }
    JsonObject envelope;
    JsonObject inner;
    try {
      envelope = new JsonObject(body);
      inner = new JsonObject(part.content());
    } catch (DecodeException | ClassCastException e) {
      throw AlipayErrors.malformed(api, "Alipay " + api + " response is not JSON");
    }
    Object sign = envelope.getValue("sign");
    if (!(sign instanceof String s) || s.isEmpty()) {
      throw AlipayErrors.of(
          api,
          Kind.SIGNATURE_INVALID,
          Fault.INTEGRATION,
          null,
          "Alipay " + api + " response unsigned");
    }
    if (!app.verifier().verify(part.content(), s)) {
      throw AlipayErrors.of(
          api,
          Kind.SIGNATURE_INVALID,
          Fault.INTEGRATION,
          null,
          "Alipay " + api + " response signature does not verify");
    }
    String code = inner.getValue("code") == null ? null : String.valueOf(inner.getValue("code"));
    boolean errorNode = part.node().equals("error_response");
    if (!errorNode && "10000".equals(code)) return inner;
    if (!errorNode
        && code == null
        && api.equals("alipay.system.oauth.token")
        && inner.getValue("access_token") != null) {
      return inner; // captured oauth.token successes carry no code/msg (§2.2)
    }
    if (code == null) throw AlipayErrors.malformed(api, "Alipay " + api + " response has no code");
    if (expected.contains(inner.getString("sub_code", ""))) return inner;
    throw AlipayErrors.fromAnswer(
        api, code, inner.getString("sub_code"), inner.getString("sub_msg"));
  }

  /**
   * Runs one API call under its breaker and call timer (the channels' shared {@link ChannelCalls}).
   */
  <T> Future<T> guarded(String api, Supplier<Future<T>> call) {
    return calls.guarded(api, call);
  }

  CircuitBreaker breaker(String api) {
    return calls.breaker(api);
  }

  void close() {
    client.close();
  }
}
