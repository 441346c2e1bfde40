//! Representatives' meetings: the roster snapshot, the attendance log, the motions (applications
//! at the version put to the vote) with their own attendance, recusals, ballots and sealed
//! tallies (tenant tables; sealed and fixed rows refuse change by trigger, see migrations 0010 and
//! 0018).

use crate::kernel::json_err;
use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::stage::Stage;
use domain::chain::vote::{Choice, Interests, PaperCount, RecusalReason, Tally, VoteRules};
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VoteMeetingRow {
    pub tenant_id: String,
    pub id: String,
    pub community: AreaCode,
    pub title: String,
    pub held_on: String,
    pub rules: VoteRules,
    pub roster_size: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RosterRow {
    pub user_id: String,
    pub display_name: String,
    /// Present at the meeting now (the attendance log's latest record for this person).
    pub present: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MotionRow {
    pub project_id: String,
    pub title: String,
    pub organization_name: String,
    pub version: i64,
    pub stage: Stage,
    /// The paper count, read for the rules only: its numbers leave the server in the sealed
    /// tally and nowhere else.
    #[serde(skip)]
    #[schemars(skip)]
    pub paper: Option<PaperCount>,
    /// Who counted the paper ballots, once a paper count is entered.
    pub paper_counter: Option<String>,
    /// Set only when sealed: no count of an open motion is read out.
    pub tally: Option<Tally>,
    pub sealed_at: Option<String>,
}

/// What the rules need to know about one representative and one motion, read in the ballot's
/// transaction.
#[derive(Debug, Clone, Default)]
pub struct VoterState {
    pub motion_exists: bool,
    pub sealed: bool,
    pub paper: bool,
    pub on_roster: bool,
    /// Present at the meeting now.
    pub present: bool,
    /// The motion has taken its own attendance (first ballot or paper count).
    pub started: bool,
    /// In the motion's own attendance.
    pub present_for_motion: bool,
    pub recusal: Option<RecusalReason>,
    pub already: bool,
    /// The voter's interest in the application at this moment (the strongest reason), read in
    /// the same statement (each statement handed to SQLite's thread is what a ballot costs).
    pub interest: Option<RecusalReason>,
}

/// A new meeting as opened.
pub struct NewVoteMeeting<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub community: &'a AreaCode,
    pub title: &'a str,
    pub held_on: &'a str,
    pub rules: &'a VoteRules,
    pub roster: &'a [(String, String)],
    /// (project, version) of each motion.
    pub motions: &'a [(String, i64)],
    pub by: &'a str,
    pub now: &'a str,
}

const MCOLS: &str =
    "v.tenant_id, v.id, v.area_code, v.title, v.held_on, v.rules, v.roster_size, v.created_at";

macro_rules! meeting_from_row {
    ($r:expr) => {{
        let r = $r;
        VoteMeetingRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            community: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            title: r.try_get("title")?,
            held_on: r.try_get("held_on")?,
            rules: serde_json::from_str(&r.try_get::<String, _>("rules")?).map_err(json_err)?,
            roster_size: r.try_get("roster_size")?,
            created_at: r.try_get("created_at")?,
        }
    }};
}

/// The reads below run on the pool for pages and inside the sealing transaction (so a seal never
/// waits for a second connection while it holds the write lock): one body, two executors.
macro_rules! read_roster {
    ($c:expr, $tenant:expr, $meeting:expr) => {{
        let rows = sqlx::query(
            "SELECT r.user_id, r.display_name, COALESCE((SELECT a.present FROM vote_attendance a WHERE a.tenant_id = r.tenant_id \
             AND a.meeting_id = r.meeting_id AND a.user_id = r.user_id ORDER BY a.seq DESC LIMIT 1), FALSE) AS present \
             FROM vote_roster r WHERE r.tenant_id = $1 AND r.meeting_id = $2 ORDER BY r.display_name, r.user_id",
        )
        .bind($tenant).bind($meeting).fetch_all($c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(RosterRow {
                user_id: r.try_get("user_id")?,
                display_name: r.try_get("display_name")?,
                present: r.try_get("present")?,
            });
        }
        Ok::<_, StoreError>(out)
    }};
}

