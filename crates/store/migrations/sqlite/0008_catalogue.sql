-- The service catalogue of each community and organizations' undertaking eligibility on its items
-- (YQ step 1). An eligibility keeps what the approver saw of the organization's professional
-- staff (HS 二(三)) and, when it was approved without, the written reason.
CREATE TABLE catalogue_items (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    social_work     BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT NOT NULL,
    decision_reason TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX catalogue_items_area ON catalogue_items (tenant_id, area_code, status, name, id);

CREATE TABLE eligibilities (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    status          TEXT NOT NULL,
    social_workers  INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    applied_by      TEXT NOT NULL,
    applied_at      TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, item_id, organization_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES catalogue_items (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
