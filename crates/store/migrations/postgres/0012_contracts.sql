-- Purchase contracts and their payment tranches (YQ step 5). A signed contract never changes; a
-- tranche is paid once (its payment columns are written once, then frozen).
CREATE TABLE contracts (
    tenant_id           TEXT NOT NULL,
    project_id          TEXT NOT NULL,
    purchaser_area      TEXT NOT NULL,
    organization_id     TEXT NOT NULL,
    amount_fen          BIGINT NOT NULL,
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
CREATE TABLE tranches (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    milestone  TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    paid_at    TEXT,
    paid_by    TEXT,
    PRIMARY KEY (tenant_id, project_id, seq),
    FOREIGN KEY (tenant_id, project_id) REFERENCES contracts (tenant_id, project_id)
);
CREATE TRIGGER contracts_signed BEFORE UPDATE OR DELETE ON contracts
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER tranches_terms_fixed BEFORE UPDATE OF tenant_id, project_id, seq, milestone, amount_fen OR DELETE ON tranches
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER tranches_paid_once BEFORE UPDATE ON tranches
FOR EACH ROW WHEN (OLD.paid_at IS NOT NULL) EXECUTE FUNCTION refuse_frozen_change();
