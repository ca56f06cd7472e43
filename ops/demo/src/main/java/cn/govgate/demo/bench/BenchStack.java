package cn.govgate.demo.bench;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.demo.Demo;
import cn.govgate.demo.DemoDepartments;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * {@code java -cp govgate-demo.jar cn.govgate.demo.bench.BenchStack --out DIR [--citizens N] [--l3 N] [--codes N]
 * [--concurrency N]}: the stack of {@code ops/bench/run.sh}. Starts the {@link Demo} with a bench profile (the
 * demo's department simulators, which add no latency; {@code demo.citizens} = N synthetic citizens in the channel
 * and department simulators; the access log off), then prepares through the real APIs:
 * <ul>
 *   <li>{@code tokens.lua}: L3 session tokens of {@code --l3} distinct Hangzhou citizens (login, verification,
 *       simulator face check, completion);</li>
 *   <li>{@code auth-codes.lua}: {@code --codes} single-use WeChat auth codes of those citizens, issued by the
 *       simulator's control API (valid for an hour);</li>
 *   <li>{@code signed-requests.lua}: {@code social-security.account} department requests for the same citizens,
 *       signed now; {@code POST <control>/presign} signs them again just before a run (signatures are valid for
 *       ±300 s).</li>
 * </ul>
 * It then prints one JSON line with the URLs and paths and runs until SIGTERM.
 */
public final class BenchStack {

  /** The region of the benchmark's citizens and department (Hangzhou). */
  public static final String REGION = SyntheticCitizens.HANGZHOU;

  private final Demo demo;
  private final Gateway gateway;
  private final BenchOptions options;
  private final List<BenchData.Indexed> citizens;
  private final DemoDepartments.SigningKey departmentKey;
  private HttpServer control;

  private BenchStack(Demo demo, BenchOptions options, List<BenchData.Indexed> citizens) {
    this.demo = demo;
    this.gateway = demo.gateway();
    this.options = options;
    this.citizens = citizens;
    this.departmentKey = demo.departments().signingKey(DepartmentFamily.SOCIAL_SECURITY, REGION);
  }

  /**
   * What to prepare.
   *
   * @param out directory of the data files (and of the gateway's data directory, {@code out/govgate-data})
   * @param citizens synthetic citizens seeded into the simulators ({@code demo.citizens})
   * @param l3Citizens Hangzhou citizens logged in and stepped up to L3 (one token each)
   * @param authCodes single-use auth codes issued for scenario (d)
   * @param concurrency citizens prepared at once
   */
  public record BenchOptions(Path out, int citizens, int l3Citizens, int authCodes, int concurrency) {
    public BenchOptions {
      if (citizens < 1 || l3Citizens < 1 || authCodes < 0 || concurrency < 1) {
        throw new IllegalArgumentException("citizens, l3 and concurrency must be >= 1, codes >= 0");
      }
    }

    /** Defaults of the benchmark: 22,000 seeded, 10,000 at L3, 100,000 auth codes, 64 at once. */
    public static BenchOptions defaults(Path out) {
      return new BenchOptions(out, 22_000, 10_000, 100_000, 64);
    }
  }

  /** The demo settings of the bench profile; {@code base} wins over them. */
  public static Map<String, String> settings(BenchOptions options, Map<String, String> base) {
    Map<String, String> s = new HashMap<>();
    s.put("dataDir", options.out().resolve("govgate-data").toString());
    s.put("http.host", "127.0.0.1");
    s.put("http.port", "0");
    s.put("demo.citizens", Integer.toString(options.citizens()));
    // Tokens must outlive preparation plus every scenario.
    s.put("identity.sessionTtl", "2h");
    s.put("identity.faceFreshness", "2h");
    s.putAll(base);
    return s;
  }

  /**
   * Starts the demo with {@code settings} and prepares the data files. The Future is bound to no Vert.x
   * context: when preparation fails, the demo is stopped before the failure is reported.
   */
  public static Future<BenchStack> start(BenchOptions options, Map<String, String> settings) {
    Promise<BenchStack> result = Promise.promise();
    Demo.start(ConfigValues.of(settings)).onComplete(started -> {
      if (started.failed()) {
        result.fail(started.cause());
        return;
      }
      Demo demo = started.result();
      BenchStack stack;
      try {
        List<SyntheticCitizen> all = SyntheticCitizens.generate(options.citizens(), DemoDepartments.SEED);
        stack = new BenchStack(demo, options, BenchData.livingIn(all, REGION, options.l3Citizens()));
      } catch (RuntimeException e) {
        demo.stop().onComplete(stopped -> result.fail(e));
        return;
      }
      stack.prepare().onComplete(prepared -> {
        if (prepared.succeeded()) {
          result.complete(stack);
        } else {
          stack.stop().onComplete(stopped -> result.fail(prepared.cause()));
        }
      });
    });
    return result.future();
  }

