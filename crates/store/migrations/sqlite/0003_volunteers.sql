-- Volunteers, their service records (民政部令第67号) and certificates. Totals are maintained on
-- the volunteer row in the same transaction as each record, so a total never needs a scan.

CREATE TABLE volunteers (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    user_id         TEXT,
    name            TEXT NOT NULL,
    gender          TEXT NOT NULL DEFAULT '',
    area_code       TEXT NOT NULL,
    skills          TEXT NOT NULL DEFAULT '',
    consent_version TEXT NOT NULL,
    consent_at      TEXT NOT NULL,
    total_minutes   INTEGER NOT NULL DEFAULT 0,
    record_count    INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX volunteers_area ON volunteers (tenant_id, area_code, name, id);
CREATE INDEX volunteers_user ON volunteers (user_id);

CREATE TABLE service_records (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    volunteer_id     TEXT NOT NULL,
    activity_name    TEXT NOT NULL,
    activity_date    TEXT NOT NULL,
    place            TEXT NOT NULL,
    content          TEXT NOT NULL,
    minutes          INTEGER NOT NULL,
    organizing_unit  TEXT NOT NULL,
    person_in_charge TEXT NOT NULL,
    late             BOOLEAN NOT NULL DEFAULT FALSE,
    late_reason      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    corrects_id      TEXT,
    correction_note  TEXT NOT NULL DEFAULT '',
    entered_by       TEXT,
    entered_role     TEXT,
    entered_at       TEXT NOT NULL,
    decided_by       TEXT,
    decided_at       TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, volunteer_id) REFERENCES volunteers (tenant_id, id)
);
CREATE INDEX service_records_volunteer ON service_records (tenant_id, volunteer_id, activity_date, id);

CREATE TABLE volunteer_certificates (
    tenant_id     TEXT NOT NULL,
    code          TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    total_minutes INTEGER NOT NULL,
    record_count  INTEGER NOT NULL,
    units         TEXT NOT NULL,
    issued_at     TEXT NOT NULL,
    issued_by     TEXT,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, volunteer_id) REFERENCES volunteers (tenant_id, id)
);