macro_rules! read_motions {
    ($c:expr, $tenant:expr, $col:expr, $val:expr) => {{
        let sql = format!(
            "SELECT m.meeting_id, m.project_id, m.version, m.paper_yes, m.paper_no, m.paper_abstain, m.paper_counter, \
             m.tally, m.sealed_at, p.title, p.stage, o.name AS organization_name FROM vote_motions m \
             JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id \
             JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
             WHERE m.tenant_id = $1 AND {} = $2 ORDER BY m.meeting_id, p.id",
            $col
        );
        let rows = sqlx::query(&sql).bind($tenant).bind($val).fetch_all($c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let counter: Option<String> = r.try_get("paper_counter")?;
            let paper = match counter {
                Some(counter) => Some(PaperCount {
                    yes: r.try_get::<Option<i64>, _>("paper_yes")?.unwrap_or(0) as u64,
                    no: r.try_get::<Option<i64>, _>("paper_no")?.unwrap_or(0) as u64,
                    abstain: r.try_get::<Option<i64>, _>("paper_abstain")?.unwrap_or(0) as u64,
                    counter,
                }),
                None => None,
            };
            let tally: Option<String> = r.try_get("tally")?;
            let paper_counter = paper.as_ref().map(|p| p.counter.clone());
            out.push((r.try_get("meeting_id")?, MotionRow {
                project_id: r.try_get("project_id")?,
                title: r.try_get("title")?,
                organization_name: r.try_get("organization_name")?,
                version: r.try_get("version")?,
                stage: Stage::parse(&r.try_get::<String, _>("stage")?).unwrap_or(Stage::Draft),
                paper,
                paper_counter,
                tally: match tally {
                    Some(t) => Some(serde_json::from_str(&t).map_err(json_err)?),
                    None => None,
                },
                sealed_at: r.try_get("sealed_at")?,
            }));
        }
        Ok::<_, StoreError>(out)
    }};
}

macro_rules! read_recusals {
    ($c:expr, $tenant:expr, $meeting:expr) => {{
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT project_id, user_id, reason FROM vote_recusals WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY project_id, user_id",
        )
        .bind($tenant).bind($meeting).fetch_all($c).await?;
        Ok::<_, StoreError>(rows
            .into_iter()
            .filter_map(|(p, u, r)| RecusalReason::parse(&r).map(|r| (p, u, r)))
            .collect())
    }};
}

macro_rules! read_motion_attendance {
    ($c:expr, $tenant:expr, $meeting:expr) => {{
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT project_id, user_id FROM vote_motion_attendance WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY project_id, user_id",
        )
        .bind($tenant).bind($meeting).fetch_all($c).await?;
        Ok::<_, StoreError>(rows)
    }};
}

macro_rules! read_ballots {
    ($c:expr, $tenant:expr, $meeting:expr, $project:expr) => {{
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, choice FROM vote_ballots WHERE tenant_id = $1 AND meeting_id = $2 AND project_id = $3 ORDER BY user_id",
        )
        .bind($tenant).bind($meeting).bind($project).fetch_all($c).await?;
        Ok::<_, StoreError>(rows
            .into_iter()
            .filter_map(|(u, ch)| Choice::parse(&ch).map(|ch| (u, ch)))
            .collect())
    }};
}

/// One motion as the rules need it, read in one executor.
#[derive(Debug, Clone)]
pub struct MotionSnapshot {
    pub roster: Vec<RosterRow>,
    pub recusals: Vec<(String, String, RecusalReason)>,
    /// The motion's own attendance once it has started (first ballot or paper count).
    pub attendance: Option<Vec<String>>,
    pub ballots: Vec<(String, Choice)>,
    pub motion: MotionRow,
}

/// The order of the meetings list: newest first (ids are time-ordered).
pub const VOTE_MEETING_ORDER: crate::kernel::Keyset =
    crate::kernel::Keyset(&[crate::kernel::Key::desc("v.id")]);

