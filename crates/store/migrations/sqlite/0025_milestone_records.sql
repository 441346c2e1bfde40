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
CREATE TRIGGER midterm_reviews_kept_update BEFORE UPDATE ON midterm_reviews
BEGIN SELECT RAISE(ABORT, 'frozen: a mid-term review is kept as recorded'); END;
CREATE TRIGGER midterm_reviews_kept_delete BEFORE DELETE ON midterm_reviews
BEGIN SELECT RAISE(ABORT, 'frozen: a mid-term review is kept as recorded'); END;

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
CREATE TRIGGER conditions_met_kept_update BEFORE UPDATE ON conditions_met
BEGIN SELECT RAISE(ABORT, 'frozen: conditions met are kept as recorded'); END;
CREATE TRIGGER conditions_met_kept_delete BEFORE DELETE ON conditions_met
BEGIN SELECT RAISE(ABORT, 'frozen: conditions met are kept as recorded'); END;
