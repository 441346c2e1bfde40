-- Issue 15: service records name their recording unit from the registry (an organization by id,
-- a community committee by area code) and are verified only when that unit entered or confirmed
-- them; a certificate stores what it stated (its JSON) and that text's SHA-256.
ALTER TABLE service_records ADD COLUMN unit_kind TEXT;
ALTER TABLE service_records ADD COLUMN unit_id TEXT;
ALTER TABLE service_records ADD COLUMN verified BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE service_records ADD COLUMN verified_by TEXT;
ALTER TABLE service_records ADD COLUMN verified_at TEXT;
-- Existing rows: what a unit entered (or imported) stays verified, its free-text organizing unit
-- kept as the display name; what a volunteer entered alone waits for a unit's confirmation.
UPDATE service_records SET verified = FALSE WHERE entered_role = 'volunteer' AND corrects_id IS NULL;
ALTER TABLE volunteer_certificates ADD COLUMN content TEXT;
ALTER TABLE volunteer_certificates ADD COLUMN content_hash TEXT;
-- Duplicate volunteers are found by the keyed hash of the identity number (the number itself is
-- not kept) or by name and birth date, within the city.
ALTER TABLE volunteers ADD COLUMN id_hash TEXT;
ALTER TABLE volunteers ADD COLUMN birth_date TEXT;
CREATE INDEX volunteers_id_hash ON volunteers (tenant_id, id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX volunteers_birth ON volunteers (tenant_id, name, birth_date) WHERE birth_date IS NOT NULL;
