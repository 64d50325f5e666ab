-- Vigie schema, version 1. Append-only: never edit a migration that has been released.

CREATE TABLE import_batches (
    batch_id    INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE organizations (
    code        TEXT PRIMARY KEY,
    name        TEXT,
    first_batch INTEGER REFERENCES import_batches (batch_id)
);

-- One row per violation, columns as in violations.csv. `id` is the storage order.
CREATE TABLE violations (
    id                INTEGER PRIMARY KEY,
    violation_id      TEXT NOT NULL UNIQUE,
    incident_id       TEXT NOT NULL,
    incident_date     TEXT NOT NULL,
    report_date       TEXT,
    admin1_pcode      TEXT NOT NULL,
    admin2_pcode      TEXT NOT NULL,
    admin3_pcode      TEXT NOT NULL,
    locality          TEXT,
    latitude          TEXT,
    longitude         TEXT,
    violation_code    TEXT NOT NULL,
    perpetrator_code  TEXT NOT NULL,
    place_code        TEXT NOT NULL,
    time_slot_code    TEXT NOT NULL,
    victim_sex        TEXT NOT NULL,
    victim_age_group  TEXT NOT NULL,
    victim_occupation TEXT NOT NULL,
    victim_population TEXT NOT NULL,
    organization      TEXT NOT NULL REFERENCES organizations (code),
    narrative         TEXT,
    batch_id          INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

-- Incidents group violations; their attributes are those of their violations.
CREATE VIEW incidents AS
    SELECT incident_id, MIN(incident_date) AS first_date, COUNT(*) AS violations
    FROM violations GROUP BY incident_id;

CREATE TABLE alerts (
    alert_id            TEXT PRIMARY KEY,
    alert_date          TEXT NOT NULL,
    admin1_pcode        TEXT NOT NULL,
    admin2_pcode        TEXT NOT NULL,
    admin3_pcode        TEXT NOT NULL,
    locality            TEXT,
    latitude            TEXT,
    longitude           TEXT,
    event_type          TEXT NOT NULL,
    affected_households TEXT,
    affected_persons    TEXT,
    description         TEXT NOT NULL,
    organization        TEXT NOT NULL REFERENCES organizations (code),
    batch_id            INTEGER NOT NULL REFERENCES import_batches (batch_id)
);

CREATE TABLE risk_answers (
    answer_id    TEXT PRIMARY KEY,
    month        TEXT NOT NULL,
    admin3_pcode TEXT NOT NULL,
    answers      TEXT NOT NULL,
    organization TEXT NOT NULL REFERENCES organizations (code),
    batch_id     INTEGER NOT NULL REFERENCES import_batches (batch_id)
);
CREATE INDEX risk_answers_month ON risk_answers (month, admin3_pcode);

-- Append-only: the triggers refuse any change to a written entry.
CREATE TABLE audit_log (
    entry_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    old_values TEXT,
    new_values TEXT,
    batch_id   INTEGER REFERENCES import_batches (batch_id)
);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
