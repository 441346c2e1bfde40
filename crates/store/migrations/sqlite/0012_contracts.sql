-- Purchase contracts and their payment tranches (YQ step 5). A signed contract never changes; a
-- tranche is paid once (its payment columns are written once, then frozen).
CREATE TABLE contracts (
    tenant_id           TEXT NOT NULL,
    project_id          TEXT NOT NULL,
    purchaser_area      TEXT NOT NULL,
    organization_id     TEXT NOT NULL,
    amount_fen          INTEGER NOT NULL,
    starts_on           TEXT NOT NULL,
    ends_on             TEXT NOT NULL,
    deliverables        TEXT NOT NULL,
    acceptance_criteria TEXT NOT NULL,
    signed_on           TEXT NOT NULL,
    purchaser_signatory TEXT NOT NULL,
    provider_signatory  TEXT NOT NULL,
    recorded_by         TEXT NOT NULL,
    recorded_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER contracts_signed_update BEFORE UPDATE ON contracts
BEGIN SELECT RAISE(ABORT, 'frozen: a signed contract never changes'); END;
CREATE TRIGGER contracts_signed_delete BEFORE DELETE ON contracts
BEGIN SELECT RAISE(ABORT, 'frozen: a signed contract never changes'); END;

CREATE TABLE tranches (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    milestone  TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    paid_at    TEXT,
    paid_by    TEXT,
    PRIMARY KEY (tenant_id, project_id, seq),
    FOREIGN KEY (tenant_id, project_id) REFERENCES contracts (tenant_id, project_id)
);
CREATE TRIGGER tranches_terms_fixed BEFORE UPDATE OF tenant_id, project_id, seq, milestone, amount_fen ON tranches
BEGIN SELECT RAISE(ABORT, 'frozen: a tranche''s terms are the contract''s'); END;
CREATE TRIGGER tranches_paid_once BEFORE UPDATE ON tranches WHEN OLD.paid_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: a tranche is paid once'); END;
CREATE TRIGGER tranches_no_delete BEFORE DELETE ON tranches
BEGIN SELECT RAISE(ABORT, 'frozen: a tranche''s terms are the contract''s'); END;
