package cn.govgate.identity;

import cn.govgate.config.IdentityConfig.NamedKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of personal data at rest and its blind indexes.
 *
 * <p>Values are sealed with AES-256-GCM under the current data key into {@code kid:base64(iv | ciphertext |
 * tag)}; the key id travels with the value, so rows under a previous key stay readable while the
 * {@code reencrypt} command moves them to the current one. The purpose ({@code citizen.id_number}…) is the
 * additional authenticated data: a value copied into another column does not decrypt. SM4-GCM is the
 * documented extension point for deployments whose assessment (密评) requires it: a second algorithm
 * behind the same {@code kid:} prefix.
 *
 * <p>Blind indexes are {@code HMAC-SHA256(blindIndexKey, purpose | value)}, Base64url: equal inputs give equal
 * indexes (lookups, uniqueness) while the table never holds the value. CPU-only, safe on an event loop.
 */
public final class PersonalDataCipher {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String currentKeyId;
  private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
  private final SecretKeySpec blindKey;

  private PersonalDataCipher(List<NamedKey> dataKeys, byte[] blindIndexKey) {
    if (dataKeys.isEmpty()) throw new IllegalArgumentException("at least one data key");
    this.currentKeyId = dataKeys.get(0).id();
    dataKeys.forEach(k -> keys.put(k.id(), new SecretKeySpec(k.key(), "AES")));
    this.blindKey = new SecretKeySpec(blindIndexKey, "HmacSHA256");
  }

  /** A cipher whose first data key encrypts and all decrypt. */
  public static PersonalDataCipher create(List<NamedKey> dataKeys, byte[] blindIndexKey) {
    return new PersonalDataCipher(dataKeys, blindIndexKey);
  }

  /** The id of the key new values are sealed under. */
  public String currentKeyId() {
    return currentKeyId;
  }

  /** Seals {@code plaintext} under the current key for {@code purpose}. */
  public String seal(String purpose, String plaintext) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + ct.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(ct, 0, out, iv.length, ct.length);
      return currentKeyId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Opens a sealed value; fails when the key id is unknown or the value was altered or moved. */
  public String open(String purpose, String sealed) {
    int colon = sealed.indexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("not a sealed value");
    SecretKeySpec key = keys.get(sealed.substring(0, colon));
    if (key == null) throw new IllegalStateException("data key " + sealed.substring(0, colon) + " is not configured");
    byte[] in = Base64.getDecoder().decode(sealed.substring(colon + 1));
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealed value does not open (altered, moved or wrong key)");
    }
  }

  /** The key id a sealed value is under. */
  public static String keyIdOf(String sealed) {
    int colon = sealed.indexOf(':');
    return colon <= 0 ? "" : sealed.substring(0, colon);
  }

  /** The blind index of {@code value} for {@code purpose}. */
  public String blindIndex(String purpose, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(blindKey);
      mac.update(purpose.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** The blind index of an ID number, normalised first. */
  public String idIndex(String idNumber) {
    return blindIndex("id_number", IdNumber.normalize(idNumber));
  }

  /** The keyed MAC of a name (NFC, trimmed), to compare names without storing them. */
  public String nameMac(String name) {
    return blindIndex("name", java.text.Normalizer.normalize(name.strip(), java.text.Normalizer.Form.NFC));
  }
}
