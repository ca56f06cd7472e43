package cn.govgate.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.generators.KDF2BytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Authenticated encryption of data at rest, both in GCM with a random 96-bit nonce and a 128-bit
 * tag; the output is {@code nonce ‖ ciphertext ‖ tag}.
 *
 * <p>{@link #AES_256_GCM} uses a 32-byte key (JDK). {@link #SM4_GCM} (GB/T 32907 block cipher, GCM
 * per NIST SP 800-38D as RFC 8998 uses it; Bouncy Castle's {@code SM4Engine} in {@code
 * GCMBlockCipher}) uses a 16-byte key of its own. What an earlier release sealed with SM4 used a
 * 128-bit key derived from the configured 32-byte AES key with the SM3 key derivation function of
 * GB/T 32918.4 (§5.4.3) over {@code key ‖ "govgate/sm4-gcm/" ‖ use} ({@link #key}); it is still
 * derived to read those values, never to seal new ones.
 */
public enum SealAlgorithm {
  AES_256_GCM("AES-256-GCM"),
  SM4_GCM("SM4-GCM");

  /** Nonce length in bytes (96 bits). */
  public static final int NONCE_BYTES = 12;

  /** Tag length in bytes (128 bits). */
  public static final int TAG_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String configName;

  SealAlgorithm(String configName) {
    this.configName = configName;
  }

  /** The name in configuration ({@code AES-256-GCM}, {@code SM4-GCM}). */
  public String configName() {
    return configName;
  }

  /** The algorithm named {@code name} in configuration, or null. */
  public static SealAlgorithm ofConfigName(String name) {
    for (SealAlgorithm a : values()) {
      if (a.configName.equalsIgnoreCase(name)) return a;
    }
    return null;
  }

  /**
   * The key this algorithm uses for the configured 32-byte {@code key} and its {@code use} (e.g.
   * {@code data}, {@code registry}): the key itself for AES-256-GCM, 16 derived bytes for SM4-GCM.
   * Derive once, reuse.
   */
  public byte[] key(byte[] configuredKey, String use) {
    if (configuredKey.length != 32)
      throw new IllegalArgumentException("configured keys are 32 bytes");
    if (this == AES_256_GCM) return configuredKey.clone();
    return sm3Kdf(
        concat(configuredKey, ("govgate/sm4-gcm/" + use).getBytes(StandardCharsets.UTF_8)), 16);
  }

  /**
   * The KDF of GB/T 32918.4 §5.4.3: SM3(Z ‖ ct) for ct = 1, 2, … (32-bit big-endian), truncated.
   */
  static byte[] sm3Kdf(byte[] z, int length) {
    KDF2BytesGenerator kdf = new KDF2BytesGenerator(new SM3Digest());
    kdf.init(new KDFParameters(z, null));
    byte[] out = new byte[length];
    kdf.generateBytes(out, 0, length);
    return out;
  }

  /** Seals under a fresh random nonce. {@code key} is what {@link #key} returned. */
  public byte[] seal(byte[] key, byte[] aad, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return seal(key, nonce, aad, plaintext);
  }

  /** Seals under the given nonce (known-answer tests; never reuse a nonce under one key). */
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    byte[] ct =
        this == SM4_GCM
            ? sm4(true, key, nonce, aad, plaintext, 0, plaintext.length)
            : aes(Cipher.ENCRYPT_MODE, key, nonce, aad, plaintext, 0, plaintext.length);
    byte[] out = new byte[nonce.length + ct.length];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    System.arraycopy(ct, 0, out, nonce.length, ct.length);
    return out;
  }

  /**
   * Opens {@code nonce ‖ ciphertext ‖ tag}; throws {@link SealException} when it does not verify.
   */
  public byte[] open(byte[] key, byte[] aad, byte[] sealed) {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new SealException(null);
    byte[] nonce = Arrays.copyOf(sealed, NONCE_BYTES);
    int len = sealed.length - NONCE_BYTES;
    return this == SM4_GCM
        ? sm4(false, key, nonce, aad, sealed, NONCE_BYTES, len)
        : aes(Cipher.DECRYPT_MODE, key, nonce, aad, sealed, NONCE_BYTES, len);
  }

  private static byte[] aes(
      int mode, byte[] key, byte[] nonce, byte[] aad, byte[] in, int off, int len) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
      c.updateAAD(aad);
      return c.doFinal(in, off, len);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new SealException(e);
    } catch (GeneralSecurityException e) {
      if (mode == Cipher.DECRYPT_MODE) throw new SealException(e);
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private static byte[] sm4(
      boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] in, int off, int len) {
    if (key.length != 16) throw new IllegalArgumentException("SM4 keys are 16 bytes");
    GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
    gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, aad));
    byte[] out = new byte[gcm.getOutputSize(len)];
    int n = gcm.processBytes(in, off, len, out, 0);
    try {
      n += gcm.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new SealException(e);
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * A sealed value that does not verify: altered, moved to another purpose, or under another key.
   */
  public static final class SealException extends RuntimeException {
    SealException(Throwable cause) {
      super("sealed value does not verify", cause, false, false);
    }
  }
}
