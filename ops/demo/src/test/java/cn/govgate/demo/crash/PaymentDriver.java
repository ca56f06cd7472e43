package cn.govgate.demo.crash;

import cn.govgate.channel.alipay.sim.AlipaySimulator;
import cn.govgate.channel.wechat.sim.WechatSimulator;
import cn.govgate.demo.DemoChannels;
import cn.govgate.demo.Http;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Citizens paying fines and utility bills through the gateway's public API, half of them in Alipay
 * and half in WeChat, as the mini-programs do: log in with a channel auth code, step up to L3 (real
 * name and the simulator's face check), {@code POST /v1/payments} with an {@code Idempotency-Key},
 * then pay the order in the channel's simulator (which sends the signed callback). A request that
 * meets a dead gateway (connection refused or cut, a 503) or a department too slow to confirm the
 * bill (504) is sent again with the same key until the gateway answers, as a client does; a closed
 * order (its prepay failed, 502) is retried under a new key. Blocking HTTP, on the driver's own
 * threads.
 */
final class PaymentDriver {
  /** A bill a citizen pays, and what is known of it from the department simulator. */
  record Item(
      Shopper shopper,
      String billType,
      String region,
      String ref,
      long amountFen,
      JsonObject body) {}

  /** A citizen logged in through one channel, with an L3 session. */
  record Shopper(int index, SyntheticCitizen citizen, String channel, String token) {}

  /**
   * An order the gateway handed out for an item, and whether the citizen paid it at the channel.
   */
  record Order(String orderId, Item item, String channel, boolean paid) {}

  private final String gateway;
  private final AlipaySimulator alipay;
  private final WechatSimulator wechat;
  private final List<Order> orders = new CopyOnWriteArrayList<>();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger placed = new AtomicInteger();
  private final AtomicInteger connectionFailures = new AtomicInteger();
  private ExecutorService workers;

  PaymentDriver(String gateway, AlipaySimulator alipay, WechatSimulator wechat) {
    this.gateway = gateway;
    this.alipay = alipay;
    this.wechat = wechat;
  }

  // ---------- what to pay ----------

  /**
   * The first {@code count} payable items (unpaid payable fines, unpaid bills) of the demo's
   * citizens in order, as the department simulators hold them, each with the index of the citizen
   * who pays it (no session yet).
   */
  static List<Item> payable(
      List<SyntheticCitizen> citizens, List<DepartmentSimulator> departments, int count) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < citizens.size() && items.size() < count; i++) {
      SyntheticCitizen c = citizens.get(i);
      Shopper nobodyYet = new Shopper(i, c, i % 2 == 0 ? "alipay" : "wechat", null);
      DepartmentSimulator traffic =
          department(departments, DepartmentFamily.TRAFFIC, c.homeRegion());
      DepartmentSimulator utilities =
          department(departments, DepartmentFamily.UTILITIES, c.homeRegion());
      for (Vehicle v : traffic.vehiclesOf(c)) {
        for (Fine f : traffic.finesOf(c, v)) {
          if (f.initiallyPaid() || !f.payable() || items.size() >= count) continue;
          items.add(
              new Item(
                  nobodyYet,
                  "traffic_fine",
                  c.homeRegion(),
                  f.decisionNumber(),
                  f.amountFen(),
                  new JsonObject()
                      .put("billType", "traffic_fine")
                      .put("region", c.homeRegion())
                      .put("decisionNumber", f.decisionNumber())));
        }
      }
      for (HouseholdAccount a : utilities.accountsOf(c)) {
        Bill b = utilities.billOf(a);
        if (b.initiallyPaid() || b.amountFen() <= 0 || items.size() >= count) continue;
        items.add(
            new Item(
                nobodyYet,
                "utility_bill",
                c.homeRegion(),
                b.billRef(),
                b.amountFen(),
                new JsonObject()
                    .put("billType", "utility_bill")
                    .put("region", c.homeRegion())
                    .put("utilityType", b.utilityType())
                    .put("accountNo", b.accountNo())));
      }
    }
    if (items.size() < count) {
      throw new IllegalStateException(
          "only "
              + items.size()
              + " payable items among "
              + citizens.size()
              + " citizens; seed more");
    }
    return List.copyOf(items);
  }

  /**
   * Logs in every citizen who pays one of {@code items} ({@code threads} at a time); the items with
   * sessions.
   */
  List<Item> loginAll(List<Item> items, int threads) throws InterruptedException {
    Map<Integer, SyntheticCitizen> who = new java.util.TreeMap<>();
    items.forEach(i -> who.put(i.shopper().index(), i.shopper().citizen()));
    Map<Integer, Shopper> shoppers = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "crash-login"));
    who.forEach(
        (index, citizen) ->
            pool.execute(
                () -> {
                  try {
                    shoppers.put(index, login(index, citizen));
                  } catch (RuntimeException e) {
                    failures.add("citizen " + index + ": " + e.getMessage());
                  }
                }));
    pool.shutdown();
    if (!pool.awaitTermination(10, TimeUnit.MINUTES) || !failures.isEmpty()) {
      throw new IllegalStateException("logins failed: " + failures);
    }
    return items.stream()
        .map(
            i ->
                new Item(
                    shoppers.get(i.shopper().index()),
                    i.billType(),
                    i.region(),
                    i.ref(),
                    i.amountFen(),
                    i.body()))
        .toList();
  }

  private static DepartmentSimulator department(
      List<DepartmentSimulator> all, DepartmentFamily family, String region) {
    return all.stream()
        .filter(d -> d.family() == family && d.region().equals(region))
        .findFirst()
        .orElseThrow();
  }

  /** Logs citizen {@code index} in through its channel and steps the session up to L3. */
  Shopper login(int index, SyntheticCitizen citizen) {
    boolean viaAlipay = index % 2 == 0;
    String appId = viaAlipay ? DemoChannels.ALIPAY_APP_ID : DemoChannels.WECHAT_APP_ID;
    String user = viaAlipay ? DemoChannels.alipayUserId(index) : DemoChannels.openid(index);
    String code = viaAlipay ? alipay.issueAuthCode(appId, user) : wechat.issueAuthCode(appId, user);
    String channel = viaAlipay ? "alipay" : "wechat";
    JsonObject l1 =
        expect(
            201,
            "POST",
            "/v1/sessions",
            null,
            new JsonObject().put("channel", channel).put("appId", appId).put("authCode", code),
            null);
    String bearer = "Bearer " + l1.getString("token");
    JsonObject started =
        expect(
            201,
            "POST",
            "/v1/identity/verifications",
            bearer,
            new JsonObject().put("name", citizen.name()).put("idNumber", citizen.idNumber()),
            null);
    JsonObject params = started.getJsonObject("clientParams");
    boolean passed =
        viaAlipay
            ? alipay.performFace(params.getString("certifyId"), user)
            : wechat.performFace(params.getString("verifyId"), user) == 10_000;
    if (!passed) throw new IllegalStateException("face check of citizen " + index + " failed");
    JsonObject l3 =
        expect(
            200,
            "POST",
            "/v1/identity/verifications/" + started.getString("verificationId") + "/complete",
            bearer,
            null,
            null);
    if (!"L3".equals(l3.getString("level")))
      throw new IllegalStateException("step-up ended at " + l3);
    return new Shopper(index, citizen, channel, l3.getString("token"));
  }

  // ---------- paying ----------

  /** Starts paying {@code items} on {@code threads} threads; returns at once. */
  void start(List<Item> items, int threads) {
    ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>(items);
    workers = Executors.newFixedThreadPool(threads, r -> new Thread(r, "crash-driver"));
    for (int t = 0; t < threads; t++) {
      workers.execute(
          () -> {
            for (Item item = queue.poll(); item != null; item = queue.poll()) {
              try {
                pay(item);
              } catch (RuntimeException e) {
                unexpected.add(item.ref() + ": " + e);
              }
            }
          });
    }
    workers.shutdown();
  }

  boolean awaitDone(long minutes) throws InterruptedException {
    return workers.awaitTermination(minutes, TimeUnit.MINUTES);
  }

  private void pay(Item item) {
    int attempt = 0;
    String key = key(item, attempt);
    for (int tries = 0; tries < 500; tries++) {
      HttpResponse<String> r;
      try {
        r =
            Http.send(
                "POST",
                gateway + "/v1/payments",
                item.body().encode(),
                Map.of(
                    "Authorization",
                    "Bearer " + item.shopper().token(),
                    "Idempotency-Key",
                    key,
                    "Content-Type",
                    "application/json"));
      } catch (UncheckedIOException down) {
        connectionFailures.incrementAndGet();
        pause();
        continue;
      }
      statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
      if (r.statusCode() == 200 || r.statusCode() == 201) {
        JsonObject order = new JsonObject(r.body());
        String status = order.getString("status");
        if ("pending".equals(status) && order.getValue("clientParams") != null) {
          payAtChannel(item, order.getString("orderId"));
          return;
        }
        if ("closed".equals(status)) {
          orders.add(new Order(order.getString("orderId"), item, item.shopper().channel(), false));
          key = key(item, ++attempt);
          continue;
        }
        unexpected.add(item.ref() + ": a new or replayed order answered " + status);
        return;
      }
      if (r.statusCode() == 503 || r.statusCode() == 504) {
        // The gateway is not ready yet, or the department did not confirm the bill in time: nothing
        // was created.
        pause();
        continue;
      }
      if (r.statusCode() == 502) {
        // payment.channel_failed: the order was closed; a new attempt needs a new key
        key = key(item, ++attempt);
        pause();
        continue;
      }
      unexpected.add(
          item.ref() + ": POST /v1/payments answered " + r.statusCode() + " " + errorCode(r));
      return;
    }
    unexpected.add(item.ref() + ": gave up after 500 tries");
  }

  private void payAtChannel(Item item, String orderId) {
    if ("alipay".equals(item.shopper().channel())) {
      try {
        alipay.payOrder(orderId).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        unexpected.add(item.ref() + ": Alipay simulator could not pay " + e);
        return;
      }
    } else {
      // Completes once the notification is acknowledged, or fails when its retries run out: not
      // waited for.
      var paying = wechat.payOrder(orderId);
      if (paying.failed()) {
        unexpected.add(item.ref() + ": WeChat simulator could not pay " + paying.cause());
        return;
      }
    }
    orders.add(new Order(orderId, item, item.shopper().channel(), true));
    placed.incrementAndGet();
  }

  private static String key(Item item, int attempt) {
    return "crash-" + item.ref() + "-" + attempt;
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonObject expect(
      int status,
      String method,
      String path,
      String bearer,
      JsonObject body,
      Map<String, String> extra) {
    for (int tries = 0; ; tries++) {
      Map<String, String> headers = new java.util.HashMap<>();
      if (bearer != null) headers.put("Authorization", bearer);
      if (extra != null) headers.putAll(extra);
      HttpResponse<String> r =
          Http.send(method, gateway + path, body == null ? null : body.encode(), headers);
      if (r.statusCode() == status)
        return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
      if ((r.statusCode() != 503 && r.statusCode() != 504) || tries > 20) {
        throw new IllegalStateException(
            method
                + " "
                + path.replaceAll("/verifications/[^/]+", "/verifications/-")
                + " answered "
                + r.statusCode()
                + " "
                + errorCode(r));
      }
      pause();
    }
  }

  private static String errorCode(HttpResponse<String> r) {
    try {
      return String.valueOf(new JsonObject(r.body()).getValue("code"));
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Orders the citizens paid at a channel so far. */
  int placed() {
    return placed.get();
  }

  List<Order> orders() {
    return List.copyOf(orders);
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  int connectionFailures() {
    return connectionFailures.get();
  }

  Map<Integer, Integer> statuses() {
    Map<Integer, Integer> out = new java.util.TreeMap<>();
    statuses.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
