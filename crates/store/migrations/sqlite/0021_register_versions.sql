-- Registers that can be corrected (issue 15): social workers, volunteers, talents, platforms and
-- posts are edited on the version the editor read (optimistic locking, as organizations are), and
-- each saved version is kept as a JSON snapshot (identity numbers only masked) in one table for
-- every kind. A social worker's employment ends on a date, as a post does.
ALTER TABLE platforms ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE talents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE social_workers ADD COLUMN employment_ended_on TEXT;

CREATE TABLE register_versions (
    tenant_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,
    changed_by   TEXT,
    changed_role TEXT,
    changed_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, record_id, version)
);
