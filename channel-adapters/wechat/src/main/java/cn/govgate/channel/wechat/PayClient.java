package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException;
import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Signed WeChat Pay v3 calls (§7.1) whose 2xx answers are verified before anyone reads them (§7.2).
 * A non-2xx answer is not signed; its {@code {code, message}} becomes a typed failure.
 */
final class PayClient {

  /** A verified answer: the status and the JSON body, null for an empty body (204). */
  record PayResponse(int status, JsonObject body) {}

  private static final Set<String> PLATFORM_CODES =
      Set.of("SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR");

  private final WebClient client;
  private final String baseUrl;
  private final PaySignatures signatures;
  private final CallGuard guard;

  PayClient(WebClient client, String baseUrl, PaySignatures signatures, CallGuard guard) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.signatures = signatures;
    this.guard = guard;
  }

  /**
   * Sends a signed request and hands the verified answer to {@code extract} inside the guard.
   *
   * @param canonicalUrl raw path plus raw query, exactly as sent
   * @param body the exact JSON text, null for GET
   * @param answers non-2xx codes (e.g. {@code ORDER_NOT_EXIST}) that are answers, passed on with a
   *     null body
   */
  <T> Future<T> call(
      String api,
      HttpMethod method,
      String canonicalUrl,
      String body,
      Set<String> answers,
      Function<PayResponse, T> extract) {
    return guard.run(
        api,
        () -> {
          HttpRequest<Buffer> request =
              client
                  .requestAbs(method, baseUrl + canonicalUrl)
                  .traceOperation("wechatpay " + api)
                  .putHeader("Accept", "application/json")
                  .putHeader("Wechatpay-Serial", signatures.merchant().platformSerial())
                  .putHeader(
                      "Authorization",
                      signatures.authorization(
                          method.name(), canonicalUrl, body == null ? "" : body));
          Future<HttpResponse<Buffer>> sent =
              body == null
                  ? request.send()
                  : request
                      .putHeader("Content-Type", "application/json")
                      .sendBuffer(Buffer.buffer(body));
          return sent.map(r -> extract.apply(verify(api, r, answers)));
        });
  }

  private PayResponse verify(String api, HttpResponse<Buffer> response, Set<String> answers) {
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body().toString();
    if (status < 200 || status > 299) {
      ErrorBody error = ErrorBody.parse(text);
      if (error.code() != null && answers.contains(error.code()))
        return new PayResponse(status, null);
      throw failure(api, status, error);
    }
    Map<String, String> headers = new HashMap<>();
    response
        .headers()
        .forEach(
            e -> headers.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    signatures.verifyPlatformSignature(api, headers, text);
    if (text.isEmpty()) return new PayResponse(status, null);
    String contentType = headers.get("content-type");
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw WechatErrors.malformed(api, "2xx body without Content-Type application/json");
    }
    try {
      return new PayResponse(status, new JsonObject(text));
    } catch (RuntimeException e) {
      throw WechatErrors.malformed(api, "body is not a JSON object");
    }
  }

  /**
   * The unsigned {@code {code, message}} of a non-2xx answer; both null for a body that is not that
   * JSON.
   */
  private record ErrorBody(String code, String message) {
    static ErrorBody parse(String text) {
      try {
        JsonObject error = new JsonObject(text);
        return new ErrorBody(error.getString("code"), error.getString("message", ""));
      } catch (RuntimeException e) {
        return new ErrorBody(null, null);
      }
    }
  }

  private static ChannelException failure(String api, int status, ErrorBody error) {
    String code = error.code();
    String detail = "HTTP " + status + (code == null ? "" : " " + code + ": " + error.message());
    if (status >= 500 || status == 429 || (code != null && PLATFORM_CODES.contains(code))) {
      return WechatErrors.of(api, Kind.PLATFORM_ERROR, Fault.PLATFORM, code, detail);
    }
    if (status == 401 || "SIGN_ERROR".equals(code)) {
      return WechatErrors.of(api, Kind.SIGNATURE_INVALID, Fault.INTEGRATION, code, detail);
    }
    return WechatErrors.of(api, Kind.REJECTED, Fault.INTEGRATION, code, detail);
  }
}
