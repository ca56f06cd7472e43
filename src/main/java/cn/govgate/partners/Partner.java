package cn.govgate.partners;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partner as every instance holds it in memory: settings, scopes, quotas and its keys (parsed
 * once).
 *
 * @param quotaPerSecond signed requests per second, across all instances
 * @param quotaPerDay signed requests per day (Beijing time), across all instances
 */
record Partner(
    String appId,
    String name,
    String status,
    Set<String> scopes,
    int quotaPerSecond,
    int quotaPerDay,
    String callbackUrl,
    int version,
    Map<String, Key> keys) {

  /**
   * One key of the partner; {@code publicKey} null when it could not be parsed (never for stored
   * keys).
   */
  record Key(
      String keyId,
      SignatureAlgorithm algorithm,
      String spki,
      PublicKey publicKey,
      String sm2UserId,
      boolean revoked,
      String createdAt,
      String revokedAt) {

    JsonObject toJson() {
      JsonObject o =
          new JsonObject()
              .put("keyId", keyId)
              .put("algorithm", algorithm.name())
              .put("publicKey", spki)
              .put("status", revoked ? "revoked" : "active")
              .put("createdAt", createdAt);
      if (algorithm == SignatureAlgorithm.SM2) o.put("sm2UserId", sm2UserId);
      if (revokedAt != null) o.put("revokedAt", revokedAt);
      return o;
    }
  }

  boolean active() {
    return "active".equals(status);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("appId", appId)
        .put("name", name)
        .put("status", status)
        .put("scopes", new JsonArray(List.copyOf(new java.util.TreeSet<>(scopes))))
        .put("quota", new JsonObject().put("perSecond", quotaPerSecond).put("perDay", quotaPerDay))
        .put("callbackUrl", callbackUrl)
        .put("version", version)
        .put("keys", new JsonArray(keys.values().stream().map(Key::toJson).toList()));
  }
}
