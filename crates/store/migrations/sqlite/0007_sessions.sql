-- Vigie schema, version 7: login sessions, kept in the database so that any process serving it
-- knows them. Only a hash of the session's cookie value is stored.

CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (user_id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
