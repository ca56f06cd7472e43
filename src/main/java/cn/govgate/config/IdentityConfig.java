package cn.govgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Government identity settings: session tokens, personal-data encryption, step-up policy and the
 * ES256 keys published at {@code /.well-known/jwks.json}. Every key must be configured (the demo
 * generates its own and passes them as {@code file:} paths).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code identity.sessionKeys}</td><td>required</td><td>{@code kid:key,kid2:key2}: HS256 session
 *       keys, 32 bytes each (Base64 or {@code file:/path}); the first signs, all verify (rotation)</td></tr>
 *   <tr><td>{@code identity.dataKeys}</td><td>required</td><td>{@code kid:key,…}: 32-byte AES-256-GCM keys of
 *       personal data; the first encrypts, all decrypt ({@code govgate reencrypt} moves rows to the first and to the
 *       current algorithm). Rows an earlier release sealed with SM4-GCM under a key derived from one of them still
 *       open</td></tr>
 *   <tr><td>{@code identity.sm4DataKeys}</td><td>generated</td><td>{@code kid:key,…}: 16-byte SM4-GCM keys of personal
 *       data, independent of the AES keys; the first encrypts under {@code crypto.dataSealing=SM4-GCM}, all decrypt.
 *       Unset: {@code g1}, generated once into {@code <dataDir>/keys/sm4-data-g1.key} (owner-only) when SM4-GCM
 *       first seals, read from there afterwards (in either profile); several instances must share a configured
 *       one</td></tr>
 *   <tr><td>{@code identity.blindIndexKey}</td><td>required</td><td>32-byte key of the blind indexes (HMAC-SHA256
 *       or HMAC-SM3: {@code crypto.blindIndex}); separate from the data keys and never rotated without
 *       re-indexing</td></tr>
 *   <tr><td>{@code identity.sessionTtl}</td><td>15m</td><td>session token lifetime</td></tr>
 *   <tr><td>{@code identity.clockSkew}</td><td>30s</td><td>how far the clocks of the instances may differ: a token
 *       issued up to this much "in the future" is accepted, one living longer than the TTL plus this never</td></tr>
 *   <tr><td>{@code identity.issuer}</td><td>{@code govgate}</td><td>{@code iss} of session tokens</td></tr>
 *   <tr><td>{@code identity.audience}</td><td>{@code govgate-citizen}</td><td>{@code aud} of session
 *       tokens</td></tr>
 *   <tr><td>{@code identity.faceFreshness}</td><td>30m</td><td>default freshness window of L3</td></tr>
 *   <tr><td>{@code identity.verificationLimit}</td><td>5</td><td>verification attempts per channel user and per
 *       ID number within the window</td></tr>
 *   <tr><td>{@code identity.verificationWindow}</td><td>1h</td><td>the window of the attempt limit</td></tr>
 *   <tr><td>{@code identity.revocationPoll}</td><td>5s</td><td>poll interval of the revoked-session list, the
 *       fallback of LISTEN/NOTIFY</td></tr>
 *   <tr><td>{@code signing.keys}</td><td>required</td><td>comma-separated PEM files (PKCS#8 EC P-256 private
 *       keys, optionally {@code file:}-prefixed): the current ES256 proof-signing key first, then previous
 *       ones still published in the JWKS</td></tr>
 * </table>
 *
 * @param sessionKeys HS256 keys, the signing one first
 * @param dataKeys personal-data keys, the encrypting one first
 * @param blindIndexKey key of the blind indexes
 * @param sessionTtl token lifetime
 * @param clockSkew tolerated clock difference between the instance that issued a token and the one
 *     checking it
 * @param issuer {@code iss}
 * @param audience {@code aud}
 * @param faceFreshness default L3 freshness window
 * @param verificationLimit attempts allowed per window
 * @param verificationWindow window of the attempt limit
 * @param revocationPoll revoked-session poll interval
 * @param signingKeysPem PKCS#8 PEM texts of the ES256 keys, current first
 * @param sm4DataKeys SM4-GCM personal-data keys, the encrypting one first; empty when none is
 *     configured or generated (then nothing is sealed with SM4 under an own key)
 */
