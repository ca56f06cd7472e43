-- Lookups of vehicles not registered to the citizen (by plate + plate type + last 6 of the VIN). Counted per
-- citizen over a sliding window so that one citizen cannot sweep the vehicle register; kept in the database so
-- that the limit holds across gateway instances.
CREATE TABLE vehicle_lookups (
  citizen_key  TEXT        NOT NULL,
  looked_up_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX vehicle_lookups_citizen ON vehicle_lookups (citizen_key, looked_up_at);
