//! Evaluation and payment (step 7 of the chain): the organization's self-evaluation; members of
//! the review group score the rubric (the group itself — convened by the committee, its meeting
//! and its chair's signed report — is in `review_group`); the township pays each tranche when its
//! milestone is reached, the last one only after an accepting verdict, which closes the project.
//! The project page's view of delivery and evaluation together (`AcceptanceView`) is here too.

use super::delivery::may_note_on;
use super::{field, project_subject as subject};
use crate::audit::done;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::catalogue::can_apply;
use domain::chain::committee::{may_convene_review, may_review_midterm};
use domain::chain::contract::Milestone;
use domain::chain::evaluation::{
    can_score, in_order, may_decide_verdict, may_score, ScoreForm, SelfEvaluationForm, RUBRIC,
};
use domain::chain::milestone::{may_record_conditions_met, may_record_midterm, payable};
use domain::chain::oversight::NoteKind;
use domain::chain::panel::Candidate;
use domain::chain::review_group::{may_confirm_conditions, may_record_meeting, norm, Category};
use domain::chain::stage::{Event, Stage};
use domain::{Actor, AreaCode, DomainError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::chain::application::ProjectRow;
use store::chain::delivery::{ActivityRow, NoteRow};
use store::chain::evaluation::{NewScore, ReportRow, ReviewGroupRow, ScoreRow, SelfEvaluationRow};
use store::time;

/// Forming a selection panel (competitive selection, calls): the members' login names,
/// separated by commas.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelForm {
    pub members: String,
}

/// The delivery and acceptance part of a project's page.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AcceptanceView {
    pub activities: Vec<ActivityRow>,
    /// Coordination meetings, supervision, major-activity reports and progress.
    pub notes: Vec<NoteRow>,
    /// The kinds of note the reader may record now.
    pub note_kinds: Vec<(&'static str, &'static str)>,
    pub self_evaluation: Option<SelfEvaluationRow>,
    /// The review group: its members with their categories, method, meeting and signature.
    pub group: Option<ReviewGroupRow>,
    pub scores: Vec<ScoreRow>,
    pub report: Option<ReportRow>,
    /// The mid-term review, once recorded (the mid-term tranche waits for it).
    pub midterm: Option<store::chain::milestone::MidtermRow>,
    /// After a conditional pass: the report's conditions, and the record that they are met.
    pub conditions: Vec<String>,
    pub conditions_met: Option<store::chain::milestone::ConditionsMetRow>,
    /// The reader is the committee and the project is delivered without a mid-term review.
    pub can_review_midterm: bool,
    /// The reader chairs the group and the conditions of a conditional pass wait to be met.
    pub can_confirm_conditions: bool,
    pub can_deliver: bool,
    pub can_self_evaluate: bool,
    pub can_form_panel: bool,
    pub can_score: bool,
    /// The reader chairs the group and may record its method and review meeting.
    pub can_record_meeting: bool,
    /// The reader chairs the group and may sign its report (the meeting is recorded).
    pub can_verdict: bool,
    pub can_pay: bool,
    /// The rubric: (code, criterion, maximum).
    pub rubric: Vec<(&'static str, &'static str, u32)>,
    /// The categories a group member may sit in: (code, Chinese name).
    pub categories: Vec<(&'static str, &'static str)>,
}

