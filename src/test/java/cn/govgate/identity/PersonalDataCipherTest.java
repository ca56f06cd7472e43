package cn.govgate.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.govgate.config.CryptoConfig;
import cn.govgate.config.IdentityConfig.NamedKey;
import cn.govgate.crypto.CryptoProfile;
import cn.govgate.crypto.SealAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sealed values and blind indexes of both profiles side by side, as during a profile switch. */
class PersonalDataCipherTest {
  private static final byte[] BLIND = random(32);
  private static final List<NamedKey> KEYS =
      List.of(new NamedKey("d2", random(32)), new NamedKey("d1", random(32)));
  private static final List<NamedKey> SM4_KEYS =
      List.of(new NamedKey("s2", random(16)), new NamedKey("s1", random(16)));
  private static final PersonalDataCipher AES =
      PersonalDataCipher.create(KEYS, SM4_KEYS, BLIND, CryptoConfig.international());
  private static final PersonalDataCipher SM =
      PersonalDataCipher.create(KEYS, SM4_KEYS, BLIND, CryptoConfig.of(CryptoProfile.SHANGMI));
  private static final String ID = "11010519491231002X";

  @Test
  void eachSealedValueNamesItsAlgorithmAndKeyAndEitherProfileOpensBoth() {
    String aes = AES.seal(CitizenDirectory.ID_PURPOSE, ID);
    String sm4 = SM.seal(CitizenDirectory.ID_PURPOSE, ID);
    assertThat(aes).startsWith("d2:").doesNotContain(ID);
    assertThat(sm4).startsWith("sm4k:s2:").doesNotContain(ID);
    assertThat(PersonalDataCipher.keyRefOf(aes)).isEqualTo("d2").isEqualTo(AES.currentKeyRef());
    assertThat(PersonalDataCipher.keyRefOf(sm4)).isEqualTo("sm4k:s2").isEqualTo(SM.currentKeyRef());
    for (PersonalDataCipher c : List.of(AES, SM)) {
      assertThat(c.open(CitizenDirectory.ID_PURPOSE, aes)).isEqualTo(ID);
      assertThat(c.open(CitizenDirectory.ID_PURPOSE, sm4)).isEqualTo(ID);
    }
  }

  @Test
  void aValueUnderAnOlderKeyStillOpens() {
    PersonalDataCipher old =
        PersonalDataCipher.create(
            KEYS, List.of(SM4_KEYS.get(1)), BLIND, CryptoConfig.of(CryptoProfile.SHANGMI));
    String sealed = old.seal(CitizenDirectory.NAME_PURPOSE, "王小明");
    assertThat(sealed).startsWith("sm4k:s1:");
    assertThat(AES.open(CitizenDirectory.NAME_PURPOSE, sealed)).isEqualTo("王小明");
    assertThat(SM.open(CitizenDirectory.NAME_PURPOSE, sealed)).isEqualTo("王小明");
  }

  @Test
  void theSm4KeyIsItsOwnNotOneDerivedFromTheAesKey() {
    // Two deployments with the same AES data keys but their own SM4 keys cannot open each other's.
    PersonalDataCipher other =
        PersonalDataCipher.create(
            KEYS,
            List.of(new NamedKey("s2", random(16))),
            BLIND,
            CryptoConfig.of(CryptoProfile.SHANGMI));
    String sealed = SM.seal(CitizenDirectory.ID_PURPOSE, ID);
    assertThatThrownBy(() -> other.open(CitizenDirectory.ID_PURPOSE, sealed))
        .hasMessageContaining("does not open");
    // Nor is it the key an earlier release derived: under that key's reference it does not open.
    String asDerived = "sm4:d2:" + sealed.substring("sm4k:s2:".length());
    assertThatThrownBy(() -> SM.open(CitizenDirectory.ID_PURPOSE, asDerived))
        .hasMessageContaining("does not open");
    // Without an SM4 key, shangmi refuses to seal rather than fall back to a derived key.
    assertThatThrownBy(
            () ->
                PersonalDataCipher.create(
                    KEYS, List.of(), BLIND, CryptoConfig.of(CryptoProfile.SHANGMI)))
        .hasMessageContaining("needs an SM4 data key");
  }

  @Test
  void aValueAnEarlierReleaseSealedUnderTheDerivedSm4KeyStillOpensInBothProfiles() {
    // As the release before identity.sm4DataKeys wrote it: SM4-GCM under SM3-KDF(d1 ‖ label).
    byte[] derived = SealAlgorithm.SM4_GCM.key(KEYS.get(1).key(), "data");
    String legacy =
        "sm4:d1:"
            + Base64.getEncoder()
                .encodeToString(
                    SealAlgorithm.SM4_GCM.seal(
                        derived,
                        CitizenDirectory.ID_PURPOSE.getBytes(StandardCharsets.UTF_8),
                        ID.getBytes(StandardCharsets.UTF_8)));
    for (PersonalDataCipher c : List.of(AES, SM)) {
      assertThat(c.open(CitizenDirectory.ID_PURPOSE, legacy)).isEqualTo(ID);
    }
    assertThat(PersonalDataCipher.keyRefOf(legacy)).isNotEqualTo(SM.currentKeyRef());
  }

  @Test
  void anSm4ValueDoesNotOpenAsAesNorUnderAnotherPurpose() {
    String sm4 = SM.seal(CitizenDirectory.ID_PURPOSE, ID);
    String relabelled = "d2:" + sm4.substring("sm4k:s2:".length());
    assertThatThrownBy(() -> AES.open(CitizenDirectory.ID_PURPOSE, relabelled))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> SM.open(CitizenDirectory.NAME_PURPOSE, sm4))
        .hasMessageContaining("does not open");
  }

  @Test
  void blindIndexesCarryTheirAlgorithmAndLookupsTryBoth() {
    String sha = AES.idIndex(ID);
    String sm3 = SM.idIndex(ID);
    assertThat(sha).doesNotContain(":").hasSize(43);
    assertThat(sm3).startsWith("sm3:").hasSize(47);
    assertThat(SM.idIndexes(ID)).containsExactly(sm3, sha);
    assertThat(AES.idIndexes(ID)).containsExactly(sha, sm3);
    // The lower-case x of an ID number is normalised the same in both.
    assertThat(SM.idIndex(ID.toLowerCase())).isEqualTo(sm3);
    for (PersonalDataCipher c : List.of(AES, SM)) {
      assertThat(c.matches(PersonalDataCipher.ID_INDEX, ID, sha)).isTrue();
      assertThat(c.matches(PersonalDataCipher.ID_INDEX, ID, sm3)).isTrue();
      assertThat(c.matches(PersonalDataCipher.ID_INDEX, "110105194912310029", sm3)).isFalse();
      assertThat(c.nameMatches(" 王小明", SM.nameMac("王小明"))).isTrue();
      assertThat(c.nameMatches("王小明", AES.nameMac("王小"))).isFalse();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
