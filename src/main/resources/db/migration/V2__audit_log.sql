-- Tamper-evident audit log: append-only, hash-chained (see cn.govgate.audit.AuditLog), partitioned by month
-- so that old months can be detached after the retention period (at least 6 months).
CREATE TABLE audit_log (
  seq         BIGINT      NOT NULL,
  at          TIMESTAMPTZ NOT NULL,
  actor_type  TEXT        NOT NULL,
  actor_id    TEXT,
  action      TEXT        NOT NULL,
  citizen_key TEXT,
  outcome     TEXT        NOT NULL,
  request_id  TEXT,
  details     TEXT,
  prev_hash   TEXT        NOT NULL,
  hash        TEXT        NOT NULL,
  PRIMARY KEY (seq, at)
) PARTITION BY RANGE (at);

CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;

CREATE INDEX audit_log_citizen ON audit_log (citizen_key, at);

-- Creates the monthly partitions from this month to `months_ahead` months on; safe to call at every start.
CREATE FUNCTION audit_ensure_partitions(months_ahead INT) RETURNS VOID AS $$
DECLARE
  m DATE;
  name TEXT;
BEGIN
  FOR i IN 0..months_ahead LOOP
    m := (date_trunc('month', now()) + make_interval(months => i))::date;
    name := 'audit_log_' || to_char(m, 'YYYYMM');
    IF to_regclass(name) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                       name, m, (m + interval '1 month')::date);
      EXCEPTION WHEN others THEN
        -- Rows for that month already sit in the default partition; leave them there.
        RAISE NOTICE 'partition % not created: %', name, SQLERRM;
      END;
    END IF;
  END LOOP;
END;
$$ LANGUAGE plpgsql;

SELECT audit_ensure_partitions(3);

-- Append-only for the application: updates and deletes are refused (an operator with owner rights can
-- still tamper, which is what the hash chain detects).
CREATE FUNCTION audit_log_append_only() RETURNS TRIGGER AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
