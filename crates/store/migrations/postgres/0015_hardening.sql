-- Hardening (issue 12). Failed logins lock an account for the client address they came from only
-- (so nobody can lock another person out); the account-wide counters go.
CREATE TABLE login_locks (
    user_id      TEXT NOT NULL REFERENCES users (id),
    client       TEXT NOT NULL,
    failures     BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, client)
);
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- A resident's supports, found by person (the work list counts the needs they have not supported;
-- without it PostgreSQL walked every support of the city once per need).
CREATE INDEX need_supports_user ON need_supports (tenant_id, user_id, need_id);

-- The needs board in its order (store::need::RANKED): a page is read off the index, however many
-- needs a community has gathered, instead of sorting all of them for each reader.
DROP INDEX needs_board;
CREATE INDEX needs_board ON needs (tenant_id, area_code, status, supporters DESC,
    (CASE WHEN priority_group = 'all_residents' THEN 1 ELSE 0 END), created_at, id);
