package cn.govgate.demo.bench;

import cn.govgate.demo.DemoChannels;
import cn.govgate.demo.DemoDatabase;
import cn.govgate.demo.DemoDepartments;
import cn.govgate.demo.DemoKeys;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -cp govgate-demo.jar cn.govgate.demo.bench.BenchStack --out DIR [--citizens N] [--l3
 * N] [--codes N] [--concurrency N] [--gateway-classpath CP] [--gateway-jvm "OPTIONS"]}: the stack
 * of {@code ops/bench/run.sh}.
 *
 * <p>This JVM runs embedded PostgreSQL, the Alipay and WeChat simulators and the demo's department
 * simulators (which add no latency); the gateway runs as a process of its own ({@link
 * GatewayProcess}, the production {@code Main} with a configuration file), so that each one's CPU
 * is read apart and the gateway's event loops serve only the gateway. The departments register
 * through the admin API as in the demo. It then prepares through the real APIs:
 *
 * <ul>
 *   <li>{@code tokens.lua}: L3 session tokens of {@code --l3} distinct Hangzhou citizens (login,
 *       verification, simulator face check, completion), {@code --concurrency} citizens at a time;
 *   <li>{@code auth-codes.lua}: {@code --codes} single-use WeChat auth codes of those citizens,
 *       issued by the simulator's control API (valid for an hour);
 *   <li>{@code signed-requests.lua}: {@code social-security.account} department requests for the
 *       same citizens, signed now; {@code POST <control>/presign} signs them again just before a
 *       run (signatures are valid for ±300 s).
 * </ul>
 *
 * It then prints one JSON line with the URLs, paths and process ids and runs until SIGTERM. A
 * preparation that fails prints {@code bench: preparation failed: <step and status>} and exits 1.
 */
public final class BenchStack {

  /** The region of the benchmark's citizens and department (Hangzhou). */
  public static final String REGION = SyntheticCitizens.HANGZHOU;

  /**
   * Consents of scenario (e): its requests go round-robin over this many citizens (or every L3 one,
   * if fewer).
   */
  static final int PARTNER_CONSENTS = 1_000;

  private final Vertx vertx;
  private final BenchOptions options;
  private final Parts parts;
  private final List<BenchData.Indexed> citizens;
  private final DemoDepartments.SigningKey departmentKey;
  private final String bootstrapKey;
  private final PartnerRequests partner = new PartnerRequests();
  private List<String> consents = List.of();
  private HttpServer control;

  private BenchStack(
      Vertx vertx,
      BenchOptions options,
      Parts parts,
      List<BenchData.Indexed> citizens,
      String bootstrapKey) {
    this.vertx = vertx;
    this.options = options;
    this.parts = parts;
    this.bootstrapKey = bootstrapKey;
    this.citizens = citizens;
    this.departmentKey = parts.departments().signingKey(DepartmentFamily.SOCIAL_SECURITY, REGION);
  }

  /**
   * What to prepare and how to start the gateway.
   *
   * @param out directory of the data files, the gateway's configuration and log, and {@code
   *     out/govgate-data}
   * @param citizens synthetic citizens seeded into the simulators
   * @param l3Citizens Hangzhou citizens logged in and stepped up to L3 (one token each)
   * @param authCodes single-use auth codes issued for scenario (d)
   * @param concurrency citizens prepared at once
   * @param gatewayClasspath classpath of the gateway process (the benchmark passes {@code
   *     src/target/govgate.jar})
   * @param gatewayJvm JVM options of the gateway process
   */
  public record BenchOptions(
      Path out,
      int citizens,
      int l3Citizens,
      int authCodes,
      int concurrency,
      String gatewayClasspath,
      List<String> gatewayJvm) {
    public BenchOptions {
      if (citizens < 1 || l3Citizens < 1 || authCodes < 0 || concurrency < 1) {
        throw new IllegalArgumentException("citizens, l3 and concurrency must be >= 1, codes >= 0");
      }
      gatewayJvm = List.copyOf(gatewayJvm);
    }

    /**
     * Defaults of the benchmark: 22,000 seeded, 10,000 at L3, 240,000 auth codes, 16 at once, this
     * classpath.
     */
    public static BenchOptions defaults(Path out) {
      return new BenchOptions(
          out,
          22_000,
          10_000,
          240_000,
          16,
          System.getProperty("java.class.path"),
          List.of("-Xmx1g"));
    }
  }

