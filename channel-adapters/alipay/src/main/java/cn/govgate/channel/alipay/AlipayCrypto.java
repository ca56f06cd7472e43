package cn.govgate.channel.alipay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * Alipay request, response and notification signatures: RSA2 (SHA256withRSA, JCA) and SM2
 * (SM3withSM2, BouncyCastle lightweight API with an explicit user id). Keys are Base64 DER: PKCS#8
 * private, SPKI public. Shared by the adapter and the simulator so both sign the same bytes the
 * same way. CPU only, thread-safe.
 */
public final class AlipayCrypto {

  /**
   * The SM2 user id Alipay and the GM/T 0009 standard use when none is agreed: {@code
   * 1234567812345678}.
   */
  public static final String DEFAULT_SM2_USER_ID = "1234567812345678";

  private static final SecureRandom RANDOM = new SecureRandom();

  private AlipayCrypto() {}

  /** Signs the UTF-8 bytes of a string and returns standard Base64 with padding. */
  public interface Signer {
    String sign(String content);
  }

  /**
   * Verifies a Base64 signature over the UTF-8 bytes of a string; false for any malformed input.
   */
  public interface Verifier {
    boolean verify(String content, String signatureBase64);
  }

  /** A generated key pair, Base64 DER (PKCS#8 private key, SPKI public key). */
  public record KeyPairBase64(String privateKey, String publicKey) {
    @Override
    public String toString() {
      return "KeyPairBase64[publicKey=" + publicKey + "]";
    }
  }

  /**
   * Parses a private key once and returns a signer.
   *
   * @param sm2UserId the SM2 user id (ignored for RSA2); null means {@link #DEFAULT_SM2_USER_ID}
   * @throws IllegalArgumentException when the key cannot be parsed for the type
   */
  public static Signer signer(SignType type, String privateKeyBase64, String sm2UserId) {
    byte[] der = decode(privateKeyBase64, "private key");
    if (type == SignType.SM2) {
      ECPrivateKeyParameters key = sm2Private(der);
      byte[] id = userId(sm2UserId);
      return content -> {
        SM2Signer s = new SM2Signer();
        s.init(true, new ParametersWithID(new ParametersWithRandom(key, RANDOM), id));
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        s.update(data, 0, data.length);
        try {
          return Base64.getEncoder().encodeToString(s.generateSignature());
        } catch (CryptoException e) {
          throw new IllegalStateException("SM2 signing failed", e);
        }
      };
    }
    PrivateKey key = rsaPrivate(der);
    return content -> {
      try {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(content.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(s.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("RSA2 signing failed", e);
      }
    };
  }

  /**
   * Parses a public key once and returns a verifier.
   *
   * @throws IllegalArgumentException when the key cannot be parsed for the type
   */
  public static Verifier verifier(SignType type, String publicKeyBase64, String sm2UserId) {
    byte[] der = decode(publicKeyBase64, "public key");
    if (type == SignType.SM2) {
      ECPublicKeyParameters key = sm2Public(der);
      byte[] id = userId(sm2UserId);
      return (content, signature) -> {
        byte[] sig = decodeOrNull(signature);
        if (sig == null || content == null) return false;
        SM2Signer s = new SM2Signer();
        s.init(false, new ParametersWithID(key, id));
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        s.update(data, 0, data.length);
        return s.verifySignature(sig);
      };
    }
    PublicKey key = rsaPublic(der);
    return (content, signature) -> {
      byte[] sig = decodeOrNull(signature);
      if (sig == null || content == null) return false;
      try {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(key);
        s.update(content.getBytes(StandardCharsets.UTF_8));
        return s.verify(sig);
      } catch (GeneralSecurityException e) {
        return false;
      }
    };
  }

  /**
   * Generates an RSA-2048 key pair (RSA2) or an sm2p256v1 key pair (SM2). Slow for RSA: not on a
   * hot path.
   */
  public static KeyPairBase64 generate(SignType type) {
    Base64.Encoder b64 = Base64.getEncoder();
    try {
      if (type == SignType.SM2) {
        X9ECParameters curve = GMNamedCurves.getByName("sm2p256v1");
        ECKeyPairGenerator gen = new ECKeyPairGenerator();
        gen.init(
            new ECKeyGenerationParameters(
                new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, curve), RANDOM));
        AsymmetricCipherKeyPair pair = gen.generateKeyPair();
        return new KeyPairBase64(
            b64.encodeToString(
                PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate()).getEncoded()),
            b64.encodeToString(
                SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic())
                    .getEncoded()));
      }
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, RANDOM);
      java.security.KeyPair pair = gen.generateKeyPair();
      return new KeyPairBase64(
          b64.encodeToString(pair.getPrivate().getEncoded()),
          b64.encodeToString(pair.getPublic().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException("key generation failed for " + type, e);
    }
  }

  private static byte[] userId(String sm2UserId) {
    String id = sm2UserId == null || sm2UserId.isEmpty() ? DEFAULT_SM2_USER_ID : sm2UserId;
    return id.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] decode(String base64, String what) {
    if (base64 == null || base64.isBlank()) throw new IllegalArgumentException("missing " + what);
    try {
      return Base64.getMimeDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not Base64", e);
    }
  }

  private static byte[] decodeOrNull(String base64) {
    if (base64 == null || base64.isEmpty()) return null;
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static PrivateKey rsaPrivate(byte[] der) {
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA PKCS#8 private key", e);
    }
  }

  private static PublicKey rsaPublic(byte[] der) {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA SPKI public key", e);
    }
  }

  private static ECPrivateKeyParameters sm2Private(byte[] der) {
    try {
      if (PrivateKeyFactory.createKey(der) instanceof ECPrivateKeyParameters k) return k;
    } catch (Exception e) {
      throw new IllegalArgumentException("not an SM2 PKCS#8 private key", e);
    }
    throw new IllegalArgumentException("not an SM2 PKCS#8 private key");
  }

  private static ECPublicKeyParameters sm2Public(byte[] der) {
    try {
      if (PublicKeyFactory.createKey(der) instanceof ECPublicKeyParameters k) return k;
    } catch (Exception e) {
      throw new IllegalArgumentException("not an SM2 SPKI public key", e);
    }
    throw new IllegalArgumentException("not an SM2 SPKI public key");
  }
}
