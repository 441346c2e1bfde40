//! The service catalogue and undertaking eligibility (step 1 of the chain): the community lists
//! items, the township approves them; organizations apply for eligibility on approved items, and
//! the township decides, seeing the professional-staff condition.

use crate::audit::{done, event, Subject};
use crate::kernel::tenant_of;
use crate::kernel::{current_period, new_id};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::catalogue::{
    applies_for, can_apply, can_approve, can_list, decide_eligibility, item_open, listable_periods,
    lists_for, offered_periods, period_filter, review_item, EligibilityStatus, ItemForm,
    ItemStatus, Staffing,
};
use domain::{Actor, AreaCode, DomainError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::chain::catalogue::{EligibilityRow, ItemDecision, ItemRow, NewEligibility};
use store::time;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CatalogueView {
    /// A page of the catalogue (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<ItemRow>,
    /// Communities whose catalogue the reader keeps (a community officer's).
    pub can_list_for: Vec<AreaCode>,
    /// The period listed (`None`: every period).
    pub period: Option<i32>,
    /// The current period (this year, China time).
    pub current_period: i32,
    /// The periods the filter offers.
    pub periods: Vec<i32>,
}

/// Carrying a community's approved items of one period over into the next (沿用上一年度目录).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CarryOverForm {
    /// The community's 12-digit code.
    pub community: String,
    /// The period the items go into (empty: the current one); they come from the year before.
    pub period: String,
}

/// What a carry-over did: the items created (proposed, for the township to approve) and the
/// names skipped because the period already lists them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CarriedOver {
    pub period: i32,
    pub created: Vec<String>,
    pub skipped: Vec<String>,
}

/// An organization the reader manages, and whether it may apply on this item now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Applicant {
    pub organization_id: String,
    pub name: String,
    pub already_applied: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub item: ItemRow,
    pub eligibilities: Vec<EligibilityRow>,
    /// The reader is the township above it.
    pub can_review: bool,
    /// Organizations the reader manages (may apply while the item is approved).
    pub applicants: Vec<Applicant>,
    /// Two or more organizations hold an approved eligibility: they compete, so the item goes
    /// to a selection (竞争承接) and no ordinary application is accepted.
    pub competing: bool,
}

/// A decision of the township: approve or not, with a reason where one is needed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// `"approve"` or `"reject"` (a page's two buttons), or a JSON boolean's text.
    pub decision: String,
    pub reason: String,
}

impl DecisionForm {
    fn approve(&self) -> Result<bool, DomainError> {
        match self.decision.trim() {
            "approve" | "true" => Ok(true),
            "reject" | "return" | "false" => Ok(false),
            _ => Err(DomainError::field(
                "decision",
                "invalid_decision",
                "请选择通过或不通过",
            )),
        }
    }
}

/// Applying for eligibility: which of the reader's organizations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub organization_id: String,
}

