-- Foundation: areas (national reference data), accounts, sessions, tokens, audit chain.
-- Tables without tenant_id are national reference tables (Citus: reference tables).

CREATE TABLE areas (
    code           TEXT PRIMARY KEY,
    parent_code    TEXT NOT NULL,
    level          TEXT NOT NULL,
    name           TEXT NOT NULL,
    township_kind  TEXT,
    committee_kind TEXT,
    retired_at     TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_code, code);
CREATE INDEX areas_name ON areas (name);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    home_area     TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT 'zh',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_home_area ON users (home_area);

CREATE TABLE role_assignments (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    organization_id TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    UNIQUE (user_id, role, area_code, organization_id)
);
CREATE INDEX role_assignments_area ON role_assignments (area_code);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    client_addr  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_heads (
    tenant_id TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TABLE audit_events (
    tenant_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
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
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    FOREIGN KEY (tenant_id) REFERENCES audit_heads (tenant_id)
);
CREATE INDEX audit_events_area ON audit_events (tenant_id, area_code, seq);
CREATE INDEX audit_events_at ON audit_events (at);
