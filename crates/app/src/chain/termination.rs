//! Termination, rectification and the money that returns (issue 16, finding 3). The purchaser
//! ends a project with reasons (before signing: the purchase decision withdrawn; during delivery:
//! the contract terminated; or when a rectification period passed unused); after "not accepted"
//! the purchaser sets a rectification period, the organization records its rectification, and the
//! review group's chair signs one re-review: accepted, the final tranche becomes payable; not
//! accepted, the project is terminated. Whenever a project ends unpaid, its unpaid tranches are
//! cancelled and what was not paid returns to the fund it came from — one `return` movement in
//! the same transaction as the termination, which names it (the database checks that it does).

use super::project_subject as subject;
use crate::audit::done;
use crate::kernel::{new_id, today};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::catalogue::can_apply;
use domain::chain::money::Money;
use domain::chain::review_group::may_act_as_chair;
use domain::chain::stage::{Event, Stage};
use domain::chain::termination::{
    may_rectify, may_respond, may_terminate, returned, Cause, ReReviewForm, RectificationForm,
    StatementForm, TerminationForm,
};
use domain::{Actor, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::application::ProjectRow;
use store::chain::milestone::NewRecord;
use store::chain::purchase::FundDraw;
use store::chain::termination::{EndingRows, NewTermination};
use store::time;

/// The rectification and end of a project on its page, with what the reader may do now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EndingView {
    #[serde(flatten)]
    pub rows: EndingRows,
    /// The purchaser may end the project now (the form's title follows `end_cause`).
    pub can_terminate: bool,
    /// What ending it now would be (withdrawn before signing, terminated, period lapsed).
    pub end_cause: Option<Cause>,
    /// What would return to the fund if it ended now: the committed amount less what was paid.
    pub unpaid_fen: Money,
    pub can_respond: bool,
    pub can_open_rectification: bool,
    pub can_rectify: bool,
    pub can_re_review: bool,
}

/// The parts of a project's end the use cases share.
struct Ending<'a> {
    p: &'a ProjectRow,
    /// The fund the money came from and the amount committed (`App::committed`).
    committed: (Option<String>, Money),
    cause: Cause,
    reasons: &'a str,
    by: &'a str,
    now: &'a str,
}

impl App {
    pub async fn ending_view(&self, actor: &Actor, p: &ProjectRow) -> Result<EndingView, AppError> {
        let t = &p.tenant_id;
        // Only a bought project can have any of these records.
        let rows = if p.stage.is_bought() {
            self.db.ending(t, &p.id).await?
        } else {
            EndingRows::default()
        };
        let due = due_on(&rows);
        let purchaser = p.stage.is_bought() && self.purchaser_role(actor, p).await.is_ok();
        let end_cause = may_terminate(p.stage, due, today()).ok();
        let mine = can_apply(actor, &p.organization_id).is_ok();
        let chair = if p.stage == Stage::Rectified {
            self.db
                .review_group(t, &p.id)
                .await?
                .and_then(|g| g.chair().map(str::to_string))
        } else {
            None
        };
        let unpaid_fen = if purchaser && end_cause.is_some() {
            self.unpaid(p).await?
        } else {
            Money::ZERO
        };
        Ok(EndingView {
            can_terminate: purchaser && end_cause.is_some(),
            end_cause,
            unpaid_fen,
            can_respond: mine
                && may_respond(p.stage, rows.termination.is_some(), rows.response.is_some())
                    .is_ok(),
            can_open_rectification: purchaser && p.stage.next(Event::OpenRectification).is_ok(),
            can_rectify: mine && may_rectify(p.stage, due, today()).is_ok(),
            can_re_review: may_act_as_chair(&actor.user_id, chair.as_deref(), "复评").is_ok(),
            rows,
        })
    }

    /// The committed amount less what was paid, as it stands (for the form; the termination
    /// computes it again under its locks).
    async fn unpaid(&self, p: &ProjectRow) -> Result<Money, AppError> {
        let committed = self.committed(p).await?.1;
        let paid = match self.db.contract(&p.tenant_id, &p.id).await? {
            Some(k) => Money::sum(
                k.tranches
                    .iter()
                    .filter(|t| t.paid_at.is_some())
                    .map(|t| t.amount_fen),
            )
            .unwrap_or(Money::MAX),
            None => Money::ZERO,
        };
        Ok(returned(committed, paid).unwrap_or(Money::ZERO))
    }

