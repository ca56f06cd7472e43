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
 * AES-256-GCM under the data key {@code kid} (the format from before SM4, still written for AES so
 * older instances read it), {@code sm4k:kid:base64(…)} SM4-GCM under the SM4 data key {@code kid}
 * ({@code identity.sm4DataKeys}: its own 128-bit key, independent of the AES keys, as a 密评 assessor
 * expects). {@code sm4:kid:base64(…)} is what an earlier release wrote: SM4-GCM under a key derived
 * from the AES data key {@code kid} ({@link SealAlgorithm#key}); it is still read, never written.
 * The part before the last colon is the <em>key reference</em> ({@code kid}, {@code sm4k:kid} or
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
  /** Key reference tag of SM4-GCM under its own key (written). */
  private static final String SM4_TAG = "sm4k";

  /** Key reference tag of SM4-GCM under a key derived from an AES data key (read only). */
  private static final String DERIVED_SM4_TAG = "sm4";

  /** How a key reference seals: its algorithm and which keys its id names. */
  private enum Family {
    AES(SealAlgorithm.AES_256_GCM, ""),
    SM4(SealAlgorithm.SM4_GCM, SM4_TAG + ":"),
    DERIVED_SM4(SealAlgorithm.SM4_GCM, DERIVED_SM4_TAG + ":");

    final SealAlgorithm algorithm;
    final String prefix;

    Family(SealAlgorithm algorithm, String prefix) {
      this.algorithm = algorithm;
      this.prefix = prefix;
    }

    static Family of(String ref) {
      if (ref.startsWith(SM4.prefix)) return SM4;
      if (ref.startsWith(DERIVED_SM4.prefix)) return DERIVED_SM4;
      return AES;
    }
  }

  private final SealAlgorithm sealing;
  private final MacAlgorithm indexing;
  private final Family current;
  private final String currentKeyId;
  private final Map<Family, Map<String, byte[]>> keys = new EnumMap<>(Family.class);
  private final byte[] blindKey;

  private PersonalDataCipher(
      List<NamedKey> dataKeys,
      List<NamedKey> sm4Keys,
      byte[] blindIndexKey,
      SealAlgorithm sealing,
      MacAlgorithm indexing) {
    if (dataKeys.isEmpty()) throw new IllegalArgumentException("at least one data key");
    if (sealing == SealAlgorithm.SM4_GCM && sm4Keys.isEmpty())
      throw new IllegalArgumentException("SM4-GCM sealing needs an SM4 data key");
    this.sealing = sealing;
    this.indexing = indexing;
    this.current = sealing == SealAlgorithm.SM4_GCM ? Family.SM4 : Family.AES;
    this.currentKeyId = (current == Family.SM4 ? sm4Keys : dataKeys).get(0).id();
    Map<String, byte[]> aes = new HashMap<>();
    Map<String, byte[]> derived = new HashMap<>();
    Map<String, byte[]> sm4 = new HashMap<>();
    dataKeys.forEach(k -> aes.put(k.id(), SealAlgorithm.AES_256_GCM.key(k.key(), "data")));
    dataKeys.forEach(k -> derived.put(k.id(), SealAlgorithm.SM4_GCM.key(k.key(), "data")));
    for (NamedKey k : sm4Keys) {
      if (k.key().length != 16) throw new IllegalArgumentException("SM4 keys are 16 bytes");
      sm4.put(k.id(), k.key().clone());
    }
    keys.put(Family.AES, aes);
    keys.put(Family.DERIVED_SM4, derived);
    keys.put(Family.SM4, sm4);
    this.blindKey = blindIndexKey.clone();
  }

  /** A cipher of the international profile whose first data key encrypts and all decrypt. */
  public static PersonalDataCipher create(List<NamedKey> dataKeys, byte[] blindIndexKey) {
    return create(dataKeys, List.of(), blindIndexKey, CryptoConfig.international());
  }

  /**
   * A cipher sealing and indexing with the algorithms {@code crypto} chose: AES-256-GCM under the
   * first of {@code dataKeys}, or SM4-GCM under the first of {@code sm4Keys} (16 bytes each); all
   * of both (and the SM4 keys an earlier release derived from {@code dataKeys}) open.
   */
  public static PersonalDataCipher create(
      List<NamedKey> dataKeys, List<NamedKey> sm4Keys, byte[] blindIndexKey, CryptoConfig crypto) {
    return new PersonalDataCipher(
        dataKeys, sm4Keys, blindIndexKey, crypto.dataSealing(), crypto.blindIndex());
  }

  /**
   * The key reference new values are sealed under ({@code kid} or {@code sm4k:kid}), as stored in
   * {@code key_id}.
   */
  public String currentKeyRef() {
    return current.prefix + currentKeyId;
  }

  /** The algorithm new values are sealed with. */
  public SealAlgorithm sealing() {
    return sealing;
  }

  /** The algorithm new blind indexes are computed with. */
  public MacAlgorithm indexing() {
    return indexing;
  }

  /** Seals {@code plaintext} under the current key and algorithm for {@code purpose}. */
  public String seal(String purpose, String plaintext) {
    byte[] out =
        sealing.seal(
            keys.get(current).get(currentKeyId),
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
    Family f = Family.of(ref);
    String kid = ref.substring(f.prefix.length());
    byte[] key = keys.get(f).get(kid);
    if (key == null) {
      throw new IllegalStateException(
          (f == Family.SM4 ? "SM4 data key " : "data key ") + kid + " is not configured");
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed.substring(last + 1));
      return new String(
          f.algorithm.open(key, purpose.getBytes(StandardCharsets.UTF_8), in),
          StandardCharsets.UTF_8);
    } catch (SealAlgorithm.SealException | IllegalArgumentException e) {
      throw new IllegalStateException("sealed value does not open (altered, moved or wrong key)");
    }
  }

  /** The key reference of a sealed value ({@code kid}, {@code sm4k:kid} or {@code sm4:kid}). */
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
