package cn.govgate.certificates;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECParameterSpec;

/**
 * The CPU-only cryptography of proofs: key loading and generation, signatures in the JWS {@code
 * R‖S} form, JWKs and their RFC 7638 thumbprints. ES256 goes through the JDK (SunEC, P1363 format);
 * SM2 through Bouncy Castle's {@link SM2Signer} with SM3, the explicit user id {@value
 * ProofAlgorithm#SM2_USER_ID} and plain encoding.
 */
final class ProofCrypto {
  static final Provider BC = new BouncyCastleProvider();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] SM2_ID =
      ProofAlgorithm.SM2_USER_ID.getBytes(StandardCharsets.US_ASCII);

  private ProofCrypto() {}

  /** A fresh key pair. */
  static ProofKey generate(ProofAlgorithm algorithm) {
    try {
      KeyPairGenerator g =
          algorithm == ProofAlgorithm.ES256
              ? KeyPairGenerator.getInstance("EC")
              : KeyPairGenerator.getInstance("EC", BC);
      g.initialize(
          new ECGenParameterSpec(algorithm == ProofAlgorithm.ES256 ? "secp256r1" : "sm2p256v1"),
          RANDOM);
      return fromPkcs8(algorithm, g.generateKeyPair().getPrivate().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }

  /** The key whose private part is this PKCS#8 DER; the public key is derived from it. */
  static ProofKey fromPkcs8(ProofAlgorithm algorithm, byte[] pkcs8) {
    try {
      PrivateKey privateKey;
      PublicKey publicKey;
      if (algorithm == ProofAlgorithm.ES256) {
        privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        java.security.interfaces.ECPrivateKey ec =
            (java.security.interfaces.ECPrivateKey) privateKey;
        if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
          throw new IllegalArgumentException("an ES256 key must be on P-256");
        }
        org.bouncycastle.math.ec.ECPoint q =
            ECNamedCurveTable.getParameterSpec("secp256r1").getG().multiply(ec.getS()).normalize();
        publicKey =
            KeyFactory.getInstance("EC")
                .generatePublic(
                    new ECPublicKeySpec(
                        new ECPoint(
                            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                        ec.getParams()));
      } else {
        privateKey =
            KeyFactory.getInstance("EC", BC).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        org.bouncycastle.jce.interfaces.ECPrivateKey ec =
            (org.bouncycastle.jce.interfaces.ECPrivateKey) privateKey;
        ECParameterSpec spec = ec.getParameters();
        if (spec == null
            || !spec.getCurve()
                .equals(ECNamedCurveTable.getParameterSpec("sm2p256v1").getCurve())) {
          throw new IllegalArgumentException("an SM2 key must be on sm2p256v1");
        }
        publicKey =
            KeyFactory.getInstance("EC", BC)
                .generatePublic(
                    new org.bouncycastle.jce.spec.ECPublicKeySpec(
                        spec.getG().multiply(ec.getD()).normalize(), spec));
      }
      JsonObject jwk = jwk(algorithm, (ECPublicKey) publicKey);
      return new ProofKey(jwk.getString("kid"), algorithm, privateKey, publicKey, jwk);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not a PKCS#8 " + algorithm + " private key", e);
    }
  }

  /** The public JWK with {@code kid} (its thumbprint), {@code use} and {@code alg}. */
  static JsonObject jwk(ProofAlgorithm algorithm, ECPublicKey key) {
    String crv = algorithm == ProofAlgorithm.ES256 ? "P-256" : "SM2";
    String x = b64(unsigned32(key.getW().getAffineX()));
    String y = b64(unsigned32(key.getW().getAffineY()));
    // RFC 7638: the required members in lexicographic order, no whitespace.
    String canonical =
        "{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
    String kid = b64(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    return new JsonObject()
        .put("kty", "EC")
        .put("crv", crv)
        .put("x", x)
        .put("y", y)
        .put("kid", kid)
        .put("use", "sig")
        .put("alg", algorithm.jwsAlg());
  }

  /** The JWS signature ({@code R‖S}, 64 bytes) over {@code input}. */
  static byte[] sign(ProofKey key, byte[] input) {
    try {
      if (key.algorithm() == ProofAlgorithm.ES256) {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key.privateKey(), RANDOM);
        s.update(input);
        return s.sign();
      }
      SM2Signer signer = new SM2Signer(PlainDSAEncoding.INSTANCE);
      signer.init(
          true,
          new ParametersWithID(
              new ParametersWithRandom(
                  ECUtil.generatePrivateKeyParameter(key.privateKey()), RANDOM),
              SM2_ID));
      signer.update(input, 0, input.length);
      return signer.generateSignature();
    } catch (GeneralSecurityException | CryptoException e) {
      throw new IllegalStateException("cannot sign with " + key.algorithm(), e);
    }
  }

  /**
   * Whether {@code signature} ({@code R‖S}) is a valid signature of {@code input} by {@code key}.
   */
  static boolean verify(ProofKey key, byte[] input, byte[] signature) {
    if (signature.length != 64) return false;
    try {
      if (key.algorithm() == ProofAlgorithm.ES256) {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initVerify(key.publicKey());
        s.update(input);
        return s.verify(signature);
      }
      SM2Signer verifier = new SM2Signer(PlainDSAEncoding.INSTANCE);
      verifier.init(
          false, new ParametersWithID(ECUtil.generatePublicKeyParameter(key.publicKey()), SM2_ID));
      verifier.update(input, 0, input.length);
      return verifier.verifySignature(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned32(BigInteger n) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }
}
