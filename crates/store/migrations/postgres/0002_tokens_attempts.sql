-- Vigie schema, version 2 (SQLite's 9): bearer tokens get an id (to list and revoke them), an
-- expiry and the time they were last used; sign-in attempts are counted in the database, so that
-- every process serving it shares the counts. Tokens made before get 90 days from their creation.

ALTER TABLE tokens ADD COLUMN token_id BIGINT;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
UPDATE tokens SET
    token_id = numbered.n,
    expires_at = to_char((tokens.created_at::timestamptz + interval '90 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM (SELECT token_hash, row_number() OVER (ORDER BY created_at, token_hash) AS n FROM tokens) AS numbered
WHERE tokens.token_hash = numbered.token_hash;
CREATE UNIQUE INDEX tokens_by_id ON tokens (token_id);

CREATE TABLE login_attempts (
    attempt_key  TEXT PRIMARY KEY,
    attempts     BIGINT NOT NULL,
    window_start TEXT NOT NULL
);
