-- (g): :n bound citizens and their WeChat identities, seeded with SQL (generate_series), not through the API.
-- The sealed columns reuse the sealed values of one citizen the preparation bound through the real APIs (nobody
-- decrypts a seeded row); the blind indexes that lookups use are unique per row and shaped like real ones (a tag
-- and 43 characters of URL-safe Base64 of a SHA-256), so the indexes have the size and spread of real data.
-- Run by run.sh with psql -v n=<count> -v app=<WeChat app id>.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
-- The seeded citizens are inserted before their identities; skipping the per-row foreign-key trigger only saves
-- time (the rows satisfy it).
SET session_replication_role = replica;
CREATE TEMP TABLE seed_source AS
  SELECT c.id_number_enc, c.name_enc, c.key_id, i.subject_enc, i.key_id AS identity_key_id
  FROM channel_identities i JOIN citizens c ON c.citizen_key = i.citizen_key
  LIMIT 1;
SELECT count(*) AS sources FROM seed_source \gset
\if :sources
\else
  \echo 'no bound channel identity to copy sealed values from'
  SELECT 1/0;
\endif
-- Rows go in in the order of every index (keys numbered by the rank of the blind index), so each index grows at its
-- right edge instead of taking random inserts: minutes instead of an hour for 10 million.
SET work_mem = '256MB';
INSERT INTO citizens (citizen_key, id_index, id_number_enc, name_enc, key_id)
  SELECT 'seed_c' || lpad((row_number() OVER (ORDER BY h))::text, 10, '0'), h, s.id_number_enc, s.name_enc, s.key_id
  FROM (SELECT 'S' || rtrim(translate(encode(sha256(convert_to('seed-id-' || g, 'UTF8')), 'base64'), '+/', '-_'), '=')
          AS h FROM generate_series(1, :n) g) x, seed_source s
  ORDER BY h;
INSERT INTO channel_identities (identity_key, channel, app_id, subject_index, subject_enc, key_id, citizen_key,
                                level, verified_at)
  SELECT 'seed_i' || r, 'wechat', :'app', h, s.subject_enc, s.identity_key_id, 'seed_c' || r, 'L2', now()
  FROM (SELECT lpad((row_number() OVER (ORDER BY h))::text, 10, '0') AS r, h
        FROM (SELECT 'S' || rtrim(translate(encode(sha256(convert_to('seed-subject-' || g, 'UTF8')), 'base64'),
                                            '+/', '-_'), '=') AS h FROM generate_series(1, :n) g) y) x, seed_source s
  ORDER BY h;
SET session_replication_role = origin;
ANALYZE citizens;
ANALYZE channel_identities;
