package cn.govgate.registry;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
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
 * Building the department request body of a social-security account read and signing it
 * (HMAC-SHA256).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestSigningBenchmark {
  private final Clock clock = Clock.systemUTC();
  private JsonObject citizen;
  private Buffer body;

  @Setup
  public void setUp() {
    citizen = new JsonObject().put("idNumber", "330105198705305219").put("name", "程佳力");
    body = requestBody();
  }

  private Buffer requestBody() {
    return new JsonObject()
        .put("serviceType", "social-security.account")
        .put("region", "330100")
        .put("citizen", citizen)
        .put("query", new JsonObject())
        .toBuffer();
  }

  @Benchmark
  public Buffer buildBody() {
    return requestBody();
  }

  @Benchmark
  public DepartmentAuth.SignedHeaders sign() {
    return DepartmentAuth.sign(
        "POST",
        "/social-security/account",
        body,
        clock,
        "key-1",
        "govgate-dept-test-secret-0001",
        "3f6c1a2e-8d4b-4c1e-9a57-1b2c3d4e5f60");
  }
}
