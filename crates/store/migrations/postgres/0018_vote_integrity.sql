-- The representatives' vote cannot be bent (issue 14). Attendance becomes an append-only log of
-- arrivals and departures; each motion takes its own attendance at its first ballot or paper
-- count, and only arrivals are appended to it afterwards; a ballot is refused unless its voter is
-- present for the motion; after every motion of a meeting is sealed its attendance takes no
-- record. Recusals are decided at each ballot and carry the time they were recorded. The app checks
-- first to say why in Chinese; these triggers refuse whatever route asks. Each looks only at rows
-- of its own tenant and meeting (co-located on a Citus shard).
CREATE TABLE vote_attendance (
    tenant_id   TEXT NOT NULL,
    meeting_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
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
DROP TRIGGER vote_roster_fixed_update ON vote_roster;
ALTER TABLE vote_roster DROP COLUMN present;
CREATE TRIGGER vote_roster_fixed_update BEFORE UPDATE ON vote_roster
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();

-- The log only grows, and takes nothing once every motion of the meeting is sealed.
CREATE TRIGGER vote_attendance_fixed BEFORE UPDATE OR DELETE ON vote_attendance
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE FUNCTION refuse_attendance_when_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM vote_motions m WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.sealed_at IS NULL) THEN
        RAISE EXCEPTION 'meeting_sealed: every motion of the meeting is sealed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_attendance_sealed BEFORE INSERT ON vote_attendance
FOR EACH ROW EXECUTE FUNCTION refuse_attendance_when_sealed();

-- A motion's attendance never loses anyone; it takes only people present at the meeting, and
-- nobody once the motion is sealed or counted on paper.
CREATE TRIGGER vote_motion_attendance_fixed BEFORE UPDATE OR DELETE ON vote_motion_attendance
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE FUNCTION check_motion_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT m.sealed_at IS NOT NULL OR m.paper_counter IS NOT NULL FROM vote_motions m
        WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.project_id = NEW.project_id) THEN
        RAISE EXCEPTION 'frozen: the motion is sealed or counted on paper';
    END IF;
    IF NOT COALESCE((SELECT a.present FROM vote_attendance a WHERE a.tenant_id = NEW.tenant_id AND a.meeting_id = NEW.meeting_id
                     AND a.user_id = NEW.user_id ORDER BY a.seq DESC LIMIT 1), FALSE) THEN
        RAISE EXCEPTION 'not_present: not present at the meeting';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_motion_attendance_checked BEFORE INSERT ON vote_motion_attendance
FOR EACH ROW EXECUTE FUNCTION check_motion_attendance();

-- A ballot only from someone present for the motion.
CREATE FUNCTION refuse_ballot_when_absent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM vote_motion_attendance a WHERE a.tenant_id = NEW.tenant_id AND a.meeting_id = NEW.meeting_id
                   AND a.project_id = NEW.project_id AND a.user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'not_present: not present for the motion';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_ballots_present BEFORE INSERT ON vote_ballots
FOR EACH ROW EXECUTE FUNCTION refuse_ballot_when_absent();

-- Recusals carry their time; none is added to a sealed motion or over a ballot already cast.
ALTER TABLE vote_recusals ADD COLUMN recorded_at TEXT;
DROP TRIGGER vote_recusals_fixed ON vote_recusals;
UPDATE vote_recusals x SET recorded_at = (SELECT v.created_at FROM vote_meetings v WHERE v.tenant_id = x.tenant_id AND v.id = x.meeting_id);
CREATE TRIGGER vote_recusals_fixed BEFORE UPDATE OR DELETE ON vote_recusals
FOR EACH ROW EXECUTE FUNCTION refuse_frozen_change();
CREATE FUNCTION refuse_recusal_when_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT m.sealed_at FROM vote_motions m WHERE m.tenant_id = NEW.tenant_id AND m.meeting_id = NEW.meeting_id AND m.project_id = NEW.project_id) IS NOT NULL
       OR EXISTS (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = NEW.tenant_id AND b.meeting_id = NEW.meeting_id
                  AND b.project_id = NEW.project_id AND b.user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'frozen: the motion is sealed or the ballot is cast';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER vote_recusals_closed BEFORE INSERT ON vote_recusals
FOR EACH ROW EXECUTE FUNCTION refuse_recusal_when_closed();
