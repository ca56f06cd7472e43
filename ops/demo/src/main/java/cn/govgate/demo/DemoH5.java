package cn.govgate.demo;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.proxy.handler.ProxyHandler;
import io.vertx.httpproxy.HttpProxy;
import java.net.URI;
import java.util.Map;

/**
 * The H5 city-service app of the demo and the super-app around it, on one origin (no CORS): the
 * static app ({@code /h5/}, shipped in the jar under {@code h5/}), the gateway's public API
 * reverse-proxied unchanged ({@code /v1/*}, {@code /.well-known/*}), and {@code /superapp/*}, which
 * plays what Alipay or WeChat would do for an H5 page in their web view — asking the channel
 * simulator for a login code ({@code my.getAuthCode} / {@code wx.login}), performing the face
 * check, paying an order at the cashier — through the simulators' control API. The QR code of a
 * proof serial is drawn here too (ZXing, SVG), nothing is fetched from elsewhere.
 */
public final class DemoH5 {
  private static final int MAX_QR_TEXT = 200;

  private final HttpServer server;
  private final HttpClient proxyClient;
  private final WebClient client;

  private DemoH5(HttpServer server, HttpClient proxyClient, WebClient client) {
    this.server = server;
    this.proxyClient = proxyClient;
    this.client = client;
  }

  /**
   * Starts the server on {@code 127.0.0.1:port} (0 = any free port).
   *
   * @param people the super-app's test users: {@code [{index, name, idNumber, region, alipayUserId,
   *     wechatOpenid, utilityAccounts, vehicles, payableFine}]}, as in the manifest
   */
  public static Future<DemoH5> start(
      Vertx vertx, String gatewayBaseUrl, DemoChannels channels, JsonArray people, int port) {
    URI gateway = URI.create(gatewayBaseUrl);
    HttpClient proxyClient = vertx.createHttpClient();
    WebClient client = WebClient.create(vertx);
    HttpProxy proxy =
        HttpProxy.reverseProxy(proxyClient).origin(gateway.getPort(), gateway.getHost());
    SuperApp superApp = new SuperApp(client, channels, people);

    Router router = Router.router(vertx);
    router.get("/").handler(ctx -> ctx.redirect("/h5/"));
    router.route("/v1/*").handler(ProxyHandler.create(proxy));
    router.route("/.well-known/*").handler(ProxyHandler.create(proxy));
    router.route("/superapp/*").handler(BodyHandler.create(false).setBodyLimit(4096));
    router.route("/superapp/*").failureHandler(DemoH5::superAppFailed);
    router
        .get("/superapp/people")
        .respond(ctx -> Future.succeededFuture(new JsonObject().put("people", people)));
    router.post("/superapp/auth-code").respond(superApp::authCode);
    router.post("/superapp/face").respond(superApp::face);
    router.post("/superapp/pay").respond(superApp::pay);
    router.get("/superapp/qr").handler(DemoH5::qr);
    router
        .route("/h5/*")
        .handler(
            StaticHandler.create("h5").setCachingEnabled(false).setDefaultContentEncoding("UTF-8"));
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(port, "127.0.0.1")
        .map(server -> new DemoH5(server, proxyClient, client));
  }

