-- Vigie schema, version 3. Append-only: never edit a migration that has been released.
--
-- A record's region and cercle are derived from its commune by the geography (reporting regions
-- included: Ménaka's communes count under ML10). Stored copies would go stale when the geography
-- changes, and they cost every import two columns: they are no longer stored. Reads derive them.
ALTER TABLE violations DROP COLUMN admin1_pcode;
ALTER TABLE violations DROP COLUMN admin2_pcode;
ALTER TABLE alerts DROP COLUMN admin1_pcode;
ALTER TABLE alerts DROP COLUMN admin2_pcode;
