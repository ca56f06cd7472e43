package cn.govgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.error.ErrorCode;
import cn.govgate.fuzz.ContractOperations.Kind;
import cn.govgate.fuzz.FuzzCases.Case;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.Contracts;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fuzzing from the contracts: {@value #DEFAULT_CASES} seeded cases (system properties {@code
 * fuzz.cases}, {@code fuzz.seed}, {@code fuzz.threads}; {@code ops/fuzz/run.sh} runs 100,000) of
 * malformed requests built from every operation of {@code contracts/} and the channel callbacks,
 * sent over real sockets with keep-alive to a whole gateway with both channel simulators and
 * department simulators, as no one, an L1 session, an L3 session, a department credential and the
 * operator. Every answer must come within {@value #PATIENCE_MS} ms, none may be a 5xx, and every
 * refusal must be in the error shape of {@code contracts/schemas/error.json}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractFuzzTest {
  static final int DEFAULT_CASES = 10_000;
  static final int PATIENCE_MS = 5_000;
  static final long DEFAULT_SEED = 20261202L;

  private GatewayTestBed bed;
  private FuzzCases cases;
  private List<ContractOperations.Operation> operations;
  private final ThreadLocal<Validator> errorSchema =
      ThreadLocal.withInitial(
          () ->
              Validator.create(
                  JsonSchema.of(new JsonObject(Contracts.read("schemas/error.json"))),
                  new JsonSchemaOptions()
                      .setDraft(Draft.DRAFT202012)
                      .setBaseUri("https://govgate.cn/contracts/")));

  @BeforeAll
  void start() throws Exception {
    // Long sessions and face freshness: the 100,000-case run takes longer than the default 15
    // minutes.
    bed =
        new GatewayTestBed(
            30,
            909L,
            TestClock.running(),
            "identity.sessionTtl",
            "12h",
            "identity.faceFreshness",
            "12h");
    String hz = SyntheticCitizens.HANGZHOU;
    bed.department(
        "hz-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        hz,
        "social-security.account",
        "social-security.contributions");
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        hz,
        "housing-fund.account",
        "housing-fund.contributions",
        "housing-fund.proof-data");
    bed.department(
        "hz-jj",
        DepartmentFamily.TRAFFIC,
        hz,
        "traffic.vehicles",
        "traffic.fines",
        "traffic.fine-payment");
    bed.department(
        "hz-water", DepartmentFamily.UTILITIES, hz, "utilities.bill", "utilities.bill-payment");
    bed.department(
        "cd-rsj",
        DepartmentFamily.SOCIAL_SECURITY,
        SyntheticCitizens.CHENGDU,
        "social-security.account");
    List<SyntheticCitizen> hangzhou =
        bed.identity.people.stream().filter(p -> p.homeRegion().equals(hz)).toList();
    Map<String, String> principals = new LinkedHashMap<>();
    principals.put("none", null);
    principals.put("l1", "Bearer " + bed.l1(hangzhou.get(0)));
    principals.put("l3", "Bearer " + bed.l3("alipay", hangzhou.get(1)));
    principals.put("department", bed.credential("hz-rsj"));
    principals.put("operator", bed.operator);
    Map<String, List<String>> known = new HashMap<>();
    known.put("departmentId", List.of("hz-rsj", "hz-gjj", "hz-jj", "hz-water", "cd-rsj"));
    known.put("serviceType", List.of("social-security.account", "traffic.fines", "utilities.bill"));
    operations = ContractOperations.load();
    cases = new FuzzCases(Long.getLong("fuzz.seed", DEFAULT_SEED), operations, principals, known);
  }

  @AfterAll
  void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @Test
  void noMalformedRequestGetsA5xxAnAnswerOutsideTheErrorShapeOrNoAnswerInTime() throws Exception {
    // fuzz.only=96,1203 replays just those cases of the seed (what a failure message names).
    List<Long> only =
        System.getProperty("fuzz.only", "").isBlank()
            ? List.of()
            : java.util.Arrays.stream(System.getProperty("fuzz.only").split(","))
                .map(String::trim)
                .map(Long::valueOf)
                .toList();
    long total = only.isEmpty() ? Long.getLong("fuzz.cases", DEFAULT_CASES) : only.size();
    int threads = Integer.getInteger("fuzz.threads", 6);
    Stats stats = new Stats();
    URI base = URI.create(bed.gateway.baseUrl());
    AtomicLong next = new AtomicLong();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          pool.submit(
              () -> {
                try (RawConnection connection =
                    new RawConnection(base.getHost(), base.getPort(), PATIENCE_MS)) {
                  for (long n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    Case c = cases.make(only.isEmpty() ? n : only.get((int) n));
                    if (c.fresh()) {
                      try (RawConnection own =
                          new RawConnection(base.getHost(), base.getPort(), PATIENCE_MS)) {
                        check(c, own.exchange(c.bytes(), c.head()), stats);
                      }
                    } else {
                      check(c, connection.exchange(c.bytes(), c.head()), stats);
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> w : workers) w.get(1, TimeUnit.HOURS);
    pool.shutdown();
    // A case without an answer in time is sent again alone, once the load of the run is gone: a
    // request that hangs
    // hangs again; one that only waited behind the machine's load (the build machine is shared)
    // answers.
    for (Case c : stats.slow) {
      try (RawConnection alone = new RawConnection(base.getHost(), base.getPort(), PATIENCE_MS)) {
        RawConnection.Reply again = alone.exchange(c.bytes(), c.head());
        String problem = problem(c, again);
        if (problem != null) stats.fail(c.summary() + " → alone again: " + problem);
      }
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    String summary = stats.summary(total, seconds, operations.size());
    System.out.println(summary);
    // ops/fuzz/run.sh prints and records this file.
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "fuzz-summary.txt"), summary);
    assertThat(stats.cases.sum()).isEqualTo(total);
    assertThat(stats.failures).as(summary).isEmpty();
    assertThat(Http.get(bed.gateway.baseUrl() + "/health/ready").statusCode())
        .as("ready after the fuzzing")
        .isEqualTo(200);
  }

  private void check(Case c, RawConnection.Reply reply, Stats stats) {
    stats.record(c, reply);
    String problem = problem(c, reply);
    if (problem == null) return;
    if (reply.status() == RawConnection.Reply.HANG || reply.millis() > PATIENCE_MS)
      stats.slow.add(c);
    else stats.fail(c.summary() + " → " + problem);
  }

  /** What is wrong with the reply, or null. */
  private String problem(Case c, RawConnection.Reply reply) {
    if (reply.status() == RawConnection.Reply.HANG)
      return "no answer within " + PATIENCE_MS + " ms";
    if (reply.status() == RawConnection.Reply.NO_ANSWER)
      return "connection closed without an answer";
    if (reply.millis() > PATIENCE_MS) return "answered after " + reply.millis() + " ms";
    String type = reply.header("content-type");
    boolean json = type != null && type.startsWith("application/json");
    if (c.op().kind() == Kind.CALLBACK && !json && reply.status() < 500)
      return null; // Alipay's "success"/"fail"
    if (c.op().kind() == Kind.CALLBACK
        && json
        && reply.text().contains("\"FAIL\"")
        && reply.status() < 500) {
      return null; // WeChat Pay's reject reply
    }
    if (c.op().kind() == Kind.OPS
        && reply.status() == 503
        && c.op().path().equals("/health/ready")
        && json
        && new JsonObject(reply.text()).getString("status", "").equals("DOWN")) {
      // Readiness answers 503 with its checks whenever one fails, whatever the request (on a
      // starved machine, the
      // database ping can miss its 2 s); the test asserts readiness itself once the run is over.
      return null;
    }
    if (reply.status() >= 500) return reply.status() + " " + FuzzCases.printable(reply.text());
    if (reply.status() < 400) {
      if (json && !c.head()) {
        try {
          new JsonObject(reply.text());
        } catch (RuntimeException e) {
          return reply.status() + " with a body that is not JSON";
        }
      }
      return null;
    }
    if (!json)
      return reply.status()
          + " with Content-Type "
          + type
          + ": "
          + FuzzCases.printable(reply.text());
    if (c.head()) return null;
    try {
      JsonObject error = new JsonObject(reply.text());
      OutputUnit out = errorSchema.get().validate(error);
      if (!out.getValid())
        return reply.status() + " outside the error shape: " + reply.text() + " " + out.getErrors();
      // The one catalogue: the code exists and comes with its own status.
      var entry = ErrorCode.fromWire(error.getString("code"));
      if (entry.isEmpty())
        return reply.status() + " with a code outside the catalogue: " + error.getString("code");
      if (entry.get().status() != reply.status()) {
        return reply.status()
            + " for "
            + entry.get().wire()
            + ", whose status is "
            + entry.get().status();
      }
      return null;
    } catch (RuntimeException e) {
      return reply.status()
          + " with a body that is not a JSON object: "
          + FuzzCases.printable(reply.text());
    }
  }

  /** Counts for the summary; failures kept up to a bound, all counted. */
  static final class Stats {
    final LongAdder cases = new LongAdder();
    final LongAdder failed = new LongAdder();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final List<Case> slow = Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    final Map<String, LongAdder> byMutation = new ConcurrentHashMap<>();
    final Map<String, LongAdder> byCode = new ConcurrentHashMap<>();
    final long[] latencyBuckets = new long[64];
    final AtomicLong maxMillis = new AtomicLong();

    void record(Case c, RawConnection.Reply reply) {
      cases.increment();
      byStatus.computeIfAbsent(reply.status(), s -> new LongAdder()).increment();
      String m = c.mutation();
      int colon = m.indexOf(':');
      byMutation
          .computeIfAbsent(colon < 0 ? m : m.substring(0, colon), k -> new LongAdder())
          .increment();
      if (reply.status() >= 400 && reply.text().startsWith("{")) {
        try {
          String code = new JsonObject(reply.text()).getString("code");
          if (code != null) byCode.computeIfAbsent(code, k -> new LongAdder()).increment();
        } catch (RuntimeException ignored) {
          // reported as a failure by problem()
        }
      }
      maxMillis.accumulateAndGet(reply.millis(), Math::max);
      synchronized (latencyBuckets) {
        latencyBuckets[Math.min(63, 64 - Long.numberOfLeadingZeros(Math.max(1, reply.millis())))]++;
      }
    }

    void fail(String what) {
      failed.increment();
      if (failures.size() < 40) failures.add(what);
    }

    String summary(long total, long seconds, int operations) {
      StringBuilder s = new StringBuilder();
      s.append(
          String.format(
              "fuzz: %d cases over %d operations, seed %d, %d s (%d/s), %d failed, slowest %d ms, "
                  + "p99 ≤ %d ms, %d over %d ms under load (each answered in time when sent again alone, or failed)%n",
              total,
              operations,
              Long.getLong("fuzz.seed", DEFAULT_SEED),
              seconds,
              total / seconds,
              failed.sum(),
              maxMillis.get(),
              p99(),
              slow.size(),
              PATIENCE_MS));
      s.append("  by status: ").append(sorted(byStatus)).append('\n');
      s.append("  by mutation: ").append(sorted(byMutation)).append('\n');
      s.append("  by code: ").append(sorted(byCode)).append('\n');
      for (String f : failures) s.append("  FAIL ").append(f).append('\n');
      return s.toString();
    }

    private long p99() {
      synchronized (latencyBuckets) {
        long n = 0;
        for (long b : latencyBuckets) n += b;
        long seen = 0;
        for (int i = 0; i < 64; i++) {
          seen += latencyBuckets[i];
          if (seen >= n * 0.99) return 1L << i;
        }
        return -1;
      }
    }

    private static <K extends Comparable<K>> Map<K, Long> sorted(Map<K, LongAdder> counts) {
      Map<K, Long> out = new TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