    /// The fund the project's money came from and the amount committed (the purchase decision,
    /// or a call's award, which records one too).
    async fn committed(&self, p: &ProjectRow) -> Result<(Option<String>, Money), AppError> {
        let d = self.db.purchase_decision(&p.tenant_id, &p.id).await?;
        Ok(d.filter(|d| d.buy)
            .map(|d| (d.fund_id, d.amount_fen.unwrap_or(Money::ZERO)))
            .unwrap_or((None, Money::ZERO)))
    }

    /// The purchaser ends the project with reasons; its unpaid money returns to its fund.
    pub async fn terminate_project(
        &self,
        actor: &Actor,
        id: &str,
        form: &TerminationForm,
        ctx: &Ctx,
    ) -> Result<Money, AppError> {
        let kind = EventKind::ContractTerminate;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let rows = self.db.ending(&p.tenant_id, id).await?;
        let checked = self.purchaser_role(actor, &p).await.and_then(|role| {
            let cause = may_terminate(p.stage, due_on(&rows), today())?;
            Ok((role, cause, form.validate()?))
        });
        let (role, cause, reasons) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let committed = self.committed(&p).await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let end = Ending {
            p: &p,
            committed,
            cause,
            reasons: &reasons,
            by: &actor.user_id,
            now: &now,
        };
        let back = match Self::end_project(&mut tx, &end).await? {
            Ok(b) => b,
            Err(why) => return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await),
        };
        tx.append_audit(
            done(actor, Some(role), kind, &subject(&p), ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": Stage::Terminated, "cause": cause, "reasons": reasons, "returned_fen": back })),
        )
        .await?;
        tx.commit().await?;
        Ok(back)
    }

    /// Moves the project to terminated, cancels its unpaid tranches and returns their money (or,
    /// unsigned, the whole commitment) to its fund, in `tx`: what returned, or (inner) why not
    /// when someone moved first — the caller then drops the transaction, nothing is kept.
    async fn end_project(
        tx: &mut store::Tx,
        e: &Ending<'_>,
    ) -> Result<Result<Money, DomainError>, AppError> {
        let p = e.p;
        let moved = || DomainError::conflict("stage_moved", "项目状态刚刚已变化，请刷新后查看");
        if !tx
            .move_stage(&p.tenant_id, &p.id, p.stage, Stage::Terminated, e.now)
            .await?
        {
            return Ok(Err(moved()));
        }
        let (fund, committed) = (&e.committed.0, e.committed.1);
        let tranches = tx.tranches_for_update(&p.tenant_id, &p.id).await?;
        let paid = Money::sum(tranches.iter().filter(|t| t.paid).map(|t| t.amount_fen));
        let Some(back) = paid.and_then(|paid| returned(committed, paid)) else {
            return Ok(Err(DomainError::conflict(
                "payments_exceed",
                "已付款项超过购买金额，请核对后再终止",
            )));
        };
        let unpaid = tranches.iter().filter(|t| !t.paid).count() as u64;
        let movement = new_id(&p.tenant_id);
        let fund = fund.as_deref();
        let moved_money = match fund {
            Some(f) if back > Money::ZERO => {
                tx.return_project_money(&FundDraw {
                    tenant: &p.tenant_id,
                    fund: f,
                    movement_id: &movement,
                    project: Some(&p.id),
                    amount_fen: back,
                    by: e.by,
                    at: e.now,
                })
                .await?;
                true
            }
            _ => false,
        };
        let record = NewRecord::on(p, e.by, e.now);
        let written = tx
            .insert_termination(&NewTermination {
                record,
                cause: e.cause,
                reasons: e.reasons,
                fund,
                returned_fen: if moved_money { back } else { Money::ZERO },
                movement_id: moved_money.then_some(movement.as_str()),
            })
            .await?;
        if !written || tx.cancel_unpaid_tranches(&record).await? != unpaid {
            return Ok(Err(moved()));
        }
        Ok(Ok(if moved_money { back } else { Money::ZERO }))
    }

