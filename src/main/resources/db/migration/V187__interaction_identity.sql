-- The channel login an answer was given to (pseudonymous identity key, as payments keep the payer's), so that
-- 我的办件 lists an unbound (L1) login's ratings of its own answers: citizen_key is null for those. Null for rows
-- written before this column existed. Not indexed: my cases reads ratings (few) joined to their interactions.
ALTER TABLE service_interactions ADD COLUMN identity_key TEXT;
