package cn.govgate.crypto;

/**
 * The one switch of {@code crypto.profile}: which algorithm family protects data by default. Each
 * use can be overridden on its own ({@code crypto.dataSealing}, {@code crypto.blindIndex}, {@code
 * crypto.auditChain}, {@code crypto.departmentSigning}, {@code certificates.algorithm}).
 */
public enum CryptoProfile {
  /** AES-256-GCM, HMAC-SHA256, ES256. */
  INTERNATIONAL(SealAlgorithm.AES_256_GCM, MacAlgorithm.HMAC_SHA256, "ES256"),
  /** SM4-GCM, HMAC-SM3, SM2 with SM3 (GB/T 32907, 32905, 32918). */
  SHANGMI(SealAlgorithm.SM4_GCM, MacAlgorithm.HMAC_SM3, "SM2");

  private final SealAlgorithm sealing;
  private final MacAlgorithm mac;
  private final String proofAlgorithm;

  CryptoProfile(SealAlgorithm sealing, MacAlgorithm mac, String proofAlgorithm) {
    this.sealing = sealing;
    this.mac = mac;
    this.proofAlgorithm = proofAlgorithm;
  }

  /** The configuration value ({@code international}, {@code shangmi}). */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public SealAlgorithm sealing() {
    return sealing;
  }

  public MacAlgorithm mac() {
    return mac;
  }

  /** The default {@code certificates.algorithm}: {@code ES256} or {@code SM2}. */
  public String proofAlgorithm() {
    return proofAlgorithm;
  }
}
