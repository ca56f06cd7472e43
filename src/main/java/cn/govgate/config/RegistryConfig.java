package cn.govgate.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Department registry settings.
 *
 * @param secretKey 32-byte AES key ({@code registry.secretKey}: Base64 or {@code file:/path};
 *     required) that encrypts the per-backend HMAC secrets and mTLS keys at rest. The secrets must
 *     be usable to sign, so they are encrypted, not hashed; all instances need the same key.
 * @param healthInterval how often every backend's health path is checked ({@code
 *     registry.healthInterval}, default 10 s)
 * @param maxRetries retries of an idempotent read after the first attempt ({@code
 *     registry.maxRetries}, 0–5, default 2)
 * @param staleEntries capacity of the last-known-good cache per instance ({@code
 *     registry.staleEntries})
 * @param staleTtl the oldest copy that may still be served while a department is down ({@code
 *     registry.staleTtl})
 * @param fullValidationShare share of department answers also validated against the full contract
 *     schema ({@code registry.fullValidationShare}, 0 to 1, default 0.01); every answer gets the
 *     compiled lean check
 * @param sm4SecretKey 16-byte SM4 key of the same secrets under {@code crypto.dataSealing=SM4-GCM}
 *     ({@code registry.sm4SecretKey}), independent of {@code secretKey}; unset, generated once into
 *     {@code <dataDir>/keys/sm4-registry.key} (owner-only) when SM4 first seals and read from there
 *     afterwards; null when there is none. Several instances must share a configured one
 */
public record RegistryConfig(
    byte[] secretKey,
    Duration healthInterval,
    int maxRetries,
    int staleEntries,
    Duration staleTtl,
    double fullValidationShare,
    byte[] sm4SecretKey) {

  /** Reads the settings; blocking file I/O for the generated SM4 key: start-up only. */
  static RegistryConfig from(ConfigValues v, boolean sm4Seals, Path dataDir) {
    return new RegistryConfig(
        KeyMaterial.required(v, "registry.secretKey", 32),
        v.duration(
            "registry.healthInterval",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofHours(1)),
        v.integer("registry.maxRetries", 2, 0, 5),
        v.integer("registry.staleEntries", 10_000, 1, 10_000_000),
        v.duration(
            "registry.staleTtl", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(7)),
        share(v, "registry.fullValidationShare", 0.01),
        v.raw("registry.sm4SecretKey") != null
            ? KeyMaterial.required(v, "registry.sm4SecretKey", 16)
            : KeyMaterial.generated(
                "registry.sm4SecretKey",
                dataDir.resolve("keys").resolve("sm4-registry.key"),
                16,
                sm4Seals));
  }

  private static double share(ConfigValues v, String key, double def) {
    String raw = v.raw(key);
    if (raw == null) return def;
    try {
      double d = Double.parseDouble(raw);
      if (d >= 0 && d <= 1) return d;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(key, "must be a number from 0 to 1, got '" + raw + "'");
  }

  @Override
  public String toString() {
    return "RegistryConfig[secretKey=***, healthInterval="
        + healthInterval
        + ", maxRetries="
        + maxRetries
        + ", staleEntries="
        + staleEntries
        + ", staleTtl="
        + staleTtl
        + ", fullValidationShare="
        + fullValidationShare
        + "]";
  }
}
