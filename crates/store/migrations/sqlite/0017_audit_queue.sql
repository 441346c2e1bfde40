-- Audit events waiting to be sealed into their tenant's chain (issue 12, mixed load). On
-- PostgreSQL a use case's events are committed here with its change, without touching the chain
-- head, and `Db::seal_audit` (a background task every 200 ms, and every reader of the log first)
-- takes them in the order given, numbers and chains them under the head's lock and writes them to
-- audit_events: a city's writers no longer queue, one at a time, on the head for the moment of
-- each commit. SQLite has one writer anyway and chains at commit; the table stays empty there.
CREATE TABLE audit_queue (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    at             TEXT NOT NULL,
    actor_id       TEXT,
    actor_login    TEXT,
    actor_role     TEXT,
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    target_kind    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    before_summary TEXT,
    after_summary  TEXT,
    request_id     TEXT,
    client_addr    TEXT,
    PRIMARY KEY (tenant_id, id)
);
