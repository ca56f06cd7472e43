/**
 * Commercial cryptography (商用密码) beside the international algorithms, selectable by configuration:
 * the {@link cn.govgate.crypto.CryptoProfile} and, per use, the {@link
 * cn.govgate.crypto.SealAlgorithm} of data at rest (AES-256-GCM or SM4-GCM) and the {@link
 * cn.govgate.crypto.MacAlgorithm} of blind indexes, the audit chain and department request
 * signatures (HMAC-SHA256 or HMAC-SM3). The SM primitives come from Bouncy Castle; nothing here is
 * hand-written cryptography. CPU-only, safe on an event loop. Part of the foundation: depends on no
 * concern.
 */
package cn.govgate.crypto;
