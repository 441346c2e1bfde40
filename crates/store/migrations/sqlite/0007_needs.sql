-- Needs (需求, MECHANISM §4 step 2): raised by residents or recorded by officers from any channel;
-- supported once per person; merged when duplicate (supports are copied onto the kept need, so a
-- person who supported both counts once). `supporters` moves in the same transaction as
-- need_supports, so the board's ranking is one index range.
CREATE TABLE needs (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    priority_group TEXT NOT NULL,
    channel        TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open',
    merged_into    TEXT,
    supporters     INTEGER NOT NULL DEFAULT 0,
    raised_by      TEXT NOT NULL,
    raised_role    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, merged_into) REFERENCES needs (tenant_id, id)
);
CREATE INDEX needs_board ON needs (tenant_id, area_code, supporters, created_at);

CREATE TABLE need_supports (
    tenant_id    TEXT NOT NULL,
    need_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    supported_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, need_id, user_id),
    FOREIGN KEY (tenant_id, need_id) REFERENCES needs (tenant_id, id)
);
