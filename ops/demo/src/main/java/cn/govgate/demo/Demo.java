package cn.govgate.demo;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running demo: embedded PostgreSQL, the Alipay and WeChat simulators, the gateway (started
 * through its public {@link Gateway#start} with the demo's generated keys and simulator endpoints
 * as configuration), the department simulators registered through the gateway's admin API over
 * HTTP, and {@code demo-manifest.json}. The gateway's {@code /health/ready} answers 200 only once
 * the departments are registered and the manifest is written.
 *
 * <p>Its own settings, read with the gateway's ({@code --config FILE}, {@code GOVGATE_*}): {@code
 * dataDir} (default {@code ./govgate-data}), {@code demo.citizens} (synthetic citizens the
 * simulators know, default 200), {@code demo.simulatorPorts} (first of ten consecutive ports:
 * Alipay, WeChat, then the eight department simulators; default 0 = any free ports), {@code
 * demo.postgresPort} (default 0 = any free port) and {@code demo.h5Port} (the H5 app, {@link
 * DemoH5}; default the gateway's port + 1, 0 = any free port). Every gateway setting the operator
 * gives wins over what the demo generates.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  public static final String MANIFEST = "demo-manifest.json";
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final Path dataDir;
  private final Gateway gateway;
  private final DemoChannels channels;
  private final DemoDepartments departments;
  private final DemoH5 h5;
  private final Deque<Supplier<Future<?>>> closing;

  private Demo(
      Vertx vertx,
      Path dataDir,
      Gateway gateway,
      DemoChannels channels,
      DemoDepartments departments,
      DemoH5 h5,
      Deque<Supplier<Future<?>>> closing) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.gateway = gateway;
    this.channels = channels;
    this.departments = departments;
    this.h5 = h5;
    this.closing = closing;
  }

  /** The demo's own settings. */
  record Options(
      Path dataDir,
      int citizens,
      int simulatorPorts,
      int postgresPort,
      int gatewayPort,
      int h5Port) {
    static Options from(ConfigValues v) {
      int gatewayPort = v.integer("http.port", 8080, 0, 65_535);
      return new Options(
          Path.of(v.string("dataDir", "govgate-data")).toAbsolutePath(),
          v.integer("demo.citizens", 200, 1, 1_000_000),
          v.integer("demo.simulatorPorts", 0, 0, 65_525),
          v.integer("demo.postgresPort", 0, 0, 65_535),
          gatewayPort,
          // Next to the gateway's port by default (8081); any free port when the gateway takes any
          // free port.
          v.integer("demo.h5Port", gatewayPort == 0 ? 0 : gatewayPort + 1, 0, 65_535));
    }

    int port(int offset) {
      return simulatorPorts == 0 ? 0 : simulatorPorts + offset;
    }
  }

  /**
   * Starts the demo with {@code values} (file and environment); fails with the first reason
   * something could not start, after closing what had started. Configuration errors fail with a
   * {@code ConfigException}.
   */
  public static Future<Demo> start(ConfigValues values) {
    Options options;
    try {
      options = Options.from(values);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Vertx vertx = Vertx.vertx();
    Deque<Supplier<Future<?>>> closing = new ArrayDeque<>();
    closing.push(vertx::close);
    AtomicBoolean ready = new AtomicBoolean();
    Map<String, Supplier<Future<Void>>> readyWhen =
        Map.of(
            "demo",
            () ->
                ready.get()
                    ? Future.succeededFuture()
                    : Future.failedFuture("demo departments not registered yet"));
    String notifyBase = "http://127.0.0.1:" + options.gatewayPort();
    Promise<Demo> result = Promise.promise();
    vertx
        .executeBlocking(() -> prepare(options), false)
        .compose(
            prepared -> {
              closing.push(
                  () ->
                      vertx.executeBlocking(
                          () -> {
                            prepared.database().close();
                            return null;
                          },
                          false));
              return DemoChannels.start(
                      vertx,
                      prepared.keys(),
                      options.port(0),
                      options.port(1),
                      notifyBase,
                      options.citizens())
                  .map(
                      channels -> {
                        closing.push(channels::close);
                        Map<String, String> defaults =
                            new HashMap<>(prepared.keys().gatewaySettings());
                        defaults.putAll(prepared.database().gatewaySettings());
                        defaults.putAll(channels.gatewaySettings());
                        defaults.put("http.host", "127.0.0.1");
                        return new Configured(
                            prepared, channels, GovgateConfig.from(values.withDefaults(defaults)));
                      });
            })
        .compose(
            c ->
                startGateway(c.config(), readyWhen)
                    .map(
                        gateway -> {
                          closing.push(gateway::stop);
                          return new Started(c, gateway);
                        }))
        // The demo's departments register through the admin API, like any department would.
        .compose(
            s ->
                DemoDepartments.start(
                        vertx,
                        s.gateway().baseUrl(),
                        s.configured().prepared().keys().bootstrapKey(),
                        options.citizens(),
                        options.port(2),
                        options.dataDir().resolve("bookings"))
                    .compose(
                        departments -> {
                          // Closed after the gateway has drained, which may still be calling them.
                          Supplier<Future<?>> gatewayStop = closing.pop();
                          closing.push(departments::close);
                          closing.push(gatewayStop);
                          JsonArray people =
                              DemoPeople.of(
                                  s.configured().channels().citizens(),
                                  DemoChannels.MANIFEST_CITIZENS,
                                  departments);
                          return DemoH5.start(
                                  vertx,
                                  s.gateway().baseUrl(),
                                  s.configured().channels(),
                                  people,
                                  options.h5Port())
                              .compose(
                                  h5 -> {
                                    closing.push(h5::close);
                                    Demo demo =
                                        new Demo(
                                            vertx,
                                            options.dataDir(),
                                            s.gateway(),
                                            s.configured().channels(),
                                            departments,
                                            h5,
                                            closing);
                                    // The demo's partner bank and a live consent, through the admin
                                    // and citizen APIs.
                                    return DemoPartners.start(
                                            vertx,
                                            s.gateway().baseUrl(),
                                            s.configured().prepared().keys().bootstrapKey(),
                                            s.configured().prepared().keys(),
                                            s.configured().channels().wechat().baseUrl(),
                                            options.citizens())
                                        .compose(
                                            partners ->
                                                vertx.executeBlocking(
                                                    () -> {
                                                      demo.writeManifest(
                                                          s.configured().prepared(),
                                                          people,
                                                          partners);
                                                      return demo;
                                                    },
                                                    false));
                                  });
                        }))
        .onSuccess(
            demo -> {
              ready.set(true);
              log.info("demo ready: {} (manifest {})", demo.gateway.baseUrl(), demo.manifest());
              result.complete(demo);
            })
        .onFailure(e -> close(closing).onComplete(ar -> result.fail(e)));
    return result.future();
  }

  /**
   * The gateway builds a Vert.x of its own, as in production; it is started from a thread of its
   * own, not from one of the demo's event loops.
   */
  private static Future<Gateway> startGateway(
      GovgateConfig config, Map<String, Supplier<Future<Void>>> readyWhen) {
    Promise<Gateway> started = Promise.promise();
    new Thread(
            () -> Gateway.start(config, Clock.systemUTC(), readyWhen).onComplete(started),
            "demo-gateway-start")
        .start();
    return started.future();
  }

  private record Prepared(DemoKeys keys, DemoDatabase database) {}

  private record Configured(Prepared prepared, DemoChannels channels, GovgateConfig config) {}

  private record Started(Configured configured, Gateway gateway) {}

  /**
   * Blocking: removes the last run's manifest (its URLs are gone), generates or reuses keys, starts
   * PostgreSQL.
   */
  private static Prepared prepare(Options options) throws IOException {
    Files.createDirectories(options.dataDir());
    Files.deleteIfExists(options.dataDir().resolve(MANIFEST));
    DemoKeys keys = DemoKeys.in(options.dataDir());
    keys.gatewaySettings();
    return new Prepared(
        keys,
        DemoDatabase.start(
            options.dataDir().resolve("postgres"), options.postgresPort(), ORPHAN_STOP_WAIT));
  }

  private void writeManifest(Prepared prepared, JsonArray people, JsonArray partners) {
    JsonObject content =
        DemoManifest.base(
            dataDir, gateway.baseUrl(), gateway.opsUrl(), prepared.database().gatewaySettings());
    content.put(
        "h5",
        new JsonObject()
            .put("url", h5.url())
            .put(
                "note",
                "The H5 city-service app in the super-app's place: choose a channel and a test citizen."));
    content.put("channels", channels.manifest(gateway.baseUrl()).put("testCitizens", people));
    content
        .put(
            "admin",
            new JsonObject()
                .put("baseUrl", gateway.baseUrl() + "/admin/v1")
                .put("bootstrapKeyFile", prepared.keys().bootstrapKeyFile().toString()))
        .put("departments", departments.manifest())
        .put("partners", partners);
    DemoManifest.write(manifest(), content);
  }

  /**
   * Stops the departments, the gateway (draining requests), the channels and PostgreSQL, in reverse
   * order.
   */
  public Future<Void> stop() {
    return close(closing);
  }

  private static Future<Void> close(Deque<Supplier<Future<?>>> closing) {
    Promise<Void> done = Promise.promise();
    // Bound to no Vert.x context: the gateway and the demo's Vert.x close on the way.
    Thread closer =
        new Thread(
            () -> {
              synchronized (closing) {
                while (!closing.isEmpty()) {
                  Supplier<Future<?>> step = closing.pop();
                  try {
                    step.get().await();
                  } catch (Exception e) {
                    log.warn("demo shutdown step failed: {}", e.toString());
                  }
                }
              }
              done.complete();
            },
            "demo-close");
    closer.start();
    return done.future();
  }

  public Gateway gateway() {
    return gateway;
  }

  public DemoChannels channels() {
    return channels;
  }

  /** The H5 app and the super-app around it. */
  public DemoH5 h5() {
    return h5;
  }

  public DemoDepartments departments() {
    return departments;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path manifest() {
    return dataDir.resolve(MANIFEST);
  }
}
