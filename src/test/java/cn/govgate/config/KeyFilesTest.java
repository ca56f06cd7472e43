package cn.govgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.testing.TestGateways;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up refuses key files that others could read, naming the key and the file in one line (exit
 * code 2).
 */
class KeyFilesTest {

  @Test
  void aWorldReadableKeyFileStopsStartUpWithOneLineNamingTheFile(@TempDir Path dir)
      throws Exception {
    Path key = keyFile(dir.resolve("audit.key"), "rw-r--r--");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        cn.govgate.app.MainAccess.run(
            new String[0],
            Map.of("GOVGATE_DB_HOST", "db.internal", "GOVGATE_AUDIT_HMAC_KEY", "file:" + key),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
        .singleElement()
        .asString()
        .startsWith(
            "govgate: configuration error: audit.hmacKey: key file "
                + key
                + " is accessible by group or others")
        .contains("chmod 600");
  }

  @Test
  void anOwnerOnlyKeyFileIsRead(@TempDir Path dir) throws Exception {
    Path key = keyFile(dir.resolve("audit.key"), "rw-------");
    assertThat(KeyMaterial.decode("audit.hmacKey", "file:" + key, 32)).hasSize(32);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
    assertThat(KeyMaterial.decode("audit.hmacKey", "file:" + key, 32)).hasSize(32);
  }

  @Test
  void everyKindOfKeyFileIsChecked(@TempDir Path dir) throws Exception {
    Map<String, String> settings = new HashMap<>(TestGateways.settings());
    assertThat(GovgateConfig.from(ConfigValues.of(settings)).identity().signingKeysPem())
        .hasSize(1);
    // The signing key PEM the test settings wrote owner-only, opened to others.
    Path pem = Path.of(settings.get("signing.keys"));
    Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw----r--"));
    assertThatThrownBy(() -> GovgateConfig.from(ConfigValues.of(settings)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("signing.keys: key file " + pem);

    Map<String, String> channel = new HashMap<>(TestGateways.settings());
    channel.put("wechat.apps", "wx1");
    channel.put(
        "wechat.app.wx1.secret", "file:" + Files.writeString(dir.resolve("secret.txt"), "s3cret"));
    Files.setPosixFilePermissions(
        dir.resolve("secret.txt"), PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> GovgateConfig.from(ConfigValues.of(channel)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("wechat.app.wx1.secret: key file ");

    Map<String, String> proof = new HashMap<>(TestGateways.settings());
    proof.put("certificates.signingKey", "file:" + keyFile(dir.resolve("proof.key"), "rwxrwxrwx"));
    CertificatesConfig certificates = GovgateConfig.from(ConfigValues.of(proof)).certificates();
    assertThatThrownBy(() -> cn.govgate.certificates.LocalProofKeys.load(certificates, dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("certificates.signingKey: key file ");
  }

  @Test
  void theModeRuleIsPostgresqlsForItsServerKey() {
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw-------"), false)).isFalse();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("r--------"), false)).isFalse();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw-r-----"), false)).isTrue();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw-------"), true)).isFalse();
    // Root-owned, group-readable: how a Kubernetes secret volume with an fsGroup appears in the
    // pod.
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("r--r-----"), true)).isFalse();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw-rw----"), true)).isTrue();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw----r--"), true)).isTrue();
    assertThat(KeyFiles.tooOpen(PosixFilePermissions.fromString("rw------x"), false)).isTrue();
  }

  private static Path keyFile(Path file, String mode) throws Exception {
    Files.writeString(file, TestGateways.randomKey(32));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }
}
