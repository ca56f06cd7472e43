package cn.govgate.demo.crash;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.demo.DemoChannels;
import cn.govgate.demo.DemoDatabase;
import cn.govgate.demo.DemoDepartments;
import cn.govgate.demo.DemoKeys;
import cn.govgate.demo.Http;
import cn.govgate.demo.crash.KillSwitch.Kill;
import cn.govgate.demo.crash.KillSwitch.Point;
import cn.govgate.demo.crash.PaymentDriver.Item;
import cn.govgate.demo.crash.PaymentDriver.Order;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.BookingLog;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.sim.departments.DepartmentSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Crash injection (issue 9): the production gateway ({@code src/target/govgate.jar}) runs as a
 * process of its own on one data directory and one PostgreSQL, behind a stable relay; the channel
 * simulators, the department simulators (booking every payment in a file forced to disk) and
 * PostgreSQL run in this JVM and survive it. Citizens pay {@value #DEFAULT_ORDERS} fines and
 * utility bills through Alipay and WeChat while the gateway is killed with SIGKILL {@value
 * #DEFAULT_KILLS} times at seeded points inside callbacks and outbox deliveries and started again
 * on the same data each time. Then every paid order must have been booked by its department exactly
 * once (the departments' ledgers), charged by its channel exactly once and no bill twice (the
 * channel simulators' orders), and be {@code delivered} with the department's receipt (the
 * gateway's API and its tables); no order may exist that no citizen saw.
 *
 * <p>Knobs (system properties, e.g. {@code -Dcrash.orders=1000}; {@code ops/crash/run.sh} runs the
 * large run): {@code crash.orders}, {@code crash.kills}, {@code crash.seed}, {@code crash.threads},
 * {@code crash.gatewayJar}. Each run keeps its data and logs in {@code
 * target/crash/run-<seed>-<time>/} and writes {@code summary.md} there.
 */
class PaymentsSurviveKillTest {
  static final int DEFAULT_ORDERS = 200;
  static final int DEFAULT_KILLS = 3;
  private static final int ORDERS = Integer.getInteger("crash.orders", DEFAULT_ORDERS);
  private static final int KILLS = Integer.getInteger("crash.kills", DEFAULT_KILLS);
  private static final long SEED = Long.getLong("crash.seed", 20_261_202L);
  private static final int THREADS = Integer.getInteger("crash.threads", 6);

  /** Each demo citizen has about three payable items; twice the need leaves room. */
  private static final int CITIZENS = Math.max(100, ORDERS * 2 / 3);

  private static final Duration SETTLE_WITHIN = Duration.ofMinutes(4);

  private static Vertx vertx;
  private static DemoDatabase database;
  private static FrontRelay relay;
  private static DemoChannels channels;
  private static DemoDepartments departments;
  private static GatewayProcess gateway;
  private static KillSwitch killSwitch;

  @AfterAll
  static void stopEverything() throws Exception {
    if (gateway != null) {
      gateway.kill();
      gateway.awaitExit();
    }
    if (killSwitch != null) killSwitch.close();
    if (departments != null) departments.close().await(30, TimeUnit.SECONDS);
    if (channels != null) channels.close().await(30, TimeUnit.SECONDS);
    if (relay != null) relay.close().await(30, TimeUnit.SECONDS);
    if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
    if (database != null) database.close();
  }

  @Test
  void everyPaidOrderIsBookedOnceChargedOnceAndDeliveredThroughRepeatedKillMinus9()
      throws Exception {
    long began = System.nanoTime();
    Path dir =
        Files.createDirectories(
            Path.of("target", "crash", "run-" + SEED + "-" + System.currentTimeMillis())
                .toAbsolutePath());
    vertx = Vertx.vertx();
    DemoKeys keys = DemoKeys.in(dir);
    database = DemoDatabase.start(dir.resolve("postgres"), 0, Duration.ofSeconds(60));
    relay =
        FrontRelay.start(vertx, path -> killSwitch.event(Point.CALLBACK, path))
            .await(30, TimeUnit.SECONDS);
    channels =
        DemoChannels.start(vertx, keys, 0, 0, relay.baseUrl(), CITIZENS).await(2, TimeUnit.MINUTES);
    gateway = GatewayProcess.configure(dir, settings(keys, dir));
    killSwitch = new KillSwitch(gateway);
    relay.upstream(gateway.start());
    departments =
        DemoDepartments.start(
                vertx, relay.baseUrl(), keys.bootstrapKey(), CITIZENS, 0, dir.resolve("bookings"))
            .await(2, TimeUnit.MINUTES);
    departments
        .simulators()
        .forEach(
            d ->
                d.beforePaymentAnswer(
                    answer -> killSwitch.event(Point.OUTBOX, answer.getString("orderId"))));

    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(CITIZENS, DemoDepartments.SEED);
    PaymentDriver driver = new PaymentDriver(relay.baseUrl(), channels.alipay(), channels.wechat());
    List<Item> items =
        driver.loginAll(PaymentDriver.payable(citizens, departments.simulators(), ORDERS), THREADS);
    long prepared = System.nanoTime();

    driver.start(items, THREADS);
    List<Kill> plan = KillSwitch.plan(SEED, KILLS);
    List<Long> downNanos = new ArrayList<>();
    for (Kill kill : plan) {
      awaitTrue(
          () -> driver.placed() >= kill.number() * ORDERS / (KILLS + 1),
          Duration.ofMinutes(5),
          "the citizens to pay " + kill.number() * ORDERS / (KILLS + 1) + " orders");
      killSwitch.arm(kill);
      awaitTrue(
          () -> killSwitch.hasFired(kill),
          Duration.ofMinutes(2),
          "kill " + kill + " to find its point");
      gateway.awaitExit();
      long down = System.nanoTime();
      relay.upstream(gateway.start());
      downNanos.add(System.nanoTime() - down);
    }
    assertThat(driver.awaitDone(10)).as("the citizens finished paying").isTrue();
    long driven = System.nanoTime();
    awaitTrue(
        () -> settled(driver), SETTLE_WITHIN, "every paid order to be delivered or to need review");
    long settled = System.nanoTime();

    assertThat(driver.unexpected()).as("answers a client must never get").isEmpty();
    List<Order> paid = driver.orders().stream().filter(Order::paid).toList();
    assertThat(paid).as("orders paid at a channel").hasSize(ORDERS);
    assertThat(killSwitch.fired()).as("kills at callbacks and outbox deliveries").hasSize(KILLS);
    assertThat(gateway.starts()).isEqualTo(KILLS + 1);

    Map<String, BookingLog.Booking> booked = assertEachPaidOrderBookedExactlyOnce(paid);
    assertEachPaidOrderChargedOnceAndNoBillTwice(driver.orders());
    Map<String, Row> rows =
        assertTheGatewayDeliveredEveryPaidOrderWithTheDepartmentsReceipt(driver.orders(), booked);
    assertThePayersSeeDeliveredWithTheReceipt(paid, booked);

    writeSummary(dir, driver, items, paid, rows, downNanos, began, prepared, driven, settled);
  }

  // ---------- the independent records ----------

  /**
   * The departments' ledgers: each paid order booked exactly once, nothing else booked, no bill
   * booked twice.
   */
  private static Map<String, BookingLog.Booking> assertEachPaidOrderBookedExactlyOnce(
      List<Order> paid) {
    List<BookingLog.Booking> bookings = ledgers().stream().filter(b -> !b.repeat()).toList();
    Map<String, Long> perOrder =
        bookings.stream()
            .collect(Collectors.groupingBy(BookingLog.Booking::orderId, Collectors.counting()));
    Map<String, Long> perRef =
        bookings.stream()
            .collect(Collectors.groupingBy(BookingLog.Booking::ref, Collectors.counting()));
    assertThat(perOrder.entrySet().stream().filter(e -> e.getValue() != 1))
        .as("orders booked twice")
        .isEmpty();
    assertThat(perRef.entrySet().stream().filter(e -> e.getValue() != 1))
        .as("bills booked twice")
        .isEmpty();
    assertThat(perOrder.keySet())
        .as("booked orders = paid orders")
        .containsExactlyInAnyOrderElementsOf(paid.stream().map(Order::orderId).toList());
    Map<String, BookingLog.Booking> byOrder =
        bookings.stream()
            .collect(Collectors.toMap(BookingLog.Booking::orderId, Function.identity()));
    for (Order o : paid) {
      assertThat(byOrder.get(o.orderId()).ref())
          .as("what %s paid", o.orderId())
          .isEqualTo(o.item().ref());
      assertThat(byOrder.get(o.orderId()).amountFen())
          .as("amount of %s", o.orderId())
          .isEqualTo(o.item().amountFen());
    }
    return byOrder;
  }

  private static List<BookingLog.Booking> ledgers() {
    List<BookingLog.Booking> all = new ArrayList<>();
    for (DepartmentSimulator d : departments.simulators()) {
      if (d.family() == DepartmentFamily.TRAFFIC || d.family() == DepartmentFamily.UTILITIES) {
        String id = DemoDepartments.departmentId(d.family(), d.region());
        all.addAll(BookingLog.read(DemoDepartments.bookingLog(bookingsDir(), id)));
      }
    }
    return all;
  }

  private static Path bookingsDir() {
    return gateway.log().getParent().resolve("bookings");
  }

  /** The channel simulators' orders: exactly the paid orders were charged, each bill once. */
  private static void assertEachPaidOrderChargedOnceAndNoBillTwice(List<Order> seen) {
    Map<String, Integer> chargesPerBill = new HashMap<>();
    for (Order o : seen) {
      boolean charged =
          "alipay".equals(o.channel())
              ? channels.alipay().lastNotification(o.orderId()) != null
              : "SUCCESS".equals(channels.wechat().orderState(o.orderId()));
      assertThat(charged)
          .as("order %s charged at %s", o.orderId(), o.channel())
          .isEqualTo(o.paid());
      if (charged) chargesPerBill.merge(o.item().ref(), 1, Integer::sum);
    }
    assertThat(chargesPerBill.entrySet().stream().filter(e -> e.getValue() != 1))
        .as("bills charged twice")
        .isEmpty();
  }

  private record Row(String status, String receiptNo, String billRef, long amountFen) {}

  /**
   * The gateway's own tables: no order nobody saw; paid ones delivered with the booked receipt; the
   * rest closed.
   */
  private static Map<String, Row> assertTheGatewayDeliveredEveryPaidOrderWithTheDepartmentsReceipt(
      List<Order> seen, Map<String, BookingLog.Booking> booked) throws SQLException {
    Map<String, Row> rows = orderRows();
    assertThat(seen.stream().map(Order::orderId).collect(Collectors.toSet()))
        .as("orders in the gateway that no citizen was answered with")
        .containsAll(rows.keySet());
    for (Order o : seen) {
      Row row = rows.get(o.orderId());
      assertThat(row).as("order %s in the gateway", o.orderId()).isNotNull();
      if (o.paid()) {
        assertThat(row.status()).as("status of paid order %s", o.orderId()).isEqualTo("delivered");
        assertThat(row.receiptNo()).isEqualTo(booked.get(o.orderId()).receiptNo());
      } else {
        assertThat(row.status())
            .as("status of abandoned order %s", o.orderId())
            .isEqualTo("closed");
      }
    }
    return rows;
  }

  private static void assertThePayersSeeDeliveredWithTheReceipt(
      List<Order> paid, Map<String, BookingLog.Booking> booked) {
    for (Order o : paid) {
      HttpResponse<String> r =
          Http.get(
              relay.baseUrl() + "/v1/payments/" + o.orderId(),
              Map.of("Authorization", "Bearer " + o.item().shopper().token()));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject order = new JsonObject(r.body());
      assertThat(order.getString("status")).isEqualTo("delivered");
      assertThat(order.getJsonObject("receipt").getString("receiptNo"))
          .isEqualTo(booked.get(o.orderId()).receiptNo());
    }
  }

  // ---------- waiting ----------

  /**
   * Every order the citizens paid is past the outbox: delivered, or parked for review (which fails
   * later).
   */
  private static boolean settled(PaymentDriver driver) {
    try {
      Set<String> paid =
          driver.orders().stream()
              .filter(Order::paid)
              .map(Order::orderId)
              .collect(Collectors.toSet());
      Map<String, Row> rows = orderRows();
      return paid.stream()
          .allMatch(
              id ->
                  rows.containsKey(id)
                      && Set.of("delivered", "needs_review").contains(rows.get(id).status()));
    } catch (SQLException e) {
      return false;
    }
  }

  private static Map<String, Row> orderRows() throws SQLException {
    Map<String, Row> rows = new HashMap<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT order_id, status, receipt_no, bill_ref, amount_fen FROM payment_orders")) {
      while (rs.next()) {
        rows.put(
            rs.getString(1),
            new Row(rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
      }
    }
    return rows;
  }

  private static Map<String, Long> eventSources() throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT source || ' ' || outcome, count(*) FROM payment_events GROUP BY 1 "
                    + "ORDER BY 1")) {
      while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
    }
    return out;
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(Check check, Duration within, String what) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "waited " + within + " for " + what + "; gateway log:\n" + gateway.tail());
      }
      Thread.sleep(200);
    }
  }

  // ---------- configuration and report ----------

  /**
   * The gateway's configuration: the demo's keys, this PostgreSQL, the channels behind the relay,
   * quick rounds.
   */
  private static Map<String, String> settings(DemoKeys keys, Path dir) {
    Map<String, String> s = new LinkedHashMap<>(keys.gatewaySettings());
    s.putAll(database.gatewaySettings());
    s.putAll(channels.gatewaySettings());
    s.put("dataDir", dir.resolve("gateway").toString());
    s.put("http.host", "127.0.0.1");
    s.put("http.port", "0");
    s.put("http.instances", "1");
    s.put("http.shutdownGrace", "1s");
    s.put("identity.sessionTtl", "2h");
    s.put("payments.notifyBaseUrl", relay.baseUrl());
    s.put("payments.outboxInterval", "200ms");
    s.put("payments.outboxBackoff", "500ms");
    s.put("payments.outboxMaxBackoff", "3s");
    s.put("payments.outboxLease", "10s");
    s.put("payments.reconcileInterval", "1s");
    s.put("payments.reconcileAfter", "5s");
    s.put("reminders.findInterval", "1h");
    return s;
  }

  private static void writeSummary(
      Path dir,
      PaymentDriver driver,
      List<Item> items,
      List<Order> paid,
      Map<String, Row> rows,
      List<Long> downNanos,
      long began,
      long prepared,
      long driven,
      long settled)
      throws Exception {
    long alipayPaid = paid.stream().filter(o -> o.channel().equals("alipay")).count();
    long fines = paid.stream().filter(o -> o.item().billType().equals("traffic_fine")).count();
    long repeated =
        departments.simulators().stream().mapToLong(DepartmentSimulator::repeatedPayments).sum();
    long renotified =
        paid.stream()
            .filter(
                o ->
                    ("alipay".equals(o.channel())
                            ? channels.alipay().notificationAttempts(o.orderId())
                            : channels.wechat().notificationAttempts(o.orderId()))
                        > 1)
            .count();
    StringBuilder md = new StringBuilder();
    md.append("- seed ")
        .append(SEED)
        .append("; ")
        .append(ORDERS)
        .append(" orders paid (")
        .append(alipayPaid)
        .append(" Alipay, ")
        .append(paid.size() - alipayPaid)
        .append(" WeChat; ")
        .append(fines)
        .append(" fines, ")
        .append(paid.size() - fines)
        .append(" utility bills) by ")
        .append(items.stream().map(i -> i.shopper().index()).distinct().count())
        .append(" citizens on ")
        .append(THREADS)
        .append(" client threads; ")
        .append(driver.orders().size() - paid.size())
        .append(" orders closed and retried under a new key\n");
    md.append(
        "- kills (SIGKILL), each followed by a restart on the same data directory and database:\n");
    List<KillSwitch.Fired> fired = killSwitch.fired();
    for (int i = 0; i < fired.size(); i++) {
      KillSwitch.Fired f = fired.get(i);
      md.append("  ")
          .append(i + 1)
          .append(". inside ")
          .append(
              f.kill().point() == Point.CALLBACK
                  ? "a channel callback (" + f.event() + ")"
                  : "an outbox delivery (the department had booked it)")
          .append(", event ")
          .append(f.kill().nthEvent())
          .append(" after arming, ")
          .append(f.kill().delayMs())
          .append(" ms later; back to ready in ")
          .append(seconds(downNanos.get(i)))
          .append(" s\n");
    }
    md.append("- clients met the dead gateway ")
        .append(driver.connectionFailures())
        .append(
            " times (refused or cut connections) and retried with the same Idempotency-Key; answers: ")
        .append(driver.statuses())
        .append("\n");
    md.append("- departments answered ")
        .append(repeated)
        .append(" repeated deliveries from an earlier booking; ")
        .append(renotified)
        .append(
            " paid orders were notified more than once by their channel; payment events by source and outcome: ")
        .append(eventSources())
        .append("\n");
    md.append(
            "- result: every paid order booked exactly once, charged exactly once, delivered with the booked ")
        .append("receipt; ")
        .append(rows.size())
        .append(" orders in the gateway, none unseen, none needing review\n");
    md.append("- time: prepare (PostgreSQL, first start and migrations, departments, ")
        .append(items.stream().map(i -> i.shopper().index()).distinct().count())
        .append(" logins) ")
        .append(seconds(prepared - began))
        .append(" s; paying with kills ")
        .append(seconds(driven - prepared))
        .append(" s; settling ")
        .append(seconds(settled - driven))
        .append(" s; machine load at the end ")
        .append(
            Files.exists(Path.of("/proc/loadavg"))
                ? Files.readString(Path.of("/proc/loadavg")).trim()
                : "n/a")
        .append("\n");
    Files.writeString(dir.resolve("summary.md"), md.toString(), StandardCharsets.UTF_8);
    System.out.println("crash injection summary (" + dir + "):\n" + md);
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