    /// The organization answers the termination, once.
    pub async fn respond_to_termination(
        &self,
        actor: &Actor,
        id: &str,
        form: &StatementForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::TerminationResponse;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let rows = self.db.ending(&p.tenant_id, id).await?;
        let checked = can_apply(actor, &p.organization_id)
            .map_err(AppError::from)
            .and_then(|role| {
                may_respond(p.stage, rows.termination.is_some(), rows.response.is_some())?;
                Ok((role, form.validate(10, "对终止决定的回应")?))
            });
        let (role, text) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord::on(&p, &actor.user_id, &now);
        if !tx.insert_termination_response(&record, &text).await? {
            let why = DomainError::conflict("response_recorded", "承接组织的回应刚刚已登记");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        tx.append_audit(
            done(actor, Some(role), kind, &subject(&p), ctx).after(json!({ "response": text })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// After "not accepted", the purchaser sets the rectification period and its requirements.
    pub async fn open_rectification(
        &self,
        actor: &Actor,
        id: &str,
        form: &RectificationForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::RectificationOpen;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let checked = self.purchaser_role(actor, &p).await.and_then(|role| {
            let to = p.stage.next(Event::OpenRectification)?;
            Ok((role, to, form.validate(today())?))
        });
        let (role, to, period) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord::on(&p, &actor.user_id, &now);
        if !tx.insert_rectification(&record, &period).await? {
            let why = DomainError::conflict("rectification_set", "整改期限刚刚已确定");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        self.advance(&mut tx, &p, to, &now).await?;
        tx.append_audit(
            done(actor, Some(role), kind, &subject(&p), ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": to, "rectification": period })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organization records its rectification within the period.
    pub async fn record_rectification(
        &self,
        actor: &Actor,
        id: &str,
        form: &StatementForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::RectificationRecord;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let rows = self.db.ending(&p.tenant_id, id).await?;
        let checked = can_apply(actor, &p.organization_id)
            .map_err(AppError::from)
            .and_then(|role| {
                may_rectify(p.stage, due_on(&rows), today())?;
                let to = p.stage.next(Event::Rectify)?;
                Ok((
                    role,
                    to,
                    form.validate(20, "整改情况：逐项说明整改要求如何落实")?,
                ))
            });
        let (role, to, text) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord::on(&p, &actor.user_id, &now);
        if !tx.insert_rectification_report(&record, &text).await? {
            let why = DomainError::conflict("rectification_recorded", "整改情况刚刚已登记");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        self.advance(&mut tx, &p, to, &now).await?;
        tx.append_audit(
            done(actor, Some(role), kind, &subject(&p), ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": to, "rectification": text })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The review group's chair signs the one re-review: accepted, the final tranche becomes
    /// payable; not accepted, the project is terminated and its unpaid money returns.
    pub async fn sign_re_review(
        &self,
        actor: &Actor,
        id: &str,
        form: &ReReviewForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::ReReview;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let group = self.db.review_group(&p.tenant_id, id).await?;
        let chair = group.as_ref().and_then(|g| g.chair());
        let checked = may_act_as_chair(&actor.user_id, chair, "签署复评报告")
            .map_err(AppError::from)
            .and_then(|()| {
                let (accepted, report) = form.validate()?;
                let to = p.stage.next(Event::ReReview { accepted })?;
                Ok((accepted, report, to))
            });
        let (accepted, report, to) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let committed = self.committed(&p).await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord::on(&p, &actor.user_id, &now);
        if !tx.insert_re_review(&record, accepted, &report).await? {
            let why = DomainError::conflict("re_reviewed", "复评只能进行一次，复评报告已经签署");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        let back = if accepted {
            self.advance(&mut tx, &p, to, &now).await?;
            Money::ZERO
        } else {
            let end = Ending {
                p: &p,
                committed,
                cause: Cause::NotAcceptedTwice,
                reasons: &report,
                by: &actor.user_id,
                now: &now,
            };
            match Self::end_project(&mut tx, &end).await? {
                Ok(b) => b,
                Err(why) => {
                    return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await)
                }
            }
        };
        tx.append_audit(
            done(actor, None, kind, &subject(&p), ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": to, "accepted": accepted, "report": report, "returned_fen": back })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The last day of the rectification period, once set.
fn due_on(rows: &EndingRows) -> Option<chrono::NaiveDate> {
    rows.rectification
        .as_ref()
        .and_then(|r| domain::text::parse_date(&r.due_on))
}
