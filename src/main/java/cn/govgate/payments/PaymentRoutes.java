package cn.govgate.payments;

import cn.govgate.audit.AuditEvent;
import cn.govgate.audit.AuditLog;
import cn.govgate.channel.spi.Channel;
import cn.govgate.channel.spi.ChannelAdapter;
import cn.govgate.channel.spi.Payments.CallbackReply;
import cn.govgate.channel.spi.Payments.CallbackRequest;
import cn.govgate.channel.spi.Payments.PaymentEvent;
import cn.govgate.channel.spi.Payments.PaymentStatus;
import cn.govgate.error.ApiException;
import cn.govgate.error.ErrorCode;
import cn.govgate.http.JsonBody;
import cn.govgate.http.RequestIds;
import cn.govgate.identity.Session;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The citizen routes ({@code /v1/payments}) and the channel callbacks ({@code
 * /callbacks/alipay|wechat}).
 */
final class PaymentRoutes {
  private static final Logger log = LoggerFactory.getLogger(PaymentRoutes.class);

  private final PaymentOrders orders;
  private final PaymentEvents events;
  private final PaymentOperations operations;
  private final Map<Channel, ChannelAdapter> adapters;
  private final AuditLog audit;

  PaymentRoutes(
      PaymentOrders orders,
      PaymentEvents events,
      PaymentOperations operations,
      Map<Channel, ChannelAdapter> adapters,
      AuditLog audit) {
    this.orders = orders;
    this.events = events;
    this.operations = operations;
    this.adapters = adapters;
    this.audit = audit;
  }

  void mountCitizen(Router router, Handler<RoutingContext> authenticate) {
    router.post("/payments").handler(authenticate).handler(this::place);
    router.get("/payments/:orderId").handler(authenticate).handler(this::read);
  }

  void mountCallbacks(Router router) {
    router.post("/alipay").handler(ctx -> callback(Channel.ALIPAY, ctx));
    router.post("/wechat").handler(ctx -> callback(Channel.WECHAT, ctx));
    router.post("/wechat/refunds").handler(ctx -> refundCallback(Channel.WECHAT, ctx));
  }

  private void place(RoutingContext ctx) {
    Session session = Session.of(ctx);
    JsonObject body = JsonBody.required(ctx);
    String requestId = RequestIds.of(ctx);
    JsonObject details = new JsonObject();
    if (body != null && body.getValue("billType") instanceof String t) details.put("billType", t);
    orders
        .place(session, ctx.request().getHeader("Idempotency-Key"), body, requestId)
        .andThen(
            ar -> {
              if (ar.succeeded()) {
                PaymentOrder o = ar.result().order();
                details
                    .put("orderId", o.orderId())
                    .put("region", o.region())
                    .put("amountFen", o.amountFen())
                    .put("replayed", !ar.result().created());
              } else {
                details.put(
                    "code",
                    ar.cause() instanceof ApiException e
                        ? e.code()
                        : ErrorCode.GATEWAY_INTERNAL_ERROR.wire());
              }
              audit.record(
                  ar.succeeded()
                      ? AuditEvent.success(
                          actorType(session),
                          actor(session),
                          "payment.create",
                          session.citizenKey(),
                          requestId,
                          details)
                      : AuditEvent.failure(
                          actorType(session),
                          actor(session),
                          "payment.create",
                          session.citizenKey(),
                          requestId,
                          details));
            })
        .onSuccess(
            placed ->
                ctx.response()
                    .setStatusCode(placed.created() ? 201 : 200)
                    .putHeader("Content-Type", "application/json")
                    .end(placed.order().toJson().encode()))
        .onFailure(ctx::fail);
  }

  private void read(RoutingContext ctx) {
    Session session = Session.of(ctx);
    orders
        .read(session, ctx.pathParam("orderId"))
        .onSuccess(
            o ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(o.toJson().encode()))
        .onFailure(ctx::fail);
  }

  private static String actorType(Session s) {
    return s.bound() ? "citizen" : "channel_user";
  }

  private static String actor(Session s) {
    return s.bound() ? s.citizenKey() : s.identityKey();
  }

  /**
   * Raw body → the adapter verifies (and for WeChat decrypts) → the statement is applied in one
   * transaction → only then the channel's acknowledgement. Anything failing on the way gets the
   * reject reply, so the channel retries; a statement that is not PAID, or one already applied,
   * changes nothing and is acknowledged.
   */
  private void callback(Channel channel, RoutingContext ctx) {
    ChannelAdapter adapter = adapters.get(channel);
    if (adapter == null) {
      ctx.fail(ErrorCode.REQUEST_NOT_FOUND.error());
      return;
    }
    Map<String, String> headers = new HashMap<>();
    ctx.request()
        .headers()
        .forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
    String requestId = RequestIds.of(ctx);
    CallbackRequest callback =
        new CallbackRequest(headers, ctx.request().getHeader("Content-Type"), body);
    Future<PaymentEvent> verified = adapter.verifyCallback(callback);
    verified
        .compose(
            event ->
                PaymentStore.paid(event)
                    ? events.applyPaid(event, "callback", requestId)
                    // Alipay tells of a refund on the payment's notify_url (§8.3).
                    : event.status() == PaymentStatus.REFUNDED && channel == Channel.ALIPAY
                        ? adapter
                            .verifyRefundCallback(callback)
                            .compose(r -> operations.apply(r, "callback", requestId))
                        : Future.succeededFuture("not_paid"))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                events.count(channel.wireName(), "callback_rejected");
                log.warn("{} callback rejected: {}", channel.wireName(), ar.cause().toString());
              }
              // What did not verify is the sender's fault (never a 5xx); what failed after
              // verifying is ours.
              reply(
                  ctx,
                  ar.succeeded()
                      ? adapter.acknowledgeReply()
                      : verified.failed() ? adapter.refuseReply() : adapter.rejectReply());
            });
  }

  /**
   * A refund notification (WeChat Pay §9.3): verified, applied once, then acknowledged; else
   * rejected.
   */
  private void refundCallback(Channel channel, RoutingContext ctx) {
    ChannelAdapter adapter = adapters.get(channel);
    if (adapter == null) {
      ctx.fail(ErrorCode.REQUEST_NOT_FOUND.error());
      return;
    }
    Map<String, String> headers = new HashMap<>();
    ctx.request()
        .headers()
        .forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
    var verified =
        adapter.verifyRefundCallback(
            new CallbackRequest(headers, ctx.request().getHeader("Content-Type"), body));
    verified
        .compose(r -> operations.apply(r, "callback", RequestIds.of(ctx)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                events.count(channel.wireName(), "callback_rejected");
                log.warn(
                    "{} refund callback rejected: {}", channel.wireName(), ar.cause().toString());
              }
              reply(
                  ctx,
                  ar.succeeded()
                      ? adapter.acknowledgeReply()
                      : verified.failed() ? adapter.refuseReply() : adapter.rejectReply());
            });
  }

  private static void reply(RoutingContext ctx, CallbackReply reply) {
    var response = ctx.response().setStatusCode(reply.status());
    if (reply.contentType() != null) response.putHeader("Content-Type", reply.contentType());
    if (reply.body() == null) response.end();
    else response.end(reply.body());
  }
}
