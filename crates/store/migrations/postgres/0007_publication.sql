-- Monthly sign-off and published versions. Signing a month off stores its report as a published
-- version (`published_files`: each file's bytes, base64 as in a backup, and checksum) and locks
-- the month's violations until an admin reopens it: the triggers below refuse any update or
-- deletion of a violation of a locked month, whatever writes it (imports, the API, pages, the
-- command line), once per statement over its rows. New violations are accepted: written by a
-- batch after `last_batch`, they are the month's late reports.
--
-- A sign-off or a reopening enters the change feed as entity `months` (no batch, no row): it
-- changes what the tables say (late reports) without changing a record, and readers' cached
-- answers follow the feed.

CREATE TABLE month_versions (
    month         TEXT NOT NULL,
    version       BIGINT NOT NULL CHECK (version >= 1),
    signed_at     TEXT NOT NULL,
    signed_by     TEXT NOT NULL,
    note          TEXT,
    last_batch    BIGINT NOT NULL,
    reopened_at   TEXT,
    reopened_by   TEXT,
    reopen_reason TEXT,
    PRIMARY KEY (month, version),
    CHECK ((reopened_at IS NULL) = (reopen_reason IS NULL))
);

CREATE TABLE published_files (
    month   TEXT NOT NULL,
    version BIGINT NOT NULL,
    name    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    bytes   BIGINT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (month, version, name),
    FOREIGN KEY (month, version) REFERENCES month_versions (month, version)
);
CREATE TRIGGER published_files_are_kept BEFORE UPDATE OR DELETE ON published_files
    FOR EACH ROW EXECUTE FUNCTION vigie_refuse('a published version is never changed');

-- The lock, said as `vigie-month-locked|month|version|signed_at|signed_by` (read back by Vigie).
CREATE FUNCTION vigie_month_locked(months TEXT[]) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    found TEXT;
BEGIN
    SELECT 'vigie-month-locked|' || month || '|' || version || '|' || signed_at || '|' || signed_by INTO found
    FROM month_versions WHERE reopened_at IS NULL AND month = ANY (months) ORDER BY month LIMIT 1;
    IF found IS NOT NULL THEN
        RAISE EXCEPTION '%', found USING ERRCODE = 'restrict_violation';
    END IF;
END;
$$;

CREATE FUNCTION vigie_check_locks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM month_versions WHERE reopened_at IS NULL) THEN
        PERFORM vigie_month_locked(ARRAY(
            SELECT DISTINCT substr(incident_date, 1, 7) FROM (
                SELECT incident_date FROM before_rows UNION ALL SELECT incident_date FROM after_rows) dates));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION vigie_check_locks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM month_versions WHERE reopened_at IS NULL) THEN
        PERFORM vigie_month_locked(ARRAY(SELECT DISTINCT substr(incident_date, 1, 7) FROM before_rows));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER violations_locked_update AFTER UPDATE ON violations
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_locks_updated();
CREATE TRIGGER violations_locked_delete AFTER DELETE ON violations
    REFERENCING OLD TABLE AS before_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_locks_deleted();

ALTER TABLE changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check
    CHECK (entity IN ('violations', 'alerts', 'risk_answers', 'months'));
ALTER TABLE changes DROP CONSTRAINT changes_check;
ALTER TABLE changes ADD CONSTRAINT changes_check
    CHECK (CASE entity WHEN 'months' THEN batch_id IS NULL AND row_id IS NULL
                       ELSE (batch_id IS NULL) <> (row_id IS NULL) END);
