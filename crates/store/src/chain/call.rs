//! Calls — competitive selections, venture-philanthropy and micro calls, facility tenders — with
//! their applications, panels, sealed score sheets and awards (tenant tables).

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::call::{Call, CallApplication, CallKind, CallStage, Criterion};
use domain::chain::money::Money;
use domain::chain::need::PriorityGroup;
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallRow {
    pub tenant_id: String,
    pub id: String,
    pub area: AreaCode,
    pub kind: CallKind,
    pub title: String,
    pub groups: Vec<PriorityGroup>,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub facility: String,
    pub requirements: String,
    pub period_months: i64,
    pub fund_id: String,
    pub fund_name: String,
    pub pool_fen: Money,
    pub ceiling_fen: Money,
    pub awarded_fen: Money,
    pub opens_on: String,
    pub closes_on: String,
    pub rubric: Vec<Criterion>,
    pub min_panel: i64,
    pub stage: CallStage,
    pub created_at: String,
    /// When it last changed stage (its `created_at` until it does).
    pub stage_at: String,
    pub applications: i64,
}

impl CallRow {
    /// What the pool has left to award (the table's CHECK keeps what was awarded within the
    /// pool, so the difference is never below zero).
    pub fn remaining(&self) -> Money {
        self.pool_fen
            .checked_sub(self.awarded_fen)
            .unwrap_or(Money::ZERO)
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallApplicationRow {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub eligibility_id: Option<String>,
    pub community: AreaCode,
    pub title: String,
    pub proposal: String,
    pub staffing: String,
    pub amount_fen: Money,
    pub submitted_by: String,
    pub submitted_at: String,
}

/// One member's sealed score sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub user_id: String,
    pub name: String,
    pub scores: BTreeMap<String, Vec<u32>>,
    pub comment: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AwardRow {
    pub application_id: String,
    pub place: i64,
    pub amount_fen: Money,
    pub reasons: String,
    pub project_id: String,
    pub awarded_at: String,
}

const COLS: &str = "k.tenant_id, k.id, k.area_code, k.kind, k.title, k.priority_groups, k.item_id, \
    i.name AS item_name, k.facility, k.requirements, k.period_months, k.fund_id, f.name AS fund_name, \
    k.pool_fen, k.ceiling_fen, k.awarded_fen, k.opens_on, k.closes_on, k.rubric, k.min_panel, k.stage, \
    k.created_at, COALESCE(k.stage_at, k.created_at) AS stage_at, (SELECT COUNT(*) FROM call_applications a WHERE a.tenant_id = k.tenant_id AND a.call_id = k.id) AS applications";
const FROM: &str = "calls k \
    JOIN funds f ON f.tenant_id = k.tenant_id AND f.id = k.fund_id \
    LEFT JOIN catalogue_items i ON i.tenant_id = k.tenant_id AND i.id = k.item_id";

fn decode<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Bulk(format!("{what}: {e}")))
}

macro_rules! call_from_row {
    ($r:expr) => {{
        let r = $r;
        CallRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            kind: CallKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(CallKind::Venture),
            title: r.try_get("title")?,
            groups: r
                .try_get::<String, _>("priority_groups")?
                .split(',')
                .filter_map(PriorityGroup::parse)
                .collect(),
            item_id: r.try_get("item_id")?,
            item_name: r.try_get("item_name")?,
            facility: r.try_get("facility")?,
            requirements: r.try_get("requirements")?,
            period_months: r.try_get("period_months")?,
            fund_id: r.try_get("fund_id")?,
            fund_name: r.try_get("fund_name")?,
            pool_fen: Money::from_stored(r.try_get("pool_fen")?),
            ceiling_fen: Money::from_stored(r.try_get("ceiling_fen")?),
            awarded_fen: Money::from_stored(r.try_get("awarded_fen")?),
            opens_on: r.try_get("opens_on")?,
            closes_on: r.try_get("closes_on")?,
            rubric: decode(&r.try_get::<String, _>("rubric")?, "rubric")?,
            min_panel: r.try_get("min_panel")?,
            stage: CallStage::parse(&r.try_get::<String, _>("stage")?).unwrap_or(CallStage::Open),
            created_at: r.try_get("created_at")?,
            stage_at: r.try_get("stage_at")?,
            applications: r.try_get("applications")?,
        }
    }};
}

/// The order of the calls list: latest closing first, then id.
pub const CALL_ORDER: crate::kernel::Keyset = crate::kernel::Keyset(&[
    crate::kernel::Key::desc("k.closes_on"),
    crate::kernel::Key::desc("k.id"),
]);

