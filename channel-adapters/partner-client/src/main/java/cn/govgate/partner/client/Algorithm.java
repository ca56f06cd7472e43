package cn.govgate.partner.client;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The two signature algorithms of the partner API. {@code RSA2} is SHA256withRSA (PKCS#1 v1.5, RSA
 * ≥ 2048 bits); {@code SM2} is SM3withSM2 (GB/T 32918) with a user id (default {@value
 * #DEFAULT_SM2_USER_ID}), the signature DER-encoded as JCA and OpenSSL produce it. Signatures
 * travel in Base64.
 */
public enum Algorithm {
  RSA2("SHA256withRSA"),
  SM2("SM3withSM2");

  /** The SM2 user id (ZA input) used when a key names none. */
  public static final String DEFAULT_SM2_USER_ID = "1234567812345678";

  static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private final String jcaName;

  Algorithm(String jcaName) {
    this.jcaName = jcaName;
  }

  /** The {@code Authorization} scheme, e.g. {@code GOVGATE-RSA2}. */
  public String scheme() {
    return "GOVGATE-" + name();
  }

  /** The algorithm of a scheme, or null when the scheme is not one of ours. */
  public static Algorithm ofScheme(String scheme) {
    for (Algorithm a : values()) {
      if (a.scheme().equals(scheme)) return a;
    }
    return null;
  }

  /** Signs {@code data}; {@code sm2UserId} is ignored for RSA2 (null means the default for SM2). */
  public byte[] sign(PrivateKey key, String sm2UserId, byte[] data) {
    try {
      Signature s = signature(sm2UserId);
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this " + name() + " key", e);
    }
  }

  /**
   * Whether {@code signature} is a valid signature of {@code data}; false for garbage, never
   * throws.
   */
  public boolean verify(PublicKey key, String sm2UserId, byte[] data, byte[] signature) {
    try {
      Signature s = signature(sm2UserId);
      s.initVerify(key);
      s.update(data);
      return s.verify(signature);
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private Signature signature(String sm2UserId) throws java.security.GeneralSecurityException {
    if (this == RSA2) return Signature.getInstance(jcaName);
    Signature s = Signature.getInstance(jcaName, BC);
    String id = sm2UserId == null ? DEFAULT_SM2_USER_ID : sm2UserId;
    AlgorithmParameterSpec spec = new SM2ParameterSpec(id.getBytes(StandardCharsets.US_ASCII));
    s.setParameter(spec);
    return s;
  }
}