impl Db {
    pub async fn vote_meeting(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<VoteMeetingRow>, StoreError> {
        let sql =
            format!("SELECT {MCOLS} FROM vote_meetings v WHERE v.tenant_id = $1 AND v.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(meeting_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Representatives' meetings inside the scope, newest first, after a cursor (an id).
    pub async fn vote_meetings(
        &self,
        scope: &Scope,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<VoteMeetingRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("v.area_code", scope, &mut binds);
        let wh = VOTE_MEETING_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {MCOLS} FROM vote_meetings v WHERE {wh} ORDER BY {} LIMIT {limit}",
            VOTE_MEETING_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(meeting_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many representatives' meetings the scope holds.
    pub async fn count_vote_meetings(&self, scope: &Scope) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("v.area_code", scope, &mut binds);
        self.count_where("vote_meetings v", &wh, &binds).await
    }

    pub async fn roster(&self, tenant: &str, meeting: &str) -> Result<Vec<RosterRow>, StoreError> {
        on_pool!(self, c => read_roster!(c, tenant, meeting))
    }

    /// The motions of a meeting (or, with `project`, that project's motions in any meeting).
    pub async fn motions(
        &self,
        tenant: &str,
        meeting: Option<&str>,
        project: Option<&str>,
    ) -> Result<Vec<(String, MotionRow)>, StoreError> {
        let (col, val) = match (meeting, project) {
            (Some(m), _) => ("m.meeting_id", m),
            (None, Some(p)) => ("m.project_id", p),
            (None, None) => return Ok(Vec::new()),
        };
        on_pool!(self, c => read_motions!(c, tenant, col, val))
    }

    /// `(project, user, reason)` of a meeting's recusals.
    pub async fn recusals(
        &self,
        tenant: &str,
        meeting: &str,
    ) -> Result<Vec<(String, String, RecusalReason)>, StoreError> {
        on_pool!(self, c => read_recusals!(c, tenant, meeting))
    }

    /// `(project, user)` of each motion's own attendance (motions that have started).
    pub async fn motion_attendance(
        &self,
        tenant: &str,
        meeting: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => read_motion_attendance!(c, tenant, meeting))
    }

    /// `(user, choice)` of the electronic ballots on a motion.
    pub async fn ballots(
        &self,
        tenant: &str,
        meeting: &str,
        project: &str,
    ) -> Result<Vec<(String, Choice)>, StoreError> {
        on_pool!(self, c => read_ballots!(c, tenant, meeting, project))
    }

    /// The resident representatives of a community now (the roster to snapshot):
    /// `(user id, display name)`, active accounts only.
    pub async fn representatives_of(
        &self,
        community: &AreaCode,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT DISTINCT u.id, u.display_name FROM role_assignments a JOIN users u ON u.id = a.user_id \
                 WHERE a.role = 'representative' AND a.area_code = $1 AND u.disabled = FALSE ORDER BY u.id",
            )
            .bind(community.as_str()).fetch_all(c).await?)
        })
    }

    /// The accounts of the volunteers among `ids` (for recusal: a representative who is a
    /// volunteer of the applicant's team).
    pub async fn volunteer_accounts(
        &self,
        tenant: &str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let json = serde_json::to_string(ids).map_err(json_err)?;
        on_pool!(self, c => {
            let sql = match self.backend() {
                crate::Backend::Sqlite => "SELECT user_id FROM volunteers WHERE tenant_id = $1 AND user_id IS NOT NULL AND id IN (SELECT value FROM json_each($2))",
                crate::Backend::Postgres => "SELECT user_id FROM volunteers WHERE tenant_id = $1 AND user_id IS NOT NULL AND id IN (SELECT jsonb_array_elements_text($2::jsonb))",
            };
            Ok(sqlx::query_scalar(sql).bind(tenant).bind(&json).fetch_all(c).await?)
        })
    }
}

