-- Vigie schema, version 4: the database's settings. `geography` is the geography version (e.g.
-- `mli-2015`) its P-codes belong to, written by the first import: P-code generations reuse codes
-- with other meanings, so a database refuses to be read or written with another geography.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
