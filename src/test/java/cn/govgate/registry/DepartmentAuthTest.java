package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.crypto.MacAlgorithm;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DepartmentAuthTest {

  // The test vector published in contracts/department-backend.yaml (info.description, "Test
  // vector").
  private static final String SECRET = "govgate-dept-test-secret-0001";
  private static final String KEY_ID = "dept-test-key";
  private static final long TIMESTAMP = 1735689600L;
  private static final String PATH = "/social-security/account";
  private static final Buffer BODY =
      Buffer.buffer(
          "{\"serviceType\":\"social-security.account\",\"region\":\"330100\","
              + "\"citizen\":{\"idNumber\":\"11010519491231002X\",\"name\":\"张三\"},\"query\":{}}");
  private static final String VECTOR_SIGNATURE = "99HH9MKqHPiyxtc+orK/31S8M4DgzlNZRx5ZGObXX8s=";
  private static final String SM3_SIGNATURE = "n1Tf9CsGOytpaBMk90La/PNKXX/brFNAa/kwKaaW3dk=";

  private final Clock atVectorTime = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC);
  private final DepartmentAuth.Verifier verifier =
      DepartmentAuth.verifier(atVectorTime, keyId -> KEY_ID.equals(keyId) ? SECRET : null);

  @Test
  void signsTheContractTestVector() {
    assertThat(DepartmentAuth.sha256Hex(BODY.getBytes()))
        .isEqualTo("f9854ed16ad145b9ada4460139e71d226ca77cdea6b56fa034a7dc3f9b1b065c");
    assertThat(DepartmentAuth.stringToSign("post", PATH, TIMESTAMP, BODY.getBytes()))
        .isEqualTo(
            "POST\n/social-security/account\n1735689600\n"
                + "f9854ed16ad145b9ada4460139e71d226ca77cdea6b56fa034a7dc3f9b1b065c\n");

    DepartmentAuth.SignedHeaders headers =
        DepartmentAuth.sign("POST", PATH, BODY, atVectorTime, KEY_ID, SECRET, "req-1");

    assertThat(headers.signature()).isEqualTo(VECTOR_SIGNATURE);
    assertThat(headers.asMap())
        .containsEntry("X-Govgate-Key-Id", KEY_ID)
        .containsEntry("X-Govgate-Timestamp", "1735689600")
        .containsEntry("X-Govgate-Signature", VECTOR_SIGNATURE)
        .containsEntry("X-Request-Id", "req-1");
  }

  @Test
  void signsTheContractHmacSm3Vectors() {
    assertThat(DepartmentAuth.sm3Hex(BODY.getBytes()))
        .isEqualTo("cf889004fc4f256fc29717696f23cb34cb17b8b767966ff780dbf4d6b90b2547");
    DepartmentAuth.SignedHeaders post =
        DepartmentAuth.sign(
            MacAlgorithm.HMAC_SM3, "POST", PATH, BODY, atVectorTime, KEY_ID, SECRET, "req-3");
    assertThat(post.signature()).isEqualTo(SM3_SIGNATURE);
    assertThat(post.asMap()).containsEntry("X-Govgate-Signature-Algorithm", "HMAC-SM3");
    assertThat(
            DepartmentAuth.sign(
                    MacAlgorithm.HMAC_SM3, "GET", "/health", null, TIMESTAMP, KEY_ID, SECRET, "r")
                .signature())
        .isEqualTo("rTuCaJve4jrTcuG4qmD4osFmejRMCAvaEj57QviieNM=");
  }

  @Test
  void verifiesWithTheAlgorithmTheHeaderNamesAndNoOther() {
    MultiMap sm3 =
        vectorHeaders()
            .set("X-Govgate-Signature-Algorithm", "HMAC-SM3")
            .set("X-Govgate-Signature", SM3_SIGNATURE);
    assertThat(verifier.verify("POST", PATH, sm3, BODY).valid()).isTrue();
    // The SHA-256 signature under the SM3 label, or the reverse, is refused; so is an unknown
    // algorithm.
    assertThat(
            verifier
                .verify(
                    "POST",
                    PATH,
                    vectorHeaders().set("X-Govgate-Signature-Algorithm", "HMAC-SM3"),
                    BODY)
                .reason())
        .isEqualTo("signature mismatch");
    assertThat(
            verifier
                .verify("POST", PATH, sm3.set("X-Govgate-Signature-Algorithm", "HMAC-SHA256"), BODY)
                .valid())
        .isFalse();
    assertThat(
            verifier
                .verify(
                    "POST",
                    PATH,
                    vectorHeaders().set("X-Govgate-Signature-Algorithm", "HMAC-MD5"),
                    BODY)
                .reason())
        .isEqualTo("unknown signature algorithm");
  }

  @Test
  void theDepartmentSimulatorsOwnVerifierAcceptsTheGatewaysSignaturesInBothAlgorithms() {
    String secret = cn.govgate.testing.TestGateways.randomKey(24);
    Buffer body = Buffer.buffer("{\"region\":\"510100\",\"name\":\"李四\"}");
    cn.govgate.sim.departments.RequestSignatures department =
        cn.govgate.sim.departments.RequestSignatures.verifier(atVectorTime, keyId -> secret);
    for (MacAlgorithm a : MacAlgorithm.values()) {
      MultiMap headers =
          DepartmentAuth.sign(a, "POST", "/traffic/fines", body, atVectorTime, "k", secret, "r")
              .addTo(MultiMap.caseInsensitiveMultiMap());
      assertThat(department.refusal("POST", "/traffic/fines", headers, body))
          .as(a.configName())
          .isNull();
      assertThat(department.refusal("POST", "/traffic/fines", headers, Buffer.buffer("{}")))
          .isNotNull();
    }
  }

  @Test
  void signsAnEmptyBodyAsTheHashOfNoBytes() {
    DepartmentAuth.SignedHeaders headers =
        DepartmentAuth.sign("GET", "/health", null, TIMESTAMP, KEY_ID, SECRET, "req-2");

    assertThat(headers.signature()).isEqualTo("yy6VhV0OxNcbCeyFl/aOUlU41nQmo/PluIgtvwtSulc=");
  }

  @Test
  void acceptsTheVectorRequest() {
    DepartmentAuth.Verification result = verifier.verify("POST", PATH, vectorHeaders(), BODY);

    assertThat(result.valid()).isTrue();
    assertThat(result.keyId()).isEqualTo(KEY_ID);
  }

  @Test
  void rejectsTamperedBody() {
    Buffer tampered = Buffer.buffer(BODY.toString().replace("330100", "330200"));

    assertThat(verifier.verify("POST", PATH, vectorHeaders(), tampered).valid()).isFalse();
  }

  @Test
  void rejectsTamperedPathOrMethod() {
    assertThat(verifier.verify("POST", "/housing-fund/account", vectorHeaders(), BODY).valid())
        .isFalse();
    assertThat(verifier.verify("PUT", PATH, vectorHeaders(), BODY).valid()).isFalse();
  }

  @Test
  void rejectsTamperedSignature() {
    MultiMap headers =
        vectorHeaders().set("X-Govgate-Signature", "AA" + VECTOR_SIGNATURE.substring(2));

    DepartmentAuth.Verification result = verifier.verify("POST", PATH, headers, BODY);

    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).isEqualTo("signature mismatch");
  }

  @Test
  void rejectsUnknownKeyIdAndMissingHeaders() {
    assertThat(
            verifier
                .verify("POST", PATH, vectorHeaders().set("X-Govgate-Key-Id", "other"), BODY)
                .reason())
        .isEqualTo("unknown key id");
    assertThat(
            verifier
                .verify("POST", PATH, vectorHeaders().remove("X-Govgate-Signature"), BODY)
                .valid())
        .isFalse();
    assertThat(
            verifier
                .verify("POST", PATH, vectorHeaders().set("X-Govgate-Timestamp", "soon"), BODY)
                .valid())
        .isFalse();
  }

  @Test
  void acceptsClockSkewUpToFiveMinutesEitherWay() {
    for (long skew : new long[] {-300, 300}) {
      Clock verifierClock = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + skew), ZoneOffset.UTC);
      DepartmentAuth.Verifier skewed = DepartmentAuth.verifier(verifierClock, keyId -> SECRET);

      assertThat(skewed.verify("POST", PATH, vectorHeaders(), BODY).valid())
          .as("skew %d s", skew)
          .isTrue();
    }
  }

  @Test
  void rejectsStaleOrFutureTimestampsBeyondFiveMinutes() {
    for (long skew : new long[] {-301, 301}) {
      Clock verifierClock = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + skew), ZoneOffset.UTC);
      DepartmentAuth.Verifier skewed = DepartmentAuth.verifier(verifierClock, keyId -> SECRET);

      DepartmentAuth.Verification result = skewed.verify("POST", PATH, vectorHeaders(), BODY);

      assertThat(result.valid()).as("skew %d s", skew).isFalse();
      assertThat(result.reason()).isEqualTo("timestamp outside the accepted window");
    }
  }

  private static MultiMap vectorHeaders() {
    return MultiMap.caseInsensitiveMultiMap()
        .set("x-govgate-key-id", KEY_ID)
        .set("X-Govgate-Timestamp", Long.toString(TIMESTAMP))
        .set("X-Govgate-Signature", VECTOR_SIGNATURE)
        .set("X-Request-Id", "req-1");
  }
}
