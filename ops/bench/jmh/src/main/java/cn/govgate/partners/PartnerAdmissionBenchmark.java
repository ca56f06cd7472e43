package cn.govgate.partners;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Base64;
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
 * The CPU stages of one partner request (bench scenario (e)) that the citizen read (a) does not
 * have, exactly as {@link PartnerGate} runs them: parsing the {@code Authorization} header, the
 * canonical string, verifying the partner's signature, and signing the answer ({@code
 * X-Govgate-Signature}: the gateway's private key of the partner's algorithm, on every answer).
 * What (e) costs beyond these is I/O: the admission statement in PostgreSQL.
 *
 * <p>RSA2 runs twice: through the JDK's provider ({@code RSA2-JDK}, {@code
 * partners.rsaProvider=jdk}) and through Amazon Corretto Crypto Provider ({@code RSA2-ACCP}, what
 * {@code auto} chooses where its native library loads; the setup fails where it does not).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PartnerAdmissionBenchmark {
  private static final String QUERY = "region=330100&consentId=cst_4bQm0T1vJX8kWzR2aY7nPc";
  private static final String NONCE = "n0nce-Rsa2-Example-0001";
  private static final long TIMESTAMP = 1_767_225_600L;

  @Param({"RSA2-JDK", "RSA2-ACCP", "SM2"})
  public String algorithm;

  private SignatureAlgorithm alg;
  private Provider rsa;
  private KeyPair partner;
  private PublicKey partnerKey;
  private SignatureAlgorithm.Signer gateway;
  private byte[] canonical;
  private byte[] signature;
  private String header;
  private byte[] answerBody;

  @Setup
  public void setUp() throws Exception {
    alg = SignatureAlgorithm.valueOf(algorithm.replaceAll("-.*", ""));
    rsa = RsaProviders.choose(algorithm.equals("RSA2-ACCP") ? "auto" : "jdk");
    if (algorithm.equals("RSA2-ACCP") && !RsaProviders.isNative(rsa)) {
      throw new IllegalStateException("Amazon Corretto Crypto Provider did not load here");
    }
    partner = alg.generate();
    // As the partner directory holds it: translated once for the native provider.
    partnerKey = RsaProviders.forVerification(rsa, partner.getPublic());
    gateway = alg.signer(rsa, alg.generate().getPrivate());
    canonical = canonical().getBytes(StandardCharsets.UTF_8);
    signature = alg.sign(rsa, partner.getPrivate(), canonical);
    header =
        alg.scheme()
            + " appid=\"bank-demo\",keyid=\"k-1\",timestamp=\""
            + TIMESTAMP
            + "\",nonce=\""
            + NONCE
            + "\",signature=\""
            + Base64.getEncoder().encodeToString(signature)
            + "\"";
    answerBody =
        ("{\"data\":{\"insuredStatus\":\"active\",\"insuranceTypes\":[\"pension\",\"medical\"],"
                + "\"city\":{\"code\":\"330100\",\"name\":\"杭州市\"},\"employer\":\"杭州某某科技有限公司\","
                + "\"startDate\":\"2015-07-01\",\"pensionAccountBalanceFen\":12345678,"
                + "\"lastPaidMonth\":\"2026-10\"},\"interactionId\":\"itx_01JABCDEFGHJKMNPQRSTVWXYZ\","
                + "\"department\":\"hz-rsj\",\"stale\":false,\"asOf\":\"2026-12-02T09:00:00Z\"}")
            .getBytes(StandardCharsets.UTF_8);
  }

  private static String canonical() {
    return CanonicalRequest.of(
        "GET", "/open/v1/social-security/account", QUERY, TIMESTAMP, NONCE, new byte[0]);
  }

  @Benchmark
  public SignatureHeader parseHeader() {
    return SignatureHeader.parse(header);
  }

  @Benchmark
  public String canonicalString() {
    return canonical();
  }

  /** The partner's request signature (the ≈ 36 µs of an RSA-2048 verification). */
  @Benchmark
  public boolean verifyRequest() {
    return alg.verify(rsa, partnerKey, null, canonical, signature);
  }

  /**
   * The gateway's answer signature: a private-key operation on every answer (one Signature per
   * thread, as {@link PartnerGate} signs).
   */
  @Benchmark
  public byte[] signAnswer() {
    return gateway.sign(
        CanonicalRequest.answer(200, NONCE, TIMESTAMP, answerBody)
            .getBytes(StandardCharsets.UTF_8));
  }
}
