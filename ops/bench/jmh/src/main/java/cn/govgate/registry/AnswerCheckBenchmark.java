package cn.govgate.registry;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checking a department answer: parsing the body, and the check against {@code
 * contracts/department-backend.yaml} (the golden example of {@code socialSecurityAccount}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AnswerCheckBenchmark {
  private Vertx vertx;
  private ContractCheck check;
  private AnswerCheck lean;
  private AnswerCheck sampled;
  private Buffer raw;
  private JsonObject parsed;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    check =
        new ContractCheck(
            OpenAPIContract.from(vertx, "contracts/department-backend.yaml")
                .await(1, TimeUnit.MINUTES));
    raw =
        example("socialSecurityAccount").getJsonObject("response").getJsonObject("body").toBuffer();
    parsed = raw.toJsonObject();
    lean = AnswerCheck.create(check.contract(), 0.0, new SimpleMeterRegistry());
    sampled = AnswerCheck.create(check.contract(), 0.01, new SimpleMeterRegistry());
    if (!leanCheck() || !sampledCheck())
      throw new IllegalStateException("the golden example fails the lean check");
    if (!fullCheck()) throw new IllegalStateException("the golden example does not pass the check");
  }

  static JsonObject example(String operationId) throws IOException {
    try (InputStream in =
        AnswerCheckBenchmark.class
            .getClassLoader()
            .getResourceAsStream("contracts/examples/department/" + operationId + ".json")) {
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public JsonObject parse() {
    return raw.toJsonObject();
  }

  /** What the request path runs on every answer: the check compiled from the contract. */
  @Benchmark
  public boolean leanCheck() {
    return lean.accepts("socialSecurityAccount", 200, "application/json", parsed);
  }

  /** The lean check plus the full validation of 1 % of the answers (the default share). */
  @Benchmark
  public boolean sampledCheck() {
    return sampled.accepts("socialSecurityAccount", 200, "application/json", parsed);
  }

  /** The full interpreting schema validation (what every answer cost before). */
  @Benchmark
  public boolean fullCheck() {
    return check.matches("socialSecurityAccount", 200, "application/json", parsed);
  }
}
