package cn.govgate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's keys, generated once into {@code <dataDir>/keys/} and reused on restart (a restarted
 * demo still reads the personal data it encrypted): the gateway's own keys, handed to it as {@code
 * file:} configuration, and the channel app and merchant keys of the simulators. Every file is
 * created owner-only ({@code 0600}, never readable by others, not even for a moment), so the
 * gateway's key-file check accepts them. Blocking file I/O: start-up only.
 */
public final class DemoKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  private DemoKeys(Path dir) {
    this.dir = dir;
  }

  /** The key directory {@code <dataDir>/keys}, created owner-only. */
  public static DemoKeys in(Path dataDir) {
    Path dir = dataDir.resolve("keys");
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException notPosix) {
      // the data directory's own permissions apply
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the demo key directory " + dir, e);
    }
    return new DemoKeys(dir);
  }

  public Path dir() {
    return dir;
  }

  /**
   * The gateway's key settings, each a {@code file:} path to a generated key: audit chain, registry
   * secrets, operator bootstrap key, session and data keys, blind index, ES256 signing key. The
   * file names are those of earlier demos, so an existing data directory keeps working.
   */
  public Map<String, String> gatewaySettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("audit.hmacKey", "file:" + symmetric("audit-hmac.key"));
    s.put("registry.secretKey", "file:" + symmetric("registry-secret.key"));
    s.put("admin.bootstrapKey", "file:" + symmetric("admin-bootstrap.key"));
    s.put("identity.sessionKeys", "session1:file:" + symmetric("session-session1.key"));
    s.put("identity.dataKeys", "data1:file:" + symmetric("data-data1.key"));
    s.put("identity.blindIndexKey", "file:" + symmetric("blind-index.key"));
    Path signing = dir.resolve("signing-current.pem");
    ecPem(signing);
    s.put("signing.keys", "file:" + signing);
    return s;
  }

  /** The operator's bootstrap key file (Base64 of 32 bytes), generated when absent. */
  public Path bootstrapKeyFile() {
    return symmetric("admin-bootstrap.key");
  }

  /** The Base64 content of the bootstrap key, as an operator sends it. */
  public String bootstrapKey() {
    return read(bootstrapKeyFile()).trim();
  }

  /** An RSA key pair as Base64 DER: PKCS#8 private, SPKI public. */
  public record RsaKeys(String privateKeyBase64, String publicKeyBase64) {
    @Override
    public String toString() {
      return "RsaKeys[***]";
    }
  }

  /**
   * An RSA-2048 key pair whose private key is kept in {@code name} (PKCS#8 PEM), generated when
   * absent.
   */
  public synchronized RsaKeys rsa(String name) {
    Path file = dir.resolve(name);
    try {
      byte[] der;
      if (Files.exists(file)) {
        der = pemDer(read(file));
      } else {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, RANDOM);
        KeyPair pair = gen.generateKeyPair();
        der = pair.getPrivate().getEncoded();
        writeOwnerOnly(file, pem(der));
      }
      KeyFactory kf = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] pub =
          kf.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()))
              .getEncoded();
      Base64.Encoder b64 = Base64.getEncoder();
      return new RsaKeys(b64.encodeToString(der), b64.encodeToString(pub));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A secret of {@code hexChars} lower-case hex characters kept in {@code name}, generated when
   * absent.
   */
  public synchronized String hexSecret(String name, int hexChars) {
    Path file = dir.resolve(name);
    if (Files.exists(file)) return read(file).trim();
    byte[] bytes = new byte[(hexChars + 1) / 2];
    RANDOM.nextBytes(bytes);
    String secret = HexFormat.of().formatHex(bytes).substring(0, hexChars);
    writeOwnerOnly(file, secret);
    return secret;
  }

  /** The path of key file {@code name} in the key directory. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  private synchronized Path symmetric(String name) {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      writeOwnerOnly(file, Base64.getEncoder().encodeToString(bytes));
    }
    return file;
  }

  /** The PKCS#8 PEM of an EC P-256 private key kept in {@code file}, generated when absent. */
  public static synchronized String ecPem(Path file) {
    if (Files.exists(file)) return read(file);
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      String pem = pem(gen.generateKeyPair().getPrivate().getEncoded());
      writeOwnerOnly(file, pem);
      return pem;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code content} atomically (temp file + move) into a file created owner-only. */
  static void writeOwnerOnly(Path file, String content) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo key " + file, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read demo key " + file, e);
    }
  }

  private static byte[] pemDer(String pem) {
    return Base64.getDecoder()
        .decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
  }

  private static String pem(byte[] pkcs8) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n";
  }
}