impl Tx {
    pub async fn insert_vote_meeting(&mut self, m: &NewVoteMeeting<'_>) -> Result<(), StoreError> {
        let rules = serde_json::to_string(m.rules).map_err(json_err)?;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO vote_meetings (tenant_id, id, area_code, title, held_on, rules, roster_size, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(m.tenant).bind(m.id).bind(m.community.as_str()).bind(m.title).bind(m.held_on).bind(&rules)
            .bind(m.roster.len() as i64).bind(m.by).bind(m.now)
            .execute(&mut *c).await?;
            for (user, name) in m.roster {
                sqlx::query("INSERT INTO vote_roster (tenant_id, meeting_id, user_id, display_name) VALUES ($1,$2,$3,$4)")
                    .bind(m.tenant).bind(m.id).bind(user).bind(name).execute(&mut *c).await?;
            }
            // Fixed at opening: nobody joins the roster afterwards.
            sqlx::query("INSERT INTO closed_sets (tenant_id, kind, parent_id) VALUES ($1, 'vote_roster', $2)")
                .bind(m.tenant).bind(m.id).execute(&mut *c).await?;
            for (project, version) in m.motions {
                sqlx::query("INSERT INTO vote_motions (tenant_id, meeting_id, project_id, version) VALUES ($1,$2,$3,$4)")
                    .bind(m.tenant).bind(m.id).bind(project).bind(version).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Everything the rules need to decide one ballot, read under a lock on the motion (on
    /// PostgreSQL a share lock, so sealing waits for ballots in flight; SQLite's write
    /// transaction already excludes everyone).
    pub async fn voter_state(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        user: &str,
    ) -> Result<VoterState, StoreError> {
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR SHARE OF m",
            crate::Backend::Sqlite => "",
        };
        let interest = interest_of(self.backend(), "$4", "m.tenant_id", "m.project_id");
        let sql = format!(
            "SELECT m.sealed_at, m.paper_counter, r.user_id AS on_roster, \
             (SELECT a.present FROM vote_attendance a WHERE a.tenant_id = m.tenant_id AND a.meeting_id = m.meeting_id AND a.user_id = $4 ORDER BY a.seq DESC LIMIT 1) AS present, \
             (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id LIMIT 1) AS started, \
             (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id AND x.user_id = $4) AS present_for_motion, \
             (SELECT reason FROM vote_recusals x WHERE x.tenant_id = m.tenant_id AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id AND x.user_id = $4) AS recusal, \
             (SELECT 1 FROM vote_ballots b WHERE b.tenant_id = m.tenant_id AND b.meeting_id = m.meeting_id AND b.project_id = m.project_id AND b.user_id = $4) AS already, \
             {interest} AS interest \
             FROM vote_motions m LEFT JOIN vote_roster r ON r.tenant_id = m.tenant_id AND r.meeting_id = m.meeting_id AND r.user_id = $4 \
             WHERE m.tenant_id = $1 AND m.meeting_id = $2 AND m.project_id = $3{lock}"
        );
        on_tx!(self, c => {
            let Some(r) = sqlx::query(&sql).bind(tenant).bind(meeting).bind(project).bind(user)
                .fetch_optional(&mut *c).await? else {
                return Ok(VoterState::default());
            };
            let sealed = r.try_get::<Option<String>, _>("sealed_at")?.is_some();
            let paper = r.try_get::<Option<String>, _>("paper_counter")?.is_some();
            Ok(VoterState {
                motion_exists: true,
                sealed,
                paper,
                started: sealed || paper || r.try_get::<Option<i32>, _>("started")?.is_some(),
                present_for_motion: r.try_get::<Option<i32>, _>("present_for_motion")?.is_some(),
                on_roster: r.try_get::<Option<String>, _>("on_roster")?.is_some(),
                present: r.try_get::<Option<bool>, _>("present")?.unwrap_or(false),
                recusal: r.try_get::<Option<String>, _>("recusal")?.as_deref().and_then(RecusalReason::parse),
                already: r.try_get::<Option<i32>, _>("already")?.is_some(),
                interest: r.try_get::<Option<String>, _>("interest")?.as_deref().and_then(RecusalReason::parse),
            })
        })
    }

    /// Records a ballot; `false` when this representative's ballot is already there.
    pub async fn cast_ballot(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        user: &str,
        choice: Choice,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "INSERT INTO vote_ballots (tenant_id, meeting_id, project_id, user_id, choice, cast_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
            )
            .bind(tenant).bind(meeting).bind(project).bind(user).bind(choice.as_str()).bind(now)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }

    /// The motion, its meeting's roster and recusals and its ballots, read in this transaction.
    pub async fn motion_snapshot(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
    ) -> Result<Option<MotionSnapshot>, StoreError> {
        let roster: Vec<RosterRow> = on_tx!(self, c => read_roster!(&mut *c, tenant, meeting))?;
        let recusals: Vec<(String, String, RecusalReason)> =
            on_tx!(self, c => read_recusals!(&mut *c, tenant, meeting))?;
        let ballots: Vec<(String, Choice)> =
            on_tx!(self, c => read_ballots!(&mut *c, tenant, meeting, project))?;
        let attendance: Vec<(String, String)> =
            on_tx!(self, c => read_motion_attendance!(&mut *c, tenant, meeting))?;
        let motions: Vec<(String, MotionRow)> =
            on_tx!(self, c => read_motions!(&mut *c, tenant, "m.meeting_id", meeting))?;
        Ok(motions
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.project_id == project)
            .map(|motion| {
                let started = motion.paper.is_some()
                    || motion.sealed_at.is_some()
                    || attendance.iter().any(|(p, _)| *p == motion.project_id);
                let attendance = started.then(|| {
                    attendance
                        .into_iter()
                        .filter(|(p, _)| *p == motion.project_id)
                        .map(|(_, u)| u)
                        .collect()
                });
                MotionSnapshot {
                    roster,
                    recusals,
                    attendance,
                    ballots,
                    motion,
                }
            }))
    }

    /// Locks a motion for sealing or a paper count (PostgreSQL: waits for ballots in flight).
    pub async fn lock_motion(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
    ) -> Result<(), StoreError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT 1 FROM vote_motions WHERE tenant_id = $1 AND meeting_id = $2 AND project_id = $3 FOR UPDATE")
                .bind(tenant).bind(meeting).bind(project).fetch_optional(&mut **t).await?;
        }
        Ok(())
    }

    pub async fn enter_paper(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        count: &PaperCount,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE vote_motions SET paper_yes = $4, paper_no = $5, paper_abstain = $6, paper_counter = $7 \
                 WHERE tenant_id = $1 AND meeting_id = $2 AND project_id = $3 AND sealed_at IS NULL AND paper_counter IS NULL",
            )
            .bind(tenant).bind(meeting).bind(project).bind(count.yes as i64).bind(count.no as i64)
            .bind(count.abstain as i64).bind(&count.counter)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }

    /// Seals a motion with its tally; `false` when it was already sealed.
    pub async fn seal_motion(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        tally: &Tally,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let t = serde_json::to_string(tally).map_err(json_err)?;
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE vote_motions SET tally = $4, sealed_by = $5, sealed_at = $6 \
                 WHERE tenant_id = $1 AND meeting_id = $2 AND project_id = $3 AND sealed_at IS NULL",
            )
            .bind(tenant).bind(meeting).bind(project).bind(&t).bind(by).bind(now)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }
}

