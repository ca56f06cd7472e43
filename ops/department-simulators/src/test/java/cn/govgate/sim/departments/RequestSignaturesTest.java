package cn.govgate.sim.departments;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The department side of the request signature against the test vectors of
 * contracts/department-backend.yaml.
 */
class RequestSignaturesTest {
  private static final String SECRET = "govgate-dept-test-secret-0001";
  private static final long TIMESTAMP = 1735689600L;
  private static final String PATH = "/social-security/account";
  private static final Buffer BODY =
      Buffer.buffer(
          "{\"serviceType\":\"social-security.account\",\"region\":\"330100\","
              + "\"citizen\":{\"idNumber\":\"11010519491231002X\",\"name\":\"张三\"},\"query\":{}}");
  private final RequestSignatures verifier =
      RequestSignatures.verifier(
          Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC),
          keyId -> keyId.equals("dept-test-key") ? SECRET : null);

  @Test
  void signsBothContractVectors() {
    assertThat(
            RequestSignatures.signature(
                RequestSignatures.HMAC_SHA256, SECRET, "POST", PATH, TIMESTAMP, BODY))
        .isEqualTo("99HH9MKqHPiyxtc+orK/31S8M4DgzlNZRx5ZGObXX8s=");
    assertThat(
            RequestSignatures.signature(
                RequestSignatures.HMAC_SM3, SECRET, "POST", PATH, TIMESTAMP, BODY))
        .isEqualTo("n1Tf9CsGOytpaBMk90La/PNKXX/brFNAa/kwKaaW3dk=");
    assertThat(
            RequestSignatures.signature(
                RequestSignatures.HMAC_SM3, SECRET, "GET", "/health", TIMESTAMP, null))
        .isEqualTo("rTuCaJve4jrTcuG4qmD4osFmejRMCAvaEj57QviieNM=");
  }

  @Test
  void acceptsEachAlgorithmOnlyUnderItsOwnName() {
    MultiMap sm3 = headers("HMAC-SM3", "n1Tf9CsGOytpaBMk90La/PNKXX/brFNAa/kwKaaW3dk=");
    assertThat(verifier.refusal("POST", PATH, sm3, BODY)).isNull();
    MultiMap sha = headers(null, "99HH9MKqHPiyxtc+orK/31S8M4DgzlNZRx5ZGObXX8s=");
    assertThat(verifier.refusal("POST", PATH, sha, BODY)).isNull();
    assertThat(
            verifier.refusal(
                "POST", PATH, sha.set(RequestSignatures.ALGORITHM_HEADER, "HMAC-SM3"), BODY))
        .isEqualTo("signature mismatch");
    assertThat(verifier.refusal("POST", PATH, headers("HMAC-SHA1", "x"), BODY))
        .isEqualTo("unknown signature algorithm");
  }

  private static MultiMap headers(String algorithm, String signature) {
    MultiMap h =
        MultiMap.caseInsensitiveMultiMap()
            .set(RequestSignatures.KEY_ID_HEADER, "dept-test-key")
            .set(RequestSignatures.TIMESTAMP_HEADER, Long.toString(TIMESTAMP))
            .set(RequestSignatures.SIGNATURE_HEADER, signature)
            .set(RequestSignatures.REQUEST_ID_HEADER, "r");
    if (algorithm != null) h.set(RequestSignatures.ALGORITHM_HEADER, algorithm);
    return h;
  }
}
