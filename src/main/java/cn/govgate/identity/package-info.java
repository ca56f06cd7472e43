/**
 * Government identity (一号): one citizen reached from any channel. Channel login by auth code
 * ({@code POST /v1/sessions}), real name + live face step-up through the channel's own checks
 * ({@code /v1/identity/verifications}), binding of channel users to citizens found by blind index,
 * assurance levels L1–L3, HS256 session tokens verified locally on every request with shared
 * revocation, the reusable route guards ({@link cn.govgate.identity.Sessions}, {@link
 * cn.govgate.identity.AssuranceGate}), the {@link cn.govgate.identity.CitizenDirectory}, personal
 * data sealed with AES-256-GCM or SM4-GCM and blind indexes with HMAC-SHA256 or HMAC-SM3 ({@link
 * cn.govgate.identity.PersonalDataCipher}; {@code reencrypt}, {@code reindex}) and the ES256 {@link
 * cn.govgate.identity.SigningKeys} published at {@code /.well-known/jwks.json}. Also the
 * primitives: resident ID numbers (GB 11643-1999) — validation, normalisation, masking, synthetic
 * generation — and server-side masking of names and phones.
 */
package cn.govgate.identity;
