package cn.govgate.identity;

import cn.govgate.config.KeyMaterial;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;

/**
 * The ES256 (P-256) keys the gateway signs what third parties verify — electronic proofs, signed
 * partner responses — and their public JWKS for {@code /.well-known/jwks.json}. The first key
 * signs; previous keys stay published so that documents they signed still verify. Key ids are RFC
 * 7638 JWK thumbprints.
 */
public final class SigningKeys {

  /**
   * One key pair.
   *
   * @param kid the RFC 7638 thumbprint (SHA-256, Base64url) of the public JWK
   * @param privateKey the private key, for signing
   * @param publicKey the public key
   */
  public record SigningKey(String kid, ECPrivateKey privateKey, ECPublicKey publicKey) {
    @Override
    public String toString() {
      return "SigningKey[" + kid + "]";
    }
  }

  private final List<SigningKey> keys;

  private SigningKeys(List<SigningKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /** Parses PKCS#8 PEM texts of P-256 private keys, the current key first. */
  public static SigningKeys fromPem(List<String> pems) {
    if (pems.isEmpty()) throw new IllegalArgumentException("at least one signing key");
    List<SigningKey> keys = new ArrayList<>();
    for (String pem : pems) keys.add(parse(pem));
    return new SigningKeys(keys);
  }

  private static SigningKey parse(String pem) {
    try {
      KeyFactory kf = KeyFactory.getInstance("EC");
      ECPrivateKey priv =
          (ECPrivateKey) kf.generatePrivate(new PKCS8EncodedKeySpec(KeyMaterial.pemDer(pem)));
      if (priv.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException("signing keys must be P-256");
      }
      X9ECParameters p256 = CustomNamedCurves.getByName("secp256r1");
      org.bouncycastle.math.ec.ECPoint q = p256.getG().multiply(priv.getS()).normalize();
      ECPoint w =
          new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
      ECPublicKey pub = (ECPublicKey) kf.generatePublic(new ECPublicKeySpec(w, priv.getParams()));
      return new SigningKey(thumbprint(pub), priv, pub);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PKCS#8 P-256 private key: " + e.getMessage());
    }
  }

  /** The key that signs now. */
  public SigningKey current() {
    return keys.get(0);
  }

  /** Every key, current first. */
  public List<SigningKey> all() {
    return keys;
  }

  /** The public JWKS: {@code {"keys": [{kty, crv, x, y, kid, use, alg}]}}, current first. */
  public JsonObject jwks() {
    JsonArray arr = new JsonArray();
    for (SigningKey k : keys) {
      arr.add(
          new JsonObject()
              .put("kty", "EC")
              .put("crv", "P-256")
              .put("x", coordinate(k.publicKey().getW().getAffineX()))
              .put("y", coordinate(k.publicKey().getW().getAffineY()))
              .put("kid", k.kid())
              .put("use", "sig")
              .put("alg", "ES256"));
    }
    return new JsonObject().put("keys", arr);
  }

  private static String thumbprint(ECPublicKey pub) throws GeneralSecurityException {
    String canonical =
        "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\""
            + coordinate(pub.getW().getAffineX())
            + "\",\"y\":\""
            + coordinate(pub.getW().getAffineY())
            + "\"}";
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }

  /** A P-256 coordinate as 32 big-endian bytes, Base64url (RFC 7518 §6.2.1.2). */
  private static String coordinate(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
