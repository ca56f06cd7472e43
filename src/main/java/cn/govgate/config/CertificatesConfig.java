package cn.govgate.config;

/**
 * Electronic proof (网上开证明) settings.
 *
 * @param algorithm {@code ES256} (JWS per RFC 7518) or {@code SM2} (private JWS alg {@code
 *     SM3withSM2}) ({@code certificates.algorithm}; default: the profile's, ES256 for {@code
 *     international}, SM2 for {@code shangmi})
 * @param signingKey the proof-signing private key, PKCS#8 DER in Base64 or {@code file:/path}
 *     ({@code certificates.signingKey}); null when not set, and then a key is generated once into
 *     {@code <dataDir>/keys/} (fine for one instance; several instances must share a configured
 *     key)
 */
public record CertificatesConfig(String algorithm, String signingKey) {

  static CertificatesConfig from(ConfigValues v, CryptoConfig crypto) {
    String algorithm =
        v.oneOf("certificates.algorithm", crypto.profile().proofAlgorithm(), "ES256", "SM2");
    return new CertificatesConfig(algorithm, v.raw("certificates.signingKey"));
  }

  @Override
  public String toString() {
    return "CertificatesConfig[algorithm="
        + algorithm
        + ", signingKey="
        + (signingKey == null ? "generated" : "***")
        + "]";
  }
}
