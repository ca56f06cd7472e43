-- Route assignments: which department serves a (service type, region). The operator assigns each route to at most
-- one department; a department registers backends only for routes assigned to it, and instances route a request
-- only to backends of the route's department. Weights and replacements therefore act within one department.
CREATE TABLE route_assignments (
  service_type  TEXT        NOT NULL,
  region        TEXT        NOT NULL,
  department_id TEXT        NOT NULL REFERENCES departments (id),
  assigned_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (service_type, region)
);
CREATE INDEX route_assignments_department ON route_assignments (department_id);

-- Every change to a department's routes, numbered per department like backend_versions: what was assigned or
-- withdrawn, by whom, when. Written in the transaction of the change.
CREATE TABLE route_assignment_versions (
  department_id TEXT        NOT NULL REFERENCES departments (id),
  version       INTEGER     NOT NULL,
  change        TEXT        NOT NULL CHECK (change IN ('assigned', 'withdrawn')),
  routes        JSONB       NOT NULL,
  actor_type    TEXT        NOT NULL,
  actor_id      TEXT,
  changed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (department_id, version)
);

-- Registrations made before assignments existed keep working: each route they serve goes to the department whose
-- backend has served it longest (a later backend of another department on the same route is what assignments
-- now refuse; it stays registered but is no longer routed to).
INSERT INTO route_assignments (service_type, region, department_id, assigned_at)
SELECT DISTINCT ON (s.service_type, r.region) s.service_type, r.region, b.department_id, b.created_at
FROM backends b
CROSS JOIN LATERAL jsonb_array_elements_text(b.spec -> 'serviceTypes') AS s (service_type)
CROSS JOIN LATERAL jsonb_array_elements_text(b.spec -> 'regions') AS r (region)
WHERE b.status <> 'deregistered'
ORDER BY s.service_type, r.region, b.created_at, b.id;

INSERT INTO route_assignment_versions (department_id, version, change, routes, actor_type, actor_id)
SELECT department_id, 1, 'assigned',
       jsonb_agg(jsonb_build_object('serviceType', service_type, 'region', region) ORDER BY service_type, region),
       'migration', 'V55'
FROM route_assignments
GROUP BY department_id;
