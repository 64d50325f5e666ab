-- Vigie schema, version 14: devices. A monitor's phone (ODK Collect) reaches Vigie's OpenRosa
-- server with a key of its own, bound to an organisation: only the key's SHA-256 is stored,
-- and a revoked key opens nothing.

CREATE TABLE devices (
    name         TEXT PRIMARY KEY,
    organization TEXT NOT NULL REFERENCES organizations (code),
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
