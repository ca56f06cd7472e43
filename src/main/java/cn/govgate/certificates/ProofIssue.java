package cn.govgate.certificates;

import io.vertx.core.json.JsonObject;

/**
 * What a proof is issued from.
 *
 * @param citizenKey the holder's pseudonymous key (stored, never put into the proof)
 * @param type the kind of proof
 * @param region GB/T 2260 region of the issuing department
 * @param departmentId the issuing department's id
 * @param departmentName the issuing department's name, as printed on the proof
 * @param holderName the holder's full name (masked before it goes into the proof)
 * @param holderIdNumber the holder's ID number (masked before it goes into the proof)
 * @param data the facts the proof states, as the department gave them (the holder's name is dropped
 *     from it)
 * @param purpose 用证事由, 1–{@value Proofs#MAX_PURPOSE} characters
 * @param validDays days of validity, 1–90
 */
public record ProofIssue(
    String citizenKey,
    ProofType type,
    String region,
    String departmentId,
    String departmentName,
    String holderName,
    String holderIdNumber,
    JsonObject data,
    String purpose,
    int validDays) {}