/// Who is present at a meeting now: the latest record of each person in the attendance log.
/// The one definition of a person's interest in an application (the strongest reason, in the
/// order of `Interests::of`: lead, team, organization, employed social worker), as a scalar
/// subquery giving the reason's code or NULL: `user` is the person (a bind or a column), `tenant`
/// and `project` the application. Social workers have no account: they are matched to the person
/// by display name (a false match is a visible recusal with its reason; a missed one would let
/// the applicant vote on itself).
fn interest_of(backend: crate::Backend, user: &str, tenant: &str, project: &str) -> String {
    let (volunteers, social_workers) = match backend {
        crate::Backend::Postgres => (
            "SELECT jsonb_array_elements_text(av.content::jsonb -> 'volunteers')",
            "SELECT jsonb_array_elements_text(av.content::jsonb -> 'social_workers')",
        ),
        crate::Backend::Sqlite => (
            "SELECT value FROM json_each(av.content, '$.volunteers')",
            "SELECT value FROM json_each(av.content, '$.social_workers')",
        ),
    };
    format!(
        "(SELECT CASE \
         WHEN p.lead_user_id = {user} THEN 'project_lead' \
         WHEN EXISTS (SELECT 1 FROM volunteers v WHERE v.tenant_id = p.tenant_id AND v.user_id = {user} AND v.id IN ({volunteers})) \
           OR EXISTS (SELECT 1 FROM users u JOIN social_workers s ON s.tenant_id = p.tenant_id AND s.name = u.display_name \
                      WHERE u.id = {user} AND s.id IN ({social_workers})) THEN 'applicant_team' \
         WHEN EXISTS (SELECT 1 FROM role_assignments a WHERE a.user_id = {user} AND a.organization_id = p.organization_id) THEN 'applicant_organization' \
         WHEN EXISTS (SELECT 1 FROM users u JOIN social_workers s ON s.tenant_id = p.tenant_id AND s.employer_org_id = p.organization_id \
                      AND s.name = u.display_name WHERE u.id = {user}) THEN 'employed_social_worker' \
         END FROM projects p JOIN application_versions av ON av.tenant_id = p.tenant_id AND av.project_id = p.id AND av.version = p.version \
         WHERE p.tenant_id = {tenant} AND p.id = {project})"
    )
}

const PRESENT_NOW: &str = "SELECT a.user_id FROM vote_attendance a WHERE a.tenant_id = $1 AND a.meeting_id = $2 AND a.present \
    AND a.seq = (SELECT MAX(b.seq) FROM vote_attendance b WHERE b.tenant_id = a.tenant_id AND b.meeting_id = a.meeting_id AND b.user_id = a.user_id)";

