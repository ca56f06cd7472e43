package cn.govgate.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Key files the demo generates once into {@code <dataDir>/keys/} (owner-only) and reuses on restart: ES256
 * signing keys, channel app keys, WeChat secrets. Never used outside demo mode. Blocking file I/O: call at
 * start-up, off the event loop.
 */
public final class DemoKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DemoKeys() {}

  /** An RSA key pair as Base64 DER: PKCS#8 private, SPKI public. */
  public record RsaKeys(String privateKeyBase64, String publicKeyBase64) {
    @Override
    public String toString() {
      return "RsaKeys[***]";
    }
  }

  /** The PKCS#8 PEM of an EC P-256 private key kept in {@code file}, generated when absent. */
  public static synchronized String ecPem(Path file) {
    try {
      if (Files.exists(file)) return Files.readString(file);
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      String pem = pem(gen.generateKeyPair().getPrivate().getEncoded());
      write(file, pem);
      return pem;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RSA-2048 key pair whose private key is kept in {@code file} (PKCS#8 PEM), generated when absent. */
  public static synchronized RsaKeys rsa(Path file) {
    try {
      byte[] der;
      if (Files.exists(file)) {
        der = fromPem(Files.readString(file));
      } else {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, RANDOM);
        KeyPair pair = gen.generateKeyPair();
        der = pair.getPrivate().getEncoded();
        write(file, pem(der));
      }
      KeyFactory kf = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] pub = kf.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent())).getEncoded();
      Base64.Encoder b64 = Base64.getEncoder();
      return new RsaKeys(b64.encodeToString(der), b64.encodeToString(pub));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A secret of {@code hexChars} lower-case hex characters kept in {@code file}, generated when absent. */
  public static synchronized String hexSecret(Path file, int hexChars) {
    try {
      if (Files.exists(file)) return Files.readString(file).trim();
      byte[] bytes = new byte[(hexChars + 1) / 2];
      RANDOM.nextBytes(bytes);
      String secret = HexFormat.of().formatHex(bytes).substring(0, hexChars);
      write(file, secret);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo key " + file, e);
    }
  }

  /** The DER bytes of a PEM block (any label). */
  public static byte[] fromPem(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  private static String pem(byte[] pkcs8) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static void write(Path file, String content) throws IOException {
    KeyMaterial.writeSecret(file, content);
  }
}