impl App {
    /// A page of the catalogue inside the reader's territory; `period` is the filter as typed
    /// (empty: the current period; `all`: every period).
    pub async fn catalogue(
        &self,
        actor: &Actor,
        status: Option<ItemStatus>,
        period: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CatalogueView, AppError> {
        let current_period = current_period();
        let period = period_filter(period, current_period)?;
        let scope = reach(actor, Action::ViewChain);
        let after = crate::page::decode(after, store::chain::catalogue::ITEM_ORDER.len())?;
        let (rows, total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            (
                self.db
                    .catalogue_of_period(&scope, status, period, after.as_deref(), limit + 1)
                    .await?,
                self.db.count_catalogue(&scope, status, period).await?,
            )
        };
        Ok(CatalogueView {
            page: crate::page::Page::cut(rows, limit, total, |i| {
                vec![
                    i.community.as_str().to_string(),
                    i.name.clone(),
                    i.id.clone(),
                ]
            }),
            can_list_for: lists_for(actor),
            period,
            current_period,
            periods: offered_periods(current_period),
        })
    }

    /// The community officer carries last period's approved items into `period` as new items
    /// awaiting the township's approval: each year's catalogue is reviewed again (prices,
    /// needs and the township's plan change), so a copy does not pass as approved. Names the
    /// period already lists are skipped, so carrying over twice creates nothing new. One
    /// transaction for all the items, with one audit event per item created.
    pub async fn carry_over_catalogue(
        &self,
        actor: &Actor,
        form: &CarryOverForm,
        ctx: &Ctx,
    ) -> Result<CarriedOver, AppError> {
        let typed = AreaCode::parse(form.community.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "catalogue",
            id: typed.as_str(),
            area: &typed,
        };
        let current = current_period();
        let checked = (|| {
            let community = AreaCode::parse(form.community.trim())
                .ok()
                .filter(|c| c.level() == domain::AreaLevel::Community)
                .ok_or_else(|| {
                    DomainError::field(
                        "community",
                        "invalid_community",
                        "请填写社区的 12 位区划代码",
                    )
                })?;
            let period = match form.period.trim() {
                "" => current,
                t => t
                    .parse::<i32>()
                    .ok()
                    .filter(|p| listable_periods(current).contains(p))
                    .ok_or_else(|| {
                        DomainError::field(
                            "period",
                            "invalid_period",
                            format!("年度须为 {} 至 {} 年之一", current - 1, current + 1),
                        )
                    })?,
            };
            Ok::<_, AppError>((can_list(actor, &community)?, community, period))
        })();
        let (role, community, period) = self
            .or_refused(checked, actor, EventKind::CataloguePropose, &subject, ctx)
            .await?;
        let scope = domain::identity::Scope::new([community.clone()]);
        // A community's catalogue is a few dozen items; the bound only keeps a read finite.
        const BOUND: i64 = 1000;
        let last = self
            .db
            .catalogue_of_period(
                &scope,
                Some(ItemStatus::Approved),
                Some(period - 1),
                None,
                BOUND,
            )
            .await?;
        let present: std::collections::BTreeSet<String> = self
            .db
            .catalogue_of_period(&scope, None, Some(period), None, BOUND)
            .await?
            .into_iter()
            .map(|i| i.name)
            .collect();
        let tenant = community.tenant().unwrap_or("0000").to_string();
        let now = time::now();
        let mut created = Vec::new();
        let mut skipped = Vec::new();
        let mut tx = self.db.begin().await?;
        for old in last {
            if present.contains(&old.name) {
                skipped.push(old.name);
                continue;
            }
            let item = domain::chain::catalogue::CatalogueItem {
                community: community.clone(),
                name: old.name.clone(),
                description: old.description.clone(),
                social_work: old.social_work,
                period,
            };
            let id = new_id(&tenant);
            tx.insert_catalogue_item(&tenant, &id, &item, &actor.user_id, &now)
                .await?;
            tx.append_audit(
                event(
                    Some(actor),
                    Some(role),
                    EventKind::CataloguePropose,
                    Outcome::Ok,
                    &Subject {
                        kind: "catalogue_item",
                        id: &id,
                        area: &community,
                    },
                    ctx,
                )
                .after(json!({ "item": item, "carried_from": old.id })),
            )
            .await?;
            created.push(id);
        }
        tx.commit().await?;
        Ok(CarriedOver {
            period,
            created,
            skipped,
        })
    }

    pub async fn propose_item(
        &self,
        actor: &Actor,
        form: &ItemForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed = AreaCode::parse(form.community.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "catalogue_item",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = form
            .validate(current_period())
            .map_err(AppError::from)
            .and_then(|item| Ok((can_list(actor, &item.community)?, item)));
        let (role, item) = self
            .or_refused(checked, actor, EventKind::CataloguePropose, &subject, ctx)
            .await?;
        let tenant = item.community.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_catalogue_item(&tenant, &id, &item, &actor.user_id, &now)
            .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::CataloguePropose,
                Outcome::Ok,
                &Subject {
                    kind: "catalogue_item",
                    id: &id,
                    area: &item.community,
                },
                ctx,
            )
            .after(json!(item)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn readable_item(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<ItemRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("服务事项"))?;
        let item = self
            .db
            .catalogue_item(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("服务事项"))?;
        let subject = Subject {
            kind: "catalogue_item",
            id,
            area: &item.community,
        };
        self.in_view(actor, &subject, action, ctx).await?;
        Ok(item)
    }

    pub async fn catalogue_item(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<ItemDetail, AppError> {
        let item = self
            .readable_item(actor, id, EventKind::CatalogueView, ctx)
            .await?;
        let eligibilities = self.db.eligibilities_of(&item.tenant_id, id).await?;
        let mut applicants = Vec::new();
        for org in applies_for(actor) {
            if tenant_of(&org) != Some(&item.tenant_id) {
                continue;
            }
            if let Some(o) = self.db.organization(&item.tenant_id, &org).await? {
                applicants.push(Applicant {
                    already_applied: eligibilities.iter().any(|e| e.organization_id == org),
                    organization_id: o.id,
                    name: o.org.name,
                });
            }
        }
        let approved = eligibilities
            .iter()
            .filter(|e| e.status == EligibilityStatus::Approved)
            .count();
        Ok(ItemDetail {
            competing: approved >= 2,
            can_review: can_approve(actor, &item.community).is_ok(),
            eligibilities,
            applicants,
            item,
        })
    }

    /// The township approves an item or returns it with a reason.
    pub async fn review_item(
        &self,
        actor: &Actor,
        id: &str,
        form: &DecisionForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let item = self
            .readable_item(actor, id, EventKind::CatalogueReview, ctx)
            .await?;
        let subject = Subject {
            kind: "catalogue_item",
            id,
            area: &item.community,
        };
        let decided = can_approve(actor, &item.community)
            .map_err(AppError::from)
            .and_then(|role| {
                let to = review_item(item.status, form.approve()?, &form.reason)?;
                Ok((role, to))
            });
        let (role, to) = self
            .or_refused(decided, actor, EventKind::CatalogueReview, &subject, ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .decide_item(&ItemDecision {
                tenant: &item.tenant_id,
                id,
                from: item.status,
                to,
                reason: form.reason.trim(),
                by: &actor.user_id,
                now: &now,
            })
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CatalogueReview,
                    &subject,
                    DomainError::conflict("item_decided", "该事项刚刚已被审核，请刷新后查看"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::CatalogueReview, &subject, ctx)
                .before(json!({ "status": item.status }))
                .after(json!({ "status": to, "reason": form.reason.trim() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organization's manager applies for eligibility on an approved item; the number of
    /// social workers it employs is recorded with the application.
    pub async fn apply_eligibility(
        &self,
        actor: &Actor,
        item_id: &str,
        form: &ApplyForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let item = self
            .readable_item(actor, item_id, EventKind::EligibilityApply, ctx)
            .await?;
        let org_id = form.organization_id.trim();
        let subject = Subject {
            kind: "catalogue_item",
            id: item_id,
            area: &item.community,
        };
        let checked = can_apply(actor, org_id)
            .map_err(AppError::from)
            .and_then(|role| {
                item_open(item.status)?;
                if tenant_of(org_id) != Some(&item.tenant_id) {
                    return Err(DomainError::field(
                        "organization_id",
                        "other_city",
                        "只能为本市台账中的组织申请",
                    )
                    .into());
                }
                Ok(role)
            });
        let role = self
            .or_refused(checked, actor, EventKind::EligibilityApply, &subject, ctx)
            .await?;
        if self
            .db
            .organization(&item.tenant_id, org_id)
            .await?
            .is_none()
        {
            return Err(AppError::not_found("社会组织"));
        }
        let workers = self
            .db
            .employed_social_workers(&item.tenant_id, org_id)
            .await?;
        let id = new_id(&item.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .insert_eligibility(&NewEligibility {
                tenant: &item.tenant_id,
                id: &id,
                item_id,
                organization_id: org_id,
                social_workers: workers,
                applied_by: &actor.user_id,
                now: &now,
            })
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::EligibilityApply,
                    &subject,
                    DomainError::conflict("already_applied", "该组织已申请过这一事项的承接资格"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::EligibilityApply,
                &subject,
                ctx,
            )
            .after(json!({ "organization_id": org_id, "social_workers": workers })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The township decides an eligibility; without professional staff a social-work item needs
    /// a written override reason.
    pub async fn decide_eligibility(
        &self,
        actor: &Actor,
        id: &str,
        form: &DecisionForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("承接资格申请"))?;
        let e = self
            .db
            .eligibility(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("承接资格申请"))?;
        let item = self
            .readable_item(actor, &e.item_id, EventKind::EligibilityDecide, ctx)
            .await?;
        let subject = Subject {
            kind: "eligibility",
            id,
            area: &item.community,
        };
        // The condition as it stands now (staff may have been hired since the application).
        let staffing = Staffing {
            social_workers: self
                .db
                .employed_social_workers(tenant, &e.organization_id)
                .await?,
        };
        let decided = can_approve(actor, &item.community)
            .map_err(AppError::from)
            .and_then(|role| {
                let to = decide_eligibility(
                    e.status,
                    form.approve()?,
                    item.social_work,
                    staffing,
                    &form.reason,
                )?;
                Ok((role, to))
            });
        let (role, to) = self
            .or_refused(decided, actor, EventKind::EligibilityDecide, &subject, ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .decide_eligibility(tenant, id, to, form.reason.trim(), &actor.user_id, &now)
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::EligibilityDecide,
                    &subject,
                    DomainError::conflict(
                        "eligibility_decided",
                        "该申请刚刚已被审核，请刷新后查看",
                    ),
                    ctx,
                )
                .await);
        }
        tx.append_audit(done(actor, Some(role), EventKind::EligibilityDecide, &subject, ctx).before(json!({ "status": e.status })).after(json!({ "status": to, "reason": form.reason.trim(), "social_workers": staffing.social_workers, "override": item.social_work && !staffing.met() && to == domain::chain::catalogue::EligibilityStatus::Approved })))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
