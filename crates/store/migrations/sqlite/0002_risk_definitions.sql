-- Vigie schema, version 2: versioned risk index definitions. Append-only: never edit a
-- migration that has been released.
--
-- Version 1 is the definition embedded in Vigie; each loaded definition is a new version that
-- scores the months from `valid_from` on. A version is never changed or removed: months keep the
-- definition their answers were scored with.
CREATE TABLE risk_definitions (
    version    INTEGER PRIMARY KEY CHECK (version >= 2),
    valid_from TEXT,
    questions  TEXT NOT NULL,
    levels     TEXT NOT NULL,
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    loaded_at  TEXT NOT NULL
);
CREATE TRIGGER risk_definitions_are_immutable_update BEFORE UPDATE ON risk_definitions
    BEGIN SELECT RAISE(ABORT, 'a risk index definition is never changed: load a new version'); END;
CREATE TRIGGER risk_definitions_are_immutable_delete BEFORE DELETE ON risk_definitions
    BEGIN SELECT RAISE(ABORT, 'a risk index definition is never removed'); END;
