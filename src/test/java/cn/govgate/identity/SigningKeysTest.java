package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.testing.TestGateways;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ES256 keys third parties verify with: JWKS of current and previous keys, RFC 7638 key ids.
 */
class SigningKeysTest {

  private static String pem(Path file) throws java.io.IOException {
    TestGateways.writeEcPem(file);
    return java.nio.file.Files.readString(file);
  }

  @Test
  void aSignatureByTheCurrentKeyVerifiesWithThePublishedJwks(@TempDir Path dir) throws Exception {
    String current = pem(dir.resolve("current.pem"));
    String previous = pem(dir.resolve("previous.pem"));
    SigningKeys keys = SigningKeys.fromPem(List.of(current, previous));
    JWKSet published = JWKSet.parse(keys.jwks().encode());
    assertThat(published.getKeys()).hasSize(2);
    assertThat(published.getKeys().get(0).getKeyID()).isEqualTo(keys.current().kid());
    ECKey jwk = (ECKey) published.getKeyByKeyId(keys.current().kid());
    assertThat(jwk.computeThumbprint().toString()).isEqualTo(keys.current().kid());
    assertThat(jwk.isPrivate()).isFalse();

    JWSObject proof =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keys.current().kid()).build(),
            new Payload("{\"serial\":\"P1\"}"));
    proof.sign(new ECDSASigner(keys.current().privateKey()));
    JWSObject received = JWSObject.parse(proof.serialize());
    assertThat(received.verify(new ECDSAVerifier(jwk))).isTrue();
    ECKey old = (ECKey) published.getKeys().get(1);
    assertThat(received.verify(new ECDSAVerifier(old)))
        .as("another key does not verify it")
        .isFalse();
  }

  @Test
  void somethingThatIsNotAP256KeyIsRefused() {
    assertThatThrownBy(
            () ->
                SigningKeys.fromPem(
                    List.of("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
