package cn.govgate.registry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts backend secrets at rest with AES-256-GCM under {@code registry.secretKey}: {@code v1:} + Base64(nonce
 * ‖ ciphertext ‖ tag). The backend id is the associated data, so a ciphertext moved to another backend's row does
 * not decrypt.
 */
final class SecretBox {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "v1:";

  private final SecretKeySpec key;

  SecretBox(byte[] key) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("registry secret key must be 32 bytes");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  String seal(String backendId, String plaintext) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(backendId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length)
          .put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  String open(String backendId, String sealed) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new IllegalStateException("unknown secret format");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      cipher.updateAAD(backendId.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a backend secret does not decrypt with registry.secretKey", e);
    }
  }
}
