package cn.govgate.config;

import cn.govgate.crypto.CryptoProfile;
import cn.govgate.crypto.MacAlgorithm;
import cn.govgate.crypto.SealAlgorithm;

/**
 * Commercial cryptography (商用密码) settings: one profile and, where a deployment needs a mix, an
 * override per use.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code crypto.profile}</td><td>{@code international}</td><td>{@code international} (AES-256-GCM,
 *       HMAC-SHA256, ES256) or {@code shangmi} (SM4-GCM, HMAC-SM3, SM2 with SM3)</td></tr>
 *   <tr><td>{@code crypto.dataSealing}</td><td>the profile's</td><td>{@code AES-256-GCM} or {@code SM4-GCM}: personal
 *       data and registry secrets at rest</td></tr>
 *   <tr><td>{@code crypto.blindIndex}</td><td>the profile's</td><td>{@code HMAC-SHA256} or {@code HMAC-SM3}: blind
 *       indexes of personal data</td></tr>
 *   <tr><td>{@code crypto.auditChain}</td><td>the profile's</td><td>{@code HMAC-SHA256} or {@code HMAC-SM3}: the
 *       audit hash chain</td></tr>
 *   <tr><td>{@code crypto.departmentSigning}</td><td>the profile's</td><td>{@code HMAC-SHA256} or {@code HMAC-SM3}:
 *       signatures of requests to department backends (with SHA-256 or SM3 body digests)</td></tr>
 * </table>
 *
 * <p>Proofs follow the profile through the default of {@code certificates.algorithm} ({@code ES256}
 * or {@code SM2}).
 *
 * @param profile the chosen profile
 * @param dataSealing algorithm new sealed values are written with (old ones open with theirs)
 * @param blindIndex algorithm new blind indexes are computed with (lookups also try the other one)
 * @param auditChain algorithm new audit records are hashed with (each record names its own)
 * @param departmentSigning algorithm of department request signatures
 */
public record CryptoConfig(
    CryptoProfile profile,
    SealAlgorithm dataSealing,
    MacAlgorithm blindIndex,
    MacAlgorithm auditChain,
    MacAlgorithm departmentSigning) {

  /**
   * The international profile without overrides (what a configuration without {@code crypto.*}
   * means).
   */
  public static CryptoConfig international() {
    return of(CryptoProfile.INTERNATIONAL);
  }

  /** A profile without overrides. */
  public static CryptoConfig of(CryptoProfile p) {
    return new CryptoConfig(p, p.sealing(), p.mac(), p.mac(), p.mac());
  }

  static CryptoConfig from(ConfigValues v) {
    CryptoProfile profile =
        CryptoProfile.valueOf(
            v.oneOf("crypto.profile", "international", "international", "shangmi")
                .toUpperCase(java.util.Locale.ROOT));
    return new CryptoConfig(
        profile,
        SealAlgorithm.ofConfigName(
            v.oneOf(
                "crypto.dataSealing",
                profile.sealing().configName(),
                SealAlgorithm.AES_256_GCM.configName(),
                SealAlgorithm.SM4_GCM.configName())),
        mac(v, "crypto.blindIndex", profile),
        mac(v, "crypto.auditChain", profile),
        mac(v, "crypto.departmentSigning", profile));
  }

  private static MacAlgorithm mac(ConfigValues v, String key, CryptoProfile profile) {
    return MacAlgorithm.ofConfigName(
        v.oneOf(
            key,
            profile.mac().configName(),
            MacAlgorithm.HMAC_SHA256.configName(),
            MacAlgorithm.HMAC_SM3.configName()));
  }
}
