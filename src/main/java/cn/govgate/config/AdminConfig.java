package cn.govgate.config;

/**
 * Admin API settings.
 *
 * @param bootstrapKey the operator's 32-byte bootstrap key ({@code admin.bootstrapKey}: Base64 or
 *     {@code file:/path}); the operator sends its Base64 form as {@code Authorization: Bearer
 *     <key>}. When absent no operator can authenticate (department credentials still work).
 */
public record AdminConfig(byte[] bootstrapKey) {

  static AdminConfig from(ConfigValues v) {
    return new AdminConfig(
        v.isSet("admin.bootstrapKey") ? KeyMaterial.required(v, "admin.bootstrapKey", 32) : null);
  }

  @Override
  public String toString() {
    return "AdminConfig[bootstrapKey=***]";
  }
}
