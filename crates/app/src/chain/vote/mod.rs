//! The representatives' meeting and its vote (step 4 of the chain). Opening snapshots the
//! community's roster of resident representatives and fixes the quorum and pass rules of the
//! policy profile; the chair records attendance as arrivals and departures in a log; each
//! representative present for a motion and without an interest in it votes once (recusal is
//! decided when the ballot is cast), or the chair enters a signed paper count; the chair seals
//! each result, which moves the application to "passed" (on to the township) or "rejected".
//! No count of an open motion leaves this module: views carry the result only once sealed.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::committee::may_chair_vote;
use domain::chain::stage::{Event, Stage};
use domain::chain::vote::{Choice, Meeting, Motion, PaperCount, RecusalReason, Tally, VoteRules};
use domain::{Actor, AreaCode, DomainError, FieldError, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::chain::application::ProjectRow;
use store::chain::vote::{MotionSnapshot, NewVoteMeeting, RosterRow, VoteMeetingRow};
use store::time;

mod view;
use view::announced;
pub use view::{MotionResult, MotionView, VoteMeetingDetail};

/// The quorum and pass rules of the policy profile in force (黄山市 2020 uses the defaults of
/// MECHANISM §4 step 4: more than half of the roster present; more than half of those present and
/// entitled in favour). Policy data, fixed into each meeting when it opens.
pub const RULES: VoteRules = VoteRules {
    quorum: domain::chain::vote::Threshold::MORE_THAN_HALF,
    pass: domain::chain::vote::Threshold::MORE_THAN_HALF,
};

/// Opening a representatives' meeting on consulted applications.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenVoteForm {
    pub community: String,
    pub title: String,
    pub held_on: String,
    /// Consulted applications of the community, comma-separated.
    pub projects: String,
}

/// Who is present now (user ids, comma-separated); everyone else on the roster is absent. The
/// app records the difference from the log as arrivals and departures; a departure does not
/// touch a motion that has started.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    pub present: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BallotForm {
    /// `yes`, `no` or `abstain`.
    pub choice: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaperForm {
    pub yes: String,
    pub no: String,
    pub abstain: String,
    pub counter: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VoteList {
    /// A page of the meetings, newest first (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<VoteMeetingRow>,
    /// Consulted applications of the communities the reader chairs meetings for.
    pub consulted: Vec<ProjectRow>,
    /// The agenda picker shows only the first this many (more wait).
    pub consulted_cut: Option<i64>,
    pub can_open_for: Vec<AreaCode>,
}

fn subject(m: &VoteMeetingRow) -> Subject<'_> {
    Subject {
        kind: "vote_meeting",
        id: &m.id,
        area: &m.community,
    }
}

fn meeting_of(m: &VoteMeetingRow, roster: &[RosterRow]) -> Meeting {
    Meeting {
        roster: roster.iter().map(|r| r.user_id.clone()).collect(),
        rules: m.rules,
        present: roster
            .iter()
            .filter(|r| r.present)
            .map(|r| r.user_id.clone())
            .collect(),
    }
}

/// One motion as the rules see it, from what the store read.
fn motion_state(m: &VoteMeetingRow, snap: &MotionSnapshot) -> (Meeting, Motion) {
    let meeting = meeting_of(m, &snap.roster);
    let motion = Motion {
        present: snap
            .attendance
            .as_ref()
            .map(|a| a.iter().cloned().collect()),
        recused: snap
            .recusals
            .iter()
            .filter(|(p, _, _)| *p == snap.motion.project_id)
            .map(|(_, u, r)| (u.clone(), *r))
            .collect(),
        ballots: snap.ballots.iter().cloned().collect(),
        paper: snap.motion.paper.clone(),
        sealed: snap.motion.sealed_at.is_some(),
    };
    (meeting, motion)
}

fn count(field: &str, v: &str, errors: &mut Vec<FieldError>) -> u64 {
    match v.trim().parse::<u64>() {
        Ok(n) => n,
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "invalid_count",
                "请填写票数（非负整数）",
            ));
            0
        }
    }
}

