-- Vigie schema, version 13: monthly sign-off and published versions. Signing a month off stores
-- its report as a published version (`published_files`: each file's bytes, base64 as in a
-- backup, and checksum) and locks the month's violations until an admin reopens it: the
-- triggers below refuse any update or deletion of a violation of a locked month, whatever
-- writes it (imports, the API, pages, the command line). New violations are accepted: written
-- by a batch after `last_batch`, they are the month's late reports.
--
-- A sign-off or a reopening enters the change feed as entity `months` (no batch, no row): it
-- changes what the tables say (late reports) without changing a record, and readers' cached
-- answers follow the feed. SQLite cannot change a CHECK constraint, so the feed's table is
-- copied into one that allows it.

CREATE TABLE month_versions (
    month         TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    signed_at     TEXT NOT NULL,
    signed_by     TEXT NOT NULL,
    note          TEXT,
    last_batch    INTEGER NOT NULL,
    reopened_at   TEXT,
    reopened_by   TEXT,
    reopen_reason TEXT,
    PRIMARY KEY (month, version),
    CHECK ((reopened_at IS NULL) = (reopen_reason IS NULL))
);

CREATE TABLE published_files (
    month   TEXT NOT NULL,
    version INTEGER NOT NULL,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    bytes   INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (month, version, name),
    FOREIGN KEY (month, version) REFERENCES month_versions (month, version)
);

CREATE TRIGGER published_files_are_kept_update BEFORE UPDATE ON published_files
    BEGIN SELECT RAISE(ABORT, 'a published version is never changed'); END;
CREATE TRIGGER published_files_are_kept_delete BEFORE DELETE ON published_files
    BEGIN SELECT RAISE(ABORT, 'a published version is never changed'); END;

-- `vigie_month_locked` is Vigie's own function (every connection of Vigie defines it): it
-- fails the statement with the lock's details, which Vigie reads back. (An expression in
-- RAISE would do the same, but SQLite before 3.48, such as Debian's sqlite3 tool, could then
-- not read this schema at all.)
CREATE TRIGGER violations_locked_update BEFORE UPDATE ON violations
    WHEN EXISTS (SELECT 1 FROM month_versions
                 WHERE reopened_at IS NULL
                   AND month IN (substr(OLD.incident_date, 1, 7), substr(NEW.incident_date, 1, 7)))
    BEGIN
        SELECT vigie_month_locked(month || '|' || version || '|' || signed_at || '|' || signed_by)
        FROM month_versions
        WHERE reopened_at IS NULL AND month IN (substr(OLD.incident_date, 1, 7), substr(NEW.incident_date, 1, 7));
    END;
CREATE TRIGGER violations_locked_delete BEFORE DELETE ON violations
    WHEN EXISTS (SELECT 1 FROM month_versions WHERE reopened_at IS NULL AND month = substr(OLD.incident_date, 1, 7))
    BEGIN
        SELECT vigie_month_locked(month || '|' || version || '|' || signed_at || '|' || signed_by)
        FROM month_versions
        WHERE reopened_at IS NULL AND month = substr(OLD.incident_date, 1, 7);
    END;

DROP TRIGGER changes_are_append_only_update;
DROP TRIGGER changes_are_append_only_delete;
CREATE TABLE changes_with_months (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity       TEXT NOT NULL CHECK (entity IN ('violations', 'alerts', 'risk_answers', 'months')),
    batch_id     INTEGER REFERENCES import_batches (batch_id),
    row_id       INTEGER,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    record_id    TEXT,
    organization TEXT,
    CHECK (CASE entity WHEN 'months' THEN batch_id IS NULL AND row_id IS NULL
                       ELSE (batch_id IS NULL) <> (row_id IS NULL) END)
);
INSERT INTO changes_with_months (seq, entity, batch_id, row_id, deleted, record_id, organization)
    SELECT seq, entity, batch_id, row_id, deleted, record_id, organization FROM changes ORDER BY seq;
DROP TABLE changes;
ALTER TABLE changes_with_months RENAME TO changes;
CREATE TRIGGER changes_are_append_only_update BEFORE UPDATE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
CREATE TRIGGER changes_are_append_only_delete BEFORE DELETE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
