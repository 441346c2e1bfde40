//! The call's review, step by step: the organizer revises the rubric, organizations apply, the
//! panel is formed and scores, the organizer awards down the ranking and ends the call. Each
//! command checks the call's lifecycle rules (`domain::chain::call::may_*`) and changes the
//! stage by `CallStage::after`.

use super::{closes_at, conflict, field, opens_on, ranking, step, subject};
use crate::audit::done;
use crate::chain::evaluation::PanelForm;
use crate::kernel::china_now;
use crate::kernel::new_id;
use crate::{App, AppError, Ctx};
use chrono::NaiveDateTime;
use domain::audit::EventKind;
use domain::chain::application::{ApplicationContent, BudgetLine};
use domain::chain::call::{
    award, award_in_order, can_organize, can_score, finished_after_award, may_apply, may_award,
    may_close, may_form_panel, may_revise_rubric, may_score, parse_rubric, AwardForm,
    CallApplicationForm, CallKind, CallStage, CallStep, RubricForm, ScoreSheetForm,
};
use domain::chain::catalogue::{applies_for, can_apply, EligibilityStatus};
use domain::chain::money::Money;
use domain::chain::panel::check_panel;
use domain::chain::stage::Stage;
use domain::{Actor, DomainError};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::chain::application::NewProject;
use store::chain::call::{CallRow, NewCallApplication, NewCallAward};
use store::chain::purchase::NewDecision;
use store::time;

