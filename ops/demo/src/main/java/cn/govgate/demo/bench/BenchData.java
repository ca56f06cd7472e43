package cn.govgate.demo.bench;

import cn.govgate.demo.DemoChannels;
import cn.govgate.demo.DemoDepartments;
import cn.govgate.registry.DepartmentAuth;
import cn.govgate.sim.citizens.SyntheticCitizen;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Prepares what the benchmark's {@code wrk} scripts send, through the real APIs only: L3 session
 * tokens obtained by logging in and stepping up each citizen (WeChat auth code from the simulator's
 * control API, {@code POST /v1/sessions}, {@code POST /v1/identity/verifications}, the simulator's
 * face check, {@code .../complete}), single-use auth codes issued by the simulator's control API,
 * and department requests signed like the gateway signs them. Requests run concurrently with a
 * bounded number in flight.
 */
public final class BenchData {

  /** The demo's WeChat mini-program, whose users the benchmark logs in. */
  public static final String APP_ID = DemoChannels.WECHAT_APP_ID;

  private final WebClient client;
  private final String gatewayUrl;
  private final String wechatUrl;
  private final int concurrency;

  private BenchData(WebClient client, String gatewayUrl, String wechatUrl, int concurrency) {
    this.client = client;
    this.gatewayUrl = gatewayUrl;
    this.wechatUrl = wechatUrl;
    this.concurrency = concurrency;
  }

