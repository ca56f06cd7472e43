package cn.govgate.certificates;

import io.vertx.core.json.JsonObject;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * One proof-signing key.
 *
 * @param kid key id, the RFC 7638 thumbprint of its public JWK
 * @param algorithm what it signs with
 * @param privateKey the private key, null for a key kept only to verify older proofs
 * @param publicKey the public key
 * @param jwk the public JWK as published in the JWKS
 */
public record ProofKey(
    String kid,
    ProofAlgorithm algorithm,
    PrivateKey privateKey,
    PublicKey publicKey,
    JsonObject jwk) {

  @Override
  public String toString() {
    return "ProofKey[kid=" + kid + ", algorithm=" + algorithm + "]";
  }
}
