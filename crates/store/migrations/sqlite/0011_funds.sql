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
    budget_fen  INTEGER NOT NULL,
    balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0),
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
    amount_fen    INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    by_user       TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, fund_id) REFERENCES funds (tenant_id, id)
);
CREATE INDEX fund_movements_fund ON fund_movements (tenant_id, fund_id, id);
CREATE TRIGGER fund_movements_fixed_update BEFORE UPDATE ON fund_movements
BEGIN SELECT RAISE(ABORT, 'frozen: fund movements are kept as recorded'); END;
CREATE TRIGGER fund_movements_fixed_delete BEFORE DELETE ON fund_movements
BEGIN SELECT RAISE(ABORT, 'frozen: fund movements are kept as recorded'); END;

CREATE TABLE purchase_decisions (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    buy        BOOLEAN NOT NULL,
    reason     TEXT NOT NULL,
    fund_id    TEXT,
    amount_fen INTEGER,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER purchase_decisions_fixed_update BEFORE UPDATE ON purchase_decisions
BEGIN SELECT RAISE(ABORT, 'frozen: a purchase decision is kept as made'); END;
CREATE TRIGGER purchase_decisions_fixed_delete BEFORE DELETE ON purchase_decisions
BEGIN SELECT RAISE(ABORT, 'frozen: a purchase decision is kept as made'); END;
