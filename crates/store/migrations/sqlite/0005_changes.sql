-- Vigie schema, version 5: the change feed. Every write appends, in its own transaction, what it
-- changed: an import batch (every row it inserted or updated carries its batch_id), or one row
-- deleted. Each process's in-memory aggregation follows the feed by `seq`: a reader sees a
-- write whole or not at all, single deletions included.

CREATE TABLE changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    entity   TEXT NOT NULL CHECK (entity IN ('violations', 'alerts', 'risk_answers')),
    batch_id INTEGER REFERENCES import_batches (batch_id),
    row_id   INTEGER,
    deleted  INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    CHECK ((batch_id IS NULL) <> (row_id IS NULL))
);

-- The batches already stored, in their order.
INSERT INTO changes (entity, batch_id)
    SELECT CASE kind WHEN 'violations' THEN 'violations' WHEN 'alerts' THEN 'alerts' ELSE 'risk_answers' END,
           batch_id
    FROM import_batches
    WHERE inserted + updated > 0
    ORDER BY batch_id;

CREATE TRIGGER changes_are_append_only_update BEFORE UPDATE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
CREATE TRIGGER changes_are_append_only_delete BEFORE DELETE ON changes
    BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
