package cn.govgate.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.config.CertificatesConfig;
import cn.govgate.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProofKeysTest {

  @Test
  void generatedKeyIsKeptInTheDataDirectoryAndReusedOnRestart(@TempDir Path dataDir)
      throws Exception {
    LocalProofKeys first = LocalProofKeys.load(new CertificatesConfig("ES256", null), dataDir);
    LocalProofKeys again = LocalProofKeys.load(new CertificatesConfig("ES256", null), dataDir);
    assertThat(again.current().kid()).isEqualTo(first.current().kid());
    Path file = dataDir.resolve("keys/proof-es256.key");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void configuredPkcs8KeyIsUsedAsIs(@TempDir Path dataDir) {
    ProofKey key = ProofCrypto.generate(ProofAlgorithm.SM2);
    String pkcs8 = Base64.getEncoder().encodeToString(key.privateKey().getEncoded());
    LocalProofKeys keys = LocalProofKeys.load(new CertificatesConfig("SM2", pkcs8), dataDir);
    assertThat(keys.current().kid()).isEqualTo(key.kid());
    assertThat(keys.jwks().getJsonArray("keys").getJsonObject(0).getString("alg"))
        .isEqualTo("SM3withSM2");
    assertThatThrownBy(() -> LocalProofKeys.load(new CertificatesConfig("ES256", pkcs8), dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("certificates.signingKey");
  }

  @Test
  void theSm2KeyOfAnEarlierShangmiPeriodIsKeptForVerificationOnly(@TempDir Path dataDir) {
    // Nothing before shangmi ever ran: no SM2 key to keep.
    assertThat(LocalProofKeys.earlierSm2(new CertificatesConfig("ES256", null), dataDir)).isEmpty();
    // Under shangmi the gateway generated its SM2 key; back under ES256 that key is still found.
    ProofKey sm2 = LocalProofKeys.load(new CertificatesConfig("SM2", null), dataDir).current();
    List<ProofKey> kept = LocalProofKeys.earlierSm2(new CertificatesConfig("ES256", null), dataDir);
    assertThat(kept).extracting(ProofKey::kid).containsExactly(sm2.kid());
    byte[] input = "header.payload".getBytes(StandardCharsets.US_ASCII);
    assertThat(ProofCrypto.verify(kept.get(0), input, ProofCrypto.sign(sm2, input))).isTrue();
    // A configured SM2 key is kept the same way; a configured key of another algorithm is not SM2.
    ProofKey configured = ProofCrypto.generate(ProofAlgorithm.SM2);
    String pkcs8 = Base64.getEncoder().encodeToString(configured.privateKey().getEncoded());
    assertThat(LocalProofKeys.earlierSm2(new CertificatesConfig("ES256", pkcs8), dataDir))
        .extracting(ProofKey::kid)
        .containsExactly(configured.kid());
    String ec =
        Base64.getEncoder()
            .encodeToString(ProofCrypto.generate(ProofAlgorithm.ES256).privateKey().getEncoded());
    assertThat(LocalProofKeys.earlierSm2(new CertificatesConfig("ES256", ec), dataDir)).isEmpty();
  }

  @Test
  void previousKeyStillVerifiesAfterRotation() {
    ProofKey old = ProofCrypto.generate(ProofAlgorithm.ES256);
    byte[] input = "header.payload".getBytes(StandardCharsets.US_ASCII);
    byte[] signature = ProofCrypto.sign(old, input);
    LocalProofKeys rotated =
        LocalProofKeys.of(ProofCrypto.generate(ProofAlgorithm.ES256), List.of(old));
    assertThat(rotated.current().kid()).isNotEqualTo(old.kid());
    assertThat(rotated.jwks().getJsonArray("keys")).hasSize(2);
    ProofKey found = rotated.find(old.kid());
    assertThat(ProofCrypto.verify(found, input, signature)).isTrue();
    assertThat(ProofCrypto.verify(rotated.current(), input, signature)).isFalse();
  }
}
