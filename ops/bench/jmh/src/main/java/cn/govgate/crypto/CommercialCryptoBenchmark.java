package cn.govgate.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the crypto profile on personal data (issue 16): sealing and opening a typical ID
 * number and name (AES-256-GCM vs SM4-GCM, what a citizen row holds), and the blind index of an ID
 * number (HMAC-SHA256 vs HMAC-SM3, what every lookup and login computes). The primitives exactly as
 * the gateway calls them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommercialCryptoBenchmark {
  private static final byte[] ID = "11010519491231002X".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NAME = "欧阳晓明".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ID_PURPOSE = "citizens.id_number".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NAME_PURPOSE = "citizens.name".getBytes(StandardCharsets.UTF_8);
  private static final byte[] INDEX_PURPOSE = "id_number".getBytes(StandardCharsets.UTF_8);

  /** The sealing algorithm under test, its key and a sealed citizen row. */
  @State(Scope.Benchmark)
  public static class Sealing {
    @Param({"AES-256-GCM", "SM4-GCM"})
    public String sealing;

    SealAlgorithm seal;
    byte[] key;
    byte[] sealedId;
    byte[] sealedName;

    @Setup
    public void setUp() {
      seal = SealAlgorithm.ofConfigName(sealing);
      key = seal.key(random(), "data");
      sealedId = seal.seal(key, ID_PURPOSE, ID);
      sealedName = seal.seal(key, NAME_PURPOSE, NAME);
    }
  }

  /** The blind-index algorithm under test and its key. */
  @State(Scope.Benchmark)
  public static class Indexing {
    @Param({"HMAC-SHA256", "HMAC-SM3"})
    public String mac;

    MacAlgorithm index;
    byte[] key;

    @Setup
    public void setUp() {
      index = MacAlgorithm.ofConfigName(mac);
      key = random();
    }
  }

  private static byte[] random() {
    byte[] configured = new byte[32];
    new SecureRandom().nextBytes(configured);
    return configured;
  }

  /** A citizen row's two values sealed (a new citizen, or reencrypt per row). */
  @Benchmark
  public int sealIdNumberAndName(Sealing s) {
    return s.seal.seal(s.key, ID_PURPOSE, ID).length
        + s.seal.seal(s.key, NAME_PURPOSE, NAME).length;
  }

  /** A citizen row opened (the citizen directory on a cache miss). */
  @Benchmark
  public int openIdNumberAndName(Sealing s) {
    return s.seal.open(s.key, ID_PURPOSE, s.sealedId).length
        + s.seal.open(s.key, NAME_PURPOSE, s.sealedName).length;
  }

  /** One blind index of an ID number. */
  @Benchmark
  public byte[] blindIndexOfIdNumber(Indexing i) {
    return i.index.mac(i.key, INDEX_PURPOSE, new byte[] {0}, ID);
  }
}
