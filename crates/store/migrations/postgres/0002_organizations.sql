-- Registries: social organizations, their history (one snapshot per version), incubation periods
-- and disclosure entries. All tenant tables: tenant_id (the city) leads every key.

CREATE TABLE organizations (
    tenant_id           TEXT NOT NULL,
    id                  TEXT NOT NULL,
    name                TEXT NOT NULL,
    uscc                TEXT,
    legal_form          TEXT,
    registration_status TEXT NOT NULL,
    category            TEXT NOT NULL,
    area_code           TEXT NOT NULL,
    is_hub              BOOLEAN NOT NULL DEFAULT FALSE,
    is_brand            BOOLEAN NOT NULL DEFAULT FALSE,
    grade               BIGINT,
    grade_date          TEXT,
    address             TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, uscc)
);
CREATE INDEX organizations_area ON organizations (tenant_id, area_code, category, name, id);
CREATE INDEX organizations_name ON organizations (tenant_id, name, id);

CREATE TABLE organization_versions (
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    version         BIGINT NOT NULL,
    snapshot        TEXT NOT NULL,
    changed_by      TEXT,
    changed_role    TEXT,
    changed_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, version),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);

CREATE TABLE organization_incubations (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    incubator       TEXT NOT NULL,
    started_on      TEXT NOT NULL,
    ended_on        TEXT,
    outcome         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX organization_incubations_org ON organization_incubations (tenant_id, organization_id);

CREATE TABLE organization_disclosures (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    occurred_on     TEXT NOT NULL,
    created_by      TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX organization_disclosures_org ON organization_disclosures (tenant_id, organization_id, occurred_on);
