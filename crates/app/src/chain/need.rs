//! Needs: raising one (a resident online, or an officer recording what came in through any
//! channel), the ranked board, supporting once, merging duplicates with their supporters.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::need::{can_curate, can_merge, can_raise, can_support, NeedFacts, NeedForm};
use domain::{Actor, AreaCode, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::need::{NeedFilter, NeedRow};
use store::time;

/// One need on the board, with what the reader may do with it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NeedItem {
    #[serde(flatten)]
    pub row: NeedRow,
    pub supported_by_me: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NeedBoard {
    pub items: Vec<NeedItem>,
    /// How many needs the whole board holds under the filter (every page).
    pub total: i64,
    /// Communities the reader may raise a need for (their own, for a resident).
    pub can_raise_for: Vec<AreaCode>,
    /// When the board goes on: the `after` that asks for the next page.
    pub next_after: Option<String>,
}

/// Needs on one page of the board: a phone shows them without a wait, and a longer board goes
/// on page by page (keyset, in the board's order).
pub const BOARD_PAGE: i64 = 50;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NeedDetail {
    #[serde(flatten)]
    pub row: NeedRow,
    pub supported_by_me: bool,
    /// Whether the reader may support it now (a resident of its community, while open).
    pub can_support: bool,
    /// Whether the reader keeps this community's needs (may merge).
    pub can_curate: bool,
    /// Other open needs of the community, to merge this one into.
    pub merge_candidates: Vec<NeedRow>,
    /// The projects whose application answers it.
    pub projects: Vec<store::chain::application::ProjectLink>,
}

fn facts(r: &NeedRow) -> NeedFacts {
    NeedFacts {
        id: r.id.clone(),
        community: r.community.clone(),
        status: r.status,
        priority_group: r.priority_group,
        supporters: r.supporters.max(0) as u64,
        created_at: r.created_at.clone(),
    }
}

impl App {
    /// Records a need. A resident or representative raising a need for their own community is
    /// its first supporter.
    pub async fn raise_need(
        &self,
        actor: &Actor,
        form: &NeedForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed = AreaCode::parse(form.community.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "need",
            id: form.title.trim(),
            area: &typed,
        };
        let need = self
            .or_refused(
                form.validate().map_err(AppError::from),
                actor,
                EventKind::NeedRaise,
                &subject,
                ctx,
            )
            .await?;
        if !can_raise(actor, &need.community) {
            let d = domain::Denied {
                code: "not_in_community",
                message: "无权操作：只能为本人所在社区或辖区内的社区登记需求".into(),
            };
            return Err(self
                .refused(Some(actor), EventKind::NeedRaise, &subject, d.into(), ctx)
                .await);
        }
        if self.db.area(&need.community).await?.is_none() {
            let e = domain::DomainError::field(
                "community",
                "unknown_area",
                format!("区划代码 {} 不存在", need.community.full()),
            );
            return Err(self
                .refused(Some(actor), EventKind::NeedRaise, &subject, e.into(), ctx)
                .await);
        }
        let role = actor
            .assignments
            .iter()
            .find(|a| a.area.contains(&need.community))
            .map(|a| a.role);
        let tenant = need.community.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_need(
            &tenant,
            &id,
            &need,
            &actor.user_id,
            role.map(|r| r.as_str()),
            &now,
        )
        .await?;
        if matches!(role, Some(Role::Resident | Role::Representative)) {
            tx.add_support(&tenant, &id, &actor.user_id, &now).await?;
        }
        tx.append_audit(
            event(
                Some(actor),
                role,
                EventKind::NeedRaise,
                Outcome::Ok,
                &Subject {
                    kind: "need",
                    id: &id,
                    area: &need.community,
                },
                ctx,
            )
            .after(json!(need)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The ranked board of the reader's territory (open needs unless the filter says otherwise).
    pub async fn need_board(
        &self,
        actor: &Actor,
        filter: &NeedFilter,
    ) -> Result<NeedBoard, AppError> {
        let scope = reach(actor, Action::ViewChain);
        // One page, and whether there is another (one more row than a page asked for).
        let (mut rows, total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            let whole = NeedFilter {
                after: None,
                ..filter.clone()
            };
            (
                self.db.needs(&scope, filter, BOARD_PAGE + 1).await?,
                self.db.count_needs(&scope, &whole).await?,
            )
        };
        let next_after = if rows.len() as i64 > BOARD_PAGE {
            rows.truncate(BOARD_PAGE as usize);
            rows.last().map(|n| {
                domain::chain::need::BoardCursor {
                    supporters: u64::try_from(n.supporters).unwrap_or(0),
                    all_residents: n.priority_group
                        == domain::chain::need::PriorityGroup::AllResidents,
                    created_at: n.created_at.clone(),
                    id: n.id.clone(),
                }
                .to_string()
            })
        } else {
            None
        };
        let mut mine = std::collections::HashSet::new();
        let mut by_tenant: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for r in &rows {
            by_tenant
                .entry(r.tenant_id.as_str())
                .or_default()
                .push(r.id.clone());
        }
        for (tenant, ids) in by_tenant {
            mine.extend(self.db.supported_by(tenant, &ids, &actor.user_id).await?);
        }
        let can_raise_for = actor
            .assignments
            .iter()
            .filter(|a| {
                matches!(
                    a.role,
                    Role::Resident | Role::Representative | Role::CommunityOfficer
                ) && a.area.level() == domain::AreaLevel::Community
            })
            .map(|a| a.area.clone())
            .collect();
        Ok(NeedBoard {
            items: rows
                .into_iter()
                .map(|row| NeedItem {
                    supported_by_me: mine.contains(&row.id),
                    row,
                })
                .collect(),
            total,
            can_raise_for,
            next_after,
        })
    }

    async fn readable_need(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<NeedRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("需求"))?;
        let row = self
            .db
            .need(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("需求"))?;
        let subject = Subject {
            kind: "need",
            id,
            area: &row.community,
        };
        self.in_view(actor, &subject, action, ctx).await?;
        Ok(row)
    }

    pub async fn need_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<NeedDetail, AppError> {
        let row = self
            .readable_need(actor, id, EventKind::NeedView, ctx)
            .await?;
        let supported_by_me = !self
            .db
            .supported_by(
                &row.tenant_id,
                std::slice::from_ref(&row.id),
                &actor.user_id,
            )
            .await?
            .is_empty();
        let curate = can_curate(actor, &row.community).is_ok();
        let merge_candidates = if curate && row.status == domain::chain::need::NeedStatus::Open {
            let filter = NeedFilter {
                community: Some(row.community.clone()),
                status: Some(domain::chain::need::NeedStatus::Open),
                ..NeedFilter::default()
            };
            self.db
                .needs(&reach(actor, Action::ViewChain), &filter, 100)
                .await?
                .into_iter()
                .filter(|n| n.id != row.id)
                .collect()
        } else {
            Vec::new()
        };
        let projects = self.db.projects_for_need(&row.tenant_id, &row.id).await?;
        Ok(NeedDetail {
            projects,
            can_support: !supported_by_me && can_support(actor, &row.community, row.status).is_ok(),
            supported_by_me,
            can_curate: curate,
            merge_candidates,
            row,
        })
    }

    /// Supports a need once; a second support by the same person changes nothing and says so.
    pub async fn support_need(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<NeedRow, AppError> {
        let row = self
            .readable_need(actor, id, EventKind::NeedSupport, ctx)
            .await?;
        let subject = Subject {
            kind: "need",
            id,
            area: &row.community,
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        // Decided on the row as it is inside the transaction (a merge may have just happened).
        let current = tx
            .need_for_update(&row.tenant_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("需求"))?;
        if let Err(e) = can_support(actor, &current.community, current.status) {
            drop(tx);
            return Err(self
                .refused(Some(actor), EventKind::NeedSupport, &subject, e.into(), ctx)
                .await);
        }
        if !tx
            .add_support(&row.tenant_id, id, &actor.user_id, &now)
            .await?
        {
            drop(tx);
            let e = domain::DomainError::conflict(
                "already_supported",
                "您已附议过这条需求，每人只能附议一次",
            );
            return Err(self
                .refused(Some(actor), EventKind::NeedSupport, &subject, e.into(), ctx)
                .await);
        }
        tx.append_audit(done(
            actor,
            Some(Role::Resident),
            EventKind::NeedSupport,
            &subject,
            ctx,
        ))
        .await?;
        tx.commit().await?;
        self.db
            .need(&row.tenant_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("需求"))
    }

    /// Merges `duplicate` into `kept` (both of one community), keeping every supporter.
    pub async fn merge_need(
        &self,
        actor: &Actor,
        duplicate: &str,
        kept: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let dup = self
            .readable_need(actor, duplicate, EventKind::NeedMerge, ctx)
            .await?;
        let subject = Subject {
            kind: "need",
            id: duplicate,
            area: &dup.community,
        };
        let role = self
            .or_refused(
                can_curate(actor, &dup.community).map_err(AppError::from),
                actor,
                EventKind::NeedMerge,
                &subject,
                ctx,
            )
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let a = tx.need_for_update(&dup.tenant_id, kept).await?;
        let b = tx.need_for_update(&dup.tenant_id, duplicate).await?;
        let (Some(a), Some(b)) = (a, b) else {
            drop(tx);
            let e = domain::DomainError::field("into", "unknown_need", "要合并到的需求不存在");
            return Err(self
                .refused(Some(actor), EventKind::NeedMerge, &subject, e.into(), ctx)
                .await);
        };
        if let Err(e) = can_merge(&facts(&a), &facts(&b)) {
            drop(tx);
            return Err(self
                .refused(Some(actor), EventKind::NeedMerge, &subject, e.into(), ctx)
                .await);
        }
        tx.merge_needs(&dup.tenant_id, kept, duplicate, &now)
            .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::NeedMerge, &subject, ctx)
                .before(json!({ "status": b.status, "supporters": b.supporters }))
                .after(json!({ "merged_into": kept })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
