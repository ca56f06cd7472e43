package cn.govgate.certificates;

/**
 * The signature algorithms of proofs.
 *
 * <p>{@link #ES256}: ECDSA P-256 with SHA-256, JWS per RFC 7515/7518 (signature is the 64-byte
 * {@code R‖S}).
 *
 * <p>{@link #SM2}: no JWS alg is registered for SM2, so proofs use the private alg name {@value
 * #SM2_JWS_ALG}: the signature is SM2 (GB/T 32918, curve sm2p256v1) with SM3, over the ASCII JWS
 * signing input {@code BASE64URL(header) + "." + BASE64URL(payload)}, with the signer user id
 * {@value #SM2_USER_ID} passed explicitly, encoded as the 64-byte {@code R‖S} (each 32 bytes,
 * big-endian, left-padded) like ES256. The JWK of an SM2 key is {@code
 * {"kty":"EC","crv":"SM2","x":…,"y":…}} with 32-byte coordinates.
 */
public enum ProofAlgorithm {
  ES256("ES256"),
  SM2(ProofAlgorithm.SM2_JWS_ALG);

  /** The JWS {@code alg} header value of SM2 proofs. */
  public static final String SM2_JWS_ALG = "SM3withSM2";

  /** The SM2 signer user id (GM/T 0009 default), always passed explicitly. */
  public static final String SM2_USER_ID = "1234567812345678";

  private final String jwsAlg;

  ProofAlgorithm(String jwsAlg) {
    this.jwsAlg = jwsAlg;
  }

  /** The JWS {@code alg} header value. */
  public String jwsAlg() {
    return jwsAlg;
  }

  public static ProofAlgorithm ofJwsAlg(String alg) {
    for (ProofAlgorithm a : values()) {
      if (a.jwsAlg.equals(alg)) return a;
    }
    return null;
  }
}
