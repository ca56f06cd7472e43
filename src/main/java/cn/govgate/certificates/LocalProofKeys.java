package cn.govgate.certificates;

import cn.govgate.config.CertificatesConfig;
import cn.govgate.config.ConfigException;
import cn.govgate.config.KeyFiles;
import cn.govgate.config.KeyMaterial;
import cn.govgate.identity.SigningKeys;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Proof keys held by the gateway itself: a configured PKCS#8 key ({@code certificates.signingKey}),
 * or one generated once into {@code <dataDir>/keys/proof-<alg>.key} (owner-only) and reused on
 * restart. Previous keys (verification only) can be added for rotation.
 */
public final class LocalProofKeys implements ProofKeys {
  private final ProofKey current;
  private final List<ProofKey> all;

  private LocalProofKeys(ProofKey current, List<ProofKey> previous) {
    this.current = current;
    List<ProofKey> keys = new ArrayList<>();
    keys.add(current);
    keys.addAll(previous);
    this.all = List.copyOf(keys);
  }

  /** Signs with {@code current}; also accepts proofs signed by {@code previous}. */
  public static LocalProofKeys of(ProofKey current, List<ProofKey> previous) {
    return new LocalProofKeys(current, previous);
  }

  /** A freshly generated key (tests, or a throw-away gateway). */
  public static LocalProofKeys generate(ProofAlgorithm algorithm) {
    return new LocalProofKeys(ProofCrypto.generate(algorithm), List.of());
  }

  /** A key from PKCS#8 DER. */
  public static ProofKey key(ProofAlgorithm algorithm, byte[] pkcs8) {
    return ProofCrypto.fromPkcs8(algorithm, pkcs8);
  }

  /**
   * The identity concern's ES256 signing keys, as proofs are signed with them and published in the
   * JWKS.
   */
  public static LocalProofKeys fromSigningKeys(SigningKeys keys) {
    JsonArray jwks = keys.jwks().getJsonArray("keys");
    List<ProofKey> list = new ArrayList<>();
    for (int i = 0; i < keys.all().size(); i++) {
      SigningKeys.SigningKey k = keys.all().get(i);
      list.add(
          new ProofKey(
              k.kid(), ProofAlgorithm.ES256, k.privateKey(), k.publicKey(), jwks.getJsonObject(i)));
    }
    return of(list.get(0), list.subList(1, list.size()));
  }

  /**
   * The configured key, or the generated one in the data directory. Blocking file I/O: call at
   * start-up.
   */
  public static LocalProofKeys load(CertificatesConfig config, Path dataDir) {
    ProofAlgorithm algorithm = ProofAlgorithm.valueOf(config.algorithm());
    if (config.signingKey() != null) {
      byte[] pkcs8 = decode(config.signingKey());
      try {
        return of(ProofCrypto.fromPkcs8(algorithm, pkcs8), List.of());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "certificates.signingKey", "is not a PKCS#8 " + algorithm + " private key");
      }
    }
    return of(
        generated(
            algorithm,
            dataDir
                .resolve("keys")
                .resolve("proof-" + algorithm.name().toLowerCase(java.util.Locale.ROOT) + ".key")),
        List.of());
  }

  /**
   * The SM2 proof key of an earlier {@code shangmi} period, for verification only, when the gateway
   * now signs with ES256: the configured {@code certificates.signingKey} if it is an SM2 key, else
   * the one generated into {@code <dataDir>/keys/proof-sm2.key} if that file exists; empty when
   * there is none. Proofs signed with it keep verifying (and its JWK stays published) until it is
   * removed — after the last of them expired. Blocking file I/O: call at start-up.
   */
  public static List<ProofKey> earlierSm2(CertificatesConfig config, Path dataDir) {
    if (config.signingKey() != null) {
      try {
        return List.of(ProofCrypto.fromPkcs8(ProofAlgorithm.SM2, decode(config.signingKey())));
      } catch (IllegalArgumentException e) {
        return List.of(); // not an SM2 key: nothing signed with SM2 under it
      }
    }
    Path file = dataDir.resolve("keys").resolve("proof-sm2.key");
    if (!Files.exists(file)) return List.of();
    return List.of(generated(ProofAlgorithm.SM2, file));
  }

  private static byte[] decode(String raw) {
    String value = raw;
    if (raw.startsWith("file:")) {
      value = KeyFiles.read("certificates.signingKey", Path.of(raw.substring(5))).trim();
    }
    value = value.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "certificates.signingKey", "must be Base64 PKCS#8 (or PEM), or file:/path");
    }
  }

  private static synchronized ProofKey generated(ProofAlgorithm algorithm, Path file) {
    try {
      if (Files.exists(file)) {
        KeyFiles.checkPrivate("certificates.signingKey", file);
        return ProofCrypto.fromPkcs8(
            algorithm, Base64.getDecoder().decode(Files.readString(file).trim()));
      }
      ProofKey key = ProofCrypto.generate(algorithm);
      KeyMaterial.writeSecret(
          file, Base64.getEncoder().encodeToString(key.privateKey().getEncoded()));
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated proof key " + file, e);
    }
  }

  @Override
  public ProofKey current() {
    return current;
  }

  @Override
  public List<ProofKey> verificationKeys() {
    return all;
  }
}
