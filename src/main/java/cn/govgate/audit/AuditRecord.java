package cn.govgate.audit;

import java.time.Instant;

/**
 * An audit record as stored and hashed; {@code details} is the exact JSON text that was hashed;
 * {@code interactionId} is null except on a read's record (V165).
 */
record AuditRecord(
    long seq,
    Instant at,
    String actorType,
    String actorId,
    String action,
    String citizenKey,
    String outcome,
    String requestId,
    String details,
    String prevHash,
    String interactionId) {

  static AuditRecord of(long seq, Instant at, AuditEvent e, String prevHash) {
    return new AuditRecord(
        seq,
        at,
        e.actorType(),
        e.actorId(),
        e.action(),
        e.citizenKey(),
        e.outcome(),
        e.requestId(),
        e.details() == null ? null : e.details().encode(),
        prevHash,
        e.interactionId());
  }
}