impl App {
    pub async fn acceptance_view(
        &self,
        actor: &Actor,
        p: &ProjectRow,
    ) -> Result<AcceptanceView, AppError> {
        let t = &p.tenant_id;
        // Only what the stage reached can exist.
        let at = |s: Stage| p.stage.reached(s);
        let (group, scores, report) = if at(Stage::UnderReview) {
            (
                self.db.review_group(t, &p.id).await?,
                self.db.review_scores(t, &p.id).await?,
                self.db.review_report(t, &p.id).await?,
            )
        } else {
            (None, Vec::new(), None)
        };
        let mine = can_apply(actor, &p.organization_id).is_ok();
        let committee = may_convene_review(actor, &p.community).is_ok();
        let member = group.as_ref().is_some_and(|g| g.has(&actor.user_id));
        let chair = group.as_ref().and_then(|g| g.chair());
        let chairs = may_record_meeting(&actor.user_id, chair).is_ok()
            && group.as_ref().is_some_and(|g| g.signed_at.is_none());
        let note_kinds = NoteKind::ALL
            .iter()
            .filter(|k| may_note_on(actor, p, **k).is_ok())
            .map(|k| (k.as_str(), k.zh()))
            .collect();
        let delivered = at(Stage::Contracted);
        let midterm = if at(Stage::Delivering) {
            self.db.midterm_review(t, &p.id).await?
        } else {
            None
        };
        let conditions_met = if p.stage == Stage::AcceptedWithConditions {
            self.db.conditions_met(t, &p.id).await?
        } else {
            None
        };
        let conditions = report
            .as_ref()
            .map(|r| domain::chain::milestone::conditions_of(&r.conditions))
            .unwrap_or_default();
        let can_review_midterm = may_review_midterm(actor, &p.community).is_ok()
            && may_record_midterm(p.stage, midterm.is_some()).is_ok();
        let can_confirm_conditions = may_confirm_conditions(&actor.user_id, chair).is_ok()
            && may_record_conditions_met(p.stage, conditions_met.is_some()).is_ok();
        Ok(AcceptanceView {
            midterm,
            conditions,
            conditions_met,
            can_review_midterm,
            can_confirm_conditions,
            notes: if delivered {
                self.db.delivery_notes(t, &p.id).await?
            } else {
                Vec::new()
            },
            note_kinds,
            activities: if delivered {
                self.db.activities(t, &p.id).await?
            } else {
                Vec::new()
            },
            self_evaluation: if at(Stage::SelfEvaluated) {
                self.db.self_evaluation(t, &p.id).await?
            } else {
                None
            },
            report,
            can_deliver: mine && p.stage.next(Event::Deliver).is_ok(),
            can_self_evaluate: mine && p.stage.next(Event::SelfEvaluate).is_ok(),
            can_form_panel: committee && p.stage.next(Event::FormPanel).is_ok(),
            can_score: can_score(member).is_ok()
                && may_score(p.stage, scores.iter().any(|s| s.user_id == actor.user_id)).is_ok(),
            can_record_meeting: chairs && p.stage == Stage::UnderReview,
            can_verdict: chairs
                && may_decide_verdict(p.stage).is_ok()
                && group.as_ref().is_some_and(|g| g.meeting_on.is_some()),
            can_pay: self.purchaser_role(actor, p).await.is_ok(),
            rubric: RUBRIC.to_vec(),
            categories: Category::CHOSEN
                .iter()
                .map(|c| (c.as_str(), c.zh()))
                .collect(),
            group,
            scores,
        })
    }

