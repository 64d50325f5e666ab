-- Vigie schema, version 9: bearer tokens get an id (to list and revoke them), an expiry and the
-- time they were last used; sign-in attempts are counted in the database, so that every process
-- serving it shares the counts. Tokens made before get 90 days from their creation.

ALTER TABLE tokens ADD COLUMN token_id INTEGER;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
UPDATE tokens SET token_id = rowid, expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+90 days');
CREATE UNIQUE INDEX tokens_by_id ON tokens (token_id);

CREATE TABLE login_attempts (
    attempt_key  TEXT PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    window_start TEXT NOT NULL
);

-- The audit log is a hash chain: each entry, once sealed, holds its place in the chain and the
-- SHA-256 of the entry before it and its own columns. Only those two columns are ever written
-- after the entry, once; its content never changes.
ALTER TABLE audit_log ADD COLUMN chain_position INTEGER;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_position);
CREATE INDEX audit_log_unsealed ON audit_log (entry_id) WHERE chain_position IS NULL;
DROP TRIGGER audit_log_is_append_only_update;
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
    WHEN OLD.chain_position IS NOT NULL OR OLD.hash IS NOT NULL
        OR NEW.entry_id IS NOT OLD.entry_id OR NEW.at IS NOT OLD.at OR NEW.action IS NOT OLD.action
        OR NEW.entity IS NOT OLD.entity OR NEW.entity_id IS NOT OLD.entity_id
        OR NEW.old_values IS NOT OLD.old_values OR NEW.new_values IS NOT OLD.new_values
        OR NEW.batch_id IS NOT OLD.batch_id OR NEW.actor IS NOT OLD.actor OR NEW.client IS NOT OLD.client
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