/// Calls organized inside the scope, or by one of `covering`.
fn calls_where(scope: &Scope, covering: &[AreaCode], binds: &mut Vec<String>) -> String {
    let wh = scope_filter("k.area_code", scope, binds);
    if covering.is_empty() {
        return wh;
    }
    let marks: Vec<String> = covering
        .iter()
        .map(|a| {
            binds.push(a.as_str().to_string());
            format!("${}", binds.len())
        })
        .collect();
    format!("({wh} OR k.area_code IN ({}))", marks.join(", "))
}

impl Db {
    pub async fn call(&self, tenant: &str, id: &str) -> Result<Option<CallRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE k.tenant_id = $1 AND k.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(call_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Calls organized inside the scope, or by one of `covering` (the areas above the reader's,
    /// whose calls are open to it), newest first.
    pub async fn calls(
        &self,
        scope: &Scope,
        covering: &[AreaCode],
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<CallRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = calls_where(scope, covering, &mut binds);
        let wh = CALL_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {COLS} FROM {FROM} WHERE {wh} ORDER BY {} LIMIT {limit}",
            CALL_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(call_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many calls [`Db::calls`] lists under the same filter.
    pub async fn count_calls(
        &self,
        scope: &Scope,
        covering: &[AreaCode],
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = calls_where(scope, covering, &mut binds);
        self.count_where("calls k", &wh, &binds).await
    }

    pub async fn call_applications(
        &self,
        tenant: &str,
        call: &str,
    ) -> Result<Vec<CallApplicationRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT a.id, a.organization_id, o.name AS organization_name, a.eligibility_id, a.community, a.title, a.proposal, \
                 a.staffing, a.amount_fen, a.submitted_by, a.submitted_at FROM call_applications a \
                 JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id \
                 WHERE a.tenant_id = $1 AND a.call_id = $2 ORDER BY a.submitted_at, a.id",
            )
            .bind(tenant).bind(call).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(CallApplicationRow {
                    id: r.try_get("id")?,
                    organization_id: r.try_get("organization_id")?,
                    organization_name: r.try_get("organization_name")?,
                    eligibility_id: r.try_get("eligibility_id")?,
                    community: AreaCode::from_stored(&r.try_get::<String, _>("community")?),
                    title: r.try_get("title")?,
                    proposal: r.try_get("proposal")?,
                    staffing: r.try_get("staffing")?,
                    amount_fen: Money::from_stored(r.try_get("amount_fen")?),
                    submitted_by: r.try_get("submitted_by")?,
                    submitted_at: r.try_get("submitted_at")?,
                });
            }
            Ok(out)
        })
    }

    /// The panel: (account id, name), in the order formed.
    pub async fn call_panel(
        &self,
        tenant: &str,
        call: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT user_id, name FROM call_panel WHERE tenant_id = $1 AND call_id = $2 ORDER BY name, user_id",
            )
            .bind(tenant).bind(call).fetch_all(c).await?;
            Ok(rows)
        })
    }

    pub async fn call_sheets(&self, tenant: &str, call: &str) -> Result<Vec<SheetRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT s.user_id, m.name, s.sheet, s.comment, s.at FROM call_scores s \
                 JOIN call_panel m ON m.tenant_id = s.tenant_id AND m.call_id = s.call_id AND m.user_id = s.user_id \
                 WHERE s.tenant_id = $1 AND s.call_id = $2 ORDER BY m.name, s.user_id",
            )
            .bind(tenant).bind(call).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(SheetRow {
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    scores: decode(&r.try_get::<String, _>("sheet")?, "score sheet")?,
                    comment: r.try_get("comment")?,
                    at: r.try_get("at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn call_awards(&self, tenant: &str, call: &str) -> Result<Vec<AwardRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT application_id, place, amount_fen, reasons, project_id, awarded_at FROM call_awards \
                 WHERE tenant_id = $1 AND call_id = $2 ORDER BY place",
            )
            .bind(tenant).bind(call).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(AwardRow {
                    application_id: r.try_get("application_id")?,
                    place: r.try_get("place")?,
                    amount_fen: Money::from_stored(r.try_get("amount_fen")?),
                    reasons: r.try_get("reasons")?,
                    project_id: r.try_get("project_id")?,
                    awarded_at: r.try_get("awarded_at")?,
                });
            }
            Ok(out)
        })
    }
}