  /**
   * The gateway settings of the bench profile besides the generated keys, database and channels;
   * {@code base} wins over them. Caches are sized well above the working set (every L3 citizen), so
   * that no measured round pays for evictions.
   */
  public static Map<String, String> settings(BenchOptions options, Map<String, String> base) {
    Map<String, String> s = new HashMap<>();
    s.put("dataDir", options.out().resolve("govgate-data").toString());
    s.put("http.host", "127.0.0.1");
    s.put("registry.staleEntries", Integer.toString(Math.max(10_000, 4 * options.l3Citizens())));
    // Tokens must outlive preparation plus every scenario.
    s.put("identity.sessionTtl", "2h");
    s.put("identity.faceFreshness", "2h");
    s.put("log.accessLevel", "OFF");
    s.putAll(base);
    return s;
  }

  private record Parts(
      DemoDatabase database,
      DemoChannels channels,
      GatewayProcess gateway,
      DemoDepartments departments) {}

  /**
   * Starts PostgreSQL, the channel simulators, the gateway process and the department simulators,
   * then prepares the data files. The Future is bound to no Vert.x context: when anything fails,
   * what started is stopped before the failure is reported.
   */
  public static Future<BenchStack> start(BenchOptions options, Map<String, String> settings) {
    Vertx vertx = Vertx.vertx();
    Promise<BenchStack> result = Promise.promise();
    Path dataDir = options.out().resolve("govgate-data");
    DemoDatabase[] database = new DemoDatabase[1];
    DemoChannels[] channels = new DemoChannels[1];
    GatewayProcess[] gateway = new GatewayProcess[1];
    DemoDepartments[] departments = new DemoDepartments[1];
    Map<String, String> keySettings = new HashMap<>();
    String[] bootstrapKey = new String[1];
    int port = GatewayProcess.freePort();
    String baseUrl = "http://127.0.0.1:" + port;
    vertx
        .executeBlocking(
            () -> {
              Files.createDirectories(dataDir);
              DemoKeys keys = DemoKeys.in(dataDir);
              keySettings.putAll(keys.gatewaySettings());
              bootstrapKey[0] = keys.bootstrapKey();
              database[0] =
                  DemoDatabase.start(dataDir.resolve("postgres"), 0, Duration.ofSeconds(60));
              return keys;
            },
            false)
        .compose(
            keys ->
                DemoChannels.start(vertx, keys, 0, 0, baseUrl, options.citizens())
                    .compose(
                        ch -> {
                          channels[0] = ch;
                          Map<String, String> all = new HashMap<>(keySettings);
                          all.putAll(database[0].gatewaySettings());
                          all.putAll(ch.gatewaySettings());
                          all.putAll(settings);
                          all.put("http.port", Integer.toString(port));
                          return vertx.executeBlocking(
                              () -> {
                                gateway[0] =
                                    GatewayProcess.start(
                                        options.out(),
                                        options.gatewayClasspath(),
                                        options.gatewayJvm(),
                                        all,
                                        port,
                                        Duration.ofMinutes(5));
                                return null;
                              },
                              false);
                        }))
        .compose(v -> DemoDepartments.start(vertx, baseUrl, bootstrapKey[0], options.citizens(), 0))
        .compose(
            deps -> {
              departments[0] = deps;
              Parts parts = new Parts(database[0], channels[0], gateway[0], deps);
              BenchStack stack =
                  new BenchStack(
                      vertx,
                      options,
                      parts,
                      BenchData.livingIn(
                          SyntheticCitizens.generate(options.citizens(), DemoDepartments.SEED),
                          REGION,
                          options.l3Citizens()),
                      bootstrapKey[0]);
              return stack.prepare().map(stack);
            })
        .onSuccess(result::complete)
        .onFailure(
            e ->
                stop(vertx, null, new Parts(database[0], channels[0], gateway[0], departments[0]))
                    .onComplete(ar -> result.fail(e)));
    return result.future();
  }

