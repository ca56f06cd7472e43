package cn.govgate.services;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.time.Instant;
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
 * Shaping a department answer into the citizen's answer: only contract fields, then the JSON the
 * client gets.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShapingBenchmark {
  private JsonObject data;
  private final Instant asOf = Instant.now();

  @Setup
  public void setUp() throws Exception {
    try (InputStream in =
        ShapingBenchmark.class
            .getClassLoader()
            .getResourceAsStream("contracts/examples/department/socialSecurityAccount.json")) {
      data =
          new JsonObject(Buffer.buffer(in.readAllBytes()))
              .getJsonObject("response")
              .getJsonObject("body");
    }
  }

  @Benchmark
  public JsonObject shapeAccount() {
    return CitizenServiceRoutes.socialSecurityAccount(data);
  }

  @Benchmark
  public Buffer shapeAndEncodeAnswer() {
    return new JsonObject()
        .put("data", CitizenServiceRoutes.socialSecurityAccount(data))
        .put("interactionId", "AAAAAAAAAAAAAAAAAAAAAA")
        .put("department", "hz-social-security")
        .put("stale", false)
        .put("asOf", asOf.toString())
        .toBuffer();
  }
}
