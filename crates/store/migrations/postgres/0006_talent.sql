-- "1+4" community service talent (HS 二(三)) and the backbone-talent pool (LN 附件二.1).
-- training_count and training_minutes move with every training in the same transaction, so the
-- pool's coverage is one indexed aggregate.
CREATE TABLE talents (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    name             TEXT NOT NULL,
    gender           TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    area_code        TEXT NOT NULL,
    position         TEXT NOT NULL DEFAULT '',
    organization_id  TEXT,
    social_worker_id TEXT,
    backbone         BOOLEAN NOT NULL DEFAULT FALSE,
    backbone_since   TEXT,
    training_count   BIGINT NOT NULL DEFAULT 0,
    training_minutes BIGINT NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, social_worker_id) REFERENCES social_workers (tenant_id, id)
);
CREATE INDEX talents_area ON talents (tenant_id, area_code, category, name, id);

CREATE TABLE talent_trainings (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    talent_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    organizer  TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    minutes    BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id)
);
CREATE INDEX talent_trainings_talent ON talent_trainings (tenant_id, talent_id, held_on);
