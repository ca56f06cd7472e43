-- Foundation: a small table proving the schema is ours and recording each start, so that a restart on the
-- same data directory can be seen to keep data.
CREATE TABLE gateway_starts (
  id          BIGSERIAL PRIMARY KEY,
  instance_id TEXT        NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  version     TEXT        NOT NULL
);
