package cn.govgate.registry;

import cn.govgate.crypto.SealAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Encrypts backend secrets at rest in the sealing algorithm of the crypto profile: {@code v1:} +
 * Base64(nonce ‖ ciphertext ‖ tag) is AES-256-GCM under {@code registry.secretKey} (the format from
 * before SM4), {@code sm4k:} + Base64(…) SM4-GCM under its own key ({@code registry.sm4SecretKey}).
 * {@code sm4:} + Base64(…) is what an earlier release wrote: SM4-GCM under a key derived from
 * {@code registry.secretKey}; still read, never written. Each opens whatever the profile; new
 * values are written in the current algorithm, and {@code reencrypt} moves the others. The backend
 * id is the associated data, so a ciphertext moved to another backend's row does not decrypt.
 */
final class SecretBox {

  private static final String AES_PREFIX = "v1:";
  private static final String SM4_PREFIX = "sm4k:";
  private static final String DERIVED_SM4_PREFIX = "sm4:";

  private final SealAlgorithm sealing;
  private final byte[] aesKey;
  private final byte[] sm4Key;
  private final byte[] derivedSm4Key;

  /**
   * @param key {@code registry.secretKey}, 32 bytes
   * @param sm4Key {@code registry.sm4SecretKey}, 16 bytes; may be null unless SM4-GCM seals
   */
  SecretBox(byte[] key, byte[] sm4Key, SealAlgorithm sealing) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("registry secret key must be 32 bytes");
    }
    if (sm4Key == null ? sealing == SealAlgorithm.SM4_GCM : sm4Key.length != 16) {
      throw new IllegalArgumentException("SM4-GCM sealing needs a 16-byte registry SM4 key");
    }
    this.sealing = sealing;
    this.aesKey = SealAlgorithm.AES_256_GCM.key(key, "registry");
    this.sm4Key = sm4Key == null ? null : sm4Key.clone();
    this.derivedSm4Key = SealAlgorithm.SM4_GCM.key(key, "registry");
  }

  /** The prefix of values sealed in the current algorithm. */
  String currentPrefix() {
    return sealing == SealAlgorithm.SM4_GCM ? SM4_PREFIX : AES_PREFIX;
  }

  String seal(String backendId, String plaintext) {
    byte[] key = sealing == SealAlgorithm.SM4_GCM ? sm4Key : aesKey;
    byte[] out =
        sealing.seal(
            key,
            backendId.getBytes(StandardCharsets.UTF_8),
            plaintext.getBytes(StandardCharsets.UTF_8));
    return currentPrefix() + Base64.getEncoder().encodeToString(out);
  }

  String open(String backendId, String sealed) {
    SealAlgorithm a;
    String prefix;
    byte[] key;
    if (sealed != null && sealed.startsWith(AES_PREFIX)) {
      a = SealAlgorithm.AES_256_GCM;
      prefix = AES_PREFIX;
      key = aesKey;
    } else if (sealed != null && sealed.startsWith(SM4_PREFIX)) {
      a = SealAlgorithm.SM4_GCM;
      prefix = SM4_PREFIX;
      key = sm4Key;
      if (key == null) {
        throw new IllegalStateException(
            "a backend secret is sealed with SM4 but registry.sm4SecretKey is not there");
      }
    } else if (sealed != null && sealed.startsWith(DERIVED_SM4_PREFIX)) {
      a = SealAlgorithm.SM4_GCM;
      prefix = DERIVED_SM4_PREFIX;
      key = derivedSm4Key;
    } else {
      throw new IllegalStateException("unknown secret format");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(prefix.length()));
      byte[] plain = a.open(key, backendId.getBytes(StandardCharsets.UTF_8), all);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (SealAlgorithm.SealException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "a backend secret does not decrypt with its key ("
              + (prefix.equals(SM4_PREFIX) ? "registry.sm4SecretKey" : "registry.secretKey")
              + ")",
          e);
    }
  }
}
