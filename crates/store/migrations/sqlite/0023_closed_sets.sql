-- Freeze holes (issue 16, finding 7): lists that are fixed when they are made — a meeting's
-- roster, a contract's tranches, a call's panel — took rows afterwards; a signed review group
-- took members; a fund's balance could be rewritten without a movement. The transaction that
-- makes such a list closes it here, and nothing joins a closed list; a signed group takes no
-- member; a balance moves only together with the movement that explains it.
CREATE TABLE closed_sets (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, parent_id)
);
CREATE TRIGGER closed_sets_kept_update BEFORE UPDATE ON closed_sets
BEGIN SELECT RAISE(ABORT, 'frozen: a closed list stays closed'); END;
CREATE TRIGGER closed_sets_kept_delete BEFORE DELETE ON closed_sets
BEGIN SELECT RAISE(ABORT, 'frozen: a closed list stays closed'); END;

-- Every list made so far is closed.
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT tenant_id, 'vote_roster', id FROM vote_meetings;
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT tenant_id, 'tranches', project_id FROM contracts;
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT DISTINCT tenant_id, 'call_panel', call_id FROM call_panel;

CREATE TRIGGER vote_roster_closed BEFORE INSERT ON vote_roster
WHEN EXISTS (SELECT 1 FROM closed_sets s WHERE s.tenant_id = NEW.tenant_id AND s.kind = 'vote_roster' AND s.parent_id = NEW.meeting_id)
BEGIN SELECT RAISE(ABORT, 'frozen: the roster is fixed at opening'); END;
CREATE TRIGGER tranches_closed BEFORE INSERT ON tranches
WHEN EXISTS (SELECT 1 FROM closed_sets s WHERE s.tenant_id = NEW.tenant_id AND s.kind = 'tranches' AND s.parent_id = NEW.project_id)
BEGIN SELECT RAISE(ABORT, 'frozen: a tranche''s terms are the contract''s'); END;
CREATE TRIGGER call_panel_closed BEFORE INSERT ON call_panel
WHEN EXISTS (SELECT 1 FROM closed_sets s WHERE s.tenant_id = NEW.tenant_id AND s.kind = 'call_panel' AND s.parent_id = NEW.call_id)
BEGIN SELECT RAISE(ABORT, 'frozen: a formed panel never changes'); END;
CREATE TRIGGER review_group_members_signed_insert BEFORE INSERT ON review_group_members
WHEN (SELECT signed_at FROM review_groups g WHERE g.tenant_id = NEW.tenant_id AND g.project_id = NEW.project_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the review report is signed'); END;
CREATE TRIGGER review_members_reported_insert BEFORE INSERT ON review_members
WHEN EXISTS (SELECT 1 FROM review_reports r WHERE r.tenant_id = NEW.tenant_id AND r.project_id = NEW.project_id)
BEGIN SELECT RAISE(ABORT, 'frozen: the review report is written'); END;

-- A fund's balance moves only to what the movement it names says: that movement (new, of this
-- fund) moves it by exactly the difference and leaves exactly the new balance. The movement is
-- written first, in the same transaction.
ALTER TABLE funds ADD COLUMN last_movement_id TEXT;
CREATE TRIGGER funds_balance_with_movement BEFORE UPDATE OF balance_fen, last_movement_id ON funds
WHEN NEW.last_movement_id IS OLD.last_movement_id
  OR NOT EXISTS (SELECT 1 FROM fund_movements m WHERE m.tenant_id = NEW.tenant_id AND m.id = NEW.last_movement_id
                 AND m.fund_id = NEW.id AND m.amount_fen = NEW.balance_fen - OLD.balance_fen
                 AND m.balance_after = NEW.balance_fen)
BEGIN SELECT RAISE(ABORT, 'frozen: a fund''s balance moves only with a movement'); END;
CREATE TRIGGER funds_start_at_budget BEFORE INSERT ON funds
WHEN NEW.balance_fen <> NEW.budget_fen
BEGIN SELECT RAISE(ABORT, 'frozen: a fund starts with its budget'); END;
