-- Vigie schema, version 15: submissions from ODK Collect, kept as received (the XML and its
-- SHA-256), each with what became of it: imported, needing attention (its errors; it is never
-- refused once the phone has sent it), or replaced by an edit (`deprecatedID`). `root_id` is the
-- first submission of an edited chain: its violations are the ones an edit replaces.

CREATE TABLE submissions (
    instance_id  TEXT PRIMARY KEY,
    root_id      TEXT NOT NULL,
    device       TEXT NOT NULL,
    organization TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    xml          TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('imported', 'needs_attention', 'replaced')),
    errors       TEXT
);
