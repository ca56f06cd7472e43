package cn.govgate.registry;

import cn.govgate.registry.CredentialStore.CredentialRow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The department credentials one instance accepts: every unrevoked credential in memory, reloaded
 * when the registry channel carries {@value #NOTIFY_PREFIX}{@code <department>} (a rotation or
 * revocation committed on any instance) and after every reconnect of the listener. A credential's
 * grace period ends by this instance's clock, without a notification. A credential id this table
 * does not know (issued a moment ago on another instance) is looked up in PostgreSQL, so a new
 * credential works at once everywhere; a revoked one stops within the notification's delay.
 */
final class Credentials {

  private static final Logger log = LoggerFactory.getLogger(Credentials.class);

  /** Payload prefix of credential changes on {@link RegistryStore#CHANNEL}. */
  static final String NOTIFY_PREFIX = "credentials:";

  private final Vertx vertx;
  private final CredentialStore store;
  private final RegistryStore registryStore;
  private final Clock clock;
  private final AtomicReference<Map<String, CredentialRow>> table = new AtomicReference<>(Map.of());
  private final AtomicBoolean queued = new AtomicBoolean();
  private Future<Void> chain = Future.succeededFuture();
  private volatile boolean stopped;

  Credentials(Vertx vertx, CredentialStore store, RegistryStore registryStore, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.registryStore = registryStore;
    this.clock = clock;
  }

  /**
   * Reloads the table; coalesced with a reload that has not started yet; retried a second later if
   * it failed.
   */
  synchronized Future<Void> reload() {
    if (stopped || !queued.compareAndSet(false, true)) {
      return chain;
    }
    chain =
        chain.transform(
            ar -> {
              queued.set(false);
              return store
                  .loadUsable()
                  .<Void>map(
                      rows -> {
                        table.set(Map.copyOf(rows));
                        return null;
                      })
                  .onFailure(
                      e -> {
                        log.warn("credential reload failed; retrying in 1 s: {}", e.getMessage());
                        vertx.setTimer(1000, id -> reload());
                      });
            });
    return chain;
  }

  /** Whether this instance holds the credential in memory (for diagnostics and tests). */
  boolean knows(String credentialId) {
    return table.get().containsKey(credentialId);
  }

  void stop() {
    stopped = true;
  }

  /**
   * The department of a valid token ({@code gdc_<id>.<secret>}), unrevoked and within its grace
   * period; else null.
   */
  Future<String> authenticate(String token) {
    int dot = token == null ? -1 : token.indexOf('.');
    if (dot < 5 || !token.startsWith("gdc_")) {
      return Future.succeededFuture(null);
    }
    CredentialRow row = table.get().get(token.substring(4, dot));
    Instant now = clock.instant();
    if (row == null) {
      return registryStore.authenticate(token, now);
    }
    boolean valid =
        MessageDigest.isEqual(row.secretSha256(), RegistryStore.sha256(token.substring(dot + 1)))
            && (row.expiresAt() == null || row.expiresAt().toInstant().isAfter(now));
    return Future.succeededFuture(valid ? row.departmentId() : null);
  }
}
