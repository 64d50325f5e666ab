-- Vigie schema, version 8: the report's own words, written by analysts in the pages: a month's
-- context and regional analyses, and recommendations that stay open from month to month with
-- the cluster's follow-up history. Every change is in the audit log too.

CREATE TABLE report_texts (
    month      TEXT NOT NULL,
    -- `context`, or a reporting region's code for its analysis.
    section    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (month, section)
);

CREATE TABLE recommendations (
    recommendation_id INTEGER PRIMARY KEY,
    actor             TEXT NOT NULL,
    action            TEXT NOT NULL,
    zone              TEXT NOT NULL DEFAULT '',
    -- The month of the report that first carried it, and the one that closed it.
    opened            TEXT NOT NULL,
    closed            TEXT,
    created_by        TEXT
);

-- Follow-ups are history: added, never changed.
CREATE TABLE recommendation_follow_ups (
    follow_up_id      INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (recommendation_id),
    month             TEXT NOT NULL,
    body              TEXT NOT NULL,
    at                TEXT NOT NULL,
    by                TEXT
);
CREATE TRIGGER follow_ups_are_history_update BEFORE UPDATE ON recommendation_follow_ups
BEGIN SELECT RAISE(ABORT, 'recommendation follow-ups are history: add one instead'); END;
CREATE TRIGGER follow_ups_are_history_delete BEFORE DELETE ON recommendation_follow_ups
BEGIN SELECT RAISE(ABORT, 'recommendation follow-ups are history: add one instead'); END;
