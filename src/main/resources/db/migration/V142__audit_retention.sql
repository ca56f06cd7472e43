-- Audit retention (issue 13, item 3). A scheduled job of one instance at a time (advisory lock) creates the monthly
-- partitions ahead of the gateway's clock, exports each partition past the retention to the archive directory
-- (records as JSON lines, a manifest with the chain head and the file's SHA-256), records it here, then DETACHES the
-- partition: the table stays in the database, nothing is deleted. audit-check anchors the kept chain at the last
-- archived record, so a record missing across the boundary is found.
CREATE TABLE audit_archives (
  partition_name  TEXT        PRIMARY KEY,
  range_from      DATE        NOT NULL,
  range_to        DATE        NOT NULL,
  records         BIGINT      NOT NULL,
  first_seq       BIGINT,
  last_seq        BIGINT,
  first_prev_hash TEXT,
  chain_head      TEXT,
  file            TEXT        NOT NULL,
  sha256          TEXT        NOT NULL,
  archived_at     TIMESTAMPTZ NOT NULL
);

-- As audit_ensure_partitions, from the month of `base` (the gateway's clock) rather than the database's now().
CREATE FUNCTION audit_ensure_partitions_from(base DATE, months_ahead INT) RETURNS INT AS $$
DECLARE
  m DATE;
  name TEXT;
  created INT := 0;
BEGIN
  FOR i IN 0..months_ahead LOOP
    m := (date_trunc('month', base) + make_interval(months => i))::date;
    name := 'audit_log_' || to_char(m, 'YYYYMM');
    IF to_regclass(name) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
                       name, m, (m + interval '1 month')::date);
        created := created + 1;
      EXCEPTION WHEN others THEN
        RAISE NOTICE 'partition % not created: %', name, SQLERRM;
      END;
    END IF;
  END LOOP;
  RETURN created;
END;
$$ LANGUAGE plpgsql;
