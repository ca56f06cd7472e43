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
