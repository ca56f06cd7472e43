package cn.govgate.config;

import java.time.Duration;

/**
 * Department registry settings.
 *
 * @param secretKey 32-byte AES key ({@code registry.secretKey}: Base64 or {@code file:/path}; required) that encrypts the per-backend HMAC secrets and mTLS keys at rest. The secrets must be usable to sign,
 *     so they are encrypted, not hashed; all instances need the same key.
 * @param healthInterval how often every backend's health path is checked ({@code registry.healthInterval},
 *     default 10 s)
 * @param maxRetries retries of an idempotent read after the first attempt ({@code registry.maxRetries}, 0–5,
 *     default 2)
 * @param staleEntries capacity of the last-known-good cache per instance ({@code registry.staleEntries})
 * @param staleTtl the oldest copy that may still be served while a department is down ({@code registry.staleTtl})
 */
public record RegistryConfig(
    byte[] secretKey, Duration healthInterval, int maxRetries, int staleEntries, Duration staleTtl) {

  static RegistryConfig from(ConfigValues v) {
    return new RegistryConfig(
        KeyMaterial.required(v, "registry.secretKey", 32),
        v.duration("registry.healthInterval", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1)),
        v.integer("registry.maxRetries", 2, 0, 5),
        v.integer("registry.staleEntries", 10_000, 1, 10_000_000),
        v.duration("registry.staleTtl", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(7)));
  }

  @Override
  public String toString() {
    return "RegistryConfig[secretKey=***, healthInterval=" + healthInterval + ", maxRetries=" + maxRetries
        + ", staleEntries=" + staleEntries + ", staleTtl=" + staleTtl + "]";
  }
}
