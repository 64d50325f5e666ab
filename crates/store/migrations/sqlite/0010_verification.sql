-- Vigie schema, version 10: every violation carries its verification status (reported, the
-- default on entry and import; verified; not_verified; rejected, with its reason), decided by an
-- IM officer. Rejected violations leave every count.
--
-- The rule (a reason with a rejection, and only then) is checked whenever a status changes, by
-- a trigger: as a CHECK constraint SQLite would evaluate it on every row an import inserts, which
-- measured twice as slow (an import always writes the default, which holds).

ALTER TABLE violations ADD COLUMN verification TEXT NOT NULL DEFAULT 'reported';
ALTER TABLE violations ADD COLUMN verification_reason TEXT;

CREATE TRIGGER violations_verification_rule BEFORE UPDATE OF verification, verification_reason ON violations
    WHEN NOT (NEW.verification IN ('reported', 'verified', 'not_verified', 'rejected')
              AND (NEW.verification = 'rejected') = (NEW.verification_reason IS NOT NULL)
              AND (NEW.verification_reason IS NULL
                   OR NEW.verification_reason IN ('did_not_occur', 'not_a_protection_violation')))
    BEGIN SELECT RAISE(ABORT, 'a verification status and its reason that break the rule'); END;
