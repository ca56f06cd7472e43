package cn.govgate.registry;

import cn.govgate.config.CryptoConfig;
import cn.govgate.config.RegistryConfig;
import cn.govgate.error.ApiException;
import cn.govgate.error.Origin;
import cn.govgate.registry.RegistryStore.BackendRow;
import cn.govgate.registry.RegistryStore.LoadedBackend;
import cn.govgate.resilience.DepartmentMetrics;
import cn.govgate.resilience.Guard;
import cn.govgate.resilience.Retrier;
import cn.govgate.resilience.RetryBudget;
import cn.govgate.resilience.RetryPolicy;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The department registry of one gateway instance: loads every routable backend and the operator's
 * route assignments from PostgreSQL into an immutable {@link RouteTable} held in an {@link
 * AtomicReference}, LISTENs on {@value RegistryStore#CHANNEL} and reloads on every change (and
 * fully after the listener reconnects), keeps one {@link Guard} per backend, drains backends that
 * go away, and runs the active health checks behind the {@value #HEALTH} gauge.
 *
 * <p>Reloads are serialized and coalesced: a change notified while a reload is queued is covered by
 * that reload.
 */
public final class Registry {

  private static final Logger log = LoggerFactory.getLogger(Registry.class);

  /**
   * Gauge: 1 when the backend's last health check answered 200, else 0. Tags {@code department,
   * backend}.
   */
  public static final String HEALTH = "govgate.department.health";

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final RegistryStore store;
  private final CredentialStore credentialStore;
  private final Credentials credentials;
  private final RegistryConfig config;
  private final CryptoConfig crypto;
  private final MeterRegistry meters;
  private final Clock clock;
  private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
  private final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
  private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.EMPTY);
  private final Map<String, Long> appliedOverride = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> health = new ConcurrentHashMap<>();
  private final java.util.Set<String> checking = ConcurrentHashMap.newKeySet();
  private final java.util.Set<String> checked = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean reloadQueued = new AtomicBoolean();
  private final AtomicInteger reloads = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<Future<Void>> retiring = new ArrayList<>();
  private Future<Void> chain = Future.succeededFuture();
  private volatile boolean loaded;
  private PgSubscriber subscriber;
  private long healthTimer = -1;

  private Registry(
      Vertx vertx,
      Pool pool,
      PgConnectOptions connectOptions,
      RegistryConfig config,
      CryptoConfig crypto,
      MeterRegistry meters,
      Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.config = config;
    this.crypto = crypto;
    this.meters = meters;
    this.clock = clock;
    this.store =
        new RegistryStore(pool, config.secretKey(), config.sm4SecretKey(), crypto.dataSealing());
    this.credentialStore = new CredentialStore(pool);
    this.credentials = new Credentials(vertx, credentialStore, store, clock);
    DepartmentMetrics.bindRegistries(meters, breakers, bulkheads);
  }

  /**
   * A registry on {@code pool}; {@link #start()} loads it and begins listening.
   *
   * @param clock drives breakers (open wait, slow calls) and signature timestamps; tests move it
   */
  public static Registry create(
      Vertx vertx,
      Pool pool,
      PgConnectOptions connectOptions,
      RegistryConfig config,
      CryptoConfig crypto,
      MeterRegistry meters,
      Clock clock) {
    return new Registry(vertx, pool, connectOptions, config, crypto, meters, clock);
  }

  public RegistryStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  /** The algorithms of this deployment (department request signatures). */
  CryptoConfig crypto() {
    return crypto;
  }

  CredentialStore credentialStore() {
    return credentialStore;
  }

  /** The department credentials this instance accepts (reloaded on every credential change). */
  Credentials credentials() {
    return credentials;
  }

  Vertx vertx() {
    return vertx;
  }

  RegistryConfig config() {
    return config;
  }

  MeterRegistry meters() {
    return meters;
  }

  /** Subscribes, then loads; completes once the first table is in place. */
  public Future<Void> start() {
    subscriber =
        PgSubscriber.subscriber(vertx, connectOptions)
            // Keep trying for ever, once a second: a reconnect is followed by a full reload
            // (subscribeHandler).
            .reconnectPolicy(retries -> 1000L);
    Promise<Void> firstLoad = Promise.promise();
    subscriber
        .channel(RegistryStore.CHANNEL)
        .handler(
            payload -> {
              if (payload != null && payload.startsWith(Credentials.NOTIFY_PREFIX)) {
                credentials.reload();
              } else {
                reload();
              }
            })
        // Called again after every reconnect: notifications may have been missed meanwhile.
        .subscribeHandler(
            v ->
                Future.all(reload(), credentials.reload())
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) {
                            firstLoad.tryComplete();
                          } else {
                            firstLoad.tryFail(ar.cause());
                          }
                        }));
    healthTimer = vertx.setPeriodic(config.healthInterval().toMillis(), id -> checkHealth());
    return subscriber.connect().compose(v -> firstLoad.future());
  }

  /** Readiness: the first table is loaded. */
  public boolean loaded() {
    return loaded;
  }

  /** Completed reloads so far (for tests and diagnostics). */
  public int reloads() {
    return reloads.get();
  }

  /** The current route table (an immutable snapshot). */
  public RouteTable routes() {
    return table.get();
  }

  /**
   * Reloads the whole registry from the database; coalesced with a reload that has not started yet.
   */
  public synchronized Future<Void> reload() {
    if (stopped.get() || !reloadQueued.compareAndSet(false, true)) {
      return chain;
    }
    chain =
        chain.transform(
            ar -> {
              reloadQueued.set(false);
              return store
                  .loadRoutable()
                  .compose(
                      backends ->
                          store.loadAssignments().map(assigned -> apply(backends, assigned)))
                  .onFailure(
                      e ->
                          log.warn(
                              "registry reload failed; keeping the previous route table: {}",
                              e.getMessage()));
            });
    return chain;
  }

  private synchronized Void apply(
      List<LoadedBackend> loadedBackends, Map<String, String> assignedTo) {
    if (stopped.get()) {
      return null;
    }
    RouteTable old = table.get();
    Map<String, Backend> next = new HashMap<>();
    List<Backend> retired = new ArrayList<>();
    List<LoadedBackend> toCreate = new ArrayList<>();
    for (LoadedBackend lb : loadedBackends) {
      Backend existing = old.backend(lb.row().id());
      if (existing != null && existing.sameWiring(lb.row(), lb.secrets())) {
        next.put(lb.row().id(), existing.withRow(lb.row()));
      } else {
        if (existing != null) {
          retired.add(existing);
        }
        toCreate.add(lb);
      }
    }
    for (Backend b : old.backends()) {
      if (!next.containsKey(b.id()) && !retired.contains(b)) {
        retired.add(b);
      }
    }
    // A replaced guard must give up its name before its successor registers it; in-flight calls on
    // it still settle.
    for (Backend b : retired) {
      b.guard().close();
    }
    for (LoadedBackend lb : toCreate) {
      try {
        Backend created = wire(lb);
        next.put(created.id(), created);
        appliedOverride.remove(created.id());
      } catch (RuntimeException e) {
        log.error(
            "backend {} cannot be wired and is not routed: {}", lb.row().id(), e.getMessage());
      }
    }
    for (Backend b : next.values()) {
      applyOverride(b);
    }
    table.set(new RouteTable(next.values(), assignedTo));
    loaded = true;
    reloads.incrementAndGet();
    for (Backend b : retired) {
      boolean gone = !next.containsKey(b.id());
      Future<Void> done =
          b.retire()
              .onComplete(
                  ar -> {
                    if (gone) {
                      removeHealth(b);
                      appliedOverride.remove(b.id());
                    }
                  });
      synchronized (retiring) {
        retiring.add(done);
      }
    }
    for (LoadedBackend lb : toCreate) {
      Backend b = next.get(lb.row().id());
      if (b != null) {
        checkHealth(b);
      }
    }
    return null;
  }

  private void applyOverride(Backend b) {
    Long applied = appliedOverride.get(b.id());
    long seq = b.row().overrideSeq();
    if (applied != null && applied == seq) {
      return;
    }
    String override = b.row().breakerOverride();
    if ("open".equals(override)) {
      b.guard().forceOpen();
    } else if ("closed".equals(override)) {
      b.guard().forceClosed();
    } else if (applied != null || seq > 0) {
      b.guard().reset();
    }
    appliedOverride.put(b.id(), seq);
  }

  private Backend wire(LoadedBackend lb) {
    BackendRow row = lb.row();
    BackendSpec spec = row.spec();
    Guard guard =
        Guard.create(
            vertx, row.id(), spec.guard(), breakers, bulkheads, meters, countsAsFailure(), clock);
    RetryPolicy policy = RetryPolicy.defaults();
    policy =
        new RetryPolicy(
            config.maxRetries(),
            policy.initialBackoff(),
            policy.maxBackoff(),
            policy.multiplier(),
            policy.jitter(),
            policy.overallBudget());
    Retrier retrier = Retrier.create(vertx, policy, RetryBudget.create(), countsAsFailure(), clock);
    int connectMs = (int) Math.min(spec.guard().deadline().toMillis(), 5000);
    WebClientOptions options =
        new WebClientOptions()
            .setConnectTimeout(Math.max(1, connectMs))
            .setKeepAlive(true)
            .setFollowRedirects(false)
            .setUserAgent("govgate/registry");
    if ("mtls".equals(spec.auth().type())) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .addCertValue(Buffer.buffer(spec.auth().certificatePem()))
                  .addKeyValue(Buffer.buffer(lb.secrets().privateKeyPem())));
      if (spec.auth().trustedCaPem() != null) {
        options.setTrustOptions(
            new PemTrustOptions().addCertValue(Buffer.buffer(spec.auth().trustedCaPem())));
      }
    }
    // One connection more than the bulkhead admits, for the health check (which never overlaps
    // itself).
    int connections = spec.guard().maxConcurrentCalls() + 1;
    PoolOptions pool =
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(connections);
    healthOf(row);
    return new Backend(
        row, lb.secrets(), guard, retrier, () -> WebClient.create(vertx, options, pool));
  }

  /**
   * Whether a failure is the department's fault (counts for the breaker, may be retried for reads):
   * its 5xx-class answers, broken answers and connection failures; never a citizen-caused answer
   * nor our own request errors.
   */
  static Predicate<Throwable> countsAsFailure() {
    return t ->
        !(t instanceof ApiException api)
            || api.origin() == Origin.DEPARTMENT && api.status() >= 500;
  }

  // ---------- health checks ----------

  private AtomicInteger healthOf(BackendRow row) {
    return health.computeIfAbsent(
        row.id(),
        id -> {
          AtomicInteger value = new AtomicInteger();
          Gauge.builder(HEALTH, value, AtomicInteger::get)
              .description("1 when the backend's last active health check answered 200, else 0")
              .tag("department", row.departmentId())
              .tag("backend", row.id())
              .strongReference(true)
              .register(meters);
          return value;
        });
  }

  private void removeHealth(Backend b) {
    if (table.get().backend(b.id()) != null) {
      return; // registered again meanwhile
    }
    checked.remove(b.id());
    if (health.remove(b.id()) != null) {
      meters.find(HEALTH).tag("backend", b.id()).meters().forEach(meters::remove);
    }
  }

  /** The last health-check result of a backend: true (200), false, or null when unknown. */
  public Boolean healthy(String backendId) {
    AtomicInteger value = health.get(backendId);
    return value == null || !checked.contains(backendId) ? null : value.get() == 1;
  }

  private void checkHealth() {
    table.get().backends().forEach(this::checkHealth);
  }

  /**
   * One active health check: GET of the health path, signed when the backend has an HMAC secret.
   */
  Future<Boolean> checkHealth(Backend b) {
    if (b.guard().draining() || !checking.add(b.id())) {
      return Future.succeededFuture(false);
    }
    BackendSpec spec = b.spec();
    String url = spec.baseUrl() + spec.healthCheckPath();
    var request =
        b.client().getAbs(url).timeout(Math.min(spec.guard().deadline().toMillis(), 5000));
    String requestId = "health-" + UUID.randomUUID();
    request.putHeader(DepartmentAuth.REQUEST_ID_HEADER, requestId);
    if (spec.auth().keyId() != null && b.secrets().hmacSecret() != null) {
      DepartmentAuth.sign(
              crypto.departmentSigning(),
              "GET",
              java.net.URI.create(url).getRawPath(),
              Buffer.buffer(),
              clock,
              spec.auth().keyId(),
              b.secrets().hmacSecret(),
              requestId)
          .addTo(request.headers());
    }
    AtomicInteger value = health.get(b.id());
    return request
        .send()
        .map(response -> response.statusCode() == 200)
        .otherwise(false)
        .onSuccess(
            up -> {
              if (value != null) {
                value.set(up ? 1 : 0);
                checked.add(b.id());
              }
            })
        .onComplete(ar -> checking.remove(b.id()));
  }

  /** Stops listening and health checks, drains and closes every backend. */
  public Future<Void> close() {
    if (!stopped.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    credentials.stop();
    if (healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
    }
    Future<Void> unsubscribed = subscriber == null ? Future.succeededFuture() : subscriber.close();
    RouteTable last = table.getAndSet(RouteTable.EMPTY);
    List<Future<Void>> all = new ArrayList<>();
    last.backends().forEach(b -> all.add(b.retire()));
    synchronized (retiring) {
      all.addAll(retiring);
    }
    return unsubscribed
        .eventually(() -> Future.join(all).timeout(10, TimeUnit.SECONDS).otherwiseEmpty())
        .mapEmpty();
  }
}
