-- The record tables' references (organisation, import batch) checked once per statement, on
-- all the statement's rows together, instead of by a trigger per row: a foreign key's per-row
-- check was 45 % of a large import's insert time. Every write still checks them: an insert or
-- update that names an unknown organisation or batch fails, and so does removing an
-- organisation or batch that a record names.

ALTER TABLE violations DROP CONSTRAINT violations_organization_fkey;
ALTER TABLE violations DROP CONSTRAINT violations_batch_id_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_organization_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_batch_id_fkey;
ALTER TABLE risk_answers DROP CONSTRAINT risk_answers_organization_fkey;
ALTER TABLE risk_answers DROP CONSTRAINT risk_answers_batch_id_fkey;

CREATE FUNCTION vigie_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM written w WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.code = w.organization)) THEN
        RAISE EXCEPTION 'a row of % names an organisation that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM written w WHERE NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.batch_id = w.batch_id)) THEN
        RAISE EXCEPTION 'a row of % names an import batch that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER violations_references_inserted AFTER INSERT ON violations
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();
CREATE TRIGGER violations_references_updated AFTER UPDATE ON violations
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();
CREATE TRIGGER alerts_references_inserted AFTER INSERT ON alerts
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();
CREATE TRIGGER alerts_references_updated AFTER UPDATE ON alerts
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();
CREATE TRIGGER risk_answers_references_inserted AFTER INSERT ON risk_answers
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();
CREATE TRIGGER risk_answers_references_updated AFTER UPDATE ON risk_answers
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_references();

-- The other side: an organisation or batch that a record still names cannot go.
CREATE FUNCTION vigie_check_organizations_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM removed r
               WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.code = r.code)
                 AND (EXISTS (SELECT 1 FROM violations v WHERE v.organization = r.code)
                      OR EXISTS (SELECT 1 FROM alerts a WHERE a.organization = r.code)
                      OR EXISTS (SELECT 1 FROM risk_answers k WHERE k.organization = r.code))) THEN
        RAISE EXCEPTION 'an organisation that records name cannot be removed' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER organizations_kept_deleted AFTER DELETE ON organizations
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_organizations_kept();
CREATE TRIGGER organizations_kept_updated AFTER UPDATE ON organizations
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_organizations_kept();

CREATE FUNCTION vigie_check_batches_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM removed r
               WHERE NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.batch_id = r.batch_id)
                 AND (EXISTS (SELECT 1 FROM violations v WHERE v.batch_id = r.batch_id)
                      OR EXISTS (SELECT 1 FROM alerts a WHERE a.batch_id = r.batch_id)
                      OR EXISTS (SELECT 1 FROM risk_answers k WHERE k.batch_id = r.batch_id))) THEN
        RAISE EXCEPTION 'an import batch that records name cannot be removed' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER import_batches_kept_deleted AFTER DELETE ON import_batches
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_batches_kept();
CREATE TRIGGER import_batches_kept_updated AFTER UPDATE ON import_batches
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION vigie_check_batches_kept();
