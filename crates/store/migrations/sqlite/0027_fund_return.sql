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
    returned_fen  INTEGER NOT NULL CHECK (returned_fen >= 0),
    movement_id   TEXT,
    terminated_by TEXT NOT NULL,
    terminated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE TRIGGER terminations_kept_update BEFORE UPDATE ON terminations
BEGIN SELECT RAISE(ABORT, 'frozen: a termination is kept as recorded'); END;
CREATE TRIGGER terminations_kept_delete BEFORE DELETE ON terminations
BEGIN SELECT RAISE(ABORT, 'frozen: a termination is kept as recorded'); END;
CREATE TRIGGER terminations_return_moved BEFORE INSERT ON terminations
WHEN NEW.returned_fen > 0 AND NOT EXISTS (
    SELECT 1 FROM fund_movements m WHERE m.tenant_id = NEW.tenant_id AND m.id = NEW.movement_id
      AND m.fund_id = NEW.fund_id AND m.project_id = NEW.project_id AND m.kind = 'return'
      AND m.amount_fen = NEW.returned_fen)
BEGIN SELECT RAISE(ABORT, 'frozen: money returns to its fund only with its movement'); END;

CREATE TABLE termination_responses (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    response     TEXT NOT NULL,
    responded_by TEXT NOT NULL,
    responded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES terminations (tenant_id, project_id)
);
CREATE TRIGGER termination_responses_kept_update BEFORE UPDATE ON termination_responses
BEGIN SELECT RAISE(ABORT, 'frozen: a response is kept as recorded'); END;
CREATE TRIGGER termination_responses_kept_delete BEFORE DELETE ON termination_responses
BEGIN SELECT RAISE(ABORT, 'frozen: a response is kept as recorded'); END;

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
CREATE TRIGGER rectifications_kept_update BEFORE UPDATE ON rectifications
BEGIN SELECT RAISE(ABORT, 'frozen: a rectification period is kept as set'); END;
CREATE TRIGGER rectifications_kept_delete BEFORE DELETE ON rectifications
BEGIN SELECT RAISE(ABORT, 'frozen: a rectification period is kept as set'); END;

CREATE TABLE rectification_reports (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    report      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES rectifications (tenant_id, project_id)
);
CREATE TRIGGER rectification_reports_kept_update BEFORE UPDATE ON rectification_reports
BEGIN SELECT RAISE(ABORT, 'frozen: a rectification is kept as recorded'); END;
CREATE TRIGGER rectification_reports_kept_delete BEFORE DELETE ON rectification_reports
BEGIN SELECT RAISE(ABORT, 'frozen: a rectification is kept as recorded'); END;

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
CREATE TRIGGER re_reviews_kept_update BEFORE UPDATE ON re_reviews
BEGIN SELECT RAISE(ABORT, 'frozen: a re-review is kept as signed'); END;
CREATE TRIGGER re_reviews_kept_delete BEFORE DELETE ON re_reviews
BEGIN SELECT RAISE(ABORT, 'frozen: a re-review is kept as signed'); END;

ALTER TABLE tranches ADD COLUMN cancelled_at TEXT;
ALTER TABLE tranches ADD COLUMN cancelled_by TEXT;
CREATE TRIGGER tranches_cancelled_kept BEFORE UPDATE ON tranches WHEN OLD.cancelled_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: a cancelled tranche is never paid nor changed'); END;
CREATE TRIGGER tranches_cancelled_by_termination BEFORE UPDATE OF cancelled_at ON tranches
WHEN NEW.cancelled_at IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM terminations t WHERE t.tenant_id = NEW.tenant_id AND t.project_id = NEW.project_id)
BEGIN SELECT RAISE(ABORT, 'frozen: a tranche is cancelled only by a termination'); END;
CREATE TRIGGER tranches_unpaid_after_termination BEFORE UPDATE OF paid_at ON tranches
WHEN NEW.paid_at IS NOT NULL AND EXISTS (
    SELECT 1 FROM terminations t WHERE t.tenant_id = NEW.tenant_id AND t.project_id = NEW.project_id)
BEGIN SELECT RAISE(ABORT, 'frozen: a terminated project pays nothing more'); END;
