-- Issue 10: a personal-data read leaves ONE durable row. The read's audit record carries the id of the
-- interaction the answer names (`interaction_id`, covered by the record's hash when set), and the interaction
-- (who may rate it, service type, department, region, time) is derived from that record — no
-- service_interactions row is written per read. service_interactions keeps the interactions that other flows
-- record (proof issuance, complaint replies) and the read interactions that get rated: a rating copies its
-- interaction there in its own transaction, so ratings keep their foreign key and outlive audit retention.
ALTER TABLE audit_log ADD COLUMN interaction_id TEXT;

CREATE INDEX audit_log_interaction ON audit_log (interaction_id) WHERE interaction_id IS NOT NULL;
