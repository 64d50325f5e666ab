-- Vigie schema, version 11: a change of one row names the record's id and organisation, so that
-- the change feed can say which record a deletion removed (its row is gone) and to whom it
-- belonged (a partner follows its own organisation's changes only).

ALTER TABLE changes ADD COLUMN record_id TEXT;
ALTER TABLE changes ADD COLUMN organization TEXT;