  /**
   * A preparer talking to the gateway at {@code gatewayUrl} and the WeChat simulator at {@code
   * wechatUrl} (both without a trailing slash), with at most {@code concurrency} citizens in
   * flight.
   */
  public static BenchData create(
      Vertx vertx, String gatewayUrl, String wechatUrl, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1");
    }
    WebClient client =
        WebClient.create(
            vertx,
            new WebClientOptions().setKeepAlive(true).setConnectTimeout(5_000),
            new PoolOptions().setHttp1MaxSize(concurrency));
    return new BenchData(client, gatewayUrl, wechatUrl, concurrency);
  }

  /** A citizen of the demo together with their index (the index names their WeChat openid). */
  public record Indexed(int index, SyntheticCitizen citizen) {
    public String openid() {
      return DemoChannels.openid(index);
    }
  }

  /**
   * The first {@code count} of {@code citizens} whose home region is {@code region}, with their
   * demo index.
   */
  public static List<Indexed> livingIn(List<SyntheticCitizen> citizens, String region, int count) {
    List<Indexed> out = new ArrayList<>(count);
    for (int i = 0; i < citizens.size() && out.size() < count; i++) {
      if (citizens.get(i).homeRegion().equals(region)) {
        out.add(new Indexed(i, citizens.get(i)));
      }
    }
    if (out.size() < count) {
      throw new IllegalArgumentException(
          "only "
              + out.size()
              + " citizens live in "
              + region
              + ", "
              + count
              + " wanted: seed more");
    }
    return List.copyOf(out);
  }

  /**
   * Logs every citizen in and steps them up to L3 with a face check; the tokens come back in the
   * order of {@code citizens}. Fails on the first step that does not answer as the API documents.
   */
  public Future<List<String>> stepUpToL3(List<Indexed> citizens) {
    return forEach(citizens.size(), i -> stepUp(citizens.get(i)));
  }

  private Future<String> stepUp(Indexed who) {
    return issueAuthCode(who.openid())
        .compose(
            code ->
                call(
                    HttpMethod.POST,
                    gatewayUrl + "/v1/sessions",
                    null,
                    new JsonObject()
                        .put("channel", "wechat")
                        .put("appId", APP_ID)
                        .put("authCode", code),
                    201,
                    "login"))
        .compose(
            login -> {
              String l1 = "Bearer " + login.getString("token");
              return call(
                      HttpMethod.POST,
                      gatewayUrl + "/v1/identity/verifications",
                      l1,
                      new JsonObject()
                          .put("name", who.citizen().name())
                          .put("idNumber", who.citizen().idNumber()),
                      201,
                      "verification")
                  .compose(
                      v ->
                          call(
                                  HttpMethod.POST,
                                  wechatUrl + "/__sim/face/perform",
                                  null,
                                  new JsonObject()
                                      .put(
                                          "verifyId",
                                          v.getJsonObject("clientParams").getString("verifyId"))
                                      .put("openid", who.openid()),
                                  200,
                                  "face check")
                              .compose(
                                  face ->
                                      call(
                                          HttpMethod.POST,
                                          gatewayUrl
                                              + "/v1/identity/verifications/"
                                              + v.getString("verificationId")
                                              + "/complete",
                                          l1,
                                          null,
                                          200,
                                          "completion")));
            })
        .compose(
            l3 ->
                "L3".equals(l3.getString("level"))
                    ? Future.succeededFuture(l3.getString("token"))
                    : Future.failedFuture(
                        new IllegalStateException(
                            "step-up ended at level " + l3.getString("level"))));
  }

  /**
   * Sets the WeChat simulator's auth-code lifetime, so that codes issued before a run are still
   * valid in it.
   */
  public Future<Void> authCodeTtl(long seconds) {
    return call(
            HttpMethod.PUT,
            wechatUrl + "/__sim/knobs",
            null,
            new JsonObject().put("authCodeTtlSeconds", seconds),
            200,
            "knobs")
        .mapEmpty();
  }

  /** Issues {@code count} single-use WeChat auth codes, round-robin over {@code citizens}. */
  public Future<List<String>> issueAuthCodes(List<Indexed> citizens, int count) {
    return forEach(count, i -> issueAuthCode(citizens.get(i % citizens.size()).openid()));
  }

  private Future<String> issueAuthCode(String openid) {
    return call(
            HttpMethod.POST,
            wechatUrl + "/__sim/auth-codes",
            null,
            new JsonObject().put("appId", APP_ID).put("openid", openid),
            200,
            "auth code")
        .map(body -> Objects.requireNonNull(body.getString("code"), "auth code missing"));
  }

  /** One department request signed at a fixed time, as the gateway sends it. */
  public record SignedRequest(
      String path, String body, long timestamp, String signature, String requestId) {}

  /**
   * {@code social-security.account} requests for each citizen, in the gateway's body layout, signed
   * with the department's key at the clock's current second (valid for ±{@link
   * DepartmentAuth#MAX_SKEW}).
   */
  public static List<SignedRequest> signAccountQueries(
      List<Indexed> citizens, DemoDepartments.SigningKey key, Clock clock) {
    String path = "/social-security/account";
    long now = clock.millis() / 1000;
    List<SignedRequest> out = new ArrayList<>(citizens.size());
    for (Indexed who : citizens) {
      String body =
          new JsonObject()
              .put("serviceType", "social-security.account")
              .put("region", key.region())
              .put(
                  "citizen",
                  new JsonObject()
                      .put("idNumber", who.citizen().idNumber())
                      .put("name", who.citizen().name()))
              .put("query", new JsonObject())
              .encode();
      String requestId = "bench-" + who.index();
      DepartmentAuth.SignedHeaders h =
          DepartmentAuth.sign(
              "POST", path, Buffer.buffer(body), now, key.keyId(), key.secret(), requestId);
      out.add(new SignedRequest(path, body, now, h.signature(), requestId));
    }
    return out;
  }

  /**
   * Runs {@code task(0..count-1)} with at most {@code concurrency} in flight; results in index
   * order.
   */
  <T> Future<List<T>> forEach(int count, IntFunction<Future<T>> task) {
    List<T> results = new ArrayList<>(Collections.nCopies(count, null));
    AtomicInteger next = new AtomicInteger();
    Promise<List<T>> done = Promise.promise();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(concurrency, Math.max(count, 1)); w++) {
      workers.add(worker(next, count, task, results));
    }
    Future.all(workers)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                done.complete(results);
              } else {
                done.fail(ar.cause());
              }
            });
    return done.future();
  }

  /**
   * One of {@link #forEach}'s workers: takes the next index when its task ends. Not a chain of
   * {@code compose} calls — with 240,000 auth codes that nests 15,000 futures per worker, and
   * completing the last one unwinds them all on one stack (a StackOverflowError on the event loop,
   * which left the preparation waiting forever).
   */
  private <T> Future<Void> worker(
      AtomicInteger next, int count, IntFunction<Future<T>> task, List<T> results) {
    Promise<Void> done = Promise.promise();
    runNext(next, count, task, results, done);
    return done.future();
  }

  private <T> void runNext(
      AtomicInteger next,
      int count,
      IntFunction<Future<T>> task,
      List<T> results,
      Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= count) {
      done.tryComplete();
      return;
    }
    task.apply(i)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.tryFail(ar.cause());
                return;
              }
              synchronized (results) {
                results.set(i, ar.result());
              }
              runNext(next, count, task, results, done);
            });
  }

  private Future<JsonObject> call(
      HttpMethod method,
      String url,
      String authorization,
      JsonObject body,
      int expected,
      String step) {
    var request = client.requestAbs(method, url);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    Future<HttpResponse<Buffer>> response =
        body == null ? request.send() : request.sendJsonObject(body);
    return response.compose(
        r -> {
          if (r.statusCode() != expected) {
            // The path and error code only: a body may carry personal data or tokens.
            return Future.failedFuture(
                new IllegalStateException(
                    step
                        + " answered "
                        + r.statusCode()
                        + " "
                        + errorCode(r)
                        + " on "
                        + method
                        + " "
                        + url.replaceAll("^https?://[^/]+", "")
                            .replaceAll("/verifications/[^/]+", "/verifications/-")));
          }
          Buffer b = r.body();
          return Future.succeededFuture(
              b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject());
        });
  }

  private static String errorCode(HttpResponse<Buffer> r) {
    try {
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      return error == null ? "" : String.valueOf(error.getValue("code"));
    } catch (RuntimeException e) {
      return "";
    }
  }

  /**
   * Scenario (e): the operator registers partner {@code appId} with one RSA2 key (public SPKI
   * {@code spki}) and a quota no run reaches, through the admin API.
   */
  public Future<Void> registerPartner(
      String bootstrapKey, String appId, String keyId, String spki) {
    String operator = "Bearer " + bootstrapKey;
    return call(
            HttpMethod.POST,
            gatewayUrl + "/admin/v1/partners",
            operator,
            new JsonObject()
                .put("appId", appId)
                .put("name", "benchmark bank")
                .put("scopes", new io.vertx.core.json.JsonArray().add("social-security.account"))
                .put("quota", new JsonObject().put("perSecond", 100_000).put("perDay", 100_000_000))
                .put("callbackUrl", "https://bank.example.cn/consented"),
            201,
            "partner registration")
        .compose(
            p ->
                call(
                    HttpMethod.POST,
                    gatewayUrl + "/admin/v1/partners/" + appId + "/keys",
                    operator,
                    new JsonObject()
                        .put("keyId", keyId)
                        .put("algorithm", "RSA2")
                        .put("publicKey", spki),
                    201,
                    "partner key"))
        .mapEmpty();
  }

  /**
   * Scenario (e): each L3 session grants {@code appId} a consent to {@code
   * social-security.account}; their ids.
   */
  public Future<List<String>> grantConsents(List<String> l3Tokens, String appId) {
    return forEach(
        l3Tokens.size(),
        i ->
            call(
                    HttpMethod.POST,
                    gatewayUrl + "/v1/consents",
                    "Bearer " + l3Tokens.get(i),
                    new JsonObject()
                        .put("appId", appId)
                        .put(
                            "scopes",
                            new io.vertx.core.json.JsonArray().add("social-security.account"))
                        .put("purpose", "benchmark")
                        .put("days", 1),
                    201,
                    "consent")
                .map(c -> c.getString("consentId")));
  }

  /** Closes the HTTP client. */
  public void close() {
    client.close();
  }
}
