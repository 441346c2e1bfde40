//! The representatives' meeting and its vote (step 4 of the chain). Opening snapshots the
//! community's roster of resident representatives, fixes the quorum and pass rules of the policy
//! profile, and records every automatic recusal; each present, non-recused representative votes
//! once per application (or the chair enters a signed paper count); the chair seals each result,
//! which moves the application to "passed" (on to the township) or "rejected".

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::need::can_curate;
use domain::chain::stage::{Event, Stage};
use domain::chain::vote::{
    recusals, Choice, Interests, Meeting, Motion, PaperCount, RecusalReason, Tally, VoteRules,
};
use domain::{Actor, AreaCode, DomainError, FieldError, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use store::chain::application::ProjectRow;
use store::chain::vote::{MotionRow, MotionSnapshot, NewVoteMeeting, RosterRow, VoteMeetingRow};
use store::time;

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

/// Who is present (user ids, comma-separated); everyone else on the roster is absent.
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
    pub meetings: Vec<VoteMeetingRow>,
    /// Consulted applications of the communities the reader chairs meetings for.
    pub consulted: Vec<ProjectRow>,
    pub can_open_for: Vec<AreaCode>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MotionView {
    #[serde(flatten)]
    pub motion: MotionRow,
    /// (name, reason) of each recused representative.
    pub recused: Vec<(String, RecusalReason)>,
    /// Ballots cast so far (the choices stay unseen until sealing).
    pub ballots_cast: usize,
    /// The count now: the sealed tally once sealed.
    pub tally: Tally,
    /// Whether the reader may vote on it now, or why not.
    pub my_ballot: Result<(), String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VoteMeetingDetail {
    pub meeting: VoteMeetingRow,
    pub roster: Vec<RosterRow>,
    pub present: usize,
    pub quorum_met: bool,
    pub motions: Vec<MotionView>,
    /// The reader chairs (the community committee): attendance, paper counts, sealing.
    pub can_chair: bool,
    pub rules_zh: String,
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
    pub async fn vote_meetings(&self, actor: &Actor) -> Result<VoteList, AppError> {
        let scope = reach(actor, Action::ViewChain);
        let can_open_for: Vec<AreaCode> = actor
            .assignments
            .iter()
            .filter(|a| a.role == Role::CommunityOfficer)
            .map(|a| a.area.clone())
            .collect();
        let consulted = if can_open_for.is_empty() {
            Vec::new()
        } else {
            self.db
                .projects(
                    &domain::identity::Scope::new(can_open_for.clone()),
                    Some(Stage::Consulted),
                    None,
                    None,
                    200,
                )
                .await?
        };
        let meetings = if scope.roots().is_empty() {
            Vec::new()
        } else {
            self.db.vote_meetings(&scope, 200).await?
        };
        Ok(VoteList {
            meetings,
            consulted,
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

    pub async fn vote_meeting_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<VoteMeetingDetail, AppError> {
        let m = self
            .readable_vote_meeting(actor, id, EventKind::VoteView, ctx)
            .await?;
        let roster = self.db.roster(&m.tenant_id, id).await?;
        let recused = self.db.recusals(&m.tenant_id, id).await?;
        let name = |u: &str| {
            roster
                .iter()
                .find(|r| r.user_id == u)
                .map(|r| r.display_name.clone())
                .unwrap_or_default()
        };
        let mut motions = Vec::new();
        for (_, row) in self.db.motions(&m.tenant_id, Some(id), None).await? {
            let snap = MotionSnapshot {
                ballots: self.db.ballots(&m.tenant_id, id, &row.project_id).await?,
                roster: roster.clone(),
                recusals: recused.clone(),
                motion: row,
            };
            let (meeting, motion) = motion_state(&m, &snap);
            let row = snap.motion;
            let tally = row.tally.unwrap_or_else(|| meeting.tally(&motion));
            motions.push(MotionView {
                recused: motion.recused.iter().map(|(u, r)| (name(u), *r)).collect(),
                ballots_cast: motion.ballots.len(),
                tally,
                my_ballot: meeting
                    .check_ballot(&motion, &actor.user_id)
                    .map_err(|e| e.to_string()),
                motion: row,
            });
        }
        let meeting = meeting_of(&m, &roster);
        Ok(VoteMeetingDetail {
            present: meeting.present.len(),
            quorum_met: meeting.quorum_met(),
            can_chair: can_curate(actor, &m.community).is_ok(),
            rules_zh: format!(
                "出席：名册{}；通过：出席且有表决权的代表{}同意",
                m.rules.quorum.zh(),
                m.rules.pass.zh()
            ),
            roster,
            motions,
            meeting: m,
        })
    }

    /// Who has an interest in an application: its lead, the team's volunteers' accounts, and
    /// the applying organization's accounts.
    async fn interests(&self, p: &ProjectRow) -> Result<Interests, AppError> {
        let versions = self.db.application_versions(&p.tenant_id, &p.id).await?;
        let team = match versions.iter().find(|v| v.version == p.version) {
            Some(v) => {
                self.db
                    .volunteer_accounts(&p.tenant_id, &v.content.volunteers)
                    .await?
            }
            None => Vec::new(),
        };
        Ok(Interests {
            leads: BTreeSet::from([p.lead_user_id.clone()]),
            team: team.into_iter().collect(),
            organization: self
                .db
                .organization_accounts(&p.organization_id)
                .await?
                .into_iter()
                .map(|(u, _)| u)
                .collect(),
        })
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
            Ok(v) => match can_curate(actor, &v.community) {
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
        let mut recused = Vec::new();
        for p in &projects {
            for (user, reason) in recusals(&snapshot, &self.interests(p).await?) {
                recused.push((p.id.clone(), user, reason));
            }
        }
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
            recusals: &recused,
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
        tx.append_audit(event(Some(actor), Some(role), EventKind::VoteOpen, Outcome::Ok, &Subject {
                kind: "vote_meeting",
                id: &id,
                area: &v.community,
            }, ctx).after(json!({ "rules": RULES, "roster": snapshot, "motions": motions, "recusals": recused })))
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

    /// The chair records who is present.
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
                can_curate(actor, &m.community).map_err(AppError::from),
                actor,
                EventKind::VoteAttendance,
                &subject(&m),
                ctx,
            )
            .await?;
        let present: BTreeSet<&str> = form
            .present
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        let roster = self.db.roster(&m.tenant_id, id).await?;
        let mut meeting = meeting_of(&m, &roster);
        meeting.present.clear();
        for p in &present {
            let r = meeting.attend(p).map_err(AppError::from);
            self.or_refused(r, actor, EventKind::VoteAttendance, &subject(&m), ctx)
                .await?;
        }
        let mut tx = self.db.begin().await?;
        for r in &roster {
            tx.set_present(
                &m.tenant_id,
                id,
                &r.user_id,
                present.contains(r.user_id.as_str()),
            )
            .await?;
        }
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::VoteAttendance,
                &subject(&m),
                ctx,
            )
            .after(json!({ "present": present, "quorum_met": meeting.quorum_met() })),
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
        let ballot = crate::ballot_box::Ballot {
            tenant: m.tenant_id.clone(),
            meeting: id.to_string(),
            project: project.to_string(),
            user: actor.user_id.clone(),
            choice,
            rules: m.rules,
            audit,
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
                can_curate(actor, &m.community).map_err(AppError::from),
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
        let mut tx = self.db.begin().await?;
        tx.lock_motion(&m.tenant_id, id, project).await?;
        let snap = tx
            .motion_snapshot(&m.tenant_id, id, project)
            .await?
            .ok_or_else(|| AppError::not_found("表决事项"))?;
        let (meeting, motion) = motion_state(&m, &snap);
        let checked = form
            .validate()
            .and_then(|c| meeting.check_paper(&motion, &c).map(|_| c));
        let count = match checked {
            Ok(c) => c,
            Err(e) => {
                drop(tx);
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::VotePaper,
                        &subject(&m),
                        e.into(),
                        ctx,
                    )
                    .await);
            }
        };
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
            done(actor, Some(role), EventKind::VotePaper, &subject(&m), ctx)
                .after(json!({ "project_id": project, "count": count })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The chair seals a motion: the tally is what the ballots (or the paper count) say, refused
    /// without a quorum; the application moves to passed or rejected.
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
        let (meeting, mut motion) = motion_state(&m, &snap);
        let row = &snap.motion;
        let sealed = meeting.seal(&mut motion).and_then(|tally| {
            let to = row.stage.next(Event::SealVote {
                passed: tally.passed,
            })?;
            Ok((tally, to))
        });
        let (tally, to) = match sealed {
            Ok(x) => x,
            Err(e) => {
                drop(tx);
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::VoteSeal,
                        &subject(&m),
                        e.into(),
                        ctx,
                    )
                    .await);
            }
        };
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
        tx.append_audit(
            done(actor, Some(role), EventKind::VoteSeal, &subject(&m), ctx)
                .after(json!({ "project_id": project, "tally": tally, "stage": to })),
        )
        .await?;
        tx.commit().await?;
        Ok(tally)
    }
}
