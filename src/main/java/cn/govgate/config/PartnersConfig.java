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
 * @param rsaProvider {@code auto} (default): RSA2 answer signatures and request verifications
 *     through Amazon Corretto Crypto Provider (native) when it loads and is healthy, else the
 *     JDK's; {@code jdk}: always the JDK's ({@code partners.rsaProvider})
 */
public record PartnersConfig(String rsaSigningKey, String sm2SigningKey, String rsaProvider) {

  static PartnersConfig from(ConfigValues v) {
    return new PartnersConfig(
        v.raw("partners.rsaSigningKey"),
        v.raw("partners.sm2SigningKey"),
        v.oneOf("partners.rsaProvider", "auto", "auto", "jdk"));
  }

  @Override
  public String toString() {
    return "PartnersConfig[rsaSigningKey="
        + (rsaSigningKey == null ? "generated" : "***")
        + ", sm2SigningKey="
        + (sm2SigningKey == null ? "generated" : "***")
        + ", rsaProvider="
        + rsaProvider
        + "]";
  }
}
