package cn.govgate.partners;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The two signature algorithms of the partner API: {@code RSA2} = SHA256withRSA (PKCS#1 v1.5, RSA ≥
 * 2048 bits) and {@code SM2} = SM3withSM2 with a user id (default {@value #DEFAULT_SM2_USER_ID}),
 * DER signatures. RSA2 through the provider chosen at start-up ({@link RsaProviders}: the native
 * ACCP or the JDK's), SM2 through Bouncy Castle. CPU only: fine on an event loop (an RSA-2048
 * verification is tens of microseconds).
 */
enum SignatureAlgorithm {
  RSA2,
  SM2;

  static final String DEFAULT_SM2_USER_ID = "1234567812345678";
  private static final Provider BC = new BouncyCastleProvider();

  String scheme() {
    return "GOVGATE-" + name();
  }

  static SignatureAlgorithm ofScheme(String scheme) {
    for (SignatureAlgorithm a : values()) {
      if (a.scheme().equals(scheme)) return a;
    }
    return null;
  }

  static SignatureAlgorithm ofName(String name) {
    for (SignatureAlgorithm a : values()) {
      if (a.name().equals(name)) return a;
    }
    return null;
  }

  /**
   * Whether {@code signature} verifies; false for anything malformed, never throws.
   *
   * @param rsa the provider of RSA2 operations ({@link RsaProviders}); SM2 is Bouncy Castle's
   */
  boolean verify(Provider rsa, PublicKey key, String sm2UserId, byte[] data, byte[] signature) {
    try {
      Signature s = signature(rsa, sm2UserId);
      try {
        s.initVerify(key);
      } catch (InvalidKeyException e) {
        // A key the native provider refuses (RsaProviders.forVerification kept the JDK's): the JDK.
        if (this != RSA2 || !RsaProviders.isNative(rsa)) return false;
        s = signature(RsaProviders.jdk(), null);
        s.initVerify(key);
      }
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  byte[] sign(Provider rsa, PrivateKey key, byte[] data) {
    try {
      Signature s = signature(rsa, null);
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the gateway's " + name() + " key", e);
    }
  }

  /**
   * A signer of one private key that keeps one initialised {@link Signature} per thread (the event
   * loops): Bouncy Castle's SM2 derives the public point and the user-id digest Z on every {@code
   * initSign}, five times the cost of the signature itself (86 vs 462 µs CPU measured); ACCP
   * translates the key into a native one on {@code initSign}. After {@code sign()} a Signature is
   * ready for the next one with the same key.
   *
   * @param rsa the provider of RSA2 signatures ({@link RsaProviders})
   */
  Signer signer(Provider rsa, PrivateKey key) {
    return new Signer(this, rsa, key);
  }

  static final class Signer {
    private final SignatureAlgorithm algorithm;
    private final Provider rsa;
    private final PrivateKey key;
    private final ThreadLocal<Signature> perThread;

    private Signer(SignatureAlgorithm algorithm, Provider rsa, PrivateKey key) {
      this.algorithm = algorithm;
      this.rsa = rsa;
      this.key = key;
      this.perThread =
          ThreadLocal.withInitial(
              () -> {
                try {
                  Signature s = algorithm.signature(rsa, null);
                  s.initSign(key);
                  return s;
                } catch (GeneralSecurityException e) {
                  throw new IllegalStateException(
                      "cannot sign with the gateway's " + algorithm.name() + " key", e);
                }
              });
    }

    byte[] sign(byte[] data) {
      Signature s = perThread.get();
      try {
        s.update(data);
        return s.sign();
      } catch (GeneralSecurityException | RuntimeException e) {
        // Whatever state it was left in, the next signature starts from a fresh one.
        perThread.remove();
        return algorithm.sign(rsa, key, data);
      }
    }

    /** The provider of this signer's signatures. */
    Provider provider() {
      return perThread.get().getProvider();
    }
  }

  private Signature signature(Provider rsa, String sm2UserId) throws GeneralSecurityException {
    if (this == RSA2) return Signature.getInstance("SHA256withRSA", rsa);
    Signature s = Signature.getInstance("SM3withSM2", BC);
    s.setParameter(
        new SM2ParameterSpec(
            (sm2UserId == null ? DEFAULT_SM2_USER_ID : sm2UserId)
                .getBytes(StandardCharsets.US_ASCII)));
    return s;
  }

  /**
   * A partner's public key (SPKI DER), checked: RSA of at least 2048 bits, or a point on the SM2
   * curve.
   *
   * @throws IllegalArgumentException with a reason fit for a field error
   */
  PublicKey publicKey(byte[] spki) {
    try {
      if (this == RSA2) {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
        if (((RSAPublicKey) key).getModulus().bitLength() < 2048) {
          throw new IllegalArgumentException("an RSA key of at least 2048 bits");
        }
        return key;
      }
      PublicKey key = KeyFactory.getInstance("EC", BC).generatePublic(new X509EncodedKeySpec(spki));
      if (!(key instanceof ECPublicKey ec)
          || !ec.getParameters()
              .getCurve()
              .equals(org.bouncycastle.asn1.gm.GMNamedCurves.getByName("sm2p256v1").getCurve())) {
        throw new IllegalArgumentException("a public key on the SM2 curve (sm2p256v1)");
      }
      return key;
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("an SPKI " + name() + " public key in Base64");
    }
  }

  PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
    return this == RSA2
        ? KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8))
        : KeyFactory.getInstance("EC", BC).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  /** The public half of a private key we generated or were given (for the key set). */
  PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
    if (this == RSA2) {
      var crt = (java.security.interfaces.RSAPrivateCrtKey) key;
      return KeyFactory.getInstance("RSA")
          .generatePublic(
              new java.security.spec.RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
    }
    var ec = (org.bouncycastle.jce.interfaces.ECPrivateKey) key;
    var spec = ec.getParameters();
    var q = spec.getG().multiply(ec.getD()).normalize();
    return KeyFactory.getInstance("EC", BC)
        .generatePublic(new org.bouncycastle.jce.spec.ECPublicKeySpec(q, spec));
  }

  KeyPair generate() throws GeneralSecurityException {
    if (this == RSA2) {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      return gen.generateKeyPair();
    }
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", BC);
    gen.initialize(new ECGenParameterSpec("sm2p256v1"));
    return gen.generateKeyPair();
  }
}
