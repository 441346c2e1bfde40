//! "1+4" talent and the backbone-talent pool (tenant tables), read through a scope.

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::identity::Scope;
use domain::talent::{PoolCoverage, Talent, TalentCategory};
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TalentRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub gender: String,
    pub category: TalentCategory,
    pub area: AreaCode,
    pub position: String,
    pub organization_id: Option<String>,
    pub social_worker_id: Option<String>,
    pub backbone: bool,
    pub backbone_since: Option<String>,
    pub training_count: i64,
    pub training_minutes: i64,
    pub created_at: String,
    pub version: i64,
}

/// Filters of the talent list; every one optional.
#[derive(Debug, Clone, Default)]
pub struct TalentFilter {
    pub category: Option<TalentCategory>,
    pub backbone: Option<bool>,
    /// Only pool members without any training (the coverage gap).
    pub untrained: bool,
    pub q: Option<String>,
}

/// Counts per category inside a scope, with the pool's coverage.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TalentSummary {
    pub by_category: Vec<(TalentCategory, i64)>,
    pub pool: PoolCoverage,
}

const COLS: &str = "t.tenant_id, t.id, t.name, t.gender, t.category, t.area_code, t.position, t.organization_id, \
    t.social_worker_id, t.backbone, t.backbone_since, t.training_count, t.training_minutes, t.created_at, t.version";

macro_rules! talent_from_row {
    ($r:expr) => {{
        let r = $r;
        let cat: String = r.try_get("category")?;
        TalentRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            gender: r.try_get("gender")?,
            category: TalentCategory::parse(&cat).unwrap_or(TalentCategory::OrganizationBackbone),
            area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            position: r.try_get("position")?,
            organization_id: r.try_get("organization_id")?,
            social_worker_id: r.try_get("social_worker_id")?,
            backbone: r.try_get("backbone")?,
            backbone_since: r.try_get("backbone_since")?,
            training_count: r.try_get("training_count")?,
            training_minutes: r.try_get("training_minutes")?,
            created_at: r.try_get("created_at")?,
            version: r.try_get("version")?,
        }
    }};
}

/// The order of the talent register: area, name, id.
pub const TALENT_ORDER: crate::kernel::Keyset = crate::kernel::Keyset(&[
    crate::kernel::Key::asc("t.area_code"),
    crate::kernel::Key::asc("t.name"),
    crate::kernel::Key::asc("t.id"),
]);

impl Db {
    pub async fn talent(&self, tenant: &str, id: &str) -> Result<Option<TalentRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM talents t WHERE t.tenant_id = $1 AND t.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(talent_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    fn talent_where(scope: &Scope, f: &TalentFilter, binds: &mut Vec<String>) -> String {
        let mut wh = vec![scope_filter("t.area_code", scope, binds)];
        if let Some(c) = f.category {
            binds.push(c.as_str().into());
            wh.push(format!("t.category = ${}", binds.len()));
        }
        if let Some(b) = f.backbone {
            wh.push(format!("t.backbone = {}", if b { "TRUE" } else { "FALSE" }));
        }
        if f.untrained {
            wh.push("t.backbone = TRUE AND t.training_count = 0".into());
        }
        if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            binds.push(format!("%{}%", crate::area::like_escape(q)));
            wh.push(format!(
                "(t.name LIKE ${n} ESCAPE '\\' OR t.position LIKE ${n} ESCAPE '\\')",
                n = binds.len()
            ));
        }
        wh.join(" AND ")
    }

    /// Talent inside the scope matching the filter, by area, name and id, after a cursor of
    /// that order.
    pub async fn talents(
        &self,
        scope: &Scope,
        f: &TalentFilter,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<TalentRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = Self::talent_where(scope, f, &mut binds);
        let wh = TALENT_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {COLS} FROM talents t WHERE {wh} ORDER BY {} LIMIT {limit}",
            TALENT_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(talent_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many talents the scope holds under the filter.
    pub async fn count_talents(&self, scope: &Scope, f: &TalentFilter) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = Self::talent_where(scope, f, &mut binds);
        self.count_where("talents t", &wh, &binds).await
    }

    /// How many talents of each category the scope holds, and how far its pool is trained.
    pub async fn talent_summary(&self, scope: &Scope) -> Result<TalentSummary, StoreError> {
        let mut binds = Vec::new();
        let wh = Self::talent_where(scope, &TalentFilter::default(), &mut binds);
        let sql = format!(
            "SELECT t.category, COUNT(*) AS n, \
             SUM(CASE WHEN t.backbone THEN 1 ELSE 0 END) AS members, \
             SUM(CASE WHEN t.backbone AND t.training_count > 0 THEN 1 ELSE 0 END) AS trained \
             FROM talents t WHERE {wh} GROUP BY t.category"
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut by_category: Vec<(TalentCategory, i64)> =
                TalentCategory::ALL.iter().map(|c| (*c, 0)).collect();
            let mut pool = PoolCoverage { members: 0, trained: 0 };
            for r in &rows {
                let cat: String = r.try_get("category")?;
                let n: i64 = r.try_get("n")?;
                if let Some(slot) = by_category.iter_mut().find(|(c, _)| c.as_str() == cat) {
                    slot.1 = n;
                }
                pool.members += r.try_get::<Option<i64>, _>("members")?.unwrap_or(0);
                pool.trained += r.try_get::<Option<i64>, _>("trained")?.unwrap_or(0);
            }
            Ok(TalentSummary { by_category, pool })
        })
    }
}

impl Tx {
    pub async fn insert_talent(
        &mut self,
        tenant: &str,
        id: &str,
        t: &Talent,
        today: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let since = t.backbone.then_some(today);
        on_tx!(self, c => {
            sqlx::query("INSERT INTO talents (tenant_id, id, name, gender, category, area_code, position, organization_id, social_worker_id, backbone, backbone_since, created_at, updated_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)")
                .bind(tenant).bind(id).bind(&t.name).bind(&t.gender).bind(t.category.as_str()).bind(t.area.as_str())
                .bind(&t.position).bind(&t.organization_id).bind(&t.social_worker_id).bind(t.backbone).bind(since).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Enters or leaves the backbone-talent pool; entering keeps the first date. The version
    /// moves, so an edit made on the version before cannot undo it unseen.
    pub async fn set_backbone(
        &mut self,
        tenant: &str,
        id: &str,
        backbone: bool,
        today: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE talents SET backbone = $3, backbone_since = CASE WHEN $3 THEN COALESCE(backbone_since, $4) ELSE NULL END, version = version + 1, updated_at = $5 \
                WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(backbone).bind(today).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Moves a talent's training totals with a new training.
    pub async fn add_talent_training_totals(
        &mut self,
        tenant: &str,
        id: &str,
        minutes: i64,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE talents SET training_count = training_count + 1, training_minutes = training_minutes + $3, updated_at = $4 \
                WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(minutes).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }
}
