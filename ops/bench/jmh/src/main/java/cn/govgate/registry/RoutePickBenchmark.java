package cn.govgate.registry;

import cn.govgate.registry.RegistryStore.BackendRow;
import cn.govgate.resilience.GuardConfig;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The route lookup of a department call: (service type, region) → one enabled backend, in the
 * demo's table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutePickBenchmark {
  private static final List<List<String>> FAMILIES =
      List.of(
          List.of("social-security.account", "social-security.contributions"),
          List.of("housing-fund.account", "housing-fund.contributions", "housing-fund.proof-data"),
          List.of("traffic.vehicles", "traffic.fines", "traffic.fine-payment"),
          List.of("utilities.bill", "utilities.bill-payment"));
  private RouteTable table;

  @Setup
  public void setUp() {
    List<Backend> backends = new ArrayList<>();
    Map<String, String> assigned = new HashMap<>();
    int n = 0;
    for (String region : List.of("330100", "510100")) {
      for (List<String> services : FAMILIES) {
        String department = "dept-" + n;
        BackendSpec spec =
            new BackendSpec(
                services,
                List.of(region),
                "http://127.0.0.1:" + (20000 + n),
                new BackendSpec.Auth("hmac", "key-" + n, null, null),
                GuardConfig.defaults(),
                "/health",
                100,
                false);
        backends.add(
            new Backend(
                new BackendRow(
                    "backend-" + n,
                    department,
                    1,
                    "active",
                    spec,
                    null,
                    0,
                    OffsetDateTime.now(),
                    OffsetDateTime.now()),
                new BackendSpec.Secrets("secret", null),
                null,
                null,
                null));
        spec.routeKeys().forEach(k -> assigned.put(k, department));
        n++;
      }
    }
    table = new RouteTable(backends, assigned);
    if (table.pick("social-security.account", "330100") == null)
      throw new IllegalStateException("no route");
  }

  @Benchmark
  public Backend pickSocialSecurityAccountInHangzhou() {
    return table.pick("social-security.account", "330100");
  }
}
