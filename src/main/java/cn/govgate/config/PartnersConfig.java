package cn.govgate.config;

/**
 * Partner platform settings ({@code /open/v1}).
 *
 * @param rsaSigningKey the gateway's RSA private key (PKCS#8, Base64, PEM or {@code file:/path})
 *     that signs answers to RSA2 partners ({@code partners.rsaSigningKey}); null: generated once
 *     into {@code <dataDir>/keys/}
 * @param sm2SigningKey the gateway's SM2 private key that signs answers to SM2 partners ({@code
 *     partners.sm2SigningKey}); null: generated likewise. Several instances must share configured
 *     keys.
 */
public record PartnersConfig(String rsaSigningKey, String sm2SigningKey) {

  static PartnersConfig from(ConfigValues v) {
    return new PartnersConfig(v.raw("partners.rsaSigningKey"), v.raw("partners.sm2SigningKey"));
  }

  @Override
  public String toString() {
    return "PartnersConfig[rsaSigningKey="
        + (rsaSigningKey == null ? "generated" : "***")
        + ", sm2SigningKey="
        + (sm2SigningKey == null ? "generated" : "***")
        + "]";
  }
}
