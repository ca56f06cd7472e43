package cn.govgate.config;

import java.nio.file.Path;

/**
 * Admin API settings.
 *
 * @param bootstrapKey the operator's 32-byte bootstrap key ({@code admin.bootstrapKey}: Base64 or
 *     {@code file:/path}); the operator sends its Base64 form as {@code Authorization: Bearer <key>}. Generated
 *     into {@code <dataDir>/keys/admin-bootstrap.key} in demo mode; when absent outside demo mode no operator
 *     can authenticate (department credentials still work).
 * @param bootstrapKeyFile where the demo wrote the generated key, null otherwise
 */
public record AdminConfig(byte[] bootstrapKey, Path bootstrapKeyFile) {

  static AdminConfig from(ConfigValues v, boolean demo, Path dataDir) {
    if (!demo && !v.isSet("admin.bootstrapKey")) {
      return new AdminConfig(null, null);
    }
    byte[] key = KeyMaterial.read(v, "admin.bootstrapKey", 32, demo, dataDir, "admin-bootstrap");
    Path file = v.isSet("admin.bootstrapKey") ? null : dataDir.resolve("keys").resolve("admin-bootstrap.key");
    return new AdminConfig(key, file);
  }

  @Override
  public String toString() {
    return "AdminConfig[bootstrapKey=***]";
  }
}
