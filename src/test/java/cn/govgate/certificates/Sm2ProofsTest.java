package cn.govgate.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import cn.govgate.identity.IdentityTestBed;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.citizens.SyntheticCitizens;
import cn.govgate.sim.departments.DepartmentFamily;
import cn.govgate.testing.ApiContract;
import cn.govgate.testing.GatewayTestBed;
import cn.govgate.testing.Http;
import cn.govgate.testing.TestClock;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
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

/**
 * {@code certificates.algorithm = SM2}: proofs signed SM3withSM2, checked with Bouncy Castle's JCA
 * directly.
 */
class Sm2ProofsTest {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static GatewayTestBed bed;
  private static String holderL3;

  @BeforeAll
  static void start() throws Exception {
    bed = new GatewayTestBed(20, 7L, TestClock.running(), "certificates.algorithm", "SM2");
    bed.department(
        "hz-gjj",
        DepartmentFamily.HOUSING_FUND,
        SyntheticCitizens.HANGZHOU,
        "housing-fund.proof-data");
    SyntheticCitizen holder =
        bed.identity.people.stream()
            .filter(c -> c.homeRegion().equals(SyntheticCitizens.HANGZHOU))
            .findFirst()
            .orElseThrow();
    holderL3 = bed.l3("alipay", holder);
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  @Test
  void sm2ProofVerifiesWithBouncyCastleAgainstThePublishedKey() throws Exception {
    HttpResponse<String> r =
        Http.post(
            bed.gateway.baseUrl() + "/v1/housing-fund/proofs",
            new JsonObject()
                .put("purpose", "子女入学")
                .put("validDays", 15)
                .put("region", "330100")
                .encode(),
            IdentityTestBed.bearer(holderL3));
    ApiContract.of("gateway-api.yaml").assertValid("issueHousingFundProof", r);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String proof = Http.json(r).getString("proof");
    String[] parts = proof.split("\\.");
    JsonObject header =
        new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("SM3withSM2");

    JsonObject jwk =
        new JsonObject(Http.get(bed.gateway.baseUrl() + "/.well-known/jwks.json").body())
            .getJsonArray("keys")
            .getJsonObject(0);
    assertThat(jwk.getString("crv")).isEqualTo("SM2");
    assertThat(jwk.getString("kid")).isEqualTo(header.getString("kid"));
    PublicKey key = publicKey(jwk);
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] rs = Base64.getUrlDecoder().decode(parts[2]);
    assertThat(bcVerifies(key, input, rs)).isTrue();

    byte[] tampered = input.clone();
    tampered[parts[0].length() + 5] ^= 1;
    assertThat(bcVerifies(key, tampered, rs)).isFalse();

    JsonObject verdict =
        Http.json(
            Http.post(
                bed.gateway.baseUrl() + "/v1/proofs/verify",
                new JsonObject().put("proof", proof).encode()));
    assertThat(verdict.getBoolean("valid")).isTrue();
  }

  static PublicKey publicKey(JsonObject jwk) throws Exception {
    ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("sm2p256v1");
    BigInteger x = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("x")));
    BigInteger y = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("y")));
    return KeyFactory.getInstance("EC", BC)
        .generatePublic(new ECPublicKeySpec(spec.getCurve().createPoint(x, y), spec));
  }

  /** JCA SM3withSM2 with the documented user id; the JWS carries R‖S, the JCA wants DER. */
  static boolean bcVerifies(PublicKey key, byte[] input, byte[] rs) throws Exception {
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
