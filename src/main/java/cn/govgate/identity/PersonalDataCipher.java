package cn.govgate.identity;

import cn.govgate.config.CryptoConfig;
import cn.govgate.config.IdentityConfig.NamedKey;
import cn.govgate.crypto.MacAlgorithm;
import cn.govgate.crypto.SealAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encryption of personal data at rest and its blind indexes, in the algorithms of the crypto
 * profile.
 *
 * <p>A sealed value names its algorithm and key: {@code kid:base64(nonce | ciphertext | tag)} is
 * AES-256-GCM (the format from before SM4, still written for AES so older instances read it),
 * {@code sm4:kid:base64(…)} is SM4-GCM under the SM4 key derived from the same data key ({@link
 * SealAlgorithm#key}). The part before the last colon is the <em>key reference</em> ({@code kid} or
 * {@code sm4:kid}) stored in the {@code key_id} columns; rows under another reference stay readable
 * while {@code reencrypt} moves them to the current key and algorithm, in either direction. The
 * purpose ({@code citizens.id_number}…) is the associated data: a value copied into another column
 * does not open.
 *
 * <p>Blind indexes are {@code MAC(blindIndexKey, purpose | 0x00 | value)}, Base64url, prefixed by
 * the algorithm's tag ({@code sm3:} for HMAC-SM3, nothing for HMAC-SHA256): equal inputs give equal
 * indexes while the table never holds the value. Lookups try the current algorithm and the other
 * one ({@link #blindIndexes}), so a citizen stays findable while {@code reindex} rebuilds them.
 * CPU-only, safe on an event loop.
 */
public final class PersonalDataCipher {
  private static final String SM4_TAG = "sm4";

  private final SealAlgorithm sealing;
  private final MacAlgorithm indexing;
  private final String currentKeyId;
  private final Map<SealAlgorithm, Map<String, byte[]>> keys = new EnumMap<>(SealAlgorithm.class);
  private final byte[] blindKey;

  private PersonalDataCipher(
      List<NamedKey> dataKeys, byte[] blindIndexKey, SealAlgorithm sealing, MacAlgorithm indexing) {
    if (dataKeys.isEmpty()) throw new IllegalArgumentException("at least one data key");
    this.sealing = sealing;
    this.indexing = indexing;
    this.currentKeyId = dataKeys.get(0).id();
    for (SealAlgorithm a : SealAlgorithm.values()) {
      Map<String, byte[]> byId = new HashMap<>();
      dataKeys.forEach(k -> byId.put(k.id(), a.key(k.key(), "data")));
      keys.put(a, byId);
    }
    this.blindKey = blindIndexKey.clone();
  }

  /** A cipher of the international profile whose first data key encrypts and all decrypt. */
  public static PersonalDataCipher create(List<NamedKey> dataKeys, byte[] blindIndexKey) {
    return create(dataKeys, blindIndexKey, CryptoConfig.international());
  }

  /** A cipher sealing and indexing with the algorithms {@code crypto} chose. */
  public static PersonalDataCipher create(
      List<NamedKey> dataKeys, byte[] blindIndexKey, CryptoConfig crypto) {
    return new PersonalDataCipher(
        dataKeys, blindIndexKey, crypto.dataSealing(), crypto.blindIndex());
  }

  /**
   * The key reference new values are sealed under ({@code kid} or {@code sm4:kid}), as stored in
   * {@code key_id}.
   */
  public String currentKeyRef() {
    return refOf(sealing, currentKeyId);
  }

  /** The algorithm new values are sealed with. */
  public SealAlgorithm sealing() {
    return sealing;
  }

  /** The algorithm new blind indexes are computed with. */
  public MacAlgorithm indexing() {
    return indexing;
  }

  private static String refOf(SealAlgorithm a, String kid) {
    return a == SealAlgorithm.SM4_GCM ? SM4_TAG + ":" + kid : kid;
  }

  /** Seals {@code plaintext} under the current key and algorithm for {@code purpose}. */
  public String seal(String purpose, String plaintext) {
    byte[] out =
        sealing.seal(
            keys.get(sealing).get(currentKeyId),
            purpose.getBytes(StandardCharsets.UTF_8),
            plaintext.getBytes(StandardCharsets.UTF_8));
    return currentKeyRef() + ":" + Base64.getEncoder().encodeToString(out);
  }

  /**
   * Opens a sealed value of either algorithm; fails when its key is unknown or it was altered or
   * moved.
   */
  public String open(String purpose, String sealed) {
    int last = sealed.lastIndexOf(':');
    if (last <= 0) throw new IllegalArgumentException("not a sealed value");
    String ref = sealed.substring(0, last);
    SealAlgorithm a =
        ref.startsWith(SM4_TAG + ":") ? SealAlgorithm.SM4_GCM : SealAlgorithm.AES_256_GCM;
    String kid = a == SealAlgorithm.SM4_GCM ? ref.substring(SM4_TAG.length() + 1) : ref;
    byte[] key = keys.get(a).get(kid);
    if (key == null) throw new IllegalStateException("data key " + kid + " is not configured");
    try {
      byte[] in = Base64.getDecoder().decode(sealed.substring(last + 1));
      return new String(
          a.open(key, purpose.getBytes(StandardCharsets.UTF_8), in), StandardCharsets.UTF_8);
    } catch (SealAlgorithm.SealException | IllegalArgumentException e) {
      throw new IllegalStateException("sealed value does not open (altered, moved or wrong key)");
    }
  }

  /** The key reference of a sealed value ({@code kid} or {@code sm4:kid}). */
  public static String keyRefOf(String sealed) {
    int last = sealed.lastIndexOf(':');
    return last <= 0 ? "" : sealed.substring(0, last);
  }

  /** The blind index of {@code value} for {@code purpose}, in the current algorithm. */
  public String blindIndex(String purpose, String value) {
    return blindIndex(indexing, purpose, value);
  }

  /**
   * The blind indexes of {@code value} in the current algorithm, then the other: what a lookup
   * matches.
   */
  public List<String> blindIndexes(String purpose, String value) {
    return List.of(
        blindIndex(indexing, purpose, value), blindIndex(indexing.other(), purpose, value));
  }

  /**
   * Whether {@code stored} is the blind index of {@code value} in the algorithm it was made with.
   */
  public boolean matches(String purpose, String value, String stored) {
    if (stored == null) return false;
    String computed = blindIndex(MacAlgorithm.ofStored(stored), purpose, value);
    return MessageDigest.isEqual(
        computed.getBytes(StandardCharsets.US_ASCII), stored.getBytes(StandardCharsets.US_ASCII));
  }

  /** The blind index of {@code value} in algorithm {@code a}. */
  public String blindIndex(MacAlgorithm a, String purpose, String value) {
    byte[] digest =
        a.mac(
            blindKey,
            purpose.getBytes(StandardCharsets.UTF_8),
            new byte[] {0},
            value.getBytes(StandardCharsets.UTF_8));
    return a.tag() + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }

  /** The blind index of an ID number, normalised first. */
  public String idIndex(String idNumber) {
    return blindIndex(ID_INDEX, IdNumber.normalize(idNumber));
  }

  /** The blind indexes of an ID number in both algorithms, the current first. */
  public List<String> idIndexes(String idNumber) {
    return blindIndexes(ID_INDEX, IdNumber.normalize(idNumber));
  }

  /** The keyed MAC of a name (NFC, trimmed), to compare names without storing them. */
  public String nameMac(String name) {
    return blindIndex(NAME_MAC, normalName(name));
  }

  /** Whether {@code stored} is the name MAC of {@code name} (in the algorithm it was made with). */
  public boolean nameMatches(String name, String stored) {
    return matches(NAME_MAC, normalName(name), stored);
  }

  private static String normalName(String name) {
    return Normalizer.normalize(name.strip(), Normalizer.Form.NFC);
  }

  /** Purpose of the ID-number blind index. */
  public static final String ID_INDEX = "id_number";

  /** Purpose of the name MAC. */
  public static final String NAME_MAC = "name";
}
