-- Service records imported from a file carry a fingerprint of their row, so that importing the
-- same file again adds nothing.
ALTER TABLE service_records ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX service_records_source ON service_records (tenant_id, volunteer_id, source_key) WHERE source_key IS NOT NULL;
