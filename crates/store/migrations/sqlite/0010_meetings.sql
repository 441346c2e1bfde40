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
    version         INTEGER NOT NULL,
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

CREATE TRIGGER consultations_frozen_update BEFORE UPDATE ON consultations WHEN OLD.frozen_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultations_frozen_delete BEFORE DELETE ON consultations WHEN OLD.frozen_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_items_frozen_insert BEFORE INSERT ON consultation_items
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = NEW.tenant_id AND id = NEW.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_items_frozen_change BEFORE UPDATE ON consultation_items
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = OLD.tenant_id AND id = OLD.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_items_frozen_delete BEFORE DELETE ON consultation_items
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = OLD.tenant_id AND id = OLD.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_entries_frozen_insert BEFORE INSERT ON consultation_entries
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = NEW.tenant_id AND id = NEW.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_entries_frozen_change BEFORE UPDATE ON consultation_entries
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = OLD.tenant_id AND id = OLD.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;
CREATE TRIGGER consultation_entries_frozen_delete BEFORE DELETE ON consultation_entries
WHEN (SELECT frozen_at FROM consultations WHERE tenant_id = OLD.tenant_id AND id = OLD.consultation_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the minutes are signed'); END;

-- A representatives' meeting: the rules and the roster are fixed when it opens.
CREATE TABLE vote_meetings (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    title         TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    rules         TEXT NOT NULL,
    roster_size   INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX vote_meetings_area ON vote_meetings (area_code, id);
CREATE TRIGGER vote_meetings_fixed BEFORE UPDATE ON vote_meetings
BEGIN SELECT RAISE(ABORT, 'frozen: a meeting''s rules and roster are fixed at opening'); END;

CREATE TABLE vote_roster (
    tenant_id    TEXT NOT NULL,
    meeting_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    present      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, meeting_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES vote_meetings (tenant_id, id)
);
CREATE TRIGGER vote_roster_fixed_delete BEFORE DELETE ON vote_roster
BEGIN SELECT RAISE(ABORT, 'frozen: the roster is fixed at opening'); END;
CREATE TRIGGER vote_roster_fixed_update BEFORE UPDATE OF user_id, display_name, meeting_id ON vote_roster
BEGIN SELECT RAISE(ABORT, 'frozen: the roster is fixed at opening'); END;

CREATE INDEX vote_roster_user ON vote_roster (user_id);

CREATE TABLE vote_motions (
    tenant_id     TEXT NOT NULL,
    meeting_id    TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    paper_yes     INTEGER,
    paper_no      INTEGER,
    paper_abstain INTEGER,
    paper_counter TEXT,
    tally         TEXT,
    sealed_by     TEXT,
    sealed_at     TEXT,
    PRIMARY KEY (tenant_id, meeting_id, project_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES vote_meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);
CREATE INDEX vote_motions_project ON vote_motions (tenant_id, project_id);
CREATE TRIGGER vote_motions_sealed BEFORE UPDATE ON vote_motions WHEN OLD.sealed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the result is sealed'); END;
CREATE TRIGGER vote_motions_no_delete BEFORE DELETE ON vote_motions
BEGIN SELECT RAISE(ABORT, 'frozen: motions are kept'); END;

CREATE TABLE vote_recusals (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, project_id, user_id)
);
CREATE TRIGGER vote_recusals_fixed_update BEFORE UPDATE ON vote_recusals
BEGIN SELECT RAISE(ABORT, 'frozen: recusals are recorded at opening'); END;
CREATE TRIGGER vote_recusals_fixed_delete BEFORE DELETE ON vote_recusals
BEGIN SELECT RAISE(ABORT, 'frozen: recusals are recorded at opening'); END;

CREATE TABLE vote_ballots (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    choice     TEXT NOT NULL,
    cast_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, project_id, user_id)
);
CREATE TRIGGER vote_ballots_sealed_insert BEFORE INSERT ON vote_ballots
WHEN (SELECT sealed_at FROM vote_motions WHERE tenant_id = NEW.tenant_id AND meeting_id = NEW.meeting_id AND project_id = NEW.project_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'frozen: the result is sealed'); END;
CREATE TRIGGER vote_ballots_fixed_update BEFORE UPDATE ON vote_ballots
BEGIN SELECT RAISE(ABORT, 'frozen: a ballot is cast once'); END;
CREATE TRIGGER vote_ballots_fixed_delete BEFORE DELETE ON vote_ballots
BEGIN SELECT RAISE(ABORT, 'frozen: a ballot is cast once'); END;
