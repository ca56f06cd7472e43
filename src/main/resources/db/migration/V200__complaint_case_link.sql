-- Issue 15, item 1: a consultation or complaint may name the case of the citizen's 我的办件 it is about
-- (`<kind>-<id>`, checked against the citizen's own cases when filed), beside the service answer it may name.
ALTER TABLE complaints ADD COLUMN case_id TEXT;
