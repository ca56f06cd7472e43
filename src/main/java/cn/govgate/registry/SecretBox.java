package cn.govgate.registry;

import cn.govgate.crypto.SealAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Encrypts backend secrets at rest under {@code registry.secretKey}, in the sealing algorithm of
 * the crypto profile: {@code v1:} + Base64(nonce ‖ ciphertext ‖ tag) is AES-256-GCM (the format
 * from before SM4), {@code sm4:} + Base64(…) is SM4-GCM under the SM4 key derived from the same
 * key. Either opens whatever the profile; new values are written in the current algorithm, and
 * {@code reencrypt} moves the others. The backend id is the associated data, so a ciphertext moved
 * to another backend's row does not decrypt.
 */
final class SecretBox {

  private static final String AES_PREFIX = "v1:";
  private static final String SM4_PREFIX = "sm4:";

  private final SealAlgorithm sealing;
  private final byte[] aesKey;
  private final byte[] sm4Key;

  SecretBox(byte[] key, SealAlgorithm sealing) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("registry secret key must be 32 bytes");
    }
    this.sealing = sealing;
    this.aesKey = SealAlgorithm.AES_256_GCM.key(key, "registry");
    this.sm4Key = SealAlgorithm.SM4_GCM.key(key, "registry");
  }

  /** The prefix of values sealed in the current algorithm. */
  String currentPrefix() {
    return prefix(sealing);
  }

  private static String prefix(SealAlgorithm a) {
    return a == SealAlgorithm.SM4_GCM ? SM4_PREFIX : AES_PREFIX;
  }

  String seal(String backendId, String plaintext) {
    byte[] key = sealing == SealAlgorithm.SM4_GCM ? sm4Key : aesKey;
    byte[] out =
        sealing.seal(
            key,
            backendId.getBytes(StandardCharsets.UTF_8),
            plaintext.getBytes(StandardCharsets.UTF_8));
    return prefix(sealing) + Base64.getEncoder().encodeToString(out);
  }

  String open(String backendId, String sealed) {
    SealAlgorithm a;
    if (sealed != null && sealed.startsWith(AES_PREFIX)) {
      a = SealAlgorithm.AES_256_GCM;
    } else if (sealed != null && sealed.startsWith(SM4_PREFIX)) {
      a = SealAlgorithm.SM4_GCM;
    } else {
      throw new IllegalStateException("unknown secret format");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(prefix(a).length()));
      byte[] plain =
          a.open(
              a == SealAlgorithm.SM4_GCM ? sm4Key : aesKey,
              backendId.getBytes(StandardCharsets.UTF_8),
              all);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (SealAlgorithm.SealException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "a backend secret does not decrypt with registry.secretKey", e);
    }
  }
}