impl App {
    /// The organizer revises the rubric or the panel's size; refused from the first score.
    pub async fn revise_rubric(
        &self,
        actor: &Actor,
        id: &str,
        form: &RubricForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallRubric, ctx)
            .await?;
        let sheets = self.db.call_sheets(&k.tenant_id, id).await?.len();
        let checked = async {
            let role = can_organize(actor, &k.area)?;
            may_revise_rubric(k.stage, sheets)?;
            let rubric = parse_rubric(&form.rubric)
                .map_err(|e| AppError::from(DomainError::Invalid(vec![e])))?;
            let min_panel = form
                .min_panel
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (domain::chain::call::MIN_PANEL as i64..=15).contains(n))
                .ok_or_else(|| {
                    field(
                        "min_panel",
                        "invalid_panel_size",
                        "评审小组人数下限应为 3–15 人",
                    )
                })?;
            Ok::<_, AppError>((role, rubric, min_panel))
        }
        .await;
        let (role, rubric, min_panel) = self
            .or_refused(checked, actor, EventKind::CallRubric, &subject(&k), ctx)
            .await?;
        let mut tx = self.db.begin().await?;
        tx.set_call_rubric(&k.tenant_id, id, &rubric, min_panel)
            .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::CallRubric, &subject(&k), ctx)
                .before(json!({ "rubric": k.rubric, "min_panel": k.min_panel }))
                .after(json!({ "rubric": rubric, "min_panel": min_panel })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organization's manager applies (or bids) before the deadline.
    pub async fn apply_to_call(
        &self,
        actor: &Actor,
        id: &str,
        organization_id: &str,
        form: &CallApplicationForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        self.apply_to_call_at(actor, id, organization_id, form, china_now(), ctx)
            .await
    }

    /// As `apply_to_call`, at a given China time (the demonstration's past calls, tests).
    pub async fn apply_to_call_at(
        &self,
        actor: &Actor,
        id: &str,
        organization_id: &str,
        form: &CallApplicationForm,
        at: NaiveDateTime,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallApply, ctx)
            .await?;
        let org = match organization_id.trim() {
            "" => applies_for(actor).into_iter().next().unwrap_or_default(),
            o => o.to_string(),
        };
        let checked = async {
            let role = can_apply(actor, &org)?;
            may_apply(k.stage, opens_on(&k), closes_at(&k), at)?;
            let a = form.validate(k.kind, &k.area, k.ceiling_fen)?;
            // A selection is among organizations approved to undertake the item.
            let eligibility = match &k.item_id {
                Some(item) => Some(
                    self.db
                        .eligibilities_of(&k.tenant_id, item)
                        .await?
                        .into_iter()
                        .find(|e| {
                            e.organization_id == org && e.status == EligibilityStatus::Approved
                        })
                        .map(|e| e.id)
                        .ok_or_else(|| {
                            conflict(
                                "not_eligible",
                                "竞争承接只接受已获该事项承接资格的社会组织申请",
                            )
                        })?,
                ),
                None => None,
            };
            // The winner's project is written on its eligibility: one already written there
            // (the organization applied for the item outside the selection) cannot compete.
            if let Some(e) = &eligibility {
                if self
                    .db
                    .project_of_eligibility(&k.tenant_id, e)
                    .await?
                    .is_some()
                {
                    return Err(conflict(
                        "already_written",
                        "本组织已就该事项提交项目申请书，不能再参加竞争承接",
                    ));
                }
            }
            Ok::<_, AppError>((role, a, eligibility))
        }
        .await;
        let (role, a, eligibility) = self
            .or_refused(checked, actor, EventKind::CallApply, &subject(&k), ctx)
            .await?;
        let aid = new_id(&k.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let fresh = tx
            .insert_call_application(&NewCallApplication {
                tenant: &k.tenant_id,
                call: id,
                id: &aid,
                organization: &org,
                eligibility: eligibility.as_deref(),
                application: &a,
                by: &actor.user_id,
                now: &now,
            })
            .await?;
        if !fresh {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallApply,
                    &subject(&k),
                    DomainError::conflict(
                        "already_applied",
                        "本组织已经提交过申请，申请提交后不能修改",
                    ),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::CallApply, &subject(&k), ctx)
                .after(json!({ "application_id": aid, "organization_id": org, "application": a })),
        )
        .await?;
        tx.commit().await?;
        Ok(aid)
    }

    /// The organizer forms the panel after the deadline; no member may be affiliated with any
    /// applicant, and the panel has at least the call's minimum.
    pub async fn form_call_panel(
        &self,
        actor: &Actor,
        id: &str,
        form: &PanelForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        self.form_call_panel_at(actor, id, form, china_now(), ctx)
            .await
    }

    /// As `form_call_panel`, at a given China time (the demonstration's past calls, tests).
    pub async fn form_call_panel_at(
        &self,
        actor: &Actor,
        id: &str,
        form: &PanelForm,
        at: NaiveDateTime,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallPanel, ctx)
            .await?;
        let apps = self.db.call_applications(&k.tenant_id, id).await?;
        let checked = async {
            let role = can_organize(actor, &k.area)?;
            may_form_panel(k.stage, closes_at(&k), at, apps.len())?;
            // The social workers each applicant employs are affiliated with it, by name.
            let mut employed = BTreeMap::new();
            for a in &apps {
                let names = self
                    .db
                    .employed_social_worker_names(&k.tenant_id, &a.organization_id)
                    .await?;
                employed.insert(
                    a.organization_id.clone(),
                    domain::chain::review_group::names(names),
                );
            }
            let candidates = self
                .panel_candidates(&form.members, &k.area, &employed, "本次征集")
                .await?;
            let applicants: BTreeSet<String> =
                apps.iter().map(|a| a.organization_id.clone()).collect();
            check_panel(&candidates, &applicants, k.min_panel as usize)?;
            Ok::<_, AppError>((role, candidates))
        }
        .await;
        let (role, candidates) = self
            .or_refused(checked, actor, EventKind::CallPanel, &subject(&k), ctx)
            .await?;
        let members: Vec<(String, String)> = candidates
            .iter()
            .map(|c| (c.person.clone(), c.name.clone()))
            .collect();
        let mut tx = self.db.begin().await?;
        let (from, to) = step(CallStage::Open, CallStep::FormPanel);
        if !tx.set_call_stage(&k.tenant_id, id, from, to).await? {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallPanel,
                    &subject(&k),
                    DomainError::conflict("panel_formed", "评审小组已经组成"),
                    ctx,
                )
                .await);
        }
        tx.insert_call_panel(&k.tenant_id, id, &members).await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::CallPanel, &subject(&k), ctx)
                .after(json!({ "members": members })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A panel member submits their sheet, once; the last sheet seals the scores.
    pub async fn score_call(
        &self,
        actor: &Actor,
        id: &str,
        form: &ScoreSheetForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallScore, ctx)
            .await?;
        let panel = self.db.call_panel(&k.tenant_id, id).await?;
        let apps: Vec<String> = self
            .db
            .call_applications(&k.tenant_id, id)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let scored = self
            .db
            .call_sheets(&k.tenant_id, id)
            .await?
            .iter()
            .any(|s| s.user_id == actor.user_id);
        let checked = can_score(panel.iter().any(|(u, _)| *u == actor.user_id))
            .map_err(AppError::from)
            .and_then(|()| Ok(may_score(k.stage, scored)?))
            .and_then(|()| Ok(form.validate(&k.rubric, &apps)?));
        self.or_refused(checked, actor, EventKind::CallScore, &subject(&k), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let stage = tx.lock_call(&k.tenant_id, id).await?;
        let fresh = stage == Some(CallStage::Reviewing)
            && tx
                .insert_call_sheet(
                    &k.tenant_id,
                    id,
                    &actor.user_id,
                    &form.scores,
                    form.comment.trim(),
                    &now,
                )
                .await?;
        if !fresh {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallScore,
                    &subject(&k),
                    DomainError::conflict(
                        "already_scored",
                        "您已提交评分，评分提交后封存，不能修改",
                    ),
                    ctx,
                )
                .await);
        }
        let n = tx.count_call_sheets(&k.tenant_id, id).await?;
        let sealed = n as usize == panel.len();
        if sealed {
            let (from, to) = step(CallStage::Reviewing, CallStep::SealScores);
            tx.set_call_stage(&k.tenant_id, id, from, to).await?;
        }
        tx.append_audit(
            done(actor, None, EventKind::CallScore, &subject(&k), ctx)
                .after(json!({ "scores": form.scores, "sealed": sealed })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organizer awards the best applicant not yet awarded, with reasons, within the
    /// ceiling and what remains of the pool; the award becomes a project bought from the
    /// call's fund, at the contract step.
    pub async fn award_call(
        &self,
        actor: &Actor,
        id: &str,
        form: &AwardForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallAward, ctx)
            .await?;
        let apps = self.db.call_applications(&k.tenant_id, id).await?;
        let sheets = self.db.call_sheets(&k.tenant_id, id).await?;
        let awards = self.db.call_awards(&k.tenant_id, id).await?;
        let checked = (|| {
            let role = can_organize(actor, &k.area)?;
            may_award(k.stage)?;
            let order: Vec<String> = ranking(&k, &apps, &sheets)
                .into_iter()
                .map(|r| r.applicant)
                .collect();
            let done: Vec<String> = awards.iter().map(|a| a.application_id.clone()).collect();
            let place = award_in_order(
                k.kind,
                &order,
                &done,
                form.application_id.trim(),
                &form.reasons,
            )?;
            let a = apps
                .iter()
                .find(|a| a.id == form.application_id.trim())
                .cloned()
                .ok_or_else(|| field("application_id", "unknown_application", "没有这份申请"))?;
            let amount = match form.amount.trim() {
                "" => a.amount_fen,
                t => Money::parse(t)
                    .filter(|f| *f > Money::ZERO)
                    .ok_or_else(|| {
                        field(
                            "amount",
                            "invalid_amount",
                            domain::chain::money::AMOUNT_RULE,
                        )
                    })?,
            };
            if amount > a.amount_fen {
                return Err(field(
                    "amount",
                    "over_request",
                    format!("不能超过申请金额 {} 元", a.amount_fen.yuan()),
                ));
            }
            award(k.remaining(), k.ceiling_fen, amount)?;
            Ok::<_, AppError>((role, place, a, amount))
        })();
        let (role, place, a, amount) = self
            .or_refused(checked, actor, EventKind::CallAward, &subject(&k), ctx)
            .await?;
        let project_id = new_id(&k.tenant_id);
        let now = time::now();
        let reasons = form.reasons.trim();
        let mut tx = self.db.begin().await?;
        let locked = tx.lock_call(&k.tenant_id, id).await?;
        // Under the lock, the awards read before must still be all there are: a simultaneous
        // award of the same applicant (or of the next) is refused, not made twice.
        if tx.call_award_ids(&k.tenant_id, id).await?.len() != awards.len() {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallAward,
                    &subject(&k),
                    DomainError::conflict(
                        "awarded_meanwhile",
                        "评定已有变化（他人刚刚评定），请刷新后按最新排名评定",
                    ),
                    ctx,
                )
                .await);
        }
        // A selection names the undertaker of a catalogue item; the residents still consult and
        // vote on its application and the township decides the purchase after (issue 16,
        // finding 5), drawing the money then. So a selection's award takes nothing from the
        // pool: all of it goes back to the fund when the selection finishes, just below.
        let selection = k.kind == CallKind::Selection;
        let total = match locked {
            Some(CallStage::Sealed) if selection => Some(k.awarded_fen),
            Some(CallStage::Sealed) => tx.add_to_awarded(&k.tenant_id, id, amount).await?,
            _ => None,
        };
        let Some(total) = total else {
            let fresh = self.db.call(&k.tenant_id, id).await?;
            let remaining = fresh.map_or(Money::ZERO, |f| f.remaining());
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallAward,
                    &subject(&k),
                    DomainError::conflict(
                        "pool_exhausted",
                        format!(
                            "资金池余额 {} 元，不足以资助 {} 元（或评定已结束）",
                            remaining.yuan(),
                            amount.yuan()
                        ),
                    ),
                    ctx,
                )
                .await);
        };
        let content = ApplicationContent {
            title: a.title.clone(),
            background: a.proposal.clone(),
            goals: Vec::new(),
            phases: Vec::new(),
            budget: vec![BudgetLine {
                item: format!("{}资助", k.kind.zh()),
                fen: amount,
            }],
            lead: a.submitted_by.clone(),
            social_workers: Vec::new(),
            volunteers: Vec::new(),
            needs: Vec::new(),
        };
        let inserted = tx
            .insert_project(&NewProject {
                tenant: &k.tenant_id,
                id: &project_id,
                community: &a.community,
                item_id: k.item_id.as_deref(),
                call_id: Some(id),
                organization_id: &a.organization_id,
                eligibility_id: a.eligibility_id.as_deref(),
                content: &content,
                by: &actor.user_id,
                now: &now,
                // The winner of a selection starts where an ordinary application does once
                // submitted: awaiting the consultation.
                stage: if selection {
                    Stage::Submitted
                } else {
                    Stage::Purchased
                },
            })
            .await;
        if let Err(store::StoreError::Duplicate(_)) = inserted {
            // The item is held by a live project of its period (or the winner's eligibility
            // already carries an application): the item has its undertaker.
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallAward,
                    &subject(&k),
                    DomainError::conflict(
                        "item_taken",
                        "该事项本年度已有组织的申请书在办理，不能再评定承接组织",
                    ),
                    ctx,
                )
                .await);
        }
        inserted?;
        if !selection {
            let reason = format!("{}评审第 {place} 名：{reasons}", k.kind.zh());
            tx.insert_decision(&NewDecision {
                tenant: &k.tenant_id,
                project: &project_id,
                buy: true,
                reason: &reason,
                fund: Some(&k.fund_id),
                amount_fen: Some(amount),
                by: &actor.user_id,
                at: &now,
            })
            .await?;
        }
        tx.insert_call_award(&NewCallAward {
            tenant: &k.tenant_id,
            call: id,
            application: &a.id,
            place: place as i64,
            amount_fen: amount,
            reasons,
            project: &project_id,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        // A selection or tender names one undertaker; a call ends when its pool is spent.
        let finished =
            finished_after_award(k.kind, total, k.pool_fen, awards.len() + 1, apps.len());
        if finished {
            self.finish_call(&mut tx, &k, total, &actor.user_id, &now)
                .await?;
        }
        tx.append_audit(done(actor, Some(role), EventKind::CallAward, &subject(&k), ctx).after(json!({ "application_id": a.id, "place": place, "amount_fen": amount, "reasons": reasons, "project_id": project_id, "awarded_fen": total, "finished": finished })))
        .await?;
        tx.commit().await?;
        Ok(project_id)
    }

    /// The organizer ends the awards of a sealed call; what the pool did not award goes back to
    /// the fund.
    pub async fn close_call(&self, actor: &Actor, id: &str, ctx: &Ctx) -> Result<(), AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallClose, ctx)
            .await?;
        let checked = can_organize(actor, &k.area)
            .map_err(AppError::from)
            .and_then(|role| Ok(may_close(k.stage).map(|()| role)?));
        let role = self
            .or_refused(checked, actor, EventKind::CallClose, &subject(&k), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if tx.lock_call(&k.tenant_id, id).await? != Some(CallStage::Sealed) {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallClose,
                    &subject(&k),
                    DomainError::conflict("not_sealed", "评定已经结束"),
                    ctx,
                )
                .await);
        }
        // Re-read the awarded total under the lock.
        let awarded = self
            .db
            .call(&k.tenant_id, id)
            .await?
            .map(|f| f.awarded_fen)
            .unwrap_or(k.awarded_fen);
        self.finish_call(&mut tx, &k, awarded, &actor.user_id, &now)
            .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::CallClose, &subject(&k), ctx)
                .after(json!({ "awarded_fen": awarded, "returned_fen": returned(&k, awarded) })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_call(
        &self,
        tx: &mut store::Tx,
        k: &CallRow,
        awarded: Money,
        by: &str,
        now: &str,
    ) -> Result<(), AppError> {
        let (from, to) = step(CallStage::Sealed, CallStep::Finish);
        tx.set_call_stage(&k.tenant_id, &k.id, from, to).await?;
        let left = returned(k, awarded);
        if left > Money::ZERO {
            let movement = new_id(&k.tenant_id);
            tx.return_to_fund(&k.tenant_id, &k.fund_id, &movement, left, by, now)
                .await?;
        }
        Ok(())
    }
}

/// What a finished call gives back to its fund: the pool less what was awarded (the table's
/// CHECK keeps the awards within the pool, so this is never below zero).
fn returned(k: &CallRow, awarded: Money) -> Money {
    k.pool_fen.checked_sub(awarded).unwrap_or(Money::ZERO)
}
