package cn.govgate.audit;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
 * Encoding one audit record of a read: the details' JSON text, the chain HMAC and the row's
 * parameters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditEncodingBenchmark {
  private AuditHasher hasher;
  private AuditEvent event;
  private final String prev = "0".repeat(64);

  @Setup
  public void setUp() {
    hasher = new AuditHasher(new byte[32]);
    event =
        AuditEvent.success(
            "citizen",
            "citizen-key-0001",
            "social_security.account.read",
            "citizen-key-0001",
            "3f6c1a2e-8d4b-4c1e-9a57-1b2c3d4e5f60",
            new JsonObject()
                .put("serviceType", "social-security.account")
                .put("region", "330100")
                .put("department", "hz-social-security")
                .put("stale", false));
  }

  @Benchmark
  public Tuple encodeRecord() {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    AuditRecord r = AuditRecord.of(42, at, event, prev);
    String hash = hasher.hash(r, MacAlgorithm.HMAC_SHA256);
    return Tuple.of(
            r.seq(),
            r.at().atOffset(ZoneOffset.UTC),
            r.actorType(),
            r.actorId(),
            r.action(),
            r.citizenKey(),
            r.outcome(),
            r.requestId())
        .addValue(r.details())
        .addValue(prev)
        .addValue(hash)
        .addValue(MacAlgorithm.HMAC_SHA256.configName());
  }
}
