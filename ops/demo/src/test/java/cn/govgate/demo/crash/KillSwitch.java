package cn.govgate.demo.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the gateway is killed: a seeded plan of kills, each inside a callback (a channel's
 * notification has reached the gateway) or inside an outbox delivery (a department has booked a
 * payment and is about to answer), at the n-th such event after the kill is armed and a few
 * milliseconds after it (0 = at once: before the gateway can act on it). The events arrive on relay
 * and simulator threads; the kill is a SIGKILL sent from there.
 */
final class KillSwitch {
  enum Point {
    CALLBACK,
    OUTBOX
  }

  /** One planned kill. */
  record Kill(int number, Point point, int nthEvent, int delayMs) {}

  /** What happened: the plan, and when it fired. */
  record Fired(Kill kill, String event, long atNanos) {}

  private final GatewayProcess gateway;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "crash-kill-timer");
            t.setDaemon(true);
            return t;
          });
  private final List<Fired> fired = new ArrayList<>();
  private Kill armed;
  private int seen;

  KillSwitch(GatewayProcess gateway) {
    this.gateway = gateway;
  }

  /** {@code count} kills from {@code seed}: the points alternate from a random first one. */
  static List<Kill> plan(long seed, int count) {
    Random random = new Random(seed);
    Point first = random.nextBoolean() ? Point.CALLBACK : Point.OUTBOX;
    List<Kill> plan = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Point point = (i % 2 == 0) == (first == Point.CALLBACK) ? Point.CALLBACK : Point.OUTBOX;
      int delay = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(30);
      plan.add(new Kill(i + 1, point, 1 + random.nextInt(8), delay));
    }
    return List.copyOf(plan);
  }

  synchronized void arm(Kill kill) {
    armed = kill;
    seen = 0;
  }

  /** An event of {@code point}; fires the armed kill when it is the planned one. */
  void event(Point point, String what) {
    Kill fire;
    synchronized (this) {
      if (armed == null || armed.point() != point || ++seen < armed.nthEvent()) return;
      fire = armed;
      armed = null;
      fired.add(new Fired(fire, what, System.nanoTime()));
    }
    if (fire.delayMs() == 0) {
      gateway.kill();
    } else {
      timer.schedule(gateway::kill, fire.delayMs(), TimeUnit.MILLISECONDS);
    }
  }

  synchronized boolean hasFired(Kill kill) {
    return fired.stream().anyMatch(f -> f.kill().equals(kill));
  }

  synchronized List<Fired> fired() {
    return List.copyOf(fired);
  }

  void close() {
    timer.shutdownNow();
  }
}