    pub async fn submit_self_evaluation(
        &self,
        actor: &Actor,
        id: &str,
        form: &SelfEvaluationForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::EvaluationSelf, ctx)
            .await?;
        // A project from a call has no catalogue item, and so no social-work flag of its own.
        let social_work = match &p.item_id {
            Some(item) => self
                .db
                .catalogue_item(&p.tenant_id, item)
                .await?
                .is_some_and(|i| i.social_work),
            None => false,
        };
        let checked = can_apply(actor, &p.organization_id)
            .map_err(AppError::from)
            .and_then(|role| {
                let to = p.stage.next(Event::SelfEvaluate)?;
                form.validate(social_work)?;
                Ok((role, to))
            });
        let (role, to) = self
            .or_refused(checked, actor, EventKind::EvaluationSelf, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        self.advance(&mut tx, &p, to, &now).await?;
        tx.insert_self_evaluation(
            &p.tenant_id,
            id,
            form.report.trim(),
            form.case_study.trim(),
            &actor.user_id,
            &now,
        )
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::EvaluationSelf,
                &subject(&p),
                ctx,
            )
            .after(json!({ "stage": to })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member of the review group with an account scores the rubric, once.
    pub async fn score_project(
        &self,
        actor: &Actor,
        id: &str,
        form: &ScoreForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::EvaluationScore, ctx)
            .await?;
        let group = self.db.review_group(&p.tenant_id, id).await?;
        let scored = self
            .db
            .review_scores(&p.tenant_id, id)
            .await?
            .iter()
            .any(|s| s.user_id == actor.user_id);
        let checked = can_score(group.as_ref().is_some_and(|g| g.has(&actor.user_id)))
            .map_err(AppError::from)
            .and_then(|()| Ok(may_score(p.stage, scored)?))
            .and_then(|()| Ok(form.validate()?));
        let (points, total) = self
            .or_refused(
                checked,
                actor,
                EventKind::EvaluationScore,
                &subject(&p),
                ctx,
            )
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .insert_score(&NewScore {
                tenant: &p.tenant_id,
                project: id,
                user: &actor.user_id,
                points: &points,
                total,
                comment: form.comment.trim(),
                now: &now,
            })
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::EvaluationScore,
                    &subject(&p),
                    DomainError::conflict("already_scored", "您已评过分，评分提交后不能修改"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, None, EventKind::EvaluationScore, &subject(&p), ctx)
                .after(json!({ "total": total })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The township pays tranche `seq` once its milestone is reached; the final tranche closes
    /// the project.
    pub async fn pay_tranche(
        &self,
        actor: &Actor,
        id: &str,
        seq: i64,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::PaymentRecord, ctx)
            .await?;
        let contract = self.db.contract(&p.tenant_id, id).await?;
        let records = self.db.milestone_records(&p.tenant_id, id).await?;
        let checked = self.purchaser_role(actor, &p).await.and_then(|role| {
            let t = contract
                .as_ref()
                .and_then(|k| k.tranches.iter().find(|t| t.seq == seq))
                .ok_or_else(|| AppError::not_found("付款节点"))?;
            if t.paid_at.is_some() {
                return Err(DomainError::conflict("already_paid", "该笔款项已支付").into());
            }
            if t.cancelled_at.is_some() {
                // Its money went back to the fund when the project was terminated.
                return Err(DomainError::conflict(
                    "tranche_cancelled",
                    "项目已终止，该笔款项已取消并退回资金，不能支付",
                )
                .into());
            }
            let unpaid: Vec<i64> = contract
                .iter()
                .flat_map(|k| k.tranches.iter())
                .filter(|x| x.paid_at.is_none() && x.cancelled_at.is_none())
                .map(|x| x.seq)
                .collect();
            in_order(seq, &unpaid)?;
            payable(t.milestone, p.stage, records)?;
            let to = if t.milestone == Milestone::FinalAcceptance {
                p.stage.next(Event::PayFinal)?
            } else {
                p.stage
            };
            Ok((role, to, t.amount_fen))
        });
        let (role, to, amount) = self
            .or_refused(checked, actor, EventKind::PaymentRecord, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .pay_tranche(&p.tenant_id, id, seq, &actor.user_id, &now)
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::PaymentRecord,
                    &subject(&p),
                    DomainError::conflict("already_paid", "该笔款项刚刚已支付"),
                    ctx,
                )
                .await);
        }
        self.advance(&mut tx, &p, to, &now).await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::PaymentRecord,
                &subject(&p),
                ctx,
            )
            .after(json!({ "seq": seq, "amount_fen": amount, "stage": to })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// The account named by `login` for a review group or a selection panel, as an actor, when it
    /// may read the records of `area` (to see what it reviews); `field` is named in a refusal and
    /// `what` names the thing reviewed.
    pub(crate) async fn reviewer_account(
        &self,
        login: &str,
        area: &AreaCode,
        field_name: &str,
        what: &str,
    ) -> Result<Actor, AppError> {
        let Some(u) = self.db.user_by_login(login).await? else {
            return Err(field(
                field_name,
                "unknown_account",
                format!("没有登录名为“{login}”的账号"),
            ));
        };
        let reader = Actor {
            user_id: u.id.clone(),
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            assignments: self
                .db
                .assignments_of(&u.id)
                .await?
                .iter()
                .map(|a| domain::RoleAssignment {
                    role: a.role,
                    area: a.area_code.clone(),
                    organization_id: a.organization_id.clone(),
                })
                .collect(),
        };
        if domain::authz::can(
            &reader,
            domain::authz::Action::ViewChain,
            domain::authz::Target::Area(area),
        )
        .is_err()
        {
            return Err(field(
                field_name,
                "outside_territory",
                format!(
                    "{}（{login}）不在{what}所在辖区，无法查阅和评分",
                    u.display_name
                ),
            ));
        }
        Ok(reader)
    }

    /// The people named (by login) for a selection panel, with what the recusal rules need: their
    /// organizations (an account of an organization, or a person of that name it employs as a
    /// social worker, is affiliated with it). Each must be able to read records of `area`.
    pub(crate) async fn panel_candidates(
        &self,
        members: &str,
        area: &AreaCode,
        employed: &BTreeMap<String, BTreeSet<String>>,
        what: &str,
    ) -> Result<Vec<Candidate>, AppError> {
        let mut candidates = Vec::new();
        for login in members
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let reader = self.reviewer_account(login, area, "members", what).await?;
            let name = norm(&reader.display_name);
            let mut organizations: BTreeSet<String> = reader
                .assignments
                .iter()
                .filter_map(|a| a.organization_id.clone())
                .collect();
            organizations.extend(
                employed
                    .iter()
                    .filter(|(_, names)| names.contains(&name))
                    .map(|(org, _)| org.clone()),
            );
            candidates.push(Candidate {
                beneficiary: false,
                person: reader.user_id,
                name: reader.display_name,
                organizations,
            });
        }
        Ok(candidates)
    }
}
