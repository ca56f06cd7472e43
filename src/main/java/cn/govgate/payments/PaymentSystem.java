package cn.govgate.payments;

import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.config.PaymentsConfig;
import cn.govgate.identity.Identity;
import cn.govgate.registry.DepartmentClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The payments concern, wired: orders, callbacks, the outbox worker and the reconciler.
 *
 * <pre>{@code
 * PaymentSystem payments = PaymentSystem.create(vertx, pool, config.payments(), adapters, departments, identity,
 *     audit, meters, clock, gateway::baseUrl);
 * routes.add(Surface.CITIZEN, (v, router) -> payments.mountCitizen(router, sessions.authenticate()));
 * routes.add(Surface.CALLBACKS, (v, router) -> payments.mountCallbacks(router));
 * payments.start();   // once the server listens
 * }</pre>
 */
public final class PaymentSystem {
  private final Vertx vertx;
  private final PaymentsConfig config;
  private final PaymentStore store;
  private final PaymentEvents events;
  private final PaymentRoutes routes;
  private final PaymentOutbox outbox;
  private final PaymentReconciler reconciler;
  private long outboxTimer = -1;
  private long reconcileTimer = -1;

  private PaymentSystem(Vertx vertx, PaymentsConfig config, PaymentStore store, PaymentEvents events,
      PaymentRoutes routes, PaymentOutbox outbox, PaymentReconciler reconciler) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.events = events;
    this.routes = routes;
    this.outbox = outbox;
    this.reconciler = reconciler;
  }

  /**
   * @param gatewayBaseUrl the gateway's own base URL, asked at prepay time (after listen, so a port 0 server
   *     gives its real port); used for callback URLs unless {@code payments.notifyBaseUrl} is set
   */
  public static PaymentSystem create(Vertx vertx, Pool pool, PaymentsConfig config,
      Map<Channel, ChannelAdapter> adapters, DepartmentClient departments, Identity identity, AuditLog audit,
      MeterRegistry meters, Clock clock, Supplier<String> gatewayBaseUrl) {
    PaymentStore store = new PaymentStore(pool);
    PaymentEvents events = new PaymentEvents(store, identity.cipher(), audit, meters, clock);
    Map<Channel, ChannelAdapter> channels = Map.copyOf(adapters);
    PaymentOrders orders = new PaymentOrders(store, events, departments, identity, channels,
        channel -> (config.notifyBaseUrl() != null ? config.notifyBaseUrl() : gatewayBaseUrl.get())
            + "/callbacks/" + channel.wireName(),
        config.orderTtl(), clock);
    return new PaymentSystem(vertx, config, store, events, new PaymentRoutes(orders, events, channels, audit),
        new PaymentOutbox(store, departments, config, meters, audit, clock),
        new PaymentReconciler(store, events, channels, config, clock));
  }

  /** {@code POST /payments}, {@code GET /payments/:orderId} on the citizen router ({@code /v1}). */
  public void mountCitizen(Router router, Handler<RoutingContext> authenticate) {
    routes.mountCitizen(router, authenticate);
  }

  /** {@code POST /alipay}, {@code POST /wechat} on the callbacks router ({@code /callbacks}). */
  public void mountCallbacks(Router router) {
    routes.mountCallbacks(router);
  }

  /** Starts the outbox worker and the reconciler timers. */
  public void start() {
    outboxTimer = vertx.setPeriodic(config.outboxInterval().toMillis(), id -> outbox.runOnce());
    reconcileTimer = vertx.setPeriodic(config.reconcileInterval().toMillis(), id -> reconciler.runOnce());
  }

  /** Stops the timers; rounds in flight finish on their own (their effects are transactional). */
  public Future<Void> close() {
    if (outboxTimer >= 0) vertx.cancelTimer(outboxTimer);
    if (reconcileTimer >= 0) vertx.cancelTimer(reconcileTimer);
    return Future.succeededFuture();
  }

  PaymentStore store() {
    return store;
  }

  PaymentEvents events() {
    return events;
  }

  PaymentOutbox outbox() {
    return outbox;
  }

  PaymentReconciler reconciler() {
    return reconciler;
  }
}
