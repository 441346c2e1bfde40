-- Termination, rectification and money that returns to its fund (issue 16, finding 3). Every
-- record here is written once and kept as written. A termination names the movement that
-- returned the unpaid money (written first, in the same transaction); a tranche is cancelled
-- only by a termination, and a cancelled tranche is never paid nor changed.
CREATE TABLE terminations (
    tenant_id     TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    cause         TEXT NOT NULL CHECK (cause IN ('withdrawn', 'terminated', 'rectification_lapsed', 'not_accepted_twice')),
    reasons       TEXT NOT NULL,
    fund_id       TEXT,
    returned_fen  BIGINT NOT NULL CHECK (returned_fen >= 0),
    movement_id   TEXT,
    terminated_by TEXT NOT NULL,
    terminated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER terminations_kept BEFORE UPDATE OR DELETE ON terminations
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE FUNCTION refuse_return_without_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.returned_fen > 0 AND NOT EXISTS (
        SELECT 1 FROM fund_movements m WHERE m.tenant_id = NEW.tenant_id AND m.id = NEW.movement_id
          AND m.fund_id = NEW.fund_id AND m.project_id = NEW.project_id AND m.kind = 'return'
          AND m.amount_fen = NEW.returned_fen) THEN
        RAISE EXCEPTION 'frozen: money returns to its fund only with its movement';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER terminations_return_moved BEFORE INSERT ON terminations
FOR EACH ROW EXECUTE FUNCTION refuse_return_without_movement();

CREATE TABLE termination_responses (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    response     TEXT NOT NULL,
    responded_by TEXT NOT NULL,
    responded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES terminations (tenant_id, project_id)
);
CREATE TRIGGER termination_responses_kept BEFORE UPDATE OR DELETE ON termination_responses
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE rectifications (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    requirements TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER rectifications_kept BEFORE UPDATE OR DELETE ON rectifications
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE TABLE rectification_reports (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    report      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES rectifications (tenant_id, project_id)
);
CREATE TRIGGER rectification_reports_kept BEFORE UPDATE OR DELETE ON rectification_reports
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- One re-review per project (the primary key): a second is refused by the database too.
CREATE TABLE re_reviews (
    tenant_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    accepted   BOOLEAN NOT NULL,
    report     TEXT NOT NULL,
    signed_by  TEXT NOT NULL,
    signed_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES rectification_reports (tenant_id, project_id)
);
CREATE TRIGGER re_reviews_kept BEFORE UPDATE OR DELETE ON re_reviews
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

ALTER TABLE tranches ADD COLUMN cancelled_at TEXT;
ALTER TABLE tranches ADD COLUMN cancelled_by TEXT;
CREATE TRIGGER tranches_cancelled_kept BEFORE UPDATE ON tranches
FOR EACH ROW WHEN (OLD.cancelled_at IS NOT NULL) EXECUTE FUNCTION refuse_frozen_change();
CREATE FUNCTION refuse_tranche_after_termination() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ended BOOLEAN := EXISTS (SELECT 1 FROM terminations t WHERE t.tenant_id = NEW.tenant_id AND t.project_id = NEW.project_id);
BEGIN
    IF NEW.cancelled_at IS NOT NULL AND OLD.cancelled_at IS NULL AND NOT ended THEN
        RAISE EXCEPTION 'frozen: a tranche is cancelled only by a termination';
    END IF;
    IF NEW.paid_at IS NOT NULL AND OLD.paid_at IS NULL AND ended THEN
        RAISE EXCEPTION 'frozen: a terminated project pays nothing more';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tranches_after_termination BEFORE UPDATE ON tranches
FOR EACH ROW EXECUTE FUNCTION refuse_tranche_after_termination();
