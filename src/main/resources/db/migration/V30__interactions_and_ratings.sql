-- Service interactions (one per service answer) and their 好差评 ratings. An interaction is named by an
-- unguessable random id that the citizen receives with the answer; it is the only handle a rating needs.
CREATE TABLE service_interactions (
  id            TEXT        PRIMARY KEY,
  citizen_key   TEXT,                          -- null for an anonymous (L1) interaction
  service_type  TEXT        NOT NULL,
  department_id TEXT        NOT NULL,
  region        TEXT        NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL
);

-- One rating per interaction ("一事一评"): the unique constraint is what refuses a second one, across instances.
-- The rater is not stored here: statistics and rectification read ratings without ever touching who rated.
CREATE TABLE ratings (
  id             BIGSERIAL   PRIMARY KEY,
  interaction_id TEXT        NOT NULL UNIQUE REFERENCES service_interactions (id),
  service_type   TEXT        NOT NULL,
  department_id  TEXT        NOT NULL,
  region         TEXT        NOT NULL,
  level          SMALLINT    NOT NULL CHECK (level BETWEEN 1 AND 5),
  indicators     TEXT[]      NOT NULL,
  comment        TEXT,
  rated_at       TIMESTAMPTZ NOT NULL,
  CONSTRAINT bad_rating_has_comment CHECK (level >= 3 OR length(btrim(coalesce(comment, ''))) > 0)
);

CREATE INDEX ratings_region_department ON ratings (region, department_id);

-- A 差评 (level 1–2) opens exactly one rectification item for the department that served the interaction.
-- The state is derived: closed (closed_at set), answered (answered_at set), overdue (neither closed nor
-- within the deadline), else open.
CREATE TABLE rectifications (
  id            BIGSERIAL   PRIMARY KEY,
  rating_id     BIGINT      NOT NULL UNIQUE REFERENCES ratings (id),
  department_id TEXT        NOT NULL,
  region        TEXT        NOT NULL,
  service_type  TEXT        NOT NULL,
  opened_at     TIMESTAMPTZ NOT NULL,
  deadline      TIMESTAMPTZ NOT NULL,
  answer        TEXT,
  answered_at   TIMESTAMPTZ,
  closed_at     TIMESTAMPTZ
);

CREATE INDEX rectifications_department ON rectifications (department_id, opened_at);
