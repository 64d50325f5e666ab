-- Vigie schema, version 9: bearer tokens get an id (to list and revoke them), an expiry and the
-- time they were last used; sign-in attempts are counted in the database, so that every process
-- serving it shares the counts. Tokens made before get 90 days from their creation.

ALTER TABLE tokens ADD COLUMN token_id INTEGER;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
UPDATE tokens SET token_id = rowid, expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');
CREATE UNIQUE INDEX tokens_by_id ON tokens (token_id);

CREATE TABLE login_attempts (
    attempt_key  TEXT PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    window_start TEXT NOT NULL
);