impl Db {
    /// The selection opened on a catalogue item (an item belongs to one period, so this is
    /// the period's selection), if any: its title and whether it is still under way (not yet
    /// awarded or closed). Once one exists, the item goes only through it.
    pub async fn selection_on_item(
        &self,
        tenant: &str,
        item: &str,
    ) -> Result<Option<(String, bool)>, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query(
                "SELECT title, stage FROM calls WHERE tenant_id = $1 AND item_id = $2 AND kind = 'selection' ORDER BY created_at DESC LIMIT 1",
            )
            .bind(tenant).bind(item).fetch_optional(c).await?;
            match r {
                Some(r) => {
                    let stage: String = r.try_get(1)?;
                    Ok(Some((r.try_get(0)?, stage != "awarded")))
                }
                None => Ok(None),
            }
        })
    }
}

/// An organization's application to a call, as `Tx::insert_call_application` records it.
#[derive(Debug, Clone, Copy)]
pub struct NewCallApplication<'a> {
    pub tenant: &'a str,
    pub call: &'a str,
    pub id: &'a str,
    pub organization: &'a str,
    /// The organization's eligibility for the call's item (a selection), if any.
    pub eligibility: Option<&'a str>,
    pub application: &'a CallApplication,
    pub by: &'a str,
    pub now: &'a str,
}

/// An award of a call, as `Tx::insert_call_award` records it.
#[derive(Debug, Clone, Copy)]
pub struct NewCallAward<'a> {
    pub tenant: &'a str,
    pub call: &'a str,
    pub application: &'a str,
    /// The application's place in the ranking.
    pub place: i64,
    pub amount_fen: Money,
    pub reasons: &'a str,
    /// The project the award became.
    pub project: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

