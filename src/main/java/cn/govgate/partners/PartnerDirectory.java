package cn.govgate.partners;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every partner and key, in memory on each instance, as the registry holds its routes: an immutable
 * map swapped whole on every {@code NOTIFY govgate_partners} (sent in the transaction of each
 * change) and after every reconnect, so a suspension or a revoked key holds on every instance
 * within a second; a poll every {@value #POLL_SECONDS} s covers a notification lost otherwise.
 * Looking a partner up is a map read.
 */
final class PartnerDirectory {
  private static final Logger log = LoggerFactory.getLogger(PartnerDirectory.class);
  static final int POLL_SECONDS = 30;

  private final Vertx vertx;
  private final PartnerStore store;
  private final PgSubscriber subscriber;
  private final AtomicReference<Map<String, Partner>> partners = new AtomicReference<>(Map.of());
  private long timer = -1;

  private PartnerDirectory(Vertx vertx, PartnerStore store, PgConnectOptions connect) {
    this.vertx = vertx;
    this.store = store;
    this.subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> 1000L);
  }

  /** Subscribes, then loads; completes once the first map is in place. */
  static Future<PartnerDirectory> start(Vertx vertx, PartnerStore store, PgConnectOptions connect) {
    PartnerDirectory d = new PartnerDirectory(vertx, store, connect);
    Promise<Void> firstLoad = Promise.promise();
    d.subscriber
        .channel(PartnerStore.CHANNEL)
        .handler(payload -> d.reload())
        .subscribeHandler(
            v ->
                d.reload()
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) firstLoad.tryComplete();
                          else firstLoad.tryFail(ar.cause());
                        }));
    return d.subscriber
        .connect()
        .compose(v -> firstLoad.future())
        .map(
            v -> {
              d.timer = vertx.setPeriodic(POLL_SECONDS * 1000L, id -> d.reload());
              return d;
            });
  }

  Future<Void> reload() {
    return store
        .loadAll()
        .onSuccess(partners::set)
        .onFailure(e -> log.warn("partner directory reload failed: {}", e.getMessage()))
        .mapEmpty();
  }

  /** The partner, or null when there is none with this app id. */
  Partner find(String appId) {
    return partners.get().get(appId);
  }

  Future<Void> close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return subscriber.close();
  }
}
