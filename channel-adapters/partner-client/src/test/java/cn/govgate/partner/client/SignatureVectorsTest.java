package cn.govgate.partner.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of {@code contracts/partner-api.yaml} ({@code x-signature-examples}): this
 * client reproduces each canonical string from the example's request, the published signature
 * verifies with the published public key, and a signature this client makes verifies too; one
 * changed byte does not.
 */
class SignatureVectorsTest {

  static List<JsonNode> examples() throws Exception {
    try (InputStream in =
        SignatureVectorsTest.class.getResourceAsStream("/contracts/partner-api.yaml")) {
      JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(in);
      List<JsonNode> out = new ArrayList<>();
      doc.path("x-signature-examples").forEach(out::add);
      return out;
    }
  }

  /** The query of an example as decoded name/value pairs, in the order written. */
  static List<Map.Entry<String, String>> query(String raw) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw.isEmpty()) return out;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.add(
          Map.entry(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
    }
    return out;
  }

  static String param(String header, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(header);
    assertThat(m.find()).as(name + " in " + header).isTrue();
    return m.group(1);
  }

  @Test
  void theContractCarriesAnExampleOfEachAlgorithm() throws Exception {
    assertThat(examples().stream().map(e -> e.path("algorithm").asText()))
        .containsExactlyInAnyOrder("RSA2", "SM2");
  }

  @Test
  void theCanonicalStringOfEachExampleIsReproducedAndItsSignatureVerifies() throws Exception {
    for (JsonNode ex : examples()) {
      Algorithm alg = Algorithm.valueOf(ex.path("algorithm").asText());
      JsonNode req = ex.path("request");
      byte[] body = req.path("body").asText().getBytes(StandardCharsets.UTF_8);
      String canonical =
          Canonical.request(
              req.path("method").asText(),
              req.path("path").asText(),
              query(req.path("query").asText()),
              req.path("timestamp").asLong(),
              req.path("nonce").asText(),
              body);
      assertThat(canonical).as(alg + " canonical string").isEqualTo(ex.path("canonical").asText());

      String header = ex.path("authorization").asText();
      assertThat(header).startsWith(alg.scheme() + " ");
      assertThat(param(header, "appid")).isEqualTo(ex.path("appId").asText());
      assertThat(param(header, "keyid")).isEqualTo(ex.path("keyId").asText());
      assertThat(param(header, "timestamp")).isEqualTo(req.path("timestamp").asText());
      assertThat(param(header, "nonce")).isEqualTo(req.path("nonce").asText());
      PublicKey key = Keys.publicKey(alg, ex.path("publicKey").asText());
      byte[] signature = Base64.getDecoder().decode(param(header, "signature"));
      byte[] signed = canonical.getBytes(StandardCharsets.UTF_8);
      assertThat(alg.verify(key, null, signed, signature))
          .as(alg + " published signature")
          .isTrue();
      signed[signed.length - 2] ^= 1;
      assertThat(alg.verify(key, null, signed, signature))
          .as(alg + " after one changed byte")
          .isFalse();
    }
  }

  @Test
  void aSignatureOfThisClientVerifiesAndItsHeaderHasTheSpecifiedForm() {
    for (Algorithm alg : Algorithm.values()) {
      KeyPair pair = Keys.generate(alg);
      PartnerSigner signer = PartnerSigner.create("bank-demo", "k1", alg, pair.getPrivate());
      PartnerSigner.Signed s =
          signer.sign(
              "POST",
              "/open/v1/x",
              List.of(Map.entry("b", "2"), Map.entry("a", "1 +")),
              "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
              1767225600L,
              "abcdefghijklmnop");
      assertThat(s.canonical())
          .isEqualTo(
              "POST\n/open/v1/x\na=1%20%2B&b=2\n1767225600\nabcdefghijklmnop\n"
                  + Canonical.sha256Hex("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                  + "\n");
      assertThat(s.authorization())
          .matches(
              alg.scheme()
                  + " appid=\"bank-demo\",keyid=\"k1\",timestamp=\"1767225600\",nonce=\"abcdefghijklmnop\",signature=\"[A-Za-z0-9+/=]+\"");
      byte[] signature = Base64.getDecoder().decode(param(s.authorization(), "signature"));
      assertThat(
              alg.verify(
                  pair.getPublic(),
                  null,
                  s.canonical().getBytes(StandardCharsets.UTF_8),
                  signature))
          .isTrue();
    }
  }

  @Test
  void queryParametersAreSortedByEncodedNameThenValue() {
    assertThat(
            Canonical.query(
                List.of(
                    Map.entry("z", "1"),
                    Map.entry("a", "b"),
                    Map.entry("a", "a"),
                    Map.entry("é", "~x y"))))
        .isEqualTo("%C3%A9=~x%20y&a=a&a=b&z=1");
    assertThat(Canonical.query(List.of())).isEmpty();
  }

  @Test
  void aResponseSignatureVerifiesOnlyForItsStatusNonceAndBody() {
    for (Algorithm alg : Algorithm.values()) {
      KeyPair pair = Keys.generate(alg);
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      String canonical = Canonical.response(200, "abcdefghijklmnop", 1767225600L, body);
      String sig =
          Base64.getEncoder()
              .encodeToString(
                  alg.sign(pair.getPrivate(), null, canonical.getBytes(StandardCharsets.UTF_8)));
      String header =
          alg.scheme()
              + " keyid=\"gw\",timestamp=\"1767225600\",nonce=\"abcdefghijklmnop\",signature=\""
              + sig
              + "\"";
      ResponseVerifier v =
          new ResponseVerifier(
              List.of(new ResponseVerifier.GatewayKey("gw", alg, pair.getPublic())));
      assertThat(v.verify(header, 200, "abcdefghijklmnop", body)).isTrue();
      assertThat(v.verify(header, 201, "abcdefghijklmnop", body)).isFalse();
      assertThat(v.verify(header, 200, "abcdefghijklmnoq", body)).isFalse();
      assertThat(
              v.verify(
                  header,
                  200,
                  "abcdefghijklmnop",
                  "{\"ok\":false}".getBytes(StandardCharsets.UTF_8)))
          .isFalse();
    }
  }
}
