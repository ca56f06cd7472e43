package cn.govgate.registry;

import cn.govgate.registry.RegistryStore.BackendRow;
import cn.govgate.resilience.Guard;
import cn.govgate.resilience.Retrier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One backend as an instance runs it: its stored row and secrets, its {@link Guard} (one per
 * backend), the retrier with the backend's own retry budget, and HTTP clients of its own — one per
 * event loop, made on first use there, so that a call and its connection stay on the loop that
 * serves the request (a client shared by every loop handed connections across loops) — each with a
 * pool bounded by the backend's maximum concurrency, so that a hung department holds only its own
 * connections.
 */
public final class Backend {
  /** The key of the client shared by threads that are not event loops (start-up, workers). */
  private static final Thread NOT_A_LOOP = new Thread("govgate-not-an-event-loop");

  private final BackendRow row;
  private final BackendSpec.Secrets secrets;
  private final Guard guard;
  private final Retrier retrier;
  private final Supplier<WebClient> newClient;
  private final Map<Thread, WebClient> clients;
  private final String basePath;

  /** Host, port and TLS of the base URL, parsed once per backend instead of once per call. */
  private final String host;

  private final int port;
  private final boolean ssl;

  Backend(
      BackendRow row,
      BackendSpec.Secrets secrets,
      Guard guard,
      Retrier retrier,
      Supplier<WebClient> newClient) {
    this(row, secrets, guard, retrier, newClient, new ConcurrentHashMap<>());
  }

  private Backend(
      BackendRow row,
      BackendSpec.Secrets secrets,
      Guard guard,
      Retrier retrier,
      Supplier<WebClient> newClient,
      Map<Thread, WebClient> clients) {
    this.row = row;
    this.secrets = secrets;
    this.guard = guard;
    this.retrier = retrier;
    this.newClient = newClient;
    this.clients = clients;
    URI base = URI.create(row.spec().baseUrl());
    String raw = base.getRawPath();
    this.basePath = raw == null ? "" : raw;
    this.ssl = "https".equals(base.getScheme().toLowerCase(Locale.ROOT));
    this.host = base.getHost();
    this.port = base.getPort() >= 0 ? base.getPort() : ssl ? 443 : 80;
  }

  public String id() {
    return row.id();
  }

  public String departmentId() {
    return row.departmentId();
  }

  public BackendRow row() {
    return row;
  }

  public BackendSpec spec() {
    return row.spec();
  }

  public boolean enabled() {
    return "active".equals(row.status());
  }

  public Guard guard() {
    return guard;
  }

  Retrier retrier() {
    return retrier;
  }

  /** The client of the calling event loop (threads that are not event loops share one). */
  WebClient client() {
    Thread key = Context.isOnEventLoopThread() ? Thread.currentThread() : null;
    WebClient c = key == null ? clients.get(NOT_A_LOOP) : clients.get(key);
    if (c != null) return c;
    return clients.computeIfAbsent(key == null ? NOT_A_LOOP : key, k -> newClient.get());
  }

  /**
   * A {@code POST} of {@code operationPath} below the base URL on the calling event loop's client;
   * the base URL was parsed once for this backend.
   */
  HttpRequest<Buffer> post(String operationPath) {
    return client().request(HttpMethod.POST, port, host, signedPath(operationPath)).ssl(ssl);
  }

  /**
   * The raw path the request signature covers: the base URL's path followed by the operation's
   * path.
   */
  String signedPath(String operationPath) {
    return basePath + operationPath;
  }

  BackendSpec.Secrets secrets() {
    return secrets;
  }

  /**
   * Whether {@code other} can keep this instance's guard and client: same connection and resilience
   * settings.
   */
  boolean sameWiring(BackendRow other, BackendSpec.Secrets otherSecrets) {
    BackendSpec a = row.spec();
    BackendSpec b = other.spec();
    return a.baseUrl().equals(b.baseUrl())
        && a.auth().equals(b.auth())
        && a.guard().equals(b.guard())
        && secrets.equals(otherSecrets);
  }

  /** Same wiring, newer row (routes, weight, status or override changed). */
  Backend withRow(BackendRow newer) {
    return new Backend(newer, secrets, guard, retrier, newClient, clients);
  }

  /**
   * Drains (no new calls; in-flight calls finish), then releases the breaker, bulkhead, meters and
   * client.
   */
  Future<Void> retire() {
    guard.beginDrain();
    return guard
        .drained()
        .eventually(
            () -> {
              guard.close();
              clients.values().forEach(WebClient::close);
              return Future.<Void>succeededFuture();
            })
        .mapEmpty();
  }
}
