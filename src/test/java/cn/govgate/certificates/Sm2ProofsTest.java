package cn.govgate.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.app.Gateway;
import cn.govgate.demo.SyntheticCitizen;
import cn.govgate.demo.SyntheticCitizens;
import cn.govgate.demo.departments.DepartmentFamily;
import cn.govgate.demo.departments.DepartmentSimulator;
import cn.govgate.demo.departments.DepartmentSimulatorOptions;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.Http;
import cn.govgate.testing.ServiceSeams;
import cn.govgate.testing.SettableClock;
import cn.govgate.testing.TestGateways;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code certificates.algorithm = SM2}: proofs signed SM3withSM2, checked with Bouncy Castle's JCA directly. */
class Sm2ProofsTest {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static Vertx vertx;
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    List<SyntheticCitizen> citizens = SyntheticCitizens.generate(20, 7L).stream()
        .filter(c -> c.homeRegion().equals(SyntheticCitizens.HANGZHOU)).toList();
    DepartmentSimulator simulator = DepartmentSimulator.start(vertx, DepartmentSimulatorOptions.create(
            DepartmentFamily.HOUSING_FUND, SyntheticCitizens.HANGZHOU, DepartmentProofSource.KEY_ID,
            DepartmentProofSource.SECRET, citizens))
        .await(30, TimeUnit.SECONDS);
    HousingFundProofSource source = new DepartmentProofSource(WebClient.create(vertx), simulator.baseUrl(),
        Map.of("citizen-sm2", citizens.get(0)));
    gateway = ServiceSeams.start(TestGateways.with(TestGateways.settings(), "certificates.algorithm", "SM2"),
        ServiceSeams.seams(new SettableClock(Instant.now()), source));
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateways.stop(gateway);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void sm2ProofVerifiesWithBouncyCastleAgainstThePublishedKey() throws Exception {
    HttpResponse<String> r = Http.post(gateway.baseUrl() + "/v1/housing-fund/proofs",
        new JsonObject().put("purpose", "子女入学").put("validDays", 15).put("region", "330100").encode(),
        ServiceSeams.caller("citizen-sm2", 3));
    ApiContract.of("gateway-api.yaml").assertValid("issueHousingFundProof", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String proof = Http.json(r).getString("proof");
    String[] parts = proof.split("\\.");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("SM3withSM2");

    JsonObject jwk = new JsonObject(Http.get(gateway.baseUrl() + "/.well-known/jwks.json").body())
        .getJsonArray("keys").getJsonObject(0);
    assertThat(jwk.getString("crv")).isEqualTo("SM2");
    assertThat(jwk.getString("kid")).isEqualTo(header.getString("kid"));
    PublicKey key = publicKey(jwk);
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] rs = Base64.getUrlDecoder().decode(parts[2]);
    assertThat(bcVerifies(key, input, rs)).isTrue();

    byte[] tampered = input.clone();
    tampered[parts[0].length() + 5] ^= 1;
    assertThat(bcVerifies(key, tampered, rs)).isFalse();

    JsonObject verdict = Http.json(Http.post(gateway.baseUrl() + "/v1/proofs/verify",
        new JsonObject().put("proof", proof).encode()));
    assertThat(verdict.getBoolean("valid")).isTrue();
  }

  private static PublicKey publicKey(JsonObject jwk) throws Exception {
    ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("sm2p256v1");
    BigInteger x = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("x")));
    BigInteger y = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("y")));
    return KeyFactory.getInstance("EC", BC).generatePublic(
        new ECPublicKeySpec(spec.getCurve().createPoint(x, y), spec));
  }

  /** JCA SM3withSM2 with the documented user id; the JWS carries R‖S, the JCA wants DER. */
  private static boolean bcVerifies(PublicKey key, byte[] input, byte[] rs) throws Exception {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 0, 32))));
    v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 32, 64))));
    Signature s = Signature.getInstance("SM3withSM2", BC);
    s.setParameter(new SM2ParameterSpec("1234567812345678".getBytes(StandardCharsets.US_ASCII)));
    s.initVerify(key);
    s.update(input);
    return s.verify(new DERSequence(v).getEncoded());
  }
}
