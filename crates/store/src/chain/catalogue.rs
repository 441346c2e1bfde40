//! The service catalogue and eligibilities (tenant tables), read through a scope.

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::catalogue::{CatalogueItem, EligibilityStatus, ItemStatus};
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ItemRow {
    pub tenant_id: String,
    pub id: String,
    pub community: AreaCode,
    pub name: String,
    pub description: String,
    pub social_work: bool,
    pub status: ItemStatus,
    pub decision_reason: String,
    pub decided_at: Option<String>,
    pub created_at: String,
    /// The year of the community's catalogue it belongs to (China time).
    pub period: i32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EligibilityRow {
    pub tenant_id: String,
    pub id: String,
    pub item_id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub status: EligibilityStatus,
    /// Social workers the organization employed when it applied (HS 二(三)).
    pub social_workers: i64,
    pub reason: String,
    pub applied_at: String,
    pub decided_at: Option<String>,
}

const ICOLS: &str =
    "i.tenant_id, i.id, i.area_code, i.name, i.description, i.social_work, i.status, \
    i.decision_reason, i.decided_at, i.created_at, i.period";
const ECOLS: &str =
    "e.tenant_id, e.id, e.item_id, e.organization_id, o.name AS organization_name, e.status, \
    e.social_workers, e.reason, e.applied_at, e.decided_at";
/// Every eligibility query reads the applying organization's name with it.
const EFROM: &str =
    "eligibilities e JOIN organizations o ON o.tenant_id = e.tenant_id AND o.id = e.organization_id";

macro_rules! item_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        ItemRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            community: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            social_work: r.try_get("social_work")?,
            status: ItemStatus::parse(&status).unwrap_or(ItemStatus::Proposed),
            decision_reason: r.try_get("decision_reason")?,
            decided_at: r.try_get("decided_at")?,
            created_at: r.try_get("created_at")?,
            period: r.try_get("period")?,
        }
    }};
}

macro_rules! eligibility_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        EligibilityRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            item_id: r.try_get("item_id")?,
            organization_id: r.try_get("organization_id")?,
            organization_name: r.try_get("organization_name")?,
            status: EligibilityStatus::parse(&status).unwrap_or(EligibilityStatus::Pending),
            social_workers: r.try_get("social_workers")?,
            reason: r.try_get("reason")?,
            applied_at: r.try_get("applied_at")?,
            decided_at: r.try_get("decided_at")?,
        }
    }};
}

/// The order of the catalogue: community, name, id.
pub const ITEM_ORDER: crate::kernel::Keyset = crate::kernel::Keyset(&[
    crate::kernel::Key::asc("i.area_code"),
    crate::kernel::Key::asc("i.name"),
    crate::kernel::Key::asc("i.id"),
]);

/// Items inside the scope, optionally of one status and one period.
fn items_where(
    scope: &Scope,
    status: Option<ItemStatus>,
    period: Option<i32>,
    binds: &mut Vec<String>,
) -> String {
    let mut wh = vec![scope_filter("i.area_code", scope, binds)];
    if let Some(s) = status {
        binds.push(s.as_str().into());
        wh.push(format!("i.status = ${}", binds.len()));
    }
    if let Some(p) = period {
        // Every bind of these lists is text; the cast reads it as the year it is on both backends.
        binds.push(p.to_string());
        wh.push(format!("i.period = CAST(${} AS INTEGER)", binds.len()));
    }
    wh.join(" AND ")
}

