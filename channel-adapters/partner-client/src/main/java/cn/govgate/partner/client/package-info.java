/**
 * The reference client of the partner API ({@code contracts/partner-api.yaml}): the canonical
 * request string, request signing with RSA2 (SHA256withRSA) or SM2 (SM3withSM2), and verification
 * of the gateway's signed answers against its published keys. No dependency on the gateway: what a
 * partner platform would embed.
 */
package cn.govgate.partner.client;