public record IdentityConfig(
    List<NamedKey> sessionKeys,
    List<NamedKey> dataKeys,
    byte[] blindIndexKey,
    Duration sessionTtl,
    Duration clockSkew,
    String issuer,
    String audience,
    Duration faceFreshness,
    int verificationLimit,
    Duration verificationWindow,
    Duration revocationPoll,
    List<String> signingKeysPem,
    List<NamedKey> sm4DataKeys) {

  private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  /** The id of the SM4 data key the gateway generates when none is configured. */
  public static final String GENERATED_SM4_KID = "g1";

  /**
   * A symmetric key with its id.
   *
   * @param id the key id ({@code kid}), 1–32 characters of {@code [A-Za-z0-9_-]}
   * @param key the key bytes
   */
  public record NamedKey(String id, byte[] key) {
    @Override
    public String toString() {
      return "NamedKey[" + id + "]";
    }
  }

  public IdentityConfig {
    sessionKeys = List.copyOf(sessionKeys);
    dataKeys = List.copyOf(dataKeys);
    signingKeysPem = List.copyOf(signingKeysPem);
    sm4DataKeys = List.copyOf(sm4DataKeys);
  }

  /**
   * Reads the settings; the SM4 data keys as configured, else the generated one from {@code
   * dataDir} (generated now when {@code sm4Seals} and not there yet). Blocking file I/O: start-up
   * only.
   */
  static IdentityConfig from(ConfigValues v, boolean sm4Seals, Path dataDir) {
    List<NamedKey> sessionKeys = keyList(v, "identity.sessionKeys");
    List<NamedKey> dataKeys = keyList(v, "identity.dataKeys");
    List<NamedKey> sm4Keys =
        v.raw("identity.sm4DataKeys") != null
            ? keyList(v, "identity.sm4DataKeys", 16)
            : generatedSm4Key(dataDir, sm4Seals);
    byte[] blind = KeyMaterial.required(v, "identity.blindIndexKey", 32);
    List<String> pems = signingKeys(v);
    return new IdentityConfig(
        sessionKeys,
        dataKeys,
        blind,
        v.duration(
            "identity.sessionTtl",
            Duration.ofMinutes(15),
            Duration.ofMinutes(1),
            Duration.ofHours(12)),
        v.duration(
            "identity.clockSkew", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5)),
        v.string("identity.issuer", "govgate"),
        v.string("identity.audience", "govgate-citizen"),
        v.duration(
            "identity.faceFreshness",
            Duration.ofMinutes(30),
            Duration.ofMinutes(1),
            Duration.ofDays(30)),
        v.integer("identity.verificationLimit", 5, 1, 1000),
        v.duration(
            "identity.verificationWindow",
            Duration.ofHours(1),
            Duration.ofMinutes(1),
            Duration.ofDays(7)),
        v.duration(
            "identity.revocationPoll",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        pems,
        sm4Keys);
  }

  /**
   * The generated SM4 data key: read when its file exists, written first when SM4 seals, else none.
   */
  private static List<NamedKey> generatedSm4Key(Path dataDir, boolean sm4Seals) {
    byte[] key =
        KeyMaterial.generated(
            "identity.sm4DataKeys",
            dataDir.resolve("keys").resolve("sm4-data-" + GENERATED_SM4_KID + ".key"),
            16,
            sm4Seals);
    return key == null ? List.of() : List.of(new NamedKey(GENERATED_SM4_KID, key));
  }

  /** Parses the required {@code kid:key,kid2:key2} of 32-byte keys. */
  static List<NamedKey> keyList(ConfigValues v, String key) {
    return keyList(v, key, 32);
  }

  /** Parses the required {@code kid:key,kid2:key2} of {@code length}-byte keys. */
  static List<NamedKey> keyList(ConfigValues v, String key, int length) {
    String raw = v.raw(key);
    if (raw == null) {
      throw new ConfigException(
          key,
          "is required: kid:key[,kid:key…], "
              + length
              + " random bytes each, Base64 or file:/path");
    }
    List<NamedKey> keys = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (String item : raw.split(",")) {
      String entry = item.trim();
      int colon = entry.indexOf(':');
      if (colon <= 0) throw new ConfigException(key, "each entry must be kid:key");
      String id = entry.substring(0, colon);
      if (!KID.matcher(id).matches()) {
        throw new ConfigException(key, "key id '" + id + "' must be 1-32 of [A-Za-z0-9_-]");
      }
      if (!ids.add(id)) throw new ConfigException(key, "key id '" + id + "' appears twice");
      keys.add(new NamedKey(id, KeyMaterial.decode(key, entry.substring(colon + 1), length)));
    }
    return keys;
  }

  private static List<String> signingKeys(ConfigValues v) {
    String raw = v.raw("signing.keys");
    if (raw == null) {
      throw new ConfigException(
          "signing.keys", "is required: PEM files of ES256 keys, current first");
    }
    List<String> pems = new ArrayList<>();
    for (String item : raw.split(",")) {
      String path = item.trim();
      if (path.startsWith("file:")) path = path.substring(5);
      pems.add(KeyFiles.read("signing.keys", Path.of(path)));
    }
    return pems;
  }

  @Override
  public String toString() {
    return "IdentityConfig[sessionKeys="
        + sessionKeys
        + ", dataKeys="
        + dataKeys
        + ", sm4DataKeys="
        + sm4DataKeys
        + ", ttl="
        + sessionTtl
        + "]";
  }
}