impl Db {
    pub async fn catalogue_item(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ItemRow>, StoreError> {
        let sql =
            format!("SELECT {ICOLS} FROM catalogue_items i WHERE i.tenant_id = $1 AND i.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(item_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Items inside the scope, by community, name and id (after a cursor of that order);
    /// optionally of one status; of every period.
    pub async fn catalogue(
        &self,
        scope: &Scope,
        status: Option<ItemStatus>,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        self.catalogue_of_period(scope, status, None, after, limit)
            .await
    }

    /// As [`Db::catalogue`], optionally of one period.
    pub async fn catalogue_of_period(
        &self,
        scope: &Scope,
        status: Option<ItemStatus>,
        period: Option<i32>,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = items_where(scope, status, period, &mut binds);
        let wh = ITEM_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {ICOLS} FROM catalogue_items i WHERE {wh} ORDER BY {} LIMIT {limit}",
            ITEM_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(item_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many items [`Db::catalogue`] lists under the same filter.
    pub async fn count_catalogue(
        &self,
        scope: &Scope,
        status: Option<ItemStatus>,
        period: Option<i32>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = items_where(scope, status, period, &mut binds);
        self.count_where("catalogue_items i", &wh, &binds).await
    }

    /// The eligibilities of an item, with the organizations' names.
    pub async fn eligibilities_of(
        &self,
        tenant: &str,
        item_id: &str,
    ) -> Result<Vec<EligibilityRow>, StoreError> {
        let sql = format!(
            "SELECT {ECOLS} FROM {EFROM} WHERE e.tenant_id = $1 AND e.item_id = $2 ORDER BY e.applied_at, e.id"
        );
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(tenant).bind(item_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(eligibility_from_row!(r));
            }
            Ok(out)
        })
    }

    pub async fn eligibility(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<EligibilityRow>, StoreError> {
        let sql = format!("SELECT {ECOLS} FROM {EFROM} WHERE e.tenant_id = $1 AND e.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(eligibility_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Eligibilities in a state, on items inside the scope, with the item's name (work lists).
    pub async fn eligibilities_in(
        &self,
        scope: &Scope,
        status: EligibilityStatus,
        organization: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(EligibilityRow, String)>, StoreError> {
        let mut binds = vec![status.as_str().to_string()];
        let mut wh = vec![
            "e.status = $1".to_string(),
            scope_filter("i.area_code", scope, &mut binds),
        ];
        if let Some(o) = organization {
            binds.push(o.to_string());
            wh.push(format!("e.organization_id = ${}", binds.len()));
        }
        let sql = format!(
            "SELECT {ECOLS}, i.name AS item_name FROM {EFROM} \
             JOIN catalogue_items i ON i.tenant_id = e.tenant_id AND i.id = e.item_id WHERE {} ORDER BY e.applied_at, e.id LIMIT {limit}",
            wh.join(" AND ")
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((eligibility_from_row!(r), r.try_get("item_name")?));
            }
            Ok(out)
        })
    }

    /// How many organizations hold an approved eligibility on the item (two or more compete:
    /// the item goes to a selection, issue 16 finding 5).
    pub async fn approved_eligibilities_on(
        &self,
        tenant: &str,
        item_id: &str,
    ) -> Result<i64, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM eligibilities WHERE tenant_id = $1 AND item_id = $2 AND status = 'approved'")
                .bind(tenant).bind(item_id).fetch_one(c).await?)
        })
    }

    /// The project that holds the item (in its period): one not failed, as the partial unique
    /// index `projects_item_taken` counts them; its id, its organization's id and name.
    pub async fn item_holder(
        &self,
        tenant: &str,
        item_id: &str,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query(
                "SELECT p.id, o.id, o.name FROM projects p JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
                 WHERE p.tenant_id = $1 AND p.item_id = $2 AND p.stage NOT IN ('rejected', 'declined', 'terminated') LIMIT 1",
            )
            .bind(tenant).bind(item_id).fetch_optional(c).await?;
            match r {
                Some(r) => Ok(Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))),
                None => Ok(None),
            }
        })
    }

    /// Social workers an organization employs (the professional-staff condition).
    pub async fn employed_social_workers(
        &self,
        tenant: &str,
        organization_id: &str,
    ) -> Result<i64, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM social_workers WHERE tenant_id = $1 AND employer_org_id = $2")
                .bind(tenant).bind(organization_id).fetch_one(c).await?)
        })
    }
}

/// The township's decision on a catalogue item (`Tx::decide_item`).
#[derive(Debug, Clone, Copy)]
pub struct ItemDecision<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    /// The status the item must still have for the decision to apply.
    pub from: ItemStatus,
    /// The status decided.
    pub to: ItemStatus,
    pub reason: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

/// An organization's application for eligibility on an item (`Tx::insert_eligibility`).
#[derive(Debug, Clone, Copy)]
pub struct NewEligibility<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub item_id: &'a str,
    pub organization_id: &'a str,
    /// How many social workers the organization employs when it applies.
    pub social_workers: i64,
    pub applied_by: &'a str,
    pub now: &'a str,
}

impl Tx {
    pub async fn insert_catalogue_item(
        &mut self,
        tenant: &str,
        id: &str,
        item: &CatalogueItem,
        created_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO catalogue_items (tenant_id, id, area_code, name, description, social_work, status, created_by, created_at, updated_at, period) \
                 VALUES ($1,$2,$3,$4,$5,$6,'proposed',$7,$8,$8,$9)",
            )
            .bind(tenant).bind(id).bind(item.community.as_str()).bind(&item.name).bind(&item.description)
            .bind(item.social_work).bind(created_by).bind(now).bind(item.period)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records the township's decision if the item is still `from`; returns whether it was (a
    /// second reviewer at the same moment finds it decided).
    pub async fn decide_item(&mut self, d: &ItemDecision<'_>) -> Result<bool, StoreError> {
        let ItemDecision {
            tenant,
            id,
            from,
            to,
            reason,
            by,
            now,
        } = *d;
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE catalogue_items SET status = $4, decision_reason = $5, decided_by = $6, decided_at = $7, updated_at = $7 \
                 WHERE tenant_id = $1 AND id = $2 AND status = $3",
            )
            .bind(tenant).bind(id).bind(from.as_str()).bind(to.as_str()).bind(reason).bind(by).bind(now)
            .execute(&mut *c).await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    /// Records an application for eligibility; `false` when the organization already has one on
    /// this item.
    pub async fn insert_eligibility(
        &mut self,
        new: &NewEligibility<'_>,
    ) -> Result<bool, StoreError> {
        let NewEligibility {
            tenant,
            id,
            item_id,
            organization_id,
            social_workers,
            applied_by,
            now,
        } = *new;
        let added: Option<String> = on_tx!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO eligibilities (tenant_id, id, item_id, organization_id, status, social_workers, applied_by, applied_at) \
                 VALUES ($1,$2,$3,$4,'pending',$5,$6,$7) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(tenant).bind(id).bind(item_id).bind(organization_id).bind(social_workers).bind(applied_by).bind(now)
            .fetch_optional(&mut *c).await?
        });
        Ok(added.is_some())
    }

    /// Records the township's decision if the eligibility is still pending.
    pub async fn decide_eligibility(
        &mut self,
        tenant: &str,
        id: &str,
        to: EligibilityStatus,
        reason: &str,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE eligibilities SET status = $3, reason = $4, decided_by = $5, decided_at = $6 \
                 WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
            )
            .bind(tenant).bind(id).bind(to.as_str()).bind(reason).bind(by).bind(now)
            .execute(&mut *c).await?
            .rows_affected();
            Ok(n == 1)
        })
    }
}
