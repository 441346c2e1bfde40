-- How many open needs each community holds, and how many of them each person has supported, kept
-- as needs are raised, supported and merged (store::need): the resident's work list says how many
-- needs wait for their support on every visit, and counting the community's needs and the person's
-- supports each time cost PostgreSQL walks of both tables (issue 12, mixed load). PostgreSQL only:
-- SQLite counts in process, cheaply, and its one writer is spared the updates; the tables exist
-- there too, so that both schemas stay alike, and are left empty.
CREATE TABLE need_tallies (
    tenant_id  TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    open_needs BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, area_code)
);
INSERT INTO need_tallies (tenant_id, area_code, open_needs)
    SELECT tenant_id, area_code, COUNT(*) FROM needs WHERE status = 'open' GROUP BY tenant_id, area_code;

CREATE TABLE need_support_tallies (
    tenant_id      TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    open_supported BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, area_code, user_id)
);
INSERT INTO need_support_tallies (tenant_id, area_code, user_id, open_supported)
    SELECT s.tenant_id, n.area_code, s.user_id, COUNT(*)
    FROM need_supports s JOIN needs n ON n.tenant_id = s.tenant_id AND n.id = s.need_id
    WHERE n.status = 'open'
    GROUP BY s.tenant_id, n.area_code, s.user_id;
