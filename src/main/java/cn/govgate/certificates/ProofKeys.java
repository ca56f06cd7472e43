package cn.govgate.certificates;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where proof-signing keys come from: the current key signs, the current and previous keys verify,
 * and all of them are published as a JWKS so that a bank can verify a proof offline. The identity
 * concern's signing keys implement this once they exist; {@link LocalProofKeys} is the key held by
 * the gateway itself.
 */
public interface ProofKeys {

  /** The key that signs new proofs (with its private key). */
  ProofKey current();

  /** Every key a proof may have been signed with: the current one first, then previous ones. */
  List<ProofKey> verificationKeys();

  /** The public keys as a JWKS document {@code {"keys":[…]}}. */
  default JsonObject jwks() {
    JsonArray keys = new JsonArray();
    verificationKeys().forEach(k -> keys.add(k.jwk().copy()));
    return new JsonObject().put("keys", keys);
  }

  /** The verification key with this id, or null. */
  default ProofKey find(String kid) {
    return verificationKeys().stream().filter(k -> k.kid().equals(kid)).findFirst().orElse(null);
  }
}