impl Tx {
    pub async fn insert_call(
        &mut self,
        tenant: &str,
        id: &str,
        k: &Call,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let groups: Vec<&str> = k.groups.iter().map(|g| g.as_str()).collect();
        let rubric = serde_json::to_string(&k.rubric)
            .map_err(|e| StoreError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO calls (tenant_id, id, area_code, kind, title, priority_groups, item_id, facility, requirements, period_months, \
                 fund_id, pool_fen, ceiling_fen, awarded_fen, opens_on, closes_on, rubric, min_panel, stage, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,0,$14,$15,$16,$17,'open',$18,$19)",
            )
            .bind(tenant).bind(id).bind(k.area.as_str()).bind(k.kind.as_str()).bind(&k.theme).bind(groups.join(","))
            .bind(k.item_id.as_deref()).bind(&k.facility).bind(&k.requirements).bind(k.period_months)
            .bind(&k.fund_id).bind(k.pool_fen.fen()).bind(k.ceiling_fen.fen())
            .bind(k.opens_on.format("%Y-%m-%d").to_string()).bind(k.closes_on.format("%Y-%m-%d").to_string())
            .bind(rubric).bind(k.min_panel as i64).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records an application; `false` when the organization has already applied to the call.
    pub async fn insert_call_application(
        &mut self,
        x: &NewCallApplication<'_>,
    ) -> Result<bool, StoreError> {
        let NewCallApplication {
            tenant,
            call,
            id,
            organization,
            eligibility,
            application: a,
            by,
            now,
        } = *x;
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO call_applications (tenant_id, call_id, id, organization_id, eligibility_id, community, title, proposal, staffing, amount_fen, submitted_by, submitted_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (tenant_id, call_id, organization_id) DO NOTHING",
            )
            .bind(tenant).bind(call).bind(id).bind(organization).bind(eligibility).bind(a.community.as_str())
            .bind(&a.title).bind(&a.proposal).bind(&a.staffing).bind(a.amount_fen.fen()).bind(by).bind(now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn insert_call_panel(
        &mut self,
        tenant: &str,
        call: &str,
        members: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (user, name) in members {
            on_tx!(self, c => {
                sqlx::query("INSERT INTO call_panel (tenant_id, call_id, user_id, name) VALUES ($1,$2,$3,$4)")
                    .bind(tenant).bind(call).bind(user).bind(name)
                    .execute(&mut *c).await?;
            });
        }
        // A formed panel takes nobody afterwards.
        on_tx!(self, c => {
            sqlx::query("INSERT INTO closed_sets (tenant_id, kind, parent_id) VALUES ($1, 'call_panel', $2)")
                .bind(tenant).bind(call).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Seals a member's sheet; `false` when the member has already submitted one.
    pub async fn insert_call_sheet(
        &mut self,
        tenant: &str,
        call: &str,
        user: &str,
        scores: &BTreeMap<String, Vec<u32>>,
        comment: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let sheet = serde_json::to_string(scores)
            .map_err(|e| StoreError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO call_scores (tenant_id, call_id, user_id, sheet, comment, at) VALUES ($1,$2,$3,$4,$5,$6) \
                 ON CONFLICT (tenant_id, call_id, user_id) DO NOTHING",
            )
            .bind(tenant).bind(call).bind(user).bind(sheet).bind(comment).bind(now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Moves a call from `from` to `to`; `false` when it was no longer at `from`.
    pub async fn set_call_stage(
        &mut self,
        tenant: &str,
        call: &str,
        from: CallStage,
        to: CallStage,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query("UPDATE calls SET stage = $4, stage_at = $5 WHERE tenant_id = $1 AND id = $2 AND stage = $3")
                .bind(tenant).bind(call).bind(from.as_str()).bind(to.as_str()).bind(crate::time::now())
                .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Adds `amount` to what the call has awarded if the pool still covers it, in one guarded
    /// statement (concurrent awards cannot both pass): the new total, or `None` (nothing changes).
    pub async fn add_to_awarded(
        &mut self,
        tenant: &str,
        call: &str,
        amount: Money,
    ) -> Result<Option<Money>, StoreError> {
        on_tx!(self, c => {
            let total: Option<i64> = sqlx::query_scalar(
                "UPDATE calls SET awarded_fen = awarded_fen + $3 WHERE tenant_id = $1 AND id = $2 \
                 AND stage = 'sealed' AND awarded_fen + $3 <= pool_fen RETURNING awarded_fen",
            )
            .bind(tenant).bind(call).bind(amount.fen())
            .fetch_optional(&mut *c).await?;
            Ok(total.map(Money::from_stored))
        })
    }

    /// Records an award and the project it became.
    pub async fn insert_call_award(&mut self, x: &NewCallAward<'_>) -> Result<(), StoreError> {
        let NewCallAward {
            tenant,
            call,
            application,
            place,
            amount_fen: amount,
            reasons,
            project,
            by,
            now,
        } = *x;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO call_awards (tenant_id, call_id, application_id, place, amount_fen, reasons, project_id, awarded_by, awarded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(tenant).bind(call).bind(application).bind(place).bind(amount.fen()).bind(reasons).bind(project).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }
}

impl Tx {
    /// Locks the call's row for the rest of the transaction (so the last score sheet and
    /// concurrent awards see each other) and reads its stage.
    pub async fn lock_call(
        &mut self,
        tenant: &str,
        call: &str,
    ) -> Result<Option<CallStage>, StoreError> {
        on_tx!(self, c => {
            let stage: Option<String> = sqlx::query_scalar(
                "UPDATE calls SET stage = stage WHERE tenant_id = $1 AND id = $2 RETURNING stage",
            )
            .bind(tenant).bind(call).fetch_optional(&mut *c).await?;
            Ok(stage.and_then(|s| CallStage::parse(&s)))
        })
    }

    pub async fn count_call_sheets(&mut self, tenant: &str, call: &str) -> Result<i64, StoreError> {
        on_tx!(self, c => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM call_scores WHERE tenant_id = $1 AND call_id = $2")
                .bind(tenant).bind(call).fetch_one(&mut *c).await?;
            Ok(n)
        })
    }

    /// Replaces the rubric and panel size (the trigger refuses once a sheet exists).
    pub async fn set_call_rubric(
        &mut self,
        tenant: &str,
        call: &str,
        rubric: &[Criterion],
        min_panel: i64,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(rubric)
            .map_err(|e| StoreError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
        on_tx!(self, c => {
            sqlx::query("UPDATE calls SET rubric = $3, min_panel = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(call).bind(text).bind(min_panel)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Returns what a closed call did not award to its fund, with the movement that explains it.
    pub async fn return_to_fund(
        &mut self,
        tenant: &str,
        fund: &str,
        movement_id: &str,
        amount: Money,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let balance = self
            .fund_balance_for_update(tenant, fund)
            .await?
            .ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))?;
        let m = crate::chain::purchase::FundDraw {
            tenant,
            fund,
            movement_id,
            project: None,
            amount_fen: amount,
            by,
            at: now,
        };
        self.move_fund(&m, "call_return", amount.fen(), balance + amount.fen())
            .await
    }
}

impl Tx {
    /// The applications awarded so far, read inside the transaction (after `lock_call`).
    pub async fn call_award_ids(
        &mut self,
        tenant: &str,
        call: &str,
    ) -> Result<Vec<String>, StoreError> {
        on_tx!(self, c => {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT application_id FROM call_awards WHERE tenant_id = $1 AND call_id = $2 ORDER BY place",
            )
            .bind(tenant).bind(call).fetch_all(&mut *c).await?;
            Ok(ids)
        })
    }
}
