package cn.govgate.testing;

import cn.govgate.app.Gateway;
import cn.govgate.config.ConfigValues;
import cn.govgate.config.GovgateConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts whole gateways for tests: random port, two event loops, a database of their own. */
public final class TestGateways {
  private TestGateways() {}

  /** Settings for a gateway on a fresh test database; callers may override any of them. */
  public static Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(TestPostgres.newDatabase());
    s.put("http.port", "0");
    s.put("http.host", "127.0.0.1");
    s.put("http.instances", "2");
    s.put("http.shutdownGrace", "2s");
    s.put("audit.hmacKey", randomKey(32));
    s.put("registry.secretKey", randomKey(32));
    s.put("admin.bootstrapKey", randomKey(32));
    java.nio.file.Path dataDir;
    try {
      dataDir = Files.createTempDirectory("govgate-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    s.put("dataDir", dataDir.toString());
    s.putAll(identityKeys(dataDir));
    s.put("crypto.profile", profile());
    return s;
  }

  /**
   * The crypto profile test gateways run in: {@code international}, or what the system property
   * {@code govgate.test.cryptoProfile} says (the build's {@code shangmi-profile} run of the
   * identity, audit, registry, proof, complaint and reminder suites sets {@code shangmi}).
   */
  public static String profile() {
    String p = System.getProperty("govgate.test.cryptoProfile");
    return p == null || p.isBlank() ? "international" : p;
  }

  /**
   * The identity keys a gateway needs: one session key, one data key, a blind-index key and an
   * ES256 signing key written as an owner-only PEM file into {@code dir}.
   */
  public static Map<String, String> identityKeys(java.nio.file.Path dir) {
    Map<String, String> s = new HashMap<>();
    s.put("identity.sessionKeys", "s1:" + randomKey(32));
    s.put("identity.dataKeys", "d1:" + randomKey(32));
    s.put("identity.blindIndexKey", randomKey(32));
    java.nio.file.Path pem = dir.resolve("signing-" + java.util.UUID.randomUUID() + ".pem");
    writeEcPem(pem);
    s.put("signing.keys", pem.toString());
    return s;
  }

  /**
   * Writes a new EC P-256 private key as a PKCS#8 PEM file, owner-only (the gateway refuses
   * others).
   */
  public static void writeEcPem(java.nio.file.Path file) {
    try {
      java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
      gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      byte[] pkcs8 = gen.generateKeyPair().getPrivate().getEncoded();
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
              + "\n-----END PRIVATE KEY-----\n";
      Files.createFile(
          file,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A random key of {@code bytes} bytes, Base64. */
  public static String randomKey(int bytes) {
    byte[] key = new byte[bytes];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  /**
   * Starts a gateway with the given settings and waits for it (blocking: call from the test
   * thread).
   */
  public static Gateway start(Map<String, String> settings) {
    try {
      return Gateway.start(GovgateConfig.from(ConfigValues.of(settings)))
          .await(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start: " + e.getMessage(), e);
    }
  }

  public static Gateway start() {
    return start(settings());
  }

  /** Stops a gateway and waits. */
  public static void stop(Gateway gateway) {
    if (gateway == null) return;
    try {
      gateway.stop().await(1, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A copy of settings with extra entries. */
  public static Map<String, String> with(Map<String, String> settings, String... keyValues) {
    Map<String, String> copy = new HashMap<>(settings);
    for (int i = 0; i < keyValues.length; i += 2) copy.put(keyValues[i], keyValues[i + 1]);
    return copy;
  }
}