  private Future<Void> prepare() {
    Vertx vertx = demo.vertx();
    BenchData data = BenchData.create(vertx, gateway.baseUrl(), demo.channels().wechat().baseUrl(),
        options.concurrency());
    return data.stepUpToL3(citizens)
        .compose(tokens -> writeBlocking(() -> LuaFiles.writeStrings(tokensFile(), tokens)))
        .compose(v -> data.authCodeTtl(3600))
        .compose(v -> data.issueAuthCodes(citizens, options.authCodes()))
        .compose(codes -> writeBlocking(() -> LuaFiles.writeStrings(authCodesFile(), codes)))
        .compose(v -> presign().mapEmpty())
        .compose(v -> vertx.createHttpServer().requestHandler(req -> {
          if (req.method().name().equals("POST") && req.path().equals("/presign")) {
            presign().onComplete(ar -> req.response().setStatusCode(ar.succeeded() ? 200 : 500)
                .putHeader("content-type", "application/json")
                .end(ar.succeeded() ? ar.result().encode() : new JsonObject().put("error", "presign failed").encode()));
          } else {
            req.response().setStatusCode(404).end();
          }
        }).listen(0, "127.0.0.1"))
        .<Void>map(server -> {
          control = server;
          return null;
        })
        .eventually(() -> {
          data.close();
          return Future.succeededFuture();
        });
  }

  /** Signs the department requests again at the current second and rewrites {@code signed-requests.lua}. */
  public Future<JsonObject> presign() {
    return demo.vertx().executeBlocking(() -> {
      List<BenchData.SignedRequest> signed = BenchData.signAccountQueries(citizens, departmentKey, Clock.systemUTC());
      LuaFiles.writeSignedRequests(signedRequestsFile(), departmentKey.keyId(), signed);
      return new JsonObject().put("file", signedRequestsFile().toString()).put("count", signed.size())
          .put("timestamp", signed.isEmpty() ? 0 : signed.get(0).timestamp());
    }, false);
  }

  private interface Write {
    void run() throws Exception;
  }

  private Future<Void> writeBlocking(Write write) {
    return demo.vertx().executeBlocking(() -> {
      write.run();
      return null;
    }, false);
  }

  public Path tokensFile() {
    return options.out().resolve("tokens.lua");
  }

  public Path authCodesFile() {
    return options.out().resolve("auth-codes.lua");
  }

  public Path signedRequestsFile() {
    return options.out().resolve("signed-requests.lua");
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The ports and paths, as the one JSON line {@code run.sh} reads. */
  public JsonObject description() {
    return new JsonObject()
        .put("gateway", gateway.baseUrl())
        .put("ops", gateway.opsUrl())
        .put("department", departmentKey.baseUrl())
        .put("departmentPath", "/social-security/account")
        .put("control", "http://127.0.0.1:" + control.actualPort())
        .put("region", REGION)
        .put("appId", BenchData.APP_ID)
        .put("citizens", options.citizens())
        .put("l3Citizens", citizens.size())
        .put("authCodeCount", options.authCodes())
        .put("tokens", tokensFile().toString())
        .put("authCodes", authCodesFile().toString())
        .put("signedRequests", signedRequestsFile().toString())
        .put("pid", ProcessHandle.current().pid());
  }

  /**
   * Stops the control server, then the demo. The Future is bound to no Vert.x context, because the demo
   * closes Vert.x, after which a continuation on one of its contexts would never run.
   */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    Future<Void> closed = control == null ? Future.succeededFuture() : control.close();
    closed.onComplete(ar -> demo.stop().onComplete(stopped));
    return stopped.future();
  }

  public static void main(String[] args) {
    BenchOptions options = parse(args);
    // The bench profile has no access log; run.sh also sets GOVGATE_LOG_ACCESS_LEVEL=OFF for logback.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("govgate.access"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    long started = System.nanoTime();
    start(options, settings(options, Map.of())).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("bench: the stack did not start: " + ar.cause());
        System.exit(1);
      }
      BenchStack stack = ar.result();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        CountDownLatch done = new CountDownLatch(1);
        stack.stop().onComplete(x -> done.countDown());
        try {
          if (!done.await(1, TimeUnit.MINUTES)) {
            System.err.println("bench: shutdown did not complete within a minute");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "bench-shutdown"));
      System.out.println(stack.description()
          .put("prepareSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0).encode());
      System.out.flush();
    });
  }

  static BenchOptions parse(String[] args) {
    BenchOptions d = BenchOptions.defaults(Path.of("ops/bench/work"));
    Path out = d.out();
    int citizens = d.citizens();
    int l3 = d.l3Citizens();
    int codes = d.authCodes();
    int concurrency = d.concurrency();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i++]) {
        case "--out" -> out = Path.of(value);
        case "--citizens" -> citizens = Integer.parseInt(value);
        case "--l3" -> l3 = Integer.parseInt(value);
        case "--codes" -> codes = Integer.parseInt(value);
        case "--concurrency" -> concurrency = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown argument " + args[i - 1]);
      }
    }
    return new BenchOptions(out.toAbsolutePath(), citizens, l3, codes, concurrency);
  }
}
