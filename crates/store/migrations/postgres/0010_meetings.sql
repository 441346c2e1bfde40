-- Consultation meetings (YQ step 3) and representatives' meetings with their votes (YQ step 4).
-- Frozen minutes and sealed motions are refused any change by triggers, whatever route asks; the
-- app checks first to say why in Chinese.
CREATE TABLE consultations (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    title      TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    recorder   TEXT NOT NULL DEFAULT '',
    chair      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    frozen_by  TEXT,
    frozen_at  TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consultations_area ON consultations (area_code, id);

CREATE TABLE consultation_items (
    tenant_id       TEXT NOT NULL,
    consultation_id TEXT NOT NULL,
    project_id      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, consultation_id, project_id),
    FOREIGN KEY (tenant_id, consultation_id) REFERENCES consultations (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX consultation_items_project ON consultation_items (tenant_id, project_id);

CREATE TABLE consultation_entries (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    consultation_id  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    role             TEXT NOT NULL,
    name             TEXT NOT NULL,
    project_id       TEXT,
    comment          TEXT NOT NULL DEFAULT '',
    requested_change TEXT NOT NULL DEFAULT '',
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, consultation_id) REFERENCES consultations (tenant_id, id)
);
CREATE INDEX consultation_entries_meeting ON consultation_entries (tenant_id, consultation_id, id);

-- A representatives' meeting: the rules and the roster are fixed when it opens.
CREATE TABLE vote_meetings (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    title         TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    rules         TEXT NOT NULL,
    roster_size   BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX vote_meetings_area ON vote_meetings (area_code, id);
CREATE TABLE vote_roster (
    tenant_id    TEXT NOT NULL,
    meeting_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    present      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, meeting_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES vote_meetings (tenant_id, id)
);
CREATE INDEX vote_roster_user ON vote_roster (user_id);

CREATE TABLE vote_motions (
    tenant_id     TEXT NOT NULL,
    meeting_id    TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    version       BIGINT NOT NULL,
    paper_yes     BIGINT,
    paper_no      BIGINT,
    paper_abstain BIGINT,
    paper_counter TEXT,
    tally         TEXT,
    sealed_by     TEXT,
    sealed_at     TEXT,
    PRIMARY KEY (tenant_id, meeting_id, project_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES vote_meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX vote_motions_project ON vote_motions (tenant_id, project_id);
CREATE TABLE vote_recusals (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, project_id, user_id)
);
CREATE TABLE vote_ballots (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    choice     TEXT NOT NULL,
    cast_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, project_id, user_id)
);

-- Frozen records refuse change (refuse_frozen_change() comes with 0009).
CREATE FUNCTION refuse_when_minutes_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
    m TEXT;
BEGIN
    IF TG_OP = 'INSERT' THEN t := NEW.tenant_id; m := NEW.consultation_id;
    ELSE t := OLD.tenant_id; m := OLD.consultation_id; END IF;
    IF (SELECT frozen_at FROM consultations WHERE tenant_id = t AND id = m) IS NOT NULL THEN
        RAISE EXCEPTION 'frozen: the minutes are signed';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER consultations_frozen BEFORE UPDATE OR DELETE ON consultations
FOR EACH ROW WHEN (OLD.frozen_at IS NOT NULL) EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER consultation_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON consultation_items
FOR EACH ROW EXECUTE FUNCTION refuse_when_minutes_frozen();
CREATE TRIGGER consultation_entries_frozen BEFORE INSERT OR UPDATE OR DELETE ON consultation_entries
FOR EACH ROW EXECUTE FUNCTION refuse_when_minutes_frozen();

CREATE TRIGGER vote_meetings_fixed BEFORE UPDATE ON vote_meetings
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER vote_roster_fixed_delete BEFORE DELETE ON vote_roster
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER vote_roster_fixed_update BEFORE UPDATE OF user_id, display_name, meeting_id ON vote_roster
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER vote_motions_sealed BEFORE UPDATE ON vote_motions
FOR EACH ROW WHEN (OLD.sealed_at IS NOT NULL) EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER vote_motions_no_delete BEFORE DELETE ON vote_motions
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE TRIGGER vote_recusals_fixed BEFORE UPDATE OR DELETE ON vote_recusals
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

CREATE FUNCTION refuse_ballot_when_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT sealed_at FROM vote_motions WHERE tenant_id = NEW.tenant_id AND meeting_id = NEW.meeting_id AND project_id = NEW.project_id) IS NOT NULL THEN
        RAISE EXCEPTION 'frozen: the result is sealed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_ballots_sealed_insert BEFORE INSERT ON vote_ballots
FOR EACH ROW EXECUTE FUNCTION refuse_ballot_when_sealed();
CREATE TRIGGER vote_ballots_fixed BEFORE UPDATE OR DELETE ON vote_ballots
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
