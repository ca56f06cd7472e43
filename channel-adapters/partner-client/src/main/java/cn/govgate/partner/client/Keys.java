package cn.govgate.partner.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Key material of the partner API: PKCS#8 private keys (PEM or Base64), SPKI public keys in Base64.
 */
public final class Keys {
  private Keys() {}

  /** A new key pair: RSA 2048 for RSA2, a key on the SM2 curve ({@code sm2p256v1}) for SM2. */
  public static KeyPair generate(Algorithm algorithm) {
    try {
      if (algorithm == Algorithm.RSA2) {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
      }
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", Algorithm.BC);
      gen.initialize(new ECGenParameterSpec("sm2p256v1"));
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A PKCS#8 private key from PEM ({@code -----BEGIN PRIVATE KEY-----}) or bare Base64. */
  public static PrivateKey privateKey(Algorithm algorithm, String pemOrBase64) {
    try {
      return factory(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der(pemOrBase64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PKCS#8 " + algorithm + " private key", e);
    }
  }

  /** An SPKI ({@code SubjectPublicKeyInfo}) public key from Base64 or PEM. */
  public static PublicKey publicKey(Algorithm algorithm, String pemOrBase64) {
    try {
      return factory(algorithm).generatePublic(new X509EncodedKeySpec(der(pemOrBase64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an SPKI " + algorithm + " public key", e);
    }
  }

  /** The Base64 SPKI form of a public key, as registered with the gateway. */
  public static String spki(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** A private key as PKCS#8 PEM (what {@code openssl dgst -sign} reads). */
  public static String pkcs8Pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static KeyFactory factory(Algorithm algorithm) throws GeneralSecurityException {
    return algorithm == Algorithm.RSA2
        ? KeyFactory.getInstance("RSA")
        : KeyFactory.getInstance("EC", Algorithm.BC);
  }

  private static byte[] der(String pemOrBase64) {
    return Base64.getDecoder()
        .decode(pemOrBase64.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
  }
}
