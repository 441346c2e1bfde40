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
CREATE TRIGGER closed_sets_kept BEFORE UPDATE OR DELETE ON closed_sets
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- Every list made so far is closed.
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT tenant_id, 'vote_roster', id FROM vote_meetings;
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT tenant_id, 'tranches', project_id FROM contracts;
INSERT INTO closed_sets (tenant_id, kind, parent_id) SELECT DISTINCT tenant_id, 'call_panel', call_id FROM call_panel;

-- TG_ARGV: the list's kind, the column naming its parent, and what to say.
CREATE FUNCTION refuse_when_closed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent TEXT;
BEGIN
    parent := to_jsonb(NEW) ->> TG_ARGV[1];
    IF EXISTS (SELECT 1 FROM closed_sets s WHERE s.tenant_id = NEW.tenant_id AND s.kind = TG_ARGV[0] AND s.parent_id = parent) THEN
        RAISE EXCEPTION 'frozen: %', TG_ARGV[2];
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_roster_closed BEFORE INSERT ON vote_roster
FOR EACH ROW EXECUTE FUNCTION refuse_when_closed('vote_roster', 'meeting_id', 'the roster is fixed at opening');
CREATE TRIGGER tranches_closed BEFORE INSERT ON tranches
FOR EACH ROW EXECUTE FUNCTION refuse_when_closed('tranches', 'project_id', 'a tranche''s terms are the contract''s');
CREATE TRIGGER call_panel_closed BEFORE INSERT ON call_panel
FOR EACH ROW EXECUTE FUNCTION refuse_when_closed('call_panel', 'call_id', 'a formed panel never changes');

CREATE FUNCTION refuse_member_when_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT signed_at FROM review_groups g WHERE g.tenant_id = NEW.tenant_id AND g.project_id = NEW.project_id) IS NOT NULL THEN
        RAISE EXCEPTION 'frozen: the review report is signed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER review_group_members_signed_insert BEFORE INSERT ON review_group_members
FOR EACH ROW EXECUTE FUNCTION refuse_member_when_signed();
CREATE FUNCTION refuse_legacy_member_when_reported() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM review_reports r WHERE r.tenant_id = NEW.tenant_id AND r.project_id = NEW.project_id) THEN
        RAISE EXCEPTION 'frozen: the review report is written';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER review_members_reported_insert BEFORE INSERT ON review_members
FOR EACH ROW EXECUTE FUNCTION refuse_legacy_member_when_reported();

-- A fund's balance moves only to what the movement it names says: that movement (new, of this
-- fund) moves it by exactly the difference and leaves exactly the new balance. The movement is
-- written first, in the same transaction.
ALTER TABLE funds ADD COLUMN last_movement_id TEXT;
CREATE FUNCTION refuse_balance_without_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.balance_fen IS DISTINCT FROM OLD.balance_fen OR NEW.last_movement_id IS DISTINCT FROM OLD.last_movement_id THEN
        IF NEW.last_movement_id IS NOT DISTINCT FROM OLD.last_movement_id
           OR NOT EXISTS (SELECT 1 FROM fund_movements m WHERE m.tenant_id = NEW.tenant_id AND m.id = NEW.last_movement_id
                          AND m.fund_id = NEW.id AND m.amount_fen = NEW.balance_fen - OLD.balance_fen
                          AND m.balance_after = NEW.balance_fen) THEN
            RAISE EXCEPTION 'frozen: a fund''s balance moves only with a movement';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER funds_balance_with_movement BEFORE UPDATE ON funds
FOR EACH ROW EXECUTE FUNCTION refuse_balance_without_movement();
CREATE FUNCTION refuse_fund_not_at_budget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.balance_fen <> NEW.budget_fen THEN
        RAISE EXCEPTION 'frozen: a fund starts with its budget';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER funds_start_at_budget BEFORE INSERT ON funds
FOR EACH ROW EXECUTE FUNCTION refuse_fund_not_at_budget();
