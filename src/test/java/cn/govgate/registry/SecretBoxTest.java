package cn.govgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.crypto.SealAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Backend secrets at rest in both profiles, and as an earlier release sealed them under SM4. */
class SecretBoxTest {
  private static final byte[] KEY = random(32);
  private static final byte[] SM4_KEY = random(16);
  private static final SecretBox AES = new SecretBox(KEY, SM4_KEY, SealAlgorithm.AES_256_GCM);
  private static final SecretBox SM4 = new SecretBox(KEY, SM4_KEY, SealAlgorithm.SM4_GCM);
  private static final String SECRET = "{\"hmacSecret\":\"c2VjcmV0\"}";

  @Test
  void shangmiSealsUnderItsOwnSm4KeyAndEitherProfileOpensBoth() {
    String aes = AES.seal("hz-rsj-1", SECRET);
    String sm4 = SM4.seal("hz-rsj-1", SECRET);
    assertThat(aes).startsWith("v1:");
    assertThat(sm4).startsWith("sm4k:").isNotEqualTo(aes);
    for (SecretBox box : new SecretBox[] {AES, SM4}) {
      assertThat(box.open("hz-rsj-1", aes)).isEqualTo(SECRET);
      assertThat(box.open("hz-rsj-1", sm4)).isEqualTo(SECRET);
    }
    // Another SM4 key with the same registry.secretKey does not open it: the key is its own.
    SecretBox other = new SecretBox(KEY, random(16), SealAlgorithm.SM4_GCM);
    assertThatThrownBy(() -> other.open("hz-rsj-1", sm4)).hasMessageContaining("does not decrypt");
    // Nor does it open as another backend's secret.
    assertThatThrownBy(() -> SM4.open("hz-rsj-2", sm4)).hasMessageContaining("does not decrypt");
  }

  @Test
  void aSecretAnEarlierReleaseSealedUnderTheDerivedSm4KeyStillOpens() {
    byte[] derived = SealAlgorithm.SM4_GCM.key(KEY, "registry");
    String legacy =
        "sm4:"
            + Base64.getEncoder()
                .encodeToString(
                    SealAlgorithm.SM4_GCM.seal(
                        derived,
                        "hz-rsj-1".getBytes(StandardCharsets.UTF_8),
                        SECRET.getBytes(StandardCharsets.UTF_8)));
    assertThat(AES.open("hz-rsj-1", legacy)).isEqualTo(SECRET);
    assertThat(SM4.open("hz-rsj-1", legacy)).isEqualTo(SECRET);
    assertThat(legacy).doesNotStartWith(SM4.currentPrefix());
  }

  @Test
  void sm4SealingWithoutAnSm4KeyIsRefusedAndAnSm4SecretSaysWhatIsMissing() {
    assertThatThrownBy(() -> new SecretBox(KEY, null, SealAlgorithm.SM4_GCM))
        .hasMessageContaining("16-byte registry SM4 key");
    String sm4 = SM4.seal("hz-rsj-1", SECRET);
    SecretBox withoutSm4 = new SecretBox(KEY, null, SealAlgorithm.AES_256_GCM);
    assertThatThrownBy(() -> withoutSm4.open("hz-rsj-1", sm4))
        .hasMessageContaining("registry.sm4SecretKey");
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
