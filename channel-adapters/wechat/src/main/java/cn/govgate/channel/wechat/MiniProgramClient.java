package cn.govgate.channel.wechat;

import cn.govgate.channel.spi.ChannelException.Fault;
import cn.govgate.channel.spi.ChannelException.Kind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.function.Function;

/**
 * HTTP calls to the mini-program server API (api.weixin.qq.com): JSON in, JSON out, with an {@code
 * errcode} inside a 200 body turned into a typed failure (§5.1). Each call runs under {@link
 * CallGuard}.
 */
final class MiniProgramClient {

  private final WebClient client;
  private final String baseUrl;
  private final CallGuard guard;

  MiniProgramClient(WebClient client, String baseUrl, CallGuard guard) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.guard = guard;
  }

  /**
   * GET {@code pathAndQuery} (already encoded); {@code extract} runs inside the guard, so a
   * malformed answer is recorded as such.
   */
  <T> Future<T> get(String api, String pathAndQuery, Function<JsonObject, T> extract) {
    return guard.run(
        api,
        () ->
            client
                .getAbs(baseUrl + pathAndQuery)
                .traceOperation("wechat " + api)
                .send()
                .map(r -> extract.apply(parse(api, r))));
  }

  /**
   * POST a JSON body to {@code pathAndQuery} (already encoded), then {@code extract} inside the
   * guard.
   */
  <T> Future<T> post(
      String api, String pathAndQuery, JsonObject body, Function<JsonObject, T> extract) {
    return guard.run(
        api,
        () ->
            client
                .postAbs(baseUrl + pathAndQuery)
                .traceOperation("wechat " + api)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body.encode()))
                .map(r -> extract.apply(parse(api, r))));
  }

  private static JsonObject parse(String api, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 500 || status == 429) {
      throw WechatErrors.platformUnavailable(api, Integer.toString(status), "HTTP " + status);
    }
    if (status != 200) {
      throw WechatErrors.of(
          api, Kind.REJECTED, Fault.INTEGRATION, Integer.toString(status), "HTTP " + status);
    }
    Buffer body = response.body();
    if (body == null || body.length() == 0) throw WechatErrors.malformed(api, "empty body");
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      throw WechatErrors.malformed(api, "body is not a JSON object");
    }
    Object errcode = json.getValue("errcode");
    if (errcode != null && !(errcode instanceof Number))
      throw WechatErrors.malformed(api, "errcode is not a number");
    if (errcode != null && ((Number) errcode).intValue() != 0) {
      throw WechatErrors.fromErrcode(api, ((Number) errcode).intValue(), json.getString("errmsg"));
    }
    return json;
  }
}
