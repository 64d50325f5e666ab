-- Duplicates across partners. A violation decided to be the same event as another names it
-- (`duplicate_of`) and leaves every count; every decision on a proposed pair, `same` or
-- `distinct`, is kept so that the pair is never proposed again (until undone).

ALTER TABLE violations ADD COLUMN duplicate_of TEXT;

CREATE TABLE duplicate_decisions (
    violation_a TEXT NOT NULL,
    violation_b TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('same', 'distinct')),
    decided_at  TEXT NOT NULL,
    decided_by  TEXT,
    PRIMARY KEY (violation_a, violation_b)
);
