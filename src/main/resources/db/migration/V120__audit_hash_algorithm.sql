-- Commercial cryptography (issue 16): each audit record names the keyed hash of its chain link, so a chain may
-- change algorithm part-way (crypto.auditChain) and audit-check still verifies every record. NULL = HMAC-SHA256,
-- what every record written before this column was.
ALTER TABLE audit_log ADD COLUMN hash_alg TEXT;
