package cn.govgate.partners;

import cn.govgate.config.ConfigException;
import cn.govgate.config.KeyFiles;
import cn.govgate.config.KeyMaterial;
import cn.govgate.config.PartnersConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's keys that sign answers to partners, one per algorithm: configured ({@code
 * partners.rsaSigningKey}, {@code partners.sm2SigningKey}, PKCS#8) or generated once into {@code
 * <dataDir>/keys/partner-<alg>.key} (owner-only) and reused. The key id is derived from the public
 * key ({@code gw-<alg>-<8 hex of its SHA-256>}), so instances sharing a key publish the same id.
 * Loading is blocking file I/O: call at start-up.
 */
final class AnswerKeys {

  /** One gateway key. */
  record GatewayKey(
      String keyId,
      SignatureAlgorithm algorithm,
      PrivateKey privateKey,
      PublicKey publicKey,
      SignatureAlgorithm.Signer signer) {

    GatewayKey(
        String keyId,
        SignatureAlgorithm algorithm,
        PrivateKey privateKey,
        PublicKey publicKey,
        Provider rsa) {
      this(keyId, algorithm, privateKey, publicKey, algorithm.signer(rsa, privateKey));
    }
  }

  private final Map<SignatureAlgorithm, GatewayKey> keys;
  private final JsonObject keySet;

  private AnswerKeys(Map<SignatureAlgorithm, GatewayKey> keys) {
    this.keys = keys;
    JsonArray list = new JsonArray();
    keys.values()
        .forEach(
            k ->
                list.add(
                    new JsonObject()
                        .put("keyId", k.keyId())
                        .put("algorithm", k.algorithm().name())
                        .put(
                            "publicKey",
                            Base64.getEncoder().encodeToString(k.publicKey().getEncoded()))));
    this.keySet = new JsonObject().put("keys", list);
  }

  /**
   * @param rsa the provider of RSA2 signatures ({@link RsaProviders#choose})
   */
  static AnswerKeys load(PartnersConfig config, Path dataDir, Provider rsa) {
    Map<SignatureAlgorithm, GatewayKey> keys = new EnumMap<>(SignatureAlgorithm.class);
    keys.put(
        SignatureAlgorithm.RSA2,
        key(
            SignatureAlgorithm.RSA2,
            "partners.rsaSigningKey",
            config.rsaSigningKey(),
            dataDir,
            rsa));
    keys.put(
        SignatureAlgorithm.SM2,
        key(
            SignatureAlgorithm.SM2,
            "partners.sm2SigningKey",
            config.sm2SigningKey(),
            dataDir,
            rsa));
    return new AnswerKeys(keys);
  }

  GatewayKey of(SignatureAlgorithm algorithm) {
    return keys.get(algorithm);
  }

  /** {@code {keys: [{keyId, algorithm, publicKey}]}}, the answer of {@code GET /open/v1/keys}. */
  JsonObject keySet() {
    return keySet;
  }

  private static GatewayKey key(
      SignatureAlgorithm algorithm, String setting, String raw, Path dataDir, Provider rsa) {
    try {
      byte[] pkcs8;
      if (raw != null) {
        String value =
            raw.startsWith("file:") ? KeyFiles.read(setting, Path.of(raw.substring(5))) : raw;
        try {
          pkcs8 = KeyMaterial.pemDer(value);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(
              setting, "must be a PKCS#8 private key (Base64 or PEM), or file:/path");
        }
      } else {
        pkcs8 =
            generated(
                algorithm,
                setting,
                dataDir
                    .resolve("keys")
                    .resolve("partner-" + algorithm.name().toLowerCase(Locale.ROOT) + ".key"));
      }
      PrivateKey privateKey;
      try {
        privateKey = algorithm.privateKey(pkcs8);
      } catch (GeneralSecurityException e) {
        throw new ConfigException(setting, "is not a PKCS#8 " + algorithm + " private key");
      }
      PublicKey publicKey = algorithm.publicOf(privateKey);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
      String keyId =
          "gw-"
              + algorithm.name().toLowerCase(Locale.ROOT)
              + "-"
              + HexFormat.of().formatHex(digest, 0, 4);
      return new GatewayKey(keyId, algorithm, privateKey, publicKey, rsa);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static synchronized byte[] generated(
      SignatureAlgorithm algorithm, String setting, Path file) throws GeneralSecurityException {
    try {
      if (Files.exists(file)) {
        KeyFiles.checkPrivate(setting, file);
        return Base64.getDecoder().decode(Files.readString(file).trim());
      }
      byte[] pkcs8 = algorithm.generate().getPrivate().getEncoded();
      KeyMaterial.writeSecret(file, Base64.getEncoder().encodeToString(pkcs8));
      return pkcs8;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated partner key " + file, e);
    }
  }
}
