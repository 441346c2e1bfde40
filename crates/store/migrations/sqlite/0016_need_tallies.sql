-- How many open needs each community holds, and how many of them each person has supported, kept
-- as needs are raised, supported and merged (store::need): the resident's work list says how many
-- needs wait for their support on every visit, and counting the community's needs and the person's
-- supports each time cost PostgreSQL walks of both tables (issue 12, mixed load). PostgreSQL only:
-- SQLite counts in process, cheaply, and its one writer is spared the updates; the tables exist
-- there too, so that both schemas stay alike, and are left empty.
CREATE TABLE need_tallies (
    tenant_id  TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    open_needs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, area_code)
);
CREATE TABLE need_support_tallies (
    tenant_id      TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    open_supported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, area_code, user_id)
);
