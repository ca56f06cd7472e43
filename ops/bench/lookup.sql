-- (g): the login's binding lookup (IdentityStore.LOGIN, as a returning user whose row needs no write) for a random
-- seeded WeChat identity; run by pgbench -M prepared with -D n=<seeded rows> -D app=<app id>. The second branch (the
-- other algorithm's index) runs only when the first finds nothing, as in the gateway.
\set i random(1, :n)
WITH found AS ((SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, verified_at FROM channel_identities
  WHERE channel = 'wechat' AND app_id = :app
  AND subject_index = 'S' || rtrim(translate(encode(sha256(convert_to('seed-subject-' || :i, 'UTF8')), 'base64'), '+/', '-_'), '='))
  UNION ALL (SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, verified_at FROM channel_identities
  WHERE channel = 'wechat' AND app_id = :app
  AND subject_index = 'T' || rtrim(translate(encode(sha256(convert_to('seed-subject-' || :i, 'UTF8')), 'base64'), '+/', '-_'), '='))
  LIMIT 1),
touched AS (UPDATE channel_identities c SET last_login_at = now(), realname_index = NULL, realname_name_mac = NULL
  FROM found f WHERE c.identity_key = f.identity_key
  AND (c.last_login_at < now() - interval '1 hour' OR c.realname_index IS NOT NULL OR c.realname_name_mac IS NOT NULL)
  RETURNING c.identity_key)
SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, verified_at FROM found;