impl PaperForm {
    fn validate(&self) -> Result<PaperCount, DomainError> {
        let mut errors = Vec::new();
        let c = PaperCount {
            yes: count("yes", &self.yes, &mut errors),
            no: count("no", &self.no, &mut errors),
            abstain: count("abstain", &self.abstain, &mut errors),
            counter: self.counter.trim().to_string(),
        };
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

impl App {
    pub async fn vote_meetings(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<VoteList, AppError> {
        let scope = reach(actor, Action::ViewChain);
        let after = crate::page::decode(after, store::chain::vote::VOTE_MEETING_ORDER.len())?;
        let can_open_for: Vec<AreaCode> = actor
            .assignments
            .iter()
            .filter(|a| a.role == Role::CommunityOfficer)
            .map(|a| a.area.clone())
            .collect();
        const AGENDA: i64 = 200;
        let (consulted, consulted_cut) = if can_open_for.is_empty() {
            (Vec::new(), None)
        } else {
            crate::page::first(
                self.db
                    .projects(
                        &domain::identity::Scope::new(can_open_for.clone()),
                        Some(Stage::Consulted),
                        None,
                        None,
                        AGENDA + 1,
                    )
                    .await?,
                AGENDA,
            )
        };
        let (rows, total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            (
                self.db
                    .vote_meetings(&scope, after.as_deref(), limit + 1)
                    .await?,
                self.db.count_vote_meetings(&scope).await?,
            )
        };
        Ok(VoteList {
            page: crate::page::Page::cut(rows, limit, total, |m| vec![m.id.clone()]),
            consulted,
            consulted_cut,
            can_open_for,
        })
    }

    async fn readable_vote_meeting(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<VoteMeetingRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("居民代表会议"))?;
        let m = self
            .db
            .vote_meeting(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("居民代表会议"))?;
        self.in_view(actor, &subject(&m), action, ctx).await?;
        Ok(m)
    }

    /// The community committee opens a representatives' meeting on consulted applications.
    pub async fn open_vote(
        &self,
        actor: &Actor,
        form: &OpenVoteForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        // The agenda and place checks are those of a consultation meeting's form.
        let as_meeting = domain::chain::consultation::ConsultationForm {
            community: form.community.clone(),
            title: form.title.clone(),
            held_on: form.held_on.clone(),
            place: "—".into(),
            projects: form.projects.clone(),
        };
        let typed = AreaCode::parse(form.community.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subj = Subject {
            kind: "vote_meeting",
            id: form.title.trim(),
            area: &typed,
        };
        let checked = match as_meeting.validate() {
            Ok(v) => match may_chair_vote(actor, &v.community) {
                Ok(role) => self.vote_agenda(&v).await.map(|p| (v, role, p)),
                Err(d) => Err(d.into()),
            },
            Err(d) => Err(d.into()),
        };
        let (v, role, projects) = self
            .or_refused(checked, actor, EventKind::VoteOpen, &subj, ctx)
            .await?;
        let roster = self.db.representatives_of(&v.community).await?;
        let snapshot: BTreeSet<String> = roster.iter().map(|(u, _)| u.clone()).collect();
        let opened = Meeting::open(snapshot.clone(), RULES).map_err(AppError::from);
        self.or_refused(opened, actor, EventKind::VoteOpen, &subj, ctx)
            .await?;
        let tenant = v.community.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let motions: Vec<(String, i64)> =
            projects.iter().map(|p| (p.id.clone(), p.version)).collect();
        let mut tx = self.db.begin().await?;
        tx.insert_vote_meeting(&NewVoteMeeting {
            tenant: &tenant,
            id: &id,
            community: &v.community,
            title: &v.title,
            held_on: &v.held_on.to_string(),
            rules: &RULES,
            roster: &roster,
            motions: &motions,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        for p in &projects {
            if !tx
                .move_stage(&tenant, &p.id, Stage::Consulted, Stage::Voting, &now)
                .await?
            {
                drop(tx);
                return Err(DomainError::conflict(
                    "stage_moved",
                    format!("“{}”的状态刚刚已变化，请刷新后重新选择议程", p.title),
                )
                .into());
            }
        }
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::VoteOpen,
                Outcome::Ok,
                &Subject {
                    kind: "vote_meeting",
                    id: &id,
                    area: &v.community,
                },
                ctx,
            )
            .after(json!({ "rules": RULES, "roster": snapshot, "motions": motions })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The agenda's projects: consulted applications of the meeting's community.
    async fn vote_agenda(
        &self,
        v: &domain::chain::consultation::Consultation,
    ) -> Result<Vec<ProjectRow>, AppError> {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for id in &v.projects {
            let p = match tenant_of(id) {
                Some(t) => self.db.project(t, id).await?,
                None => None,
            };
            match p {
                Some(p) if p.community == v.community => match p.stage.next(Event::OpenVote) {
                    Ok(_) => out.push(p),
                    Err(e) => bad.push(format!("“{}”：{e}", p.title)),
                },
                _ => bad.push(format!("“{id}”不是本社区的项目")),
            }
        }
        if bad.is_empty() {
            Ok(out)
        } else {
            Err(DomainError::field(
                "projects",
                "not_votable",
                format!("这些申请书不能提交表决：{}", bad.join("；")),
            )
            .into())
        }
    }

    /// The chair records who is present now. The difference from the attendance log is appended
    /// as arrivals and departures; an arrival joins every motion that has started and is still
    /// open to ballots; a departure touches no motion that has started (its ballots and its
    /// count stay as they are). Refused once every motion is sealed.
    pub async fn record_presence(
        &self,
        actor: &Actor,
        id: &str,
        form: &AttendanceForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let m = self
            .readable_vote_meeting(actor, id, EventKind::VoteAttendance, ctx)
            .await?;
        let role = self
            .or_refused(
                may_chair_vote(actor, &m.community).map_err(AppError::from),
                actor,
                EventKind::VoteAttendance,
                &subject(&m),
                ctx,
            )
            .await?;
        let wanted: BTreeSet<String> = form
            .present
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let agenda = self.db.motions(&m.tenant_id, Some(id), None).await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.lock_meeting(&m.tenant_id, id).await?;
        // Everything the rules look at is read in this transaction, under the lock.
        let mut meeting = None;
        let mut motions = Vec::new();
        let mut titles = Vec::new();
        for (_, row) in &agenda {
            let snap = tx
                .motion_snapshot(&m.tenant_id, id, &row.project_id)
                .await?
                .ok_or_else(|| AppError::not_found("表决事项"))?;
            titles.push(row.project_id.clone());
            let (mt, motion) = motion_state(&m, &snap);
            meeting.get_or_insert(mt);
            motions.push(motion);
        }
        let Some(mut meeting) = meeting else {
            return Err(AppError::not_found("表决事项"));
        };
        let change = match meeting.change_attendance(&motions, &wanted) {
            Ok(c) => c,
            Err(e) => {
                return Err(self
                    .conflict(tx, actor, EventKind::VoteAttendance, &subject(&m), e, ctx)
                    .await)
            }
        };
        meeting.apply_attendance(&mut motions, &change);
        let changes: Vec<(String, bool)> = change
            .arrivals
            .iter()
            .map(|u| (u.clone(), true))
            .chain(change.departures.iter().map(|u| (u.clone(), false)))
            .collect();
        tx.append_attendance(&m.tenant_id, id, &changes, &actor.user_id, &now)
            .await?;
        // Which started motions keep a departed representative (their ballot or their place in
        // the count stands).
        let kept: Vec<&str> = titles
            .iter()
            .zip(&motions)
            .filter(|(_, x)| {
                x.present
                    .as_ref()
                    .is_some_and(|p| change.departures.iter().any(|d| p.contains(d)))
            })
            .map(|(p, _)| p.as_str())
            .collect();
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::VoteAttendance,
                &subject(&m),
                ctx,
            )
            .before(json!({ "present": change.before }))
            .after(json!({
                "present": change.after,
                "arrivals": change.arrivals,
                "departures": change.departures,
                "motions_keeping_departed": kept,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A representative casts their ballot on one application, once.
    pub async fn cast_vote(
        &self,
        actor: &Actor,
        id: &str,
        project: &str,
        form: &BallotForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let m = self
            .readable_vote_meeting(actor, id, EventKind::VoteCast, ctx)
            .await?;
        let choice = match Choice::parse(form.choice.trim()) {
            Some(c) => c,
            None => {
                let e = DomainError::field("choice", "invalid_choice", "请选择同意、不同意或弃权");
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::VoteCast,
                        &subject(&m),
                        e.into(),
                        ctx,
                    )
                    .await);
            }
        };
        // The choice itself stays in the ballot table; the audit trail says who voted on what.
        let audit = done(
            actor,
            Some(Role::Representative),
            EventKind::VoteCast,
            &subject(&m),
            ctx,
        )
        .after(json!({ "project_id": project }));
        let recusal_audit = event(
            Some(actor),
            Some(Role::Representative),
            EventKind::VoteRecusal,
            Outcome::Ok,
            &subject(&m),
            ctx,
        );
        let ballot = crate::ballot_box::Ballot {
            tenant: m.tenant_id.clone(),
            meeting: id.to_string(),
            project: project.to_string(),
            user: actor.user_id.clone(),
            choice,
            rules: m.rules,
            audit,
            recusal_audit,
        };
        match self.ballots.cast(&self.db, ballot).await {
            Err(e @ AppError::Domain(_)) => Err(self
                .refused(Some(actor), EventKind::VoteCast, &subject(&m), e, ctx)
                .await),
            r => r,
        }
    }

    async fn chaired_motion(
        &self,
        actor: &Actor,
        id: &str,
        project: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<(VoteMeetingRow, Role), AppError> {
        let m = self.readable_vote_meeting(actor, id, action, ctx).await?;
        let role = self
            .or_refused(
                may_chair_vote(actor, &m.community).map_err(AppError::from),
                actor,
                action,
                &subject(&m),
                ctx,
            )
            .await?;
        if !self
            .db
            .motions(&m.tenant_id, Some(id), None)
            .await?
            .iter()
            .any(|(_, r)| r.project_id == project)
        {
            return Err(AppError::not_found("表决事项"));
        }
        Ok((m, role))
    }

    /// The chair enters a paper count signed by its counter (instead of electronic ballots).
    /// Everyone present is re-checked for an interest now and new recusals are recorded; the
    /// count gives the motion its own attendance. The audit event says who counted, not the
    /// counts: those are announced with the sealed result.
    pub async fn enter_paper_count(
        &self,
        actor: &Actor,
        id: &str,
        project: &str,
        form: &PaperForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let (m, role) = self
            .chaired_motion(actor, id, project, EventKind::VotePaper, ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.lock_motion(&m.tenant_id, id, project).await?;
        let snap = tx
            .motion_snapshot(&m.tenant_id, id, project)
            .await?
            .ok_or_else(|| AppError::not_found("表决事项"))?;
        let interests = tx.interests(&m.tenant_id, id, project).await?;
        let (meeting, mut motion) = motion_state(&m, &snap);
        let checked = form.validate().and_then(|c| {
            meeting
                .enter_paper(&mut motion, &c, &interests)
                .map(|new| (c, new))
        });
        let (count, new) = match checked {
            Ok(c) => c,
            Err(e) => {
                return Err(self
                    .conflict(tx, actor, EventKind::VotePaper, &subject(&m), e, ctx)
                    .await)
            }
        };
        let new: Vec<(String, RecusalReason)> = new.into_iter().collect();
        tx.take_motion_attendance(&m.tenant_id, id, project, &now)
            .await?;
        tx.record_recusals(&m.tenant_id, id, project, &new, &now)
            .await?;
        if !tx.enter_paper(&m.tenant_id, id, project, &count).await? {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::VotePaper,
                    &subject(&m),
                    DomainError::conflict("paper_counted", "本项已录入纸质计票结果或已封存"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::VotePaper, &subject(&m), ctx).after(json!({
                "project_id": project,
                "counter": count.counter,
                "new_recusals": new,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The chair seals a motion: the tally is what the ballots (or the paper count) say, on those
    /// present for the motion; those present who have not voted are re-checked for an interest
    /// now. Refused without a quorum of entitled voters (the application then stays in
    /// "voting"); on success the application moves to passed or rejected.
    pub async fn seal_vote(
        &self,
        actor: &Actor,
        id: &str,
        project: &str,
        ctx: &Ctx,
    ) -> Result<Tally, AppError> {
        let (m, role) = self
            .chaired_motion(actor, id, project, EventKind::VoteSeal, ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        // From here no ballot on this motion can commit until this transaction ends.
        tx.lock_motion(&m.tenant_id, id, project).await?;
        let snap = tx
            .motion_snapshot(&m.tenant_id, id, project)
            .await?
            .ok_or_else(|| AppError::not_found("表决事项"))?;
        let interests = tx.interests(&m.tenant_id, id, project).await?;
        let (meeting, mut motion) = motion_state(&m, &snap);
        let row = &snap.motion;
        let sealed = meeting
            .seal(&mut motion, &interests)
            .and_then(|(tally, new)| {
                let to = row.stage.next(Event::SealVote {
                    passed: tally.passed,
                })?;
                Ok((tally, new, to))
            });
        let (tally, new, to) = match sealed {
            Ok(x) => x,
            Err(e) => {
                return Err(self
                    .conflict(tx, actor, EventKind::VoteSeal, &subject(&m), e, ctx)
                    .await)
            }
        };
        let new: Vec<(String, RecusalReason)> = new.into_iter().collect();
        if snap.attendance.is_none() {
            tx.take_motion_attendance(&m.tenant_id, id, project, &now)
                .await?;
        }
        tx.record_recusals(&m.tenant_id, id, project, &new, &now)
            .await?;
        let moved = tx
            .seal_motion(&m.tenant_id, id, project, &tally, &actor.user_id, &now)
            .await?
            && tx
                .move_stage(&m.tenant_id, project, row.stage, to, &now)
                .await?;
        if !moved {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::VoteSeal,
                    &subject(&m),
                    DomainError::conflict("sealed", "表决结果刚刚已封存"),
                    ctx,
                )
                .await);
        }
        let names: BTreeMap<&str, &str> = snap
            .roster
            .iter()
            .map(|r| (r.user_id.as_str(), r.display_name.as_str()))
            .collect();
        let name = |u: &str| names.get(u).map(|n| n.to_string()).unwrap_or_default();
        let result = announced(&meeting, &motion, tally, &name);
        tx.append_audit(
            done(actor, Some(role), EventKind::VoteSeal, &subject(&m), ctx).after(json!({
                "project_id": project,
                "tally": tally,
                "paper_count": motion.paper,
                "entitled_voters": result.entitled_voters,
                "recusals": result.recusals,
                "new_recusals": new,
                "stage": to,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(tally)
    }
}
