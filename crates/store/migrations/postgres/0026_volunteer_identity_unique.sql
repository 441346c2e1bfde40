-- One volunteer per identity number in a city (issue 15): the application refuses a duplicate
-- and names the existing record; two registrations of one person at the same moment could both
-- pass that check, so the database keeps the hash unique too.
DROP INDEX volunteers_id_hash;
CREATE UNIQUE INDEX volunteers_id_hash ON volunteers (tenant_id, id_hash) WHERE id_hash IS NOT NULL;
