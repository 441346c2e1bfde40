-- The representatives' vote cannot be bent (issue 14). Attendance becomes an append-only log of
-- arrivals and departures; each motion takes its own attendance at its first ballot or paper
-- count, and only arrivals are appended to it afterwards; a ballot is refused unless its voter is
-- present for the motion; after every motion of a meeting is sealed its attendance takes no
-- record. Recusals are decided at each ballot and carry the time they were recorded. The app checks
-- first to say why in Chinese; these triggers refuse whatever route asks.
CREATE TABLE vote_attendance (
    tenant_id   TEXT NOT NULL,
    meeting_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    user_id     TEXT NOT NULL,
    present     BOOLEAN NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, seq),
    FOREIGN KEY (tenant_id, meeting_id, user_id) REFERENCES vote_roster (tenant_id, meeting_id, user_id)
);
CREATE INDEX vote_attendance_user ON vote_attendance (tenant_id, meeting_id, user_id, seq);

CREATE TABLE vote_motion_attendance (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    since      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, project_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id, project_id) REFERENCES vote_motions (tenant_id, meeting_id, project_id),
    FOREIGN KEY (tenant_id, meeting_id, user_id) REFERENCES vote_roster (tenant_id, meeting_id, user_id)
);

-- What the old column said becomes the log's first records; a motion already voted on, counted or
-- sealed takes those present then, and anyone whose ballot is stored (their ballot stays theirs).
INSERT INTO vote_attendance (tenant_id, meeting_id, seq, user_id, present, recorded_by, recorded_at)
SELECT r.tenant_id, r.meeting_id,
       ROW_NUMBER() OVER (PARTITION BY r.tenant_id, r.meeting_id ORDER BY r.user_id),
       r.user_id, TRUE, 'migration-0018',
       (SELECT v.created_at FROM vote_meetings v WHERE v.tenant_id = r.tenant_id AND v.id = r.meeting_id)
FROM vote_roster r WHERE r.present;
INSERT INTO vote_motion_attendance (tenant_id, meeting_id, project_id, user_id, since)
SELECT m.tenant_id, m.meeting_id, m.project_id, r.user_id, 'migration-0018'
FROM vote_motions m JOIN vote_roster r ON r.tenant_id = m.tenant_id AND r.meeting_id = m.meeting_id
WHERE (m.sealed_at IS NOT NULL OR m.paper_counter IS NOT NULL
       OR EXISTS (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = m.tenant_id AND b.meeting_id = m.meeting_id AND b.project_id = m.project_id))
  AND (r.present OR EXISTS (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = m.tenant_id AND b.meeting_id = m.meeting_id
                            AND b.project_id = m.project_id AND b.user_id = r.user_id));

-- The roster is fixed entirely: the old present column goes (the log says who is present).
DROP TRIGGER vote_roster_fixed_update;
ALTER TABLE vote_roster DROP COLUMN present;
CREATE TRIGGER vote_roster_fixed_update BEFORE UPDATE ON vote_roster
BEGIN SELECT RAISE(ABORT, 'frozen: the roster is fixed at opening'); END;

-- The log only grows, and takes nothing once every motion of the meeting is sealed.
CREATE TRIGGER vote_attendance_no_update BEFORE UPDATE ON vote_attendance
BEGIN SELECT RAISE(ABORT, 'frozen: attendance records are kept as recorded'); END;
CREATE TRIGGER vote_attendance_no_delete BEFORE DELETE ON vote_attendance
BEGIN SELECT RAISE(ABORT, 'frozen: attendance records are kept as recorded'); END;
CREATE TRIGGER vote_attendance_sealed BEFORE INSERT ON vote_attendance
WHEN NOT EXISTS (SELECT 1 FROM vote_motions m WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.sealed_at IS NULL)
BEGIN SELECT RAISE(ABORT, 'meeting_sealed: every motion of the meeting is sealed'); END;

-- A motion's attendance never loses anyone; it takes only people present at the meeting, and
-- nobody once the motion is sealed or counted on paper.
CREATE TRIGGER vote_motion_attendance_no_update BEFORE UPDATE ON vote_motion_attendance
BEGIN SELECT RAISE(ABORT, 'frozen: a motion''s attendance only grows'); END;
CREATE TRIGGER vote_motion_attendance_no_delete BEFORE DELETE ON vote_motion_attendance
BEGIN SELECT RAISE(ABORT, 'frozen: a motion''s attendance only grows'); END;
CREATE TRIGGER vote_motion_attendance_closed BEFORE INSERT ON vote_motion_attendance
WHEN (SELECT sealed_at IS NOT NULL OR paper_counter IS NOT NULL FROM vote_motions m
      WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.project_id = NEW.project_id)
BEGIN SELECT RAISE(ABORT, 'frozen: the motion is sealed or counted on paper'); END;
CREATE TRIGGER vote_motion_attendance_present BEFORE INSERT ON vote_motion_attendance
WHEN COALESCE((SELECT a.present FROM vote_attendance a WHERE a.tenant_id = NEW.tenant_id AND a.meeting_id = NEW.meeting_id
               AND a.user_id = NEW.user_id ORDER BY a.seq DESC LIMIT 1), FALSE) = FALSE
BEGIN SELECT RAISE(ABORT, 'not_present: not present at the meeting'); END;

-- A ballot only from someone present for the motion.
CREATE TRIGGER vote_ballots_present BEFORE INSERT ON vote_ballots
WHEN NOT EXISTS (SELECT 1 FROM vote_motion_attendance a WHERE a.tenant_id = NEW.tenant_id AND a.meeting_id = NEW.meeting_id
                 AND a.project_id = NEW.project_id AND a.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'not_present: not present for the motion'); END;

-- Recusals carry their time; none is added to a sealed motion or over a ballot already cast.
ALTER TABLE vote_recusals ADD COLUMN recorded_at TEXT;
DROP TRIGGER vote_recusals_fixed_update;
UPDATE vote_recusals SET recorded_at = (SELECT v.created_at FROM vote_meetings v WHERE v.tenant_id = vote_recusals.tenant_id AND v.id = vote_recusals.meeting_id);
CREATE TRIGGER vote_recusals_fixed_update BEFORE UPDATE ON vote_recusals
BEGIN SELECT RAISE(ABORT, 'frozen: recusals are kept as recorded'); END;
CREATE TRIGGER vote_recusals_closed BEFORE INSERT ON vote_recusals
WHEN (SELECT sealed_at FROM vote_motions m WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.project_id = NEW.project_id) IS NOT NULL
  OR EXISTS (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = NEW.tenant_id AND b.meeting_id = NEW.meeting_id
             AND b.project_id = NEW.project_id AND b.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'frozen: the motion is sealed or the ballot is cast'); END;
