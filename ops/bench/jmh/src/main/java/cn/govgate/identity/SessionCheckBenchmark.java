package cn.govgate.identity;

import cn.govgate.channel.spi.Channel;
import cn.govgate.config.IdentityConfig;
import cn.govgate.config.IdentityConfig.NamedKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

/** The session check of every citizen request: the strict claim check and HS256 of an L3 token. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionCheckBenchmark {
  private SessionTokens tokens;
  private String token;

  @Setup
  public void setUp() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    IdentityConfig config =
        new IdentityConfig(
            List.of(new NamedKey("k1", key)),
            List.of(new NamedKey("d1", key)),
            key,
            Duration.ofHours(2),
            Duration.ofSeconds(30),
            "govgate",
            "govgate-citizen",
            Duration.ofHours(2),
            5,
            Duration.ofHours(1),
            Duration.ofSeconds(5),
            List.of(), // no ES256 proof-signing keys
            List.of()); // no SM4 data keys
    tokens = SessionTokens.create(config, Clock.systemUTC());
    Instant now = Instant.now();
    token =
        tokens
            .issue(
                new SessionTokens.Grant(
                    "identity-key-0001",
                    "citizen-key-0001",
                    Level.L3,
                    Channel.WECHAT,
                    "wx00000000demo0001",
                    now,
                    now))
            .token();
    if (tokens.verify(token) == null) throw new IllegalStateException("the token does not verify");
  }

  @Benchmark
  public Session verifyL3Token() {
    return tokens.verify(token);
  }
}