  /** The URL a citizen opens. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/h5/";
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server
        .close()
        .eventually(proxyClient::close)
        .eventually(
            () -> {
              client.close();
              return Future.succeededFuture();
            });
  }

  /**
   * A request the super-app cannot play is the page's mistake (400); a simulator that fails is a
   * 502.
   */
  private static void superAppFailed(RoutingContext ctx) {
    boolean bad =
        ctx.failure() instanceof IllegalArgumentException
            || ctx.failure() instanceof DecodeException;
    ctx.response()
        .setStatusCode(bad ? 400 : 502)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("error", bad ? "bad request" : "the channel simulator did not answer")
                .encode());
  }

  /** {@code GET /superapp/qr?text=} → an SVG of the QR code of {@code text} (a proof serial). */
  private static void qr(RoutingContext ctx) {
    String text = ctx.queryParams().get("text");
    if (text == null || text.isEmpty() || text.length() > MAX_QR_TEXT) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    try {
      BitMatrix m =
          new QRCodeWriter()
              .encode(
                  text,
                  BarcodeFormat.QR_CODE,
                  0,
                  0,
                  Map.of(
                      EncodeHintType.ERROR_CORRECTION,
                      ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN,
                      4,
                      EncodeHintType.CHARACTER_SET,
                      "UTF-8"));
      StringBuilder path = new StringBuilder();
      for (int y = 0; y < m.getHeight(); y++) {
        for (int x = 0; x < m.getWidth(); x++) {
          if (m.get(x, y)) path.append('M').append(x).append(',').append(y).append("h1v1h-1z");
        }
      }
      String svg =
          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
              + m.getWidth()
              + " "
              + m.getHeight()
              + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\""
              + path
              + "\"/></svg>";
      ctx.response()
          .putHeader("Content-Type", "image/svg+xml")
          .putHeader("Cache-Control", "no-store")
          .end(svg);
    } catch (WriterException e) {
      ctx.response().setStatusCode(400).end();
    }
  }

  /** What the super-app does for the page, through the simulators' control API. */
  private record SuperApp(WebClient client, DemoChannels channels, JsonArray people) {

    /**
     * {@code {channel, person}} → {@code {channel, appId, authCode}}, as my.getAuthCode / wx.login
     * answer.
     */
    Future<JsonObject> authCode(RoutingContext ctx) {
      JsonObject body = body(ctx);
      JsonObject person = person(body);
      if (isAlipay(body)) {
        return call(
                alipayControl() + "/auth-codes",
                new JsonObject()
                    .put("appId", DemoChannels.ALIPAY_APP_ID)
                    .put("userId", person.getString("alipayUserId")))
            .map(
                r ->
                    new JsonObject()
                        .put("channel", "alipay")
                        .put("appId", DemoChannels.ALIPAY_APP_ID)
                        .put("authCode", r.getString("authCode")));
      }
      return call(
              wechatControl() + "/auth-codes",
              new JsonObject()
                  .put("appId", DemoChannels.WECHAT_APP_ID)
                  .put("openid", person.getString("wechatOpenid")))
          .map(
              r ->
                  new JsonObject()
                      .put("channel", "wechat")
                      .put("appId", DemoChannels.WECHAT_APP_ID)
                      .put("authCode", r.getString("code")));
    }

    /**
     * {@code {channel, person, clientParams}}: the citizen looks into the camera; the simulator
     * records a pass.
     */
    Future<JsonObject> face(RoutingContext ctx) {
      JsonObject body = body(ctx);
      JsonObject person = person(body);
      JsonObject params = body.getJsonObject("clientParams", new JsonObject());
      if (isAlipay(body)) {
        return call(
            alipayControl() + "/face/perform",
            new JsonObject()
                .put("certifyId", params.getString("certifyId"))
                .put("userId", person.getString("alipayUserId")));
      }
      return call(
          wechatControl() + "/face/perform",
          new JsonObject()
              .put("verifyId", params.getString("verifyId"))
              .put("openid", person.getString("wechatOpenid")));
    }

    /**
     * {@code {channel, orderId}}: the citizen confirms at the cashier; the platform then notifies
     * the gateway.
     */
    Future<JsonObject> pay(RoutingContext ctx) {
      JsonObject body = body(ctx);
      String orderId = body.getString("orderId", "");
      if (!orderId.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("orderId");
      return isAlipay(body)
          ? call(alipayControl() + "/orders/pay", new JsonObject().put("outTradeNo", orderId))
          : call(wechatControl() + "/orders/" + orderId + "/pay", new JsonObject());
    }

    private String alipayControl() {
      return channels.alipay().gatewayUrl().replaceFirst("/gateway\\.do$", "") + "/__sim";
    }

    private String wechatControl() {
      return channels.wechat().baseUrl() + "/__sim";
    }

    private Future<JsonObject> call(String url, JsonObject body) {
      return client.postAbs(url).sendJsonObject(body).compose(DemoH5::json);
    }

    private JsonObject person(JsonObject body) {
      int index = body.getInteger("person", -1);
      if (index < 0 || index >= people.size()) throw new IllegalArgumentException("person");
      return people.getJsonObject(index);
    }

    private static boolean isAlipay(JsonObject body) {
      String channel = body.getString("channel");
      if (!"alipay".equals(channel) && !"wechat".equals(channel))
        throw new IllegalArgumentException("channel");
      return "alipay".equals(channel);
    }

    private static JsonObject body(RoutingContext ctx) {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) throw new IllegalArgumentException("body");
      return body;
    }
  }

  private static Future<JsonObject> json(HttpResponse<Buffer> r) {
    if (r.statusCode() / 100 != 2) {
      return Future.failedFuture(new IllegalStateException("simulator answered " + r.statusCode()));
    }
    return Future.succeededFuture(r.bodyAsJsonObject());
  }
}
