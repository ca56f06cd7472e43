-- (g): the login's binding lookup (IdentityStore.LOGIN, as a returning user whose row needs no write) for a random
-- seeded WeChat identity; run by pgbench -M prepared with -D n=<seeded rows> -D app=<app id>.
\set i random(1, :n)
WITH touched AS (UPDATE channel_identities SET last_login_at = now(), realname_index = NULL, realname_name_mac = NULL
  WHERE channel = 'wechat' AND app_id = :app AND subject_index = ANY (ARRAY['S' || rtrim(translate(encode(sha256(convert_to('seed-subject-' || :i, 'UTF8')), 'base64'), '+/', '-_'), '=')])
  AND (last_login_at < now() - interval '1 hour' OR realname_index IS NOT NULL OR realname_name_mac IS NOT NULL)
  RETURNING identity_key)
SELECT identity_key, channel, app_id, subject_enc, citizen_key, level, verified_at FROM channel_identities
WHERE channel = 'wechat' AND app_id = :app AND subject_index = ANY (ARRAY['S' || rtrim(translate(encode(sha256(convert_to('seed-subject-' || :i, 'UTF8')), 'base64'), '+/', '-_'), '=')]) LIMIT 1;
