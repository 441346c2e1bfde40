-- Calls (issue 5): competitive selections on a catalogue item, venture-philanthropy calls, community
-- micro calls and facility tenders share one path — a published rubric and deadline, applications
-- (bids), a panel under the evaluation recusal rules, sealed scores, awards within the pool. A
-- call's pool is drawn from a fund when it opens; `awarded_fen` grows only by a guarded update
-- and the CHECK keeps it within the pool whatever runs concurrently. Applications, panel
-- members, score sheets and awards never change once written.
CREATE TABLE calls (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    priority_groups TEXT NOT NULL,
    item_id       TEXT,
    facility      TEXT NOT NULL DEFAULT '',
    requirements  TEXT NOT NULL,
    period_months BIGINT NOT NULL DEFAULT 0,
    fund_id       TEXT NOT NULL,
    pool_fen      BIGINT NOT NULL CHECK (pool_fen > 0),
    ceiling_fen   BIGINT  NOT NULL,
    awarded_fen   BIGINT  NOT NULL DEFAULT 0,
    opens_on      TEXT NOT NULL,
    closes_on     TEXT NOT NULL,
    rubric        TEXT NOT NULL,
    min_panel     BIGINT NOT NULL,
    stage         TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (awarded_fen >= 0 AND awarded_fen <= pool_fen),
    FOREIGN KEY (tenant_id, fund_id) REFERENCES funds (tenant_id, id)
);
CREATE INDEX calls_area ON calls (area_code, id);
CREATE TRIGGER calls_terms_fixed BEFORE UPDATE OF tenant_id, id, area_code, kind, title, priority_groups, item_id, facility, requirements, period_months, fund_id, pool_fen, ceiling_fen, opens_on, closes_on, created_by, created_at ON calls
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER calls_no_delete BEFORE DELETE ON calls
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE call_applications (
    tenant_id       TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    eligibility_id  TEXT,
    community       TEXT NOT NULL,
    title           TEXT NOT NULL,
    proposal        TEXT NOT NULL,
    staffing        TEXT NOT NULL,
    amount_fen      BIGINT  NOT NULL,
    submitted_by    TEXT NOT NULL,
    submitted_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, call_id, organization_id),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
);
CREATE INDEX call_applications_organization ON call_applications (tenant_id, organization_id);
CREATE TRIGGER call_applications_fixed_update BEFORE UPDATE ON call_applications
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER call_applications_fixed_delete BEFORE DELETE ON call_applications
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE call_panel (
    tenant_id TEXT NOT NULL,
    call_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_id, user_id),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX call_panel_user ON call_panel (user_id);
CREATE TRIGGER call_panel_fixed_update BEFORE UPDATE ON call_panel
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER call_panel_fixed_delete BEFORE DELETE ON call_panel
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- One sheet per member: every application's points per criterion, as JSON.
CREATE TABLE call_scores (
    tenant_id TEXT NOT NULL,
    call_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    sheet     TEXT NOT NULL,
    comment   TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_id, user_id),
    FOREIGN KEY (tenant_id, call_id, user_id) REFERENCES call_panel (tenant_id, call_id, user_id)
);
CREATE TRIGGER call_scores_sealed_update BEFORE UPDATE ON call_scores
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER call_scores_sealed_delete BEFORE DELETE ON call_scores
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- The rubric (and the panel's size) may be revised until the first score sheet, never after.
CREATE FUNCTION refuse_rubric_after_scores() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM call_scores s WHERE s.tenant_id = OLD.tenant_id AND s.call_id = OLD.id) THEN
        RAISE EXCEPTION 'frozen: the rubric is locked from the first score';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER calls_rubric_locked BEFORE UPDATE OF rubric, min_panel ON calls
FOR EACH ROW EXECUTE FUNCTION refuse_rubric_after_scores();

CREATE TABLE call_awards (
    tenant_id      TEXT NOT NULL,
    call_id        TEXT NOT NULL,
    application_id TEXT NOT NULL,
    place          BIGINT NOT NULL,
    amount_fen     BIGINT  NOT NULL CHECK (amount_fen > 0),
    reasons        TEXT NOT NULL,
    project_id     TEXT NOT NULL,
    awarded_by     TEXT NOT NULL,
    awarded_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_id, application_id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES call_applications (tenant_id, id)
);
CREATE TRIGGER call_awards_fixed_update BEFORE UPDATE ON call_awards
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER call_awards_fixed_delete BEFORE DELETE ON call_awards
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- An awarded application continues the chain as a project that came from a call rather than from
-- a catalogue item, so a project's item and eligibility become optional and it may name its call.
ALTER TABLE projects ALTER COLUMN item_id DROP NOT NULL;
ALTER TABLE projects ALTER COLUMN eligibility_id DROP NOT NULL;
ALTER TABLE projects ADD COLUMN call_id TEXT;
ALTER TABLE projects ADD FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id);
CREATE INDEX projects_call ON projects (tenant_id, call_id);
ALTER TABLE projects ADD CHECK (item_id IS NOT NULL OR call_id IS NOT NULL);
