//! Funds, their movements and purchase decisions (tenant tables).

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::money::{FundSource, Money};
use domain::chain::purchase::Fund;
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FundRow {
    pub tenant_id: String,
    pub id: String,
    pub area: AreaCode,
    pub name: String,
    pub source: FundSource,
    pub year: i32,
    pub budget_fen: Money,
    pub balance_fen: Money,
    pub created_at: String,
}

/// A movement of a fund's ledger.
#[derive(Debug, Clone, Serialize)]
pub struct MovementRow {
    pub id: String,
    pub project_id: Option<String>,
    pub kind: String,
    /// Signed, not `Money`: an appropriation or a return adds, a draw takes away (negative).
    pub amount_fen: i64,
    pub balance_after: Money,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecisionRow {
    pub buy: bool,
    pub reason: String,
    pub fund_id: Option<String>,
    pub fund_name: Option<String>,
    pub amount_fen: Option<Money>,
    pub decided_at: String,
}

const COLS: &str = "f.tenant_id, f.id, f.area_code, f.name, f.source, f.year, f.budget_fen, f.balance_fen, f.created_at";

macro_rules! fund_from_row {
    ($r:expr) => {{
        let r = $r;
        FundRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            name: r.try_get("name")?,
            source: FundSource::parse(&r.try_get::<String, _>("source")?)
                .unwrap_or(FundSource::Special),
            year: r.try_get("year")?,
            budget_fen: Money::from_stored(r.try_get("budget_fen")?),
            balance_fen: Money::from_stored(r.try_get("balance_fen")?),
            created_at: r.try_get("created_at")?,
        }
    }};
}

/// The order of the fund list: year (newest first), area, name, id.
pub const FUND_ORDER: crate::kernel::Keyset = crate::kernel::Keyset(&[
    crate::kernel::Key::desc("f.year").int(),
    crate::kernel::Key::asc("f.area_code"),
    crate::kernel::Key::asc("f.name"),
    crate::kernel::Key::asc("f.id"),
]);

impl Db {
    pub async fn fund(&self, tenant: &str, id: &str) -> Result<Option<FundRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM funds f WHERE f.tenant_id = $1 AND f.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(fund_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Funds owned by areas inside the scope, newest year first, then by area, name and id,
    /// after a cursor of that order.
    pub async fn funds(
        &self,
        scope: &Scope,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<FundRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("f.area_code", scope, &mut binds);
        let wh = FUND_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {COLS} FROM funds f WHERE {wh} ORDER BY {} LIMIT {limit}",
            FUND_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(fund_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many funds the scope holds.
    pub async fn count_funds(&self, scope: &Scope) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("f.area_code", scope, &mut binds);
        self.count_where("funds f", &wh, &binds).await
    }

    pub async fn fund_movements(
        &self,
        tenant: &str,
        fund: &str,
    ) -> Result<Vec<MovementRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, project_id, kind, amount_fen, balance_after, at FROM fund_movements WHERE tenant_id = $1 AND fund_id = $2 ORDER BY id",
            )
            .bind(tenant).bind(fund).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(MovementRow {
                    id: r.try_get("id")?,
                    project_id: r.try_get("project_id")?,
                    kind: r.try_get("kind")?,
                    amount_fen: r.try_get("amount_fen")?,
                    balance_after: Money::from_stored(r.try_get("balance_after")?),
                    at: r.try_get("at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn purchase_decision(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<DecisionRow>, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query(
                "SELECT d.buy, d.reason, d.fund_id, f.name AS fund_name, d.amount_fen, d.decided_at FROM purchase_decisions d \
                 LEFT JOIN funds f ON f.tenant_id = d.tenant_id AND f.id = d.fund_id WHERE d.tenant_id = $1 AND d.project_id = $2",
            )
            .bind(tenant).bind(project).fetch_optional(c).await?;
            match r {
                Some(r) => Ok(Some(DecisionRow {
                    buy: r.try_get("buy")?,
                    reason: r.try_get("reason")?,
                    fund_id: r.try_get("fund_id")?,
                    fund_name: r.try_get("fund_name")?,
                    amount_fen: r
                        .try_get::<Option<i64>, _>("amount_fen")?
                        .map(Money::from_stored),
                    decided_at: r.try_get("decided_at")?,
                })),
                None => Ok(None),
            }
        })
    }
}

/// A draw on a fund (`Tx::draw_fund`): for a project, or with none for a call's pool.
#[derive(Debug, Clone, Copy)]
pub struct FundDraw<'a> {
    pub tenant: &'a str,
    pub fund: &'a str,
    /// The id of the movement written when the draw passes.
    pub movement_id: &'a str,
    pub project: Option<&'a str>,
    pub amount_fen: Money,
    pub by: &'a str,
    pub at: &'a str,
}

