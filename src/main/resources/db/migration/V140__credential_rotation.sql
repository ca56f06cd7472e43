-- Department credentials rotate and are revoked through the admin API (issue 13, item 4). A rotation issues a
-- new credential that names the one it replaces; the old one keeps working until expires_at (the grace period),
-- then refuses. Revocation (revoked_at, which existed) ends a credential at once. Nothing is deleted: the rows are
-- the credential history the operator lists.
ALTER TABLE department_credentials
  ADD COLUMN expires_at  TIMESTAMPTZ,
  ADD COLUMN replaces    TEXT REFERENCES department_credentials (id),
  ADD COLUMN replaced_by TEXT REFERENCES department_credentials (id);
