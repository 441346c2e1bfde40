-- The records payment milestones wait for (issue 16, findings 1 and 2): the mid-term review
-- the committee records with the supervisor, and the review group's record that the conditions
-- of a conditional pass are met. Each is written once and kept as written.
CREATE TABLE midterm_reviews (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    findings    TEXT NOT NULL,
    rating      TEXT NOT NULL,
    conditions  TEXT NOT NULL,
    supervisor  TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER midterm_reviews_kept BEFORE UPDATE OR DELETE ON midterm_reviews
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE conditions_met (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    -- [{condition, evidence}] as JSON
    items       TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER conditions_met_kept BEFORE UPDATE OR DELETE ON conditions_met
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
