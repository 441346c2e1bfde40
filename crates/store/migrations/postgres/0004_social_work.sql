-- Social work: platforms (centres, stations, incubators, academies), social workers with their
-- identity number encrypted (id_cipher) and found by a keyed hash (id_lookup), professional posts
-- held over dated periods, and trainings.

CREATE TABLE platforms (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- One centre per township and one station per community.
CREATE UNIQUE INDEX platforms_one_per_area ON platforms (tenant_id, kind, area_code) WHERE kind IN ('centre', 'station');
CREATE INDEX platforms_area ON platforms (tenant_id, area_code);

CREATE TABLE social_workers (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    name               TEXT NOT NULL,
    gender             TEXT NOT NULL,
    id_cipher          TEXT NOT NULL,
    id_lookup          TEXT NOT NULL,
    id_masked          TEXT NOT NULL,
    certificate_level  TEXT NOT NULL,
    certificate_number TEXT,
    certificate_date   TEXT,
    employer_org_id    TEXT,
    area_code          TEXT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id_lookup),
    UNIQUE (tenant_id, certificate_number)
);
CREATE INDEX social_workers_area ON social_workers (tenant_id, area_code, name, id);

CREATE TABLE posts (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    platform_id      TEXT NOT NULL,
    social_worker_id TEXT NOT NULL,
    title            TEXT NOT NULL,
    started_on       TEXT NOT NULL,
    ended_on         TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, platform_id) REFERENCES platforms (tenant_id, id),
    FOREIGN KEY (tenant_id, social_worker_id) REFERENCES social_workers (tenant_id, id)
);
CREATE INDEX posts_platform ON posts (tenant_id, platform_id);
CREATE INDEX posts_worker ON posts (tenant_id, social_worker_id);

CREATE TABLE trainings (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    social_worker_id TEXT NOT NULL,
    name             TEXT NOT NULL,
    organizer        TEXT NOT NULL,
    held_on          TEXT NOT NULL,
    minutes          BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, social_worker_id) REFERENCES social_workers (tenant_id, id)
);
CREATE INDEX trainings_worker ON trainings (tenant_id, social_worker_id);
