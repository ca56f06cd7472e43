package cn.govgate.services;

import java.time.Instant;

/**
 * One service answer given to a caller, the thing a 好差评 rating refers to.
 *
 * @param id opaque random id handed to the caller ({@code interactionId})
 * @param citizenKey the citizen served, null for an anonymous (L1) interaction
 * @param serviceType e.g. {@code housing-fund.account}
 * @param departmentId the department that answered
 * @param region GB/T 2260 region code
 * @param createdAt when the answer was given
 * @param identityKey the channel login it was given to, null without one (or before this was kept)
 */
public record Interaction(
    String id,
    String citizenKey,
    String serviceType,
    String departmentId,
    String region,
    Instant createdAt,
    String identityKey) {}
