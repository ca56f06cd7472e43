package cn.govgate.channel.alipay.sim;

import cn.govgate.channel.alipay.AlipayWire;
import cn.govgate.channel.alipay.sim.SimState.Order;
import cn.govgate.channel.alipay.sim.SimState.SimApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds, signs and delivers trade notifications — a payment's, and a refund's (§8.3) to the same
 * {@code notify_url} — and re-delivers on any reply other than exactly {@code success}.
 */
final class SimNotifier {

  private static final Logger LOG = LoggerFactory.getLogger(SimNotifier.class);

  private final Vertx vertx;
  private final SimState state;
  private final SimKnobs knobs;
  private final Clock clock;
  private final WebClient client;

  SimNotifier(Vertx vertx, SimState state, SimKnobs knobs, Clock clock) {
    this.vertx = vertx;
    this.state = state;
    this.knobs = knobs;
    this.clock = clock;
    this.client = WebClient.create(vertx);
  }

  void close() {
    client.close();
  }

  Map<String, String> notification(Order o) {
    SimApp app = state.apps.get(o.appId);
    Instant now = clock.instant();
    Map<String, String> n = new LinkedHashMap<>();
    n.put("gmt_create", AlipayWire.timestamp(o.createdAt));
    n.put("charset", "utf-8");
    n.put("seller_email", "gov***@example.com");
    n.put("subject", o.subject);
    n.put(knobs.openIdMode ? "buyer_open_id" : "buyer_id", o.buyerId);
    n.put("invoice_amount", o.totalAmount);
    n.put(
        "notify_id",
        AlipayWire.timestamp(now).substring(0, 10).replace("-", "")
            + "0022"
            + SimState.randomDigits(26));
    n.put(
        "fund_bill_list",
        new JsonArray()
            .add(new JsonObject().put("amount", o.totalAmount).put("fundChannel", "ALIPAYACCOUNT"))
            .encode());
    n.put("notify_type", "trade_status_sync");
    n.put("trade_status", o.status);
    n.put("receipt_amount", o.totalAmount);
    n.put("buyer_pay_amount", o.totalAmount);
    n.put("app_id", o.appId);
    n.put("sign_type", app.type().name());
    n.put("seller_id", "2088531891668739");
    n.put("gmt_payment", AlipayWire.timestamp(o.paidAt));
    n.put("notify_time", AlipayWire.timestamp(now));
    n.put("version", "1.0");
    n.put("out_trade_no", o.outTradeNo);
    n.put("total_amount", o.totalAmount);
    n.put("trade_no", o.tradeNo);
    n.put("auth_app_id", o.appId);
    n.put("buyer_logon_id", "use***@example.com");
    n.put("point_amount", "0.00");
    n.put("sign", app.platformSigner().sign(AlipayWire.notificationSignContent(n)));
    return n;
  }

  /**
   * A refund's notification (§8.3): the trade notification of the order as it stands after the
   * refund ({@code trade_status} {@code TRADE_SUCCESS}, or {@code TRADE_CLOSED} once refunded in
   * full), plus {@code out_biz_no} (the refund's {@code out_request_no}), {@code refund_fee} (the
   * trade's refunded total, yuan) and {@code gmt_refund}; signed like every notification.
   */
  Map<String, String> refundNotification(Order o, String requestNo, long refundedFen, Instant at) {
    Map<String, String> n = notification(o);
    n.remove("sign");
    n.put("out_biz_no", requestNo);
    n.put("refund_fee", AlipayWire.yuan(refundedFen));
    n.put("gmt_refund", AlipayWire.timestamp(at));
    SimApp app = state.apps.get(o.appId);
    n.put("sign", app.platformSigner().sign(AlipayWire.notificationSignContent(n)));
    return n;
  }

  /** Delivers (and re-delivers) the order's payment notification. */
  void deliver(Order o, int attempt) {
    deliver(o, o.lastNotification, o.deliveries, () -> o.acknowledged = true, attempt);
  }

  /** Delivers a refund notification to the payment's {@code notify_url}, re-delivered alike. */
  void deliverRefund(Order o, String requestNo, Map<String, String> notification) {
    o.refundNotifications.put(requestNo, notification);
    deliver(o, notification, o.refundDeliveries, () -> o.refundsAcknowledged.add(requestNo), 0);
  }

  private void deliver(
      Order o,
      Map<String, String> notification,
      AtomicInteger deliveries,
      Runnable acked,
      int attempt) {
    if (o.notifyUrl == null || o.notifyUrl.isEmpty()) return;
    deliveries.incrementAndGet();
    client
        .postAbs(o.notifyUrl)
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .timeout(15_000)
        .sendBuffer(Buffer.buffer(AlipayWire.formEncode(notification)))
        .onComplete(
            ar -> {
              if (ar.succeeded()
                  && ar.result().statusCode() == 200
                  && "success".equals(ar.result().bodyAsString())) {
                acked.run();
                return;
              }
              List<Duration> delays = knobs.notifyRetryDelays;
              if (attempt < delays.size()) {
                LOG.debug(
                    "notification not acknowledged, retry {} in {}",
                    attempt + 1,
                    delays.get(attempt));
                vertx.setTimer(
                    Math.max(1, delays.get(attempt).toMillis()),
                    id -> deliver(o, notification, deliveries, acked, attempt + 1));
              }
            });
  }
}