/// A purchase decision to record (`Tx::insert_decision`).
#[derive(Debug, Clone, Copy)]
pub struct NewDecision<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    /// Buy (true) or not (false).
    pub buy: bool,
    pub reason: &'a str,
    pub fund: Option<&'a str>,
    pub amount_fen: Option<Money>,
    pub by: &'a str,
    pub at: &'a str,
}

impl Tx {
    /// A new fund with its appropriation as the first movement.
    pub async fn insert_fund(
        &mut self,
        tenant: &str,
        id: &str,
        f: &Fund,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO funds (tenant_id, id, area_code, name, source, year, budget_fen, balance_fen, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9)",
            )
            .bind(tenant).bind(id).bind(f.area.as_str()).bind(&f.name).bind(f.source.as_str()).bind(f.year)
            .bind(f.budget_fen.fen()).bind(by).bind(now)
            .execute(&mut *c).await?;
            sqlx::query(
                "INSERT INTO fund_movements (tenant_id, id, fund_id, project_id, kind, amount_fen, balance_after, by_user, at) \
                 VALUES ($1,$2,$3,NULL,'appropriation',$4,$4,$5,$6)",
            )
            .bind(tenant).bind(format!("{id}-0")).bind(id).bind(f.budget_fen.fen()).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Takes the draw's amount from its fund for a project (or, with no project, for a call's
    /// pool) if the balance covers it, under a lock on the fund (two decisions at once cannot
    /// both pass the check): the new balance, or `None` when it does not cover the amount
    /// (nothing changes).
    pub async fn draw_fund(&mut self, d: &FundDraw<'_>) -> Result<Option<Money>, StoreError> {
        let FundDraw {
            tenant,
            fund,
            project,
            amount_fen: amount,
            ..
        } = *d;
        let kind = if project.is_some() {
            "assignment"
        } else {
            "call_pool"
        };
        let Some(balance) = self.fund_balance_for_update(tenant, fund).await? else {
            return Ok(None);
        };
        if balance < amount.fen() {
            return Ok(None);
        }
        let after = balance - amount.fen();
        self.move_fund(d, kind, -amount.fen(), after).await?;
        Ok(Some(Money::from_stored(after)))
    }

    /// A fund's balance, locked until the transaction ends (on PostgreSQL a row lock, so two
    /// draws at once take turns; SQLite's write transaction already excludes everyone).
    pub async fn fund_balance_for_update(
        &mut self,
        tenant: &str,
        fund: &str,
    ) -> Result<Option<i64>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Postgres => {
                "SELECT balance_fen FROM funds WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
            }
            crate::Backend::Sqlite => {
                "SELECT balance_fen FROM funds WHERE tenant_id = $1 AND id = $2"
            }
        };
        on_tx!(self, c => {
            Ok(sqlx::query_scalar(sql).bind(tenant).bind(fund).fetch_optional(&mut *c).await?)
        })
    }

    /// Moves the fund of `m` by `amount` (negative: out) to `after`, as a movement of `kind`:
    /// the movement first, then the balance naming it — the database refuses a balance change
    /// without its movement. (`m.amount_fen` is not read: a return moves what `amount` says.)
    pub async fn move_fund(
        &mut self,
        m: &FundDraw<'_>,
        kind: &str,
        amount: i64,
        after: i64,
    ) -> Result<(), StoreError> {
        let FundDraw {
            tenant,
            fund,
            movement_id,
            project,
            by,
            at: now,
            ..
        } = *m;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO fund_movements (tenant_id, id, fund_id, project_id, kind, amount_fen, balance_after, by_user, at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(tenant).bind(movement_id).bind(fund).bind(project).bind(kind).bind(amount).bind(after).bind(by).bind(now)
            .execute(&mut *c).await?;
            sqlx::query("UPDATE funds SET balance_fen = $3, last_movement_id = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(fund).bind(after).bind(movement_id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records a purchase decision (to buy or not, with its reason, fund and amount).
    pub async fn insert_decision(&mut self, d: &NewDecision<'_>) -> Result<(), StoreError> {
        let NewDecision {
            tenant,
            project,
            buy,
            reason,
            fund,
            amount_fen: amount,
            by,
            at: now,
        } = *d;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO purchase_decisions (tenant_id, project_id, buy, reason, fund_id, amount_fen, decided_by, decided_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(tenant).bind(project).bind(buy).bind(reason).bind(fund).bind(amount.map(Money::fen)).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }
}
