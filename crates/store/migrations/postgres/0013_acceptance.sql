-- Delivery and acceptance (YQ steps 6–7): activities (their volunteers' hours are also service
-- records of the registry), the self-evaluation, the review panel, its members' scores and the
-- written verdict. Everything here is written once and kept.
CREATE TABLE activities (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    project_id     TEXT NOT NULL,
    held_on        TEXT NOT NULL,
    place          TEXT NOT NULL,
    content        TEXT NOT NULL,
    served         BIGINT NOT NULL,
    detail         TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX activities_project ON activities (tenant_id, project_id, id);

CREATE TABLE activity_recipients (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, user_id, activity_id)
);

-- Coordination meetings, supervision sessions, major-activity reports and progress notes.
CREATE TABLE delivery_notes (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    who           TEXT NOT NULL,
    phase         TEXT,
    body          TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_role TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX delivery_notes_project ON delivery_notes (tenant_id, project_id, id);

CREATE TABLE self_evaluations (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    report       TEXT NOT NULL,
    case_study   TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id)
);

CREATE TABLE review_members (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, user_id)
);

CREATE INDEX review_members_user ON review_members (user_id);

CREATE TABLE review_scores (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    points     TEXT NOT NULL,
    total      BIGINT NOT NULL,
    comment    TEXT NOT NULL,
    scored_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, user_id)
);

CREATE TABLE review_reports (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    verdict    TEXT NOT NULL,
    conditions TEXT NOT NULL,
    report     TEXT NOT NULL,
    average    BIGINT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id)
);
CREATE TRIGGER activities_kept BEFORE UPDATE OR DELETE ON activities
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER activity_recipients_kept BEFORE UPDATE OR DELETE ON activity_recipients
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER self_evaluations_kept BEFORE UPDATE OR DELETE ON self_evaluations
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER review_members_kept BEFORE UPDATE OR DELETE ON review_members
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER review_scores_kept BEFORE UPDATE OR DELETE ON review_scores
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER review_reports_kept BEFORE UPDATE OR DELETE ON review_reports
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER delivery_notes_kept BEFORE UPDATE OR DELETE ON delivery_notes
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
