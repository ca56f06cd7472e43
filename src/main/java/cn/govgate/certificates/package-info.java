/**
 * Signed electronic proofs (网上开证明): issuing a proof as a compact JWS (ES256, or SM2 under the
 * private JWS alg {@value cn.govgate.certificates.ProofAlgorithm#SM2_JWS_ALG}), storing what was
 * issued, giving it back to its holder, public verification (signature against the published keys,
 * expiry, revocation) and revocation by the issuing department.
 */
package cn.govgate.certificates;
