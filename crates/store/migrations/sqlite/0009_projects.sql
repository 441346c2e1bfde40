-- Service projects (YQ steps 2–7): one per application an eligible organization writes on a
-- catalogue item (one per approved eligibility), carried through the stages of `domain::chain::stage`. The application's text
-- lives in `application_versions`, one row per revision, never changed or deleted afterwards (the
-- triggers refuse it, whatever route asks). `project_needs` links the current version's needs.
CREATE TABLE projects (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    eligibility_id  TEXT NOT NULL,
    title           TEXT NOT NULL,
    stage           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    budget_fen      INTEGER NOT NULL,
    lead_user_id    TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, eligibility_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES catalogue_items (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, eligibility_id) REFERENCES eligibilities (tenant_id, id)
);
CREATE INDEX projects_area ON projects (area_code, id);
CREATE INDEX projects_organization ON projects (tenant_id, organization_id, id);

CREATE TABLE application_versions (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    content    TEXT NOT NULL,
    budget_fen INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, version),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER application_versions_no_update BEFORE UPDATE ON application_versions
BEGIN SELECT RAISE(ABORT, 'frozen: application versions cannot change'); END;
CREATE TRIGGER application_versions_no_delete BEFORE DELETE ON application_versions
BEGIN SELECT RAISE(ABORT, 'frozen: application versions cannot change'); END;

CREATE TABLE project_needs (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    need_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, need_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id),
    FOREIGN KEY (tenant_id, need_id) REFERENCES needs (tenant_id, id)
);
CREATE INDEX project_needs_need ON project_needs (tenant_id, need_id, project_id);
