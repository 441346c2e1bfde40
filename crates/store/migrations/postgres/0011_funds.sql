-- Funds and the township's purchase decisions (YQ step 5). A fund's balance moves only by a
-- guarded update (`balance_fen >= amount`) in the same transaction as the movement that explains
-- it, and the CHECK keeps it from ever going below zero; movements and decisions never change.
CREATE TABLE funds (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    budget_fen  BIGINT NOT NULL,
    balance_fen BIGINT NOT NULL CHECK (balance_fen >= 0),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX funds_area ON funds (area_code, id);

CREATE TABLE fund_movements (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    fund_id       TEXT NOT NULL,
    project_id    TEXT,
    kind          TEXT NOT NULL,
    amount_fen    BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    by_user       TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, fund_id) REFERENCES funds (tenant_id, id)
);
CREATE INDEX fund_movements_fund ON fund_movements (tenant_id, fund_id, id);
CREATE TABLE purchase_decisions (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    buy        BOOLEAN NOT NULL,
    reason     TEXT NOT NULL,
    fund_id    TEXT,
    amount_fen BIGINT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER fund_movements_fixed BEFORE UPDATE OR DELETE ON fund_movements
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER purchase_decisions_fixed BEFORE UPDATE OR DELETE ON purchase_decisions
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
