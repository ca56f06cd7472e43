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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds, signs and delivers trade notifications; re-delivers on any reply other than exactly
 * {@code success}.
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

  void deliver(Order o, int attempt) {
    if (o.notifyUrl == null || o.notifyUrl.isEmpty()) return;
    o.deliveries.incrementAndGet();
    client
        .postAbs(o.notifyUrl)
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .timeout(15_000)
        .sendBuffer(Buffer.buffer(AlipayWire.formEncode(o.lastNotification)))
        .onComplete(
            ar -> {
              if (ar.succeeded()
                  && ar.result().statusCode() == 200
                  && "success".equals(ar.result().bodyAsString())) {
                o.acknowledged = true;
                return;
              }
              List<Duration> delays = knobs.notifyRetryDelays;
              if (attempt < delays.size()) {
                LOG.debug(
                    "notification not acknowledged, retry {} in {}",
                    attempt + 1,
                    delays.get(attempt));
                vertx.setTimer(
                    Math.max(1, delays.get(attempt).toMillis()), id -> deliver(o, attempt + 1));
              }
            });
  }
}
