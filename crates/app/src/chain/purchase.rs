//! Funds and the township's purchase decision (step 5 of the chain, first half): the township
//! decides with reasons, and buying assigns money from one of its funds that covers the amount.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::catalogue::can_approve;
use domain::chain::money::{assign, FundSource, Money};
use domain::chain::purchase::{
    can_keep_funds, fund_covers, keeps_funds_in, FundForm, Purchase, PurchaseForm,
};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::application::ProjectRow;
use store::chain::purchase::{FundDraw, FundRow, NewDecision};
use store::time;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FundList {
    /// A page of the funds (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<FundRow>,
    /// Areas the reader may create funds for (township, county and city officers').
    pub can_create_for: Vec<AreaCode>,
}

impl App {
    pub async fn funds(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<FundList, AppError> {
        let scope = reach(actor, Action::ViewChain);
        let after = crate::page::decode(after, store::chain::purchase::FUND_ORDER.len())?;
        let (rows, total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            (
                self.db.funds(&scope, after.as_deref(), limit + 1).await?,
                self.db.count_funds(&scope).await?,
            )
        };
        Ok(FundList {
            page: crate::page::Page::cut(rows, limit, total, |f| {
                vec![
                    f.year.to_string(),
                    f.area.as_str().to_string(),
                    f.name.clone(),
                    f.id.clone(),
                ]
            }),
            can_create_for: keeps_funds_in(actor),
        })
    }

    pub async fn create_fund(
        &self,
        actor: &Actor,
        form: &FundForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed = AreaCode::parse(form.area.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "fund",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = form.validate().map_err(AppError::from).and_then(|f| {
            let role = can_keep_funds(actor, &f.area)?;
            Ok((f, role))
        });
        let (fund, role) = self
            .or_refused(checked, actor, EventKind::FundCreate, &subject, ctx)
            .await?;
        let tenant = fund.area.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_fund(&tenant, &id, &fund, &actor.user_id, &now)
            .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::FundCreate,
                Outcome::Ok,
                &Subject {
                    kind: "fund",
                    id: &id,
                    area: &fund.area,
                },
                ctx,
            )
            .after(json!(fund)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The funds a township may pay a project of `community` from (of the first 100 of the
    /// township's funds; the bound, when more exist).
    pub(crate) async fn funds_for(
        &self,
        community: &AreaCode,
    ) -> Result<(Vec<FundRow>, Option<i64>), AppError> {
        const PICKER: i64 = 100;
        let Some(township) = community.parent() else {
            return Ok((Vec::new(), None));
        };
        let (funds, cut) = crate::page::first(
            self.db
                .funds(&domain::identity::Scope::new([township]), None, PICKER + 1)
                .await?,
            PICKER,
        );
        Ok((
            funds
                .into_iter()
                .filter(|f| fund_covers(&f.area, community).is_ok())
                .collect(),
            cut,
        ))
    }

    /// The township decides to buy (assigning money from a fund) or not, with reasons.
    pub async fn decide_purchase(
        &self,
        actor: &Actor,
        id: &str,
        form: &PurchaseForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::PurchaseDecide, ctx)
            .await?;
        let subject = Subject {
            kind: "project",
            id,
            area: &p.community,
        };
        let checked = can_approve(actor, &p.community)
            .map_err(AppError::from)
            .and_then(|role| Ok((role, form.decide(p.stage, p.budget_fen)?)));
        let (role, (purchase, to)) = self
            .or_refused(checked, actor, EventKind::PurchaseDecide, &subject, ctx)
            .await?;
        let fund = match &purchase {
            Purchase::Buy { fund_id, .. } => {
                let f = match tenant_of(fund_id) {
                    Some(t) => self.db.fund(t, fund_id).await?,
                    None => None,
                };
                let checked = f
                    .ok_or_else(|| {
                        AppError::from(DomainError::field(
                            "fund_id",
                            "unknown_fund",
                            "没有这项资金",
                        ))
                    })
                    .and_then(|f| {
                        fund_covers(&f.area, &p.community)?;
                        Ok(f)
                    });
                Some(
                    self.or_refused(checked, actor, EventKind::PurchaseDecide, &subject, ctx)
                        .await?,
                )
            }
            Purchase::Decline => None,
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let (fund_id, amount) = match (&purchase, &fund) {
            (Purchase::Buy { amount_fen, .. }, Some(f)) => {
                let movement = new_id(&p.tenant_id);
                let drawn = tx
                    .draw_fund(&FundDraw {
                        tenant: &f.tenant_id,
                        fund: &f.id,
                        movement_id: &movement,
                        project: Some(id),
                        amount_fen: *amount_fen,
                        by: &actor.user_id,
                        at: &now,
                    })
                    .await?;
                if drawn.is_none() {
                    drop(tx);
                    // The balance as it is now, for the message.
                    let balance = self
                        .db
                        .fund(&f.tenant_id, &f.id)
                        .await?
                        .map_or(Money::ZERO, |f| f.balance_fen);
                    let e = assign(balance, *amount_fen)
                        .err()
                        .unwrap_or(DomainError::conflict(
                            "insufficient_funds",
                            "资金余额刚刚已被其他决定使用，请刷新后重试",
                        ));
                    return Err(self
                        .refused(
                            Some(actor),
                            EventKind::PurchaseDecide,
                            &subject,
                            e.into(),
                            ctx,
                        )
                        .await);
                }
                (Some(f.id.as_str()), Some(*amount_fen))
            }
            _ => (None, None),
        };
        let buy = matches!(purchase, Purchase::Buy { .. });
        if !tx.move_stage(&p.tenant_id, id, p.stage, to, &now).await? {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::PurchaseDecide,
                    &subject,
                    DomainError::conflict(
                        "stage_moved",
                        "项目状态刚刚已变化（可能已作出决定），请刷新后查看",
                    ),
                    ctx,
                )
                .await);
        }
        tx.insert_decision(&NewDecision {
            tenant: &p.tenant_id,
            project: id,
            buy,
            reason: form.reason.trim(),
            fund: fund_id,
            amount_fen: amount,
            by: &actor.user_id,
            at: &now,
        })
        .await?;
        // The needs the project answers are answered now (issue 16, finding 8).
        let answered = if buy {
            tx.answer_needs(&p.tenant_id, id, &now).await?
        } else {
            Vec::new()
        };
        tx.append_audit(done(actor, Some(role), EventKind::PurchaseDecide, &subject, ctx).before(json!({ "stage": p.stage })).after(json!({ "stage": to, "buy": buy, "reason": form.reason.trim(), "fund_id": fund_id, "amount_fen": amount, "needs_answered": answered })))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The fund sources as form choices.
pub fn sources() -> Vec<(&'static str, &'static str)> {
    FundSource::options()
}

impl App {
    /// Who buys a project: the township of its community, or the organizer of the call that
    /// awarded it (a city's venture call is the bureau's purchase; a community's micro call is
    /// still bought by its township, the community committee not being a purchaser).
    pub(crate) async fn purchaser_area(&self, p: &ProjectRow) -> Result<AreaCode, AppError> {
        let organizer = match &p.call_id {
            Some(c) => self
                .db
                .call(&p.tenant_id, c)
                .await?
                .map(|k| k.area)
                .filter(|a| a.level() != domain::AreaLevel::Community),
            None => None,
        };
        Ok(organizer
            .or_else(|| p.community.parent())
            .unwrap_or_else(AreaCode::nation))
    }

    /// The purchaser's officer acting on the project (signing, paying).
    pub(crate) async fn purchaser_role(
        &self,
        actor: &Actor,
        p: &ProjectRow,
    ) -> Result<Role, AppError> {
        if p.call_id.is_some() {
            let area = self.purchaser_area(p).await?;
            if area.level() != domain::AreaLevel::Township {
                return Ok(domain::chain::call::can_organize(actor, &area)?);
            }
        }
        Ok(can_approve(actor, &p.community)?)
    }
}
