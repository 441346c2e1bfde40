-- Corrections of frozen records (更正, issue 16 finding 6; MECHANISM §4: "a correction is a new
-- record that points at the old one"). Named errata so they do not collide with the registers'
-- versioned corrections (0021). An erratum points at signed consultation minutes, a sealed vote
-- motion, a signed contract, a review group's signed report or a self-evaluation; the original
-- is never touched. A contract's erratum takes effect once the other party agrees: the agreement
-- is a record of its own, so both tables are written once and kept.
CREATE TABLE errata (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    record_kind   TEXT NOT NULL CHECK (record_kind IN
                  ('consultation_minutes', 'vote_minutes', 'contract', 'review_report', 'self_evaluation')),
    -- The consultation or vote meeting for minutes, the project otherwise.
    record_id     TEXT NOT NULL,
    -- The project the record concerns (a vote motion's project; NULL for consultation minutes).
    project_id    TEXT,
    area_code     TEXT NOT NULL,
    part          TEXT NOT NULL,
    corrected     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    proposed_by   TEXT NOT NULL,
    proposed_role TEXT NOT NULL,
    -- For a contract: 'purchaser' or 'provider', the party that proposed it.
    party         TEXT,
    proposed_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX errata_record ON errata (tenant_id, record_kind, record_id, id);
CREATE INDEX errata_project ON errata (tenant_id, project_id, id);
CREATE TRIGGER errata_kept BEFORE UPDATE OR DELETE ON errata
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE erratum_agreements (
    tenant_id  TEXT NOT NULL,
    erratum_id TEXT NOT NULL,
    agreed_by  TEXT NOT NULL,
    agreed_role TEXT NOT NULL,
    agreed_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, erratum_id),
    FOREIGN KEY (tenant_id, erratum_id) REFERENCES errata (tenant_id, id)
);
CREATE TRIGGER erratum_agreements_kept BEFORE UPDATE OR DELETE ON erratum_agreements
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
