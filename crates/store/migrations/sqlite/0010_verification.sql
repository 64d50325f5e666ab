-- Vigie schema, version 10: every violation carries its verification status (reported, the
-- default on entry and import; verified; not_verified; rejected, with its reason), decided by an
-- IM officer. Rejected violations leave every count.

ALTER TABLE violations ADD COLUMN verification TEXT NOT NULL DEFAULT 'reported'
    CHECK (verification IN ('reported', 'verified', 'not_verified', 'rejected'));
ALTER TABLE violations ADD COLUMN verification_reason TEXT
    CHECK ((verification = 'rejected') = (verification_reason IS NOT NULL)
           AND (verification_reason IS NULL OR verification_reason IN ('did_not_occur', 'not_a_protection_violation')));