impl Tx {
    /// Locks every motion of a meeting (PostgreSQL: attendance waits for ballots in flight and
    /// ballots wait for attendance; SQLite's write transaction already excludes everyone).
    pub async fn lock_meeting(&mut self, tenant: &str, meeting: &str) -> Result<(), StoreError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT 1 FROM vote_motions WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY project_id FOR UPDATE")
                .bind(tenant).bind(meeting).fetch_all(&mut **t).await?;
        }
        Ok(())
    }

    /// Appends arrivals (`true`) and departures (`false`) to the meeting's attendance log, and
    /// each arrival to every motion that has started and is neither sealed nor counted on paper.
    /// A departure touches no motion.
    pub async fn append_attendance(
        &mut self,
        tenant: &str,
        meeting: &str,
        changes: &[(String, bool)],
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(seq) FROM vote_attendance WHERE tenant_id = $1 AND meeting_id = $2",
            )
            .bind(tenant).bind(meeting).fetch_one(&mut *c).await?;
            let mut seq = last.unwrap_or(0);
            for (user, present) in changes {
                seq += 1;
                sqlx::query(
                    "INSERT INTO vote_attendance (tenant_id, meeting_id, seq, user_id, present, recorded_by, recorded_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7)",
                )
                .bind(tenant).bind(meeting).bind(seq).bind(user).bind(*present).bind(by).bind(now)
                .execute(&mut *c).await?;
                if *present {
                    sqlx::query(
                        "INSERT INTO vote_motion_attendance (tenant_id, meeting_id, project_id, user_id, since) \
                         SELECT m.tenant_id, m.meeting_id, m.project_id, $3, $4 FROM vote_motions m \
                         WHERE m.tenant_id = $1 AND m.meeting_id = $2 AND m.sealed_at IS NULL AND m.paper_counter IS NULL \
                         AND EXISTS (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = m.tenant_id \
                         AND x.meeting_id = m.meeting_id AND x.project_id = m.project_id) ON CONFLICT DO NOTHING",
                    )
                    .bind(tenant).bind(meeting).bind(user).bind(now)
                    .execute(&mut *c).await?;
                }
            }
        });
        Ok(())
    }

    /// Gives a motion its own attendance, a copy of the meeting's now, unless it has one already
    /// (its first ballot or paper count, or its seal when nobody voted).
    pub async fn take_motion_attendance(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO vote_motion_attendance (tenant_id, meeting_id, project_id, user_id, since) \
             SELECT $1, $2, $3, p.user_id, $4 FROM ({}) p \
             WHERE NOT EXISTS (SELECT 1 FROM vote_motion_attendance x WHERE x.tenant_id = $1 AND x.meeting_id = $2 AND x.project_id = $3) \
             ON CONFLICT DO NOTHING",
            PRESENT_NOW
        );
        on_tx!(self, c => {
            sqlx::query(&sql).bind(tenant).bind(meeting).bind(project).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records recusals decided now, with their reasons.
    pub async fn record_recusals(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
        recusals: &[(String, RecusalReason)],
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            for (user, reason) in recusals {
                sqlx::query(
                    "INSERT INTO vote_recusals (tenant_id, meeting_id, project_id, user_id, reason, recorded_at) \
                     VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
                )
                .bind(tenant).bind(meeting).bind(project).bind(user).bind(reason.as_str()).bind(now)
                .execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// The interests in an application now, among the meeting's roster: its lead; the accounts of
    /// the applying organization; social workers it employs; volunteers and social workers named
    /// in the application's current version. Social workers have no account: they are matched to
    /// a representative by display name (a false match is a visible recusal with its reason; a
    /// missed one would let the applicant vote on itself).
    pub async fn interests(
        &mut self,
        tenant: &str,
        meeting: &str,
        project: &str,
    ) -> Result<Interests, StoreError> {
        // Each representative of the roster with their interest, by the one definition the
        // ballot reads too.
        let sql = format!(
            "SELECT r.user_id, {} AS reason FROM vote_roster r WHERE r.tenant_id = $1 AND r.meeting_id = $2 ORDER BY r.user_id",
            interest_of(self.backend(), "r.user_id", "$1", "$3")
        );
        let rows: Vec<(String, Option<String>)> = on_tx!(self, c => {
            sqlx::query_as(&sql).bind(tenant).bind(meeting).bind(project).fetch_all(&mut *c).await?
        });
        let mut interests = Interests::default();
        for (user, reason) in rows {
            let set = match reason.as_deref().and_then(RecusalReason::parse) {
                Some(RecusalReason::ProjectLead) => &mut interests.leads,
                Some(RecusalReason::ApplicantTeam) => &mut interests.team,
                Some(RecusalReason::ApplicantOrganization) => &mut interests.organization,
                Some(RecusalReason::EmployedSocialWorker) => &mut interests.employed,
                None => continue,
            };
            set.insert(user);
        }
        Ok(interests)
    }
}
