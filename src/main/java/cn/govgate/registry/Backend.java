package cn.govgate.registry;

import cn.govgate.registry.RegistryStore.BackendRow;
import cn.govgate.resilience.Guard;
import cn.govgate.resilience.Retrier;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;

/**
 * One backend as an instance runs it: its stored row and secrets, its {@link Guard} (one per backend), the
 * retrier with the backend's own retry budget, and an HTTP client of its own whose pool is bounded by the
 * backend's maximum concurrency, so that a hung department holds only its own connections.
 */
public final class Backend {

  private final BackendRow row;
  private final BackendSpec.Secrets secrets;
  private final Guard guard;
  private final Retrier retrier;
  private final WebClient client;

  Backend(BackendRow row, BackendSpec.Secrets secrets, Guard guard, Retrier retrier, WebClient client) {
    this.row = row;
    this.secrets = secrets;
    this.guard = guard;
    this.retrier = retrier;
    this.client = client;
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

  WebClient client() {
    return client;
  }

  BackendSpec.Secrets secrets() {
    return secrets;
  }

  /** Whether {@code other} can keep this instance's guard and client: same connection and resilience settings. */
  boolean sameWiring(BackendRow other, BackendSpec.Secrets otherSecrets) {
    BackendSpec a = row.spec();
    BackendSpec b = other.spec();
    return a.baseUrl().equals(b.baseUrl()) && a.auth().equals(b.auth()) && a.guard().equals(b.guard())
        && secrets.equals(otherSecrets);
  }

  /** Same wiring, newer row (routes, weight, status or override changed). */
  Backend withRow(BackendRow newer) {
    return new Backend(newer, secrets, guard, retrier, client);
  }

  /** Drains (no new calls; in-flight calls finish), then releases the breaker, bulkhead, meters and client. */
  Future<Void> retire() {
    guard.beginDrain();
    return guard.drained().eventually(() -> {
      guard.close();
      client.close();
      return Future.<Void>succeededFuture();
    }).mapEmpty();
  }
}
