-- 政务互动: consultations (咨询) and complaints (投诉) a citizen files about a service in a region, routed to the
-- department registered for it, with a reply deadline in working days (State Council holiday schedule).
-- The citizen's text, the department's reply and transfer reasons are personal data: sealed with the personal-data
-- cipher (AES-256-GCM, key id in the value), never stored or logged in clear.
CREATE TABLE complaints (
  id                   TEXT        PRIMARY KEY,          -- random public reference, unguessable
  kind                 TEXT        NOT NULL CHECK (kind IN ('consultation', 'complaint')),
  citizen_key          TEXT        NOT NULL,
  channel              TEXT,                             -- where it was filed (alipay, wechat), for reminders
  service_type         TEXT        NOT NULL,
  region               TEXT        NOT NULL,
  department_id        TEXT        NOT NULL,             -- the department handling it now (changes on transfer)
  first_department_id  TEXT        NOT NULL,             -- the department it was routed to
  text_enc             TEXT        NOT NULL,
  interaction_id       TEXT,                             -- the service answer it is about, the citizen's own
  idempotency_key      TEXT,
  request_hash         TEXT        NOT NULL,
  submitted_at         TIMESTAMPTZ NOT NULL,
  working_days         SMALLINT    NOT NULL,
  deadline             TIMESTAMPTZ NOT NULL,             -- exclusive: midnight after the last working day
  reply_enc            TEXT,
  replied_at           TIMESTAMPTZ,
  replied_by           TEXT,                             -- pseudonymous actor (credential id)
  reply_department_id  TEXT,
  reply_interaction_id TEXT,                             -- what the citizen rates the reply with (好差评)
  closed_at            TIMESTAMPTZ,
  overdue_at           TIMESTAMPTZ,                      -- when it was found unanswered past its deadline
  transfers            SMALLINT    NOT NULL DEFAULT 0,
  CONSTRAINT reply_complete CHECK ((replied_at IS NULL) = (reply_enc IS NULL)),
  CONSTRAINT closed_after_reply CHECK (closed_at IS NULL OR replied_at IS NOT NULL)
);

CREATE UNIQUE INDEX complaints_idempotency ON complaints (citizen_key, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX complaints_citizen ON complaints (citizen_key, submitted_at DESC);
CREATE INDEX complaints_department ON complaints (department_id, submitted_at DESC);
CREATE INDEX complaints_submitted ON complaints (submitted_at);
CREATE INDEX complaints_unanswered ON complaints (deadline) WHERE replied_at IS NULL;

-- What happened to an item, in order: the trail a citizen and the department see.
CREATE TABLE complaint_events (
  id              BIGSERIAL   PRIMARY KEY,
  complaint_id    TEXT        NOT NULL REFERENCES complaints (id),
  at              TIMESTAMPTZ NOT NULL,
  action          TEXT        NOT NULL CHECK (action IN ('submitted', 'transferred', 'replied', 'closed', 'overdue')),
  actor_type      TEXT        NOT NULL,                  -- citizen, department, operator, gateway
  actor_id        TEXT,
  from_department TEXT,
  to_department   TEXT,
  reason_enc      TEXT
);

CREATE INDEX complaint_events_item ON complaint_events (complaint_id, id);
