-- Vigie schema, version 2 (SQLite's 9): bearer tokens get an id (to list and revoke them), an
-- expiry and the time they were last used; sign-in attempts are counted in the database, so that
-- every process serving it shares the counts. Tokens made before get 90 days from their creation.

ALTER TABLE tokens ADD COLUMN token_id BIGINT;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
UPDATE tokens SET
    token_id = numbered.n,
    expires_at = to_char((tokens.created_at::timestamptz + interval '90 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM (SELECT token_hash, row_number() OVER (ORDER BY created_at, token_hash) AS n FROM tokens) AS numbered
WHERE tokens.token_hash = numbered.token_hash;
CREATE UNIQUE INDEX tokens_by_id ON tokens (token_id);

CREATE TABLE login_attempts (
    attempt_key  TEXT PRIMARY KEY,
    attempts     BIGINT NOT NULL,
    window_start TEXT NOT NULL
);

-- The audit log is a hash chain: each entry, once sealed, holds its place in the chain and the
-- SHA-256 of the entry before it and its own columns. Only those two columns are ever written
-- after the entry, once; its content never changes.
ALTER TABLE audit_log ADD COLUMN chain_position BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_position);
CREATE INDEX audit_log_unsealed ON audit_log (entry_id) WHERE chain_position IS NULL;
CREATE FUNCTION vigie_audit_sealed_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.chain_position IS NOT NULL OR OLD.hash IS NOT NULL
        OR (NEW.entry_id, NEW.at, NEW.action, NEW.entity, NEW.entity_id, NEW.old_values, NEW.new_values,
            NEW.batch_id, NEW.actor, NEW.client)
           IS DISTINCT FROM (OLD.entry_id, OLD.at, OLD.action, OLD.entity, OLD.entity_id, OLD.old_values,
            OLD.new_values, OLD.batch_id, OLD.actor, OLD.client) THEN
        RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER audit_log_is_append_only ON audit_log;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION vigie_audit_sealed_once();
