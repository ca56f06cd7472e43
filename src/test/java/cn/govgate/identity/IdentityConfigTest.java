package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.config.ConfigException;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import cn.govgate.testing.TestGateways;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity and channel settings: parsed, and refused with one line naming the key. */
class IdentityConfigTest {
  @TempDir Path dir;

  private Map<String, String> real() {
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "db.host",
                "db.internal",
                "audit.hmacKey",
                TestGateways.randomKey(32),
                "registry.secretKey",
                TestGateways.randomKey(32),
                "dataDir",
                dir.toString()));
    s.putAll(TestGateways.identityKeys(dir));
    return s;
  }

  private static GovgateConfig load(Map<String, String> s) {
    return GovgateConfig.from(ConfigValues.of(s));
  }

  @Test
  void keyListsKeepTheirOrderAndIds() {
    Map<String, String> s = real();
    s.put(
        "identity.sessionKeys",
        "new:" + TestGateways.randomKey(32) + ", old:" + TestGateways.randomKey(32));
    GovgateConfig c = load(s);
    assertThat(c.identity().sessionKeys()).extracting(k -> k.id()).containsExactly("new", "old");
    assertThat(c.identity().sessionTtl()).hasMinutes(15);
    assertThat(c.identity().verificationLimit()).isEqualTo(5);
    assertThat(c.channels().any()).isFalse();
  }

  @Test
  void theSm4DataKeyIsGeneratedOnceOwnerOnlyAndReusedOrConfiguredForRotation() throws Exception {
    Map<String, String> international = real();
    assertThat(load(international).identity().sm4DataKeys()).isEmpty();
    Path file = dir.resolve("keys").resolve("sm4-data-g1.key");
    assertThat(file).doesNotExist();

    Map<String, String> shangmi = real();
    shangmi.put("crypto.profile", "shangmi");
    GovgateConfig first = load(shangmi);
    assertThat(first.identity().sm4DataKeys()).singleElement().satisfies(k -> k.id().equals("g1"));
    byte[] key = first.identity().sm4DataKeys().get(0).key();
    assertThat(key).hasSize(16);
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    // Reused at the next start, and read back in the international profile too (its rows open).
    assertThat(load(shangmi).identity().sm4DataKeys().get(0).key()).isEqualTo(key);
    assertThat(load(international).identity().sm4DataKeys().get(0).key()).isEqualTo(key);
    // Independent of the AES data key: not the key an earlier release derived from it.
    byte[] dataKey = first.identity().dataKeys().get(0).key();
    assertThat(key).isNotEqualTo(cn.govgate.crypto.SealAlgorithm.SM4_GCM.key(dataKey, "data"));

    // Rotation as with the other key lists: the new key first, the generated one still opens.
    Map<String, String> rotated = new HashMap<>(shangmi);
    rotated.put("identity.sm4DataKeys", "s2:" + TestGateways.randomKey(16) + ",g1:file:" + file);
    assertThat(load(rotated).identity().sm4DataKeys())
        .extracting(k -> k.id())
        .containsExactly("s2", "g1");
    rotated.put("identity.sm4DataKeys", "s2:" + TestGateways.randomKey(32));
    assertThatThrownBy(() -> load(rotated))
        .hasMessageContaining("identity.sm4DataKeys: must be 16 bytes, got 32");
  }

  @Test
  void theRegistrySm4KeyIsGeneratedLikeTheDataKeyOrConfigured() {
    Map<String, String> international = real();
    assertThat(load(international).registry().sm4SecretKey()).isNull();
    Map<String, String> shangmi = real();
    shangmi.put("crypto.profile", "shangmi");
    byte[] key = load(shangmi).registry().sm4SecretKey();
    assertThat(key).hasSize(16);
    assertThat(dir.resolve("keys").resolve("sm4-registry.key")).exists();
    assertThat(load(international).registry().sm4SecretKey()).isEqualTo(key);
    shangmi.put("registry.sm4SecretKey", TestGateways.randomKey(16));
    assertThat(load(shangmi).registry().sm4SecretKey()).isNotEqualTo(key);
    shangmi.put("registry.sm4SecretKey", TestGateways.randomKey(32));
    assertThatThrownBy(() -> load(shangmi))
        .hasMessageContaining("registry.sm4SecretKey: must be 16 bytes, got 32");
  }

  @Test
  void missingOrMalformedKeysAreOneLineErrors() {
    Map<String, String> missing = real();
    missing.remove("identity.sessionKeys");
    assertThatThrownBy(() -> load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("identity.sessionKeys: is required");
    Map<String, String> shortKey = real();
    shortKey.put("identity.dataKeys", "d1:" + TestGateways.randomKey(16));
    assertThatThrownBy(() -> load(shortKey))
        .hasMessageContaining("identity.dataKeys: must be 32 bytes, got 16");
    Map<String, String> noKid = real();
    noKid.put("identity.sessionKeys", TestGateways.randomKey(32));
    assertThatThrownBy(() -> load(noKid)).hasMessageContaining("identity.sessionKeys");
    Map<String, String> noSigning = real();
    noSigning.remove("signing.keys");
    assertThatThrownBy(() -> load(noSigning)).hasMessageStartingWith("signing.keys: is required");
    Map<String, String> app = real();
    app.put("alipay.apps", "2021000000000009");
    assertThatThrownBy(() -> load(app))
        .hasMessageStartingWith("alipay.app.2021000000000009.privateKey: is required");
    Map<String, String> wx = real();
    wx.put("wechat.apps", "wx1");
    wx.put("wechat.app.wx1.secret", "s");
    wx.put("wechat.merchant.mchId", "1900");
    assertThatThrownBy(() -> load(wx))
        .hasMessageStartingWith("wechat.merchant.privateKey: is required");
  }

  @Test
  void channelSecretsMayComeFromFiles() throws Exception {
    Path secret = Files.writeString(dir.resolve("wx-secret"), "abc123\n");
    Files.setPosixFilePermissions(
        secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> s = real();
    s.put("wechat.apps", "wx1");
    s.put("wechat.app.wx1.secret", "file:" + secret);
    GovgateConfig c = load(s);
    assertThat(c.channels().wechat().apps().get(0).appSecret()).isEqualTo("abc123");
    assertThat(c.channels().wechat().apiBaseUrl()).isEqualTo("https://api.weixin.qq.com");
  }
}
