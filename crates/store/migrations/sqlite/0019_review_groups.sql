-- The review group (评议小组, YQ step 7) as a record of its own (issue 14, finding 6): the
-- committee convenes it and names its members, each with a category; the group (its chair)
-- records its method and its review meeting, and the chair signs the written report
-- (review_reports). Once signed, the group and its members are frozen; nothing here is deleted.
CREATE TABLE review_groups (
    tenant_id           TEXT NOT NULL,
    project_id          TEXT NOT NULL,
    -- NULL for a panel formed before groups were recorded (moved here from review_members).
    convened_by         TEXT,
    convened_at         TEXT,
    method              TEXT,
    meeting_on          TEXT,
    meeting_place       TEXT,
    meeting_recorded_by TEXT,
    meeting_recorded_at TEXT,
    signed_by           TEXT,
    signed_at           TEXT,
    PRIMARY KEY (tenant_id, project_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)
);

CREATE TABLE review_group_members (
    tenant_id    TEXT NOT NULL,
    project_id   TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    -- representatives | residents | department | expert | third_party | unrecorded
    category     TEXT NOT NULL,
    user_id      TEXT,
    organization TEXT,
    is_chair     BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL until the review meeting is recorded.
    present      BOOLEAN,
    -- Set when the report is signed; a frozen row never changes again.
    frozen       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, project_id, seq),
    UNIQUE (tenant_id, project_id, user_id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES review_groups (tenant_id, project_id)
);
CREATE INDEX review_group_members_user ON review_group_members (user_id);

-- People served who have no account, by name (the activity's detail keeps only the count).
CREATE TABLE activity_recipient_names (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, activity_id, name),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id)
);

-- Panels formed before: their members, with the honest category 未登记类别 and no chair; a panel
-- whose verdict was written is frozen with it (signed by whoever wrote it then).
INSERT INTO review_groups (tenant_id, project_id, signed_by, signed_at)
SELECT g.tenant_id, g.project_id, r.decided_by, r.decided_at
FROM (SELECT DISTINCT tenant_id, project_id FROM review_members) g
LEFT JOIN review_reports r ON r.tenant_id = g.tenant_id AND r.project_id = g.project_id;
INSERT INTO review_group_members (tenant_id, project_id, seq, name, category, user_id, frozen)
SELECT m.tenant_id, m.project_id,
       ROW_NUMBER() OVER (PARTITION BY m.tenant_id, m.project_id ORDER BY m.display_name, m.user_id),
       m.display_name, 'unrecorded', m.user_id,
       EXISTS (SELECT 1 FROM review_reports r WHERE r.tenant_id = m.tenant_id AND r.project_id = m.project_id)
FROM review_members m;

CREATE TRIGGER review_groups_kept_delete BEFORE DELETE ON review_groups
BEGIN SELECT RAISE(ABORT, 'frozen: review_groups are kept as recorded'); END;
CREATE TRIGGER review_groups_signed BEFORE UPDATE ON review_groups
WHEN OLD.signed_at IS NOT NULL OR NEW.convened_by IS NOT OLD.convened_by OR NEW.convened_at IS NOT OLD.convened_at
BEGIN SELECT RAISE(ABORT, 'frozen: the review report is signed'); END;
CREATE TRIGGER review_group_members_kept_delete BEFORE DELETE ON review_group_members
BEGIN SELECT RAISE(ABORT, 'frozen: review_group_members are kept as recorded'); END;
CREATE TRIGGER review_group_members_signed BEFORE UPDATE ON review_group_members
WHEN OLD.frozen OR NEW.seq IS NOT OLD.seq OR NEW.name IS NOT OLD.name OR NEW.category IS NOT OLD.category
  OR NEW.user_id IS NOT OLD.user_id OR NEW.organization IS NOT OLD.organization OR NEW.is_chair IS NOT OLD.is_chair
BEGIN SELECT RAISE(ABORT, 'frozen: a review group member is kept as named'); END;
CREATE TRIGGER activity_recipient_names_kept_update BEFORE UPDATE ON activity_recipient_names
BEGIN SELECT RAISE(ABORT, 'frozen: activity_recipient_names are kept as recorded'); END;
CREATE TRIGGER activity_recipient_names_kept_delete BEFORE DELETE ON activity_recipient_names
BEGIN SELECT RAISE(ABORT, 'frozen: activity_recipient_names are kept as recorded'); END;
