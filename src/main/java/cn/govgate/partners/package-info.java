/**
 * Partner platforms (合作方): the operator's register of partners, their keys, scopes and quotas
 * (admin API, versioned, audited, pushed to every instance with LISTEN/NOTIFY); the citizens'
 * consents (授权) to a partner; and the signed {@code /open/v1} API ({@code
 * contracts/partner-api.yaml}) that serves the citizen services to a partner through the same
 * service layer as the citizen API — request signature (RSA2, SM2), time window, nonces and quotas
 * enforced in PostgreSQL across instances, consent, and signed answers.
 */
package cn.govgate.partners;
