-- 效能监察: durable service levels. Every instance adds what its department calls did, per minute, to
-- service_level_minutes (append-only rows keyed by instance); one instance at a time rolls rows older than an
-- hour into per-day totals (Asia/Shanghai days) and deletes them in the same statement. Published figures sum
-- both tables, so they never depend on one instance's memory and survive restarts.
CREATE TABLE service_level_minutes (
  instance_id     TEXT        NOT NULL,
  minute          TIMESTAMPTZ NOT NULL,
  department_id   TEXT        NOT NULL,
  service_type    TEXT        NOT NULL,
  region          TEXT        NOT NULL,
  calls           BIGINT      NOT NULL,
  answered        BIGINT      NOT NULL,
  errors          BIGINT      NOT NULL,
  unavailable     BIGINT      NOT NULL,
  timed_out       BIGINT      NOT NULL,
  stale           BIGINT      NOT NULL,
  -- Latency of answered calls as a sparse log histogram: bucket i ≥ 1 holds [0.1 ms·1.1^(i-1), 0.1 ms·1.1^i).
  latency_buckets SMALLINT[]  NOT NULL,
  latency_counts  BIGINT[]    NOT NULL,
  CONSTRAINT latency_pairs CHECK (cardinality(latency_buckets) = cardinality(latency_counts))
);

CREATE INDEX service_level_minutes_minute ON service_level_minutes (minute);

CREATE TABLE service_level_days (
  day           DATE   NOT NULL,
  department_id TEXT   NOT NULL,
  service_type  TEXT   NOT NULL,
  region        TEXT   NOT NULL,
  calls         BIGINT NOT NULL,
  answered      BIGINT NOT NULL,
  errors        BIGINT NOT NULL,
  unavailable   BIGINT NOT NULL,
  timed_out     BIGINT NOT NULL,
  stale         BIGINT NOT NULL,
  PRIMARY KEY (day, department_id, service_type, region)
);

CREATE TABLE service_level_day_latency (
  day           DATE     NOT NULL,
  department_id TEXT     NOT NULL,
  service_type  TEXT     NOT NULL,
  region        TEXT     NOT NULL,
  bucket        SMALLINT NOT NULL,
  count         BIGINT   NOT NULL,
  PRIMARY KEY (day, department_id, service_type, region, bucket)
);

CREATE INDEX ratings_rated_at ON ratings (rated_at);
CREATE INDEX rectifications_deadline ON rectifications (deadline);
