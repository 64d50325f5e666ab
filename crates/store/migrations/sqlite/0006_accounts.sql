-- Vigie schema, version 6: accounts. Users have one role and, for partners, the organisation
-- whose records they may see; passwords are argon2id hashes (PHC strings), bearer tokens are
-- kept as SHA-256 hashes only. Audit entries now say who did what, and from where.

CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'im_officer', 'partner', 'viewer')),
    organization  TEXT REFERENCES organizations (code),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    CHECK (role <> 'partner' OR organization IS NOT NULL)
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id),
    created_at TEXT NOT NULL
);

ALTER TABLE audit_log ADD COLUMN actor TEXT;
ALTER TABLE audit_log ADD COLUMN client TEXT;
