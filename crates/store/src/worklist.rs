//! What waits for one person by their own name (not by their territory): motions to vote on,
//! call sheets to submit, review groups to score and to chair. One query for the four, since every page of
//! the work list asks for them.

use crate::{on_pool, Db, StoreError};

/// Tasks waiting for a person: (meeting or call or project id, title) each.
#[derive(Debug, Clone, Default)]
pub struct PersonalTasks {
    /// Motions on which the person may vote now (on the roster, present for the motion — at the
    /// meeting, until the motion takes its own attendance —, not recused so far, no ballot yet,
    /// not sealed nor paper-counted): meeting id and project title.
    pub motions: Vec<(String, String)>,
    /// Calls in review whose panel has the person and no sheet of theirs yet.
    pub calls: Vec<(String, String)>,
    /// Projects under review whose group has the person and no score of theirs yet.
    pub panels: Vec<(String, String)>,
    /// Projects under review whose group the person chairs (meeting and report to do).
    pub chairs: Vec<(String, String)>,
    /// Rectified projects whose group the person chairs (the one re-review to sign).
    pub re_reviews: Vec<(String, String)>,
}

const PERSONAL_TASKS: &str = "\
SELECT * FROM (SELECT 'motion' AS kind, m.meeting_id AS id, p.title AS title FROM vote_roster r \
  JOIN vote_motions m ON m.tenant_id = r.tenant_id AND m.meeting_id = r.meeting_id \
  JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id \
  WHERE r.user_id = $1 AND m.sealed_at IS NULL AND m.paper_counter IS NULL \
  AND (CASE WHEN EXISTS (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id) \
    THEN EXISTS (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id AND x.user_id = r.user_id) \
    ELSE COALESCE((SELECT a.present FROM vote_attendance a WHERE a.tenant_id = r.tenant_id AND a.meeting_id = r.meeting_id AND a.user_id = r.user_id ORDER BY a.seq DESC LIMIT 1), FALSE) END) \
  AND NOT EXISTS (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = m.tenant_id AND b.meeting_id = m.meeting_id AND b.project_id = m.project_id AND b.user_id = r.user_id) \
  AND NOT EXISTS (SELECT 1 FROM vote_recusals x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id AND x.user_id = r.user_id) \
  ORDER BY m.meeting_id, p.id LIMIT 50) a \
UNION ALL SELECT * FROM (SELECT 'call', k.id, k.title FROM call_panel m JOIN calls k ON k.tenant_id = m.tenant_id AND k.id = m.call_id \
  WHERE m.user_id = $1 AND k.stage = 'reviewing' AND NOT EXISTS (SELECT 1 FROM call_scores s \
  WHERE s.tenant_id = m.tenant_id AND s.call_id = m.call_id AND s.user_id = m.user_id) ORDER BY k.id LIMIT 50) b \
UNION ALL SELECT * FROM (SELECT 'panel', p.id, p.title FROM review_group_members m JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id \
  WHERE m.user_id = $1 AND p.stage = 'under_review' AND NOT EXISTS \
  (SELECT 1 FROM review_scores s WHERE s.tenant_id = m.tenant_id AND s.project_id = m.project_id AND s.user_id = m.user_id) \
  ORDER BY p.id LIMIT 50) c \
UNION ALL SELECT * FROM (SELECT 'chair', p.id, p.title FROM review_group_members m JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id \
  WHERE m.user_id = $1 AND m.is_chair = TRUE AND p.stage = 'under_review' ORDER BY p.id LIMIT 50) d \
UNION ALL SELECT * FROM (SELECT 're_review', p.id, p.title FROM review_group_members m JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id \
  WHERE m.user_id = $1 AND m.is_chair = TRUE AND p.stage = 'rectified' ORDER BY p.id LIMIT 50) e";

impl Db {
    pub async fn personal_tasks(&self, user: &str) -> Result<PersonalTasks, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self, c => {
            sqlx::query_as(PERSONAL_TASKS).bind(user).fetch_all(c).await?
        });
        let mut out = PersonalTasks::default();
        for (kind, id, title) in rows {
            match kind.as_str() {
                "motion" => out.motions.push((id, title)),
                "call" => out.calls.push((id, title)),
                "chair" => out.chairs.push((id, title)),
                "re_review" => out.re_reviews.push((id, title)),
                _ => out.panels.push((id, title)),
            }
        }
        Ok(out)
    }
}
