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
import java.util.function.Function;
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
  private final PaymentOperations operations;
  private long outboxTimer = -1;
  private long reconcileTimer = -1;

  private PaymentSystem(
      Vertx vertx,
      PaymentsConfig config,
      PaymentStore store,
      PaymentEvents events,
      PaymentRoutes routes,
      PaymentOutbox outbox,
      PaymentReconciler reconciler,
      PaymentOperations operations) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.events = events;
    this.routes = routes;
    this.outbox = outbox;
    this.reconciler = reconciler;
    this.operations = operations;
  }

  /**
   * @param gatewayBaseUrl the gateway's own base URL, asked at prepay time (after listen, so a port
   *     0 server gives its real port); used for callback URLs unless {@code payments.notifyBaseUrl}
   *     is set
   */
  public static PaymentSystem create(
      Vertx vertx,
      Pool pool,
      PaymentsConfig config,
      Map<Channel, ChannelAdapter> adapters,
      DepartmentClient departments,
      Identity identity,
      AuditLog audit,
      MeterRegistry meters,
      Clock clock,
      Supplier<String> gatewayBaseUrl) {
    PaymentStore store = new PaymentStore(pool);
    PaymentEvents events = new PaymentEvents(store, identity.cipher(), audit, meters, clock);
    Map<Channel, ChannelAdapter> channels = Map.copyOf(adapters);
    Function<Channel, String> notifyUrls =
        channel ->
            (config.notifyBaseUrl() != null ? config.notifyBaseUrl() : gatewayBaseUrl.get())
                + "/callbacks/"
                + channel.wireName();
    PaymentOrders orders =
        new PaymentOrders(
            store, events, departments, identity, channels, notifyUrls, config.orderTtl(), clock);
    // Alipay sends a refund's notification (if any) to the payment's notify_url; WeChat Pay takes
    // one per refund.
    PaymentOperations operations =
        new PaymentOperations(
            new RefundStore(pool),
            store,
            events,
            channels,
            channel -> channel == Channel.WECHAT ? notifyUrls.apply(channel) + "/refunds" : null,
            config,
            audit,
            clock);
    return new PaymentSystem(
        vertx,
        config,
        store,
        events,
        new PaymentRoutes(orders, events, operations, channels, audit),
        new PaymentOutbox(store, departments, config, meters, audit, clock),
        new PaymentReconciler(store, events, operations, channels, config, clock),
        operations);
  }

  /** {@code POST /payments}, {@code GET /payments/:orderId} on the citizen router ({@code /v1}). */
  public void mountCitizen(Router router, Handler<RoutingContext> authenticate) {
    routes.mountCitizen(router, authenticate);
  }

  /**
   * {@code GET /payments}, {@code POST /payments/:orderId/resolve} on the admin router ({@code
   * /admin/v1}), for the operator: {@code authorizeOperator} succeeds with the operator's id or
   * fails 401/403.
   */
  public void mountAdmin(
      Router router, Function<RoutingContext, Future<String>> authorizeOperator) {
    operations.mountAdmin(router, authorizeOperator);
  }

  /**
   * {@code POST /alipay}, {@code POST /wechat}, {@code POST /wechat/refunds} on the callbacks
   * router.
   */
  public void mountCallbacks(Router router) {
    routes.mountCallbacks(router);
  }

  /** Starts the outbox worker and the reconciler timers. */
  public void start() {
    outboxTimer = vertx.setPeriodic(config.outboxInterval().toMillis(), id -> outbox.runOnce());
    reconcileTimer =
        vertx.setPeriodic(config.reconcileInterval().toMillis(), id -> reconciler.runOnce());
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

  PaymentOperations operations() {
    return operations;
  }
}