  private Future<Void> prepare() {
    BenchData data =
        BenchData.create(
            vertx,
            parts.gateway().baseUrl(),
            parts.channels().wechat().baseUrl(),
            options.concurrency());
    return data.stepUpToL3(citizens)
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "stepping "
                            + citizens.size()
                            + " citizens up to L3, "
                            + options.concurrency()
                            + " at a time: "
                            + e.getMessage(),
                        e)))
        .compose(
            tokens ->
                writeBlocking(() -> LuaFiles.writeStrings(tokensFile(), tokens))
                    // Scenario (e): a partner, and the consents of the first PARTNER_CONSENTS of
                    // these citizens.
                    .compose(
                        v ->
                            data.registerPartner(
                                bootstrapKey,
                                PartnerRequests.APP_ID,
                                PartnerRequests.KEY_ID,
                                partner.publicKey()))
                    .compose(
                        v ->
                            data.grantConsents(
                                tokens.subList(0, Math.min(PARTNER_CONSENTS, tokens.size())),
                                PartnerRequests.APP_ID))
                    .map(
                        ids -> {
                          consents = List.copyOf(ids);
                          return (Void) null;
                        }))
        .compose(v -> data.authCodeTtl(3600))
        .compose(v -> data.issueAuthCodes(citizens, options.authCodes()))
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof IllegalStateException
                        ? e
                        : new IllegalStateException(
                            "issuing " + options.authCodes() + " auth codes: " + e.getMessage(),
                            e)))
        .compose(codes -> writeBlocking(() -> LuaFiles.writeStrings(authCodesFile(), codes)))
        .compose(v -> presign().mapEmpty())
        .compose(
            v ->
                vertx
                    .createHttpServer()
                    .requestHandler(
                        req -> {
                          if (req.method().name().equals("POST")
                              && req.path().equals("/presign-partner")) {
                            int count =
                                Integer.parseInt(
                                    java.util.Objects.requireNonNullElse(
                                        req.getParam("count"), "100000"));
                            presignPartner(count)
                                .onComplete(
                                    ar ->
                                        req.response()
                                            .setStatusCode(ar.succeeded() ? 200 : 500)
                                            .putHeader("content-type", "application/json")
                                            .end(
                                                ar.succeeded()
                                                    ? ar.result().encode()
                                                    : new JsonObject()
                                                        .put("error", "presign failed")
                                                        .encode()));
                          } else if (req.method().name().equals("POST")
                              && req.path().equals("/presign")) {
                            presign()
                                .onComplete(
                                    ar ->
                                        req.response()
                                            .setStatusCode(ar.succeeded() ? 200 : 500)
                                            .putHeader("content-type", "application/json")
                                            .end(
                                                ar.succeeded()
                                                    ? ar.result().encode()
                                                    : new JsonObject()
                                                        .put("error", "presign failed")
                                                        .encode()));
                          } else {
                            req.response().setStatusCode(404).end();
                          }
                        })
                    .listen(0, "127.0.0.1"))
        .<Void>map(
            server -> {
              control = server;
              return null;
            })
        .eventually(
            () -> {
              data.close();
              return Future.succeededFuture();
            });
  }

  /**
   * Signs the department requests again at the current second and rewrites {@code
   * signed-requests.lua}.
   */
  public Future<JsonObject> presign() {
    return vertx.executeBlocking(
        () -> {
          List<BenchData.SignedRequest> signed =
              BenchData.signAccountQueries(citizens, departmentKey, Clock.systemUTC());
          LuaFiles.writeSignedRequests(signedRequestsFile(), departmentKey.keyId(), signed);
          return new JsonObject()
              .put("file", signedRequestsFile().toString())
              .put("count", signed.size())
              .put("timestamp", signed.isEmpty() ? 0 : signed.get(0).timestamp());
        },
        false);
  }

  /**
   * Scenario (e): signs {@code count} partner requests at the current second into {@code
   * partner-requests.lua}.
   */
  public Future<JsonObject> presignPartner(int count) {
    return vertx.executeBlocking(
        () -> {
          List<PartnerRequests.Signed> signed =
              partner.sign(consents, REGION, count, Clock.systemUTC());
          LuaFiles.writePartnerRequests(partnerRequestsFile(), signed);
          return new JsonObject()
              .put("file", partnerRequestsFile().toString())
              .put("count", signed.size())
              .put("consents", consents.size());
        },
        false);
  }

  public Path partnerRequestsFile() {
    return options.out().resolve("partner-requests.lua");
  }

  private interface Write {
    void run() throws Exception;
  }

  private Future<Void> writeBlocking(Write write) {
    return vertx.executeBlocking(
        () -> {
          write.run();
          return null;
        },
        false);
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

  /** The ports and paths, as the one JSON line {@code run.sh} reads. */
  public JsonObject description() {
    return new JsonObject()
        .put("gateway", parts.gateway().baseUrl())
        .put("ops", parts.gateway().baseUrl())
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
        .put("partnerRequests", partnerRequestsFile().toString())
        .put("partnerConsents", consents.size())
        .put("pid", ProcessHandle.current().pid())
        .put("gatewayPid", parts.gateway().pid())
        .put("postgresDir", options.out().resolve("govgate-data").resolve("postgres").toString());
  }

  /**
   * Stops the control server, the gateway process (SIGTERM: it drains and writes its batches), the
   * department and channel simulators, PostgreSQL and Vert.x. The Future is bound to no Vert.x
   * context.
   */
  public Future<Void> stop() {
    return stop(vertx, control, parts);
  }

  private static Future<Void> stop(Vertx vertx, HttpServer control, Parts parts) {
    Promise<Void> stopped = Promise.promise();
    new Thread(
            () -> {
              quietly(
                  () -> {
                    if (control != null) control.close().await(10, TimeUnit.SECONDS);
                  });
              quietly(
                  () -> {
                    if (parts.gateway() != null) parts.gateway().stop(Duration.ofSeconds(60));
                  });
              quietly(
                  () -> {
                    if (parts.departments() != null)
                      parts.departments().close().await(10, TimeUnit.SECONDS);
                  });
              quietly(
                  () -> {
                    if (parts.channels() != null)
                      parts.channels().close().await(10, TimeUnit.SECONDS);
                  });
              quietly(
                  () -> {
                    if (parts.database() != null) parts.database().close();
                  });
              quietly(() -> vertx.close().await(10, TimeUnit.SECONDS));
              stopped.complete();
            },
            "bench-stop")
        .start();
    return stopped.future();
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      System.err.println("bench: a shutdown step failed: " + e);
    }
  }

  public static void main(String[] args) {
    BenchOptions options = parse(args);
    long started = System.nanoTime();
    start(options, settings(options, Map.of()))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                System.err.println("bench: preparation failed: " + ar.cause());
                System.exit(1);
              }
              BenchStack stack = ar.result();
              Runtime.getRuntime()
                  .addShutdownHook(
                      new Thread(
                          () -> {
                            CountDownLatch done = new CountDownLatch(1);
                            stack.stop().onComplete(x -> done.countDown());
                            try {
                              if (!done.await(1, TimeUnit.MINUTES)) {
                                System.err.println(
                                    "bench: shutdown did not complete within a minute");
                              }
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          },
                          "bench-shutdown"));
              System.out.println(
                  stack
                      .description()
                      .put("prepareSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0)
                      .encode());
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
    String classpath = d.gatewayClasspath();
    List<String> jvm = d.gatewayJvm();
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
        case "--gateway-classpath" -> classpath = value;
        case "--gateway-jvm" ->
            jvm = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown argument " + args[i - 1]);
      }
    }
    return new BenchOptions(out.toAbsolutePath(), citizens, l3, codes, concurrency, classpath, jvm);
  }
}
