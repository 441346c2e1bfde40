//! Terminations, rectification and the money that returns to its fund (tenant tables, written
//! once; triggers refuse change, a cancelled tranche's payment, and a return without its
//! movement).

use crate::chain::milestone::NewRecord;
use crate::chain::purchase::FundDraw;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::money::Money;
use domain::chain::termination::{Cause, Rectification};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

/// A project's termination: why, by whom, and what returned to which fund.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TerminationRow {
    pub cause: Cause,
    pub reasons: String,
    pub fund_id: Option<String>,
    pub returned_fen: Money,
    pub terminated_by: String,
    pub terminated_at: String,
}

/// A statement recorded once: the organization's response, its rectification, or the
/// rectification period's requirements.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatementRow {
    pub text: String,
    pub by: String,
    pub at: String,
}

/// The rectification period the purchaser set.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RectificationRow {
    pub requirements: String,
    pub due_on: String,
    pub set_by: String,
    pub set_at: String,
}

/// The review group's one re-review.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReReviewRow {
    pub accepted: bool,
    pub report: String,
    pub signed_by: String,
    pub signed_at: String,
}

/// Everything recorded about a project's rectification and end.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct EndingRows {
    pub rectification: Option<RectificationRow>,
    /// The organization's rectification, as it recorded it.
    pub rectified: Option<StatementRow>,
    pub re_review: Option<ReReviewRow>,
    pub termination: Option<TerminationRow>,
    /// The organization's response to the termination.
    pub response: Option<StatementRow>,
}

/// A termination to record (`Tx::insert_termination`), after its return movement.
#[derive(Debug, Clone, Copy)]
pub struct NewTermination<'a> {
    pub record: NewRecord<'a>,
    pub cause: Cause,
    pub reasons: &'a str,
    pub fund: Option<&'a str>,
    pub returned_fen: Money,
    pub movement_id: Option<&'a str>,
}

/// A tranche as the termination finds it, locked.
#[derive(Debug, Clone, Copy)]
pub struct LockedTranche {
    pub seq: i64,
    pub amount_fen: Money,
    pub paid: bool,
}

impl Db {
    /// The rectification and end records of a project (five small reads by primary key).
    pub async fn ending(&self, tenant: &str, project: &str) -> Result<EndingRows, StoreError> {
        on_pool!(self, c => {
            let mut out = EndingRows::default();
            if let Some(r) = sqlx::query("SELECT requirements, due_on, set_by, set_at FROM rectifications WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await? {
                out.rectification = Some(RectificationRow {
                    requirements: r.try_get("requirements")?,
                    due_on: r.try_get("due_on")?,
                    set_by: r.try_get("set_by")?,
                    set_at: r.try_get("set_at")?,
                });
            }
            if let Some(r) = sqlx::query("SELECT report AS text, recorded_by AS by_user, recorded_at AS at FROM rectification_reports WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await? {
                out.rectified = Some(StatementRow { text: r.try_get("text")?, by: r.try_get("by_user")?, at: r.try_get("at")? });
            }
            if let Some(r) = sqlx::query("SELECT accepted, report, signed_by, signed_at FROM re_reviews WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await? {
                out.re_review = Some(ReReviewRow {
                    accepted: r.try_get("accepted")?,
                    report: r.try_get("report")?,
                    signed_by: r.try_get("signed_by")?,
                    signed_at: r.try_get("signed_at")?,
                });
            }
            if let Some(r) = sqlx::query("SELECT cause, reasons, fund_id, returned_fen, terminated_by, terminated_at FROM terminations WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await? {
                out.termination = Some(TerminationRow {
                    cause: Cause::parse(&r.try_get::<String, _>("cause")?).unwrap_or(Cause::Terminated),
                    reasons: r.try_get("reasons")?,
                    fund_id: r.try_get("fund_id")?,
                    returned_fen: Money::from_stored(r.try_get("returned_fen")?),
                    terminated_by: r.try_get("terminated_by")?,
                    terminated_at: r.try_get("terminated_at")?,
                });
            }
            if let Some(r) = sqlx::query("SELECT response AS text, responded_by AS by_user, responded_at AS at FROM termination_responses WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await? {
                out.response = Some(StatementRow { text: r.try_get("text")?, by: r.try_get("by_user")?, at: r.try_get("at")? });
            }
            Ok(out)
        })
    }
}

impl Tx {
    /// A project's tranches, locked until the transaction ends (a payment at the same moment
    /// waits, then finds the tranche cancelled; SQLite's write transaction excludes it anyway).
    pub async fn tranches_for_update(
        &mut self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<LockedTranche>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Postgres => "SELECT seq, amount_fen, paid_at FROM tranches WHERE tenant_id = $1 AND project_id = $2 AND cancelled_at IS NULL ORDER BY seq FOR UPDATE",
            crate::Backend::Sqlite => "SELECT seq, amount_fen, paid_at FROM tranches WHERE tenant_id = $1 AND project_id = $2 AND cancelled_at IS NULL ORDER BY seq",
        };
        on_tx!(self, c => {
            let rows = sqlx::query(sql).bind(tenant).bind(project).fetch_all(&mut *c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(LockedTranche {
                    seq: r.try_get("seq")?,
                    amount_fen: Money::from_stored(r.try_get("amount_fen")?),
                    paid: r.try_get::<Option<String>, _>("paid_at")?.is_some(),
                });
            }
            Ok(out)
        })
    }

    /// Returns `d.amount_fen` to its fund for `d.project` as a `return` movement, under the
    /// fund's lock: the new balance.
    pub async fn return_project_money(&mut self, d: &FundDraw<'_>) -> Result<Money, StoreError> {
        let balance = self
            .fund_balance_for_update(d.tenant, d.fund)
            .await?
            .ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))?;
        let after = balance + d.amount_fen.fen();
        self.move_fund(d, "return", d.amount_fen.fen(), after)
            .await?;
        Ok(Money::from_stored(after))
    }

    /// Records the termination (after the movement it names); `false` when the project was
    /// terminated first.
    pub async fn insert_termination(&mut self, t: &NewTermination<'_>) -> Result<bool, StoreError> {
        let n = t.record;
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO terminations (tenant_id, project_id, cause, reasons, fund_id, returned_fen, movement_id, terminated_by, terminated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING",
            )
            .bind(n.tenant).bind(n.project).bind(t.cause.as_str()).bind(t.reasons).bind(t.fund)
            .bind(t.returned_fen.fen()).bind(t.movement_id).bind(n.by).bind(n.now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Cancels every unpaid tranche of the project (kept, marked, frozen): how many.
    pub async fn cancel_unpaid_tranches(&mut self, n: &NewRecord<'_>) -> Result<u64, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query(
                "UPDATE tranches SET cancelled_at = $3, cancelled_by = $4 \
                 WHERE tenant_id = $1 AND project_id = $2 AND paid_at IS NULL AND cancelled_at IS NULL",
            )
            .bind(n.tenant).bind(n.project).bind(n.now).bind(n.by)
            .execute(&mut *c).await?;
            Ok(done.rows_affected())
        })
    }

    /// Writes the organization's response to the termination; `false` when one was first.
    pub async fn insert_termination_response(
        &mut self,
        n: &NewRecord<'_>,
        text: &str,
    ) -> Result<bool, StoreError> {
        self.insert_once(
            "INSERT INTO termination_responses (tenant_id, project_id, response, responded_by, responded_at) \
             VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
            n,
            text,
        )
        .await
    }

    /// Writes the organization's rectification; `false` when one was first.
    pub async fn insert_rectification_report(
        &mut self,
        n: &NewRecord<'_>,
        text: &str,
    ) -> Result<bool, StoreError> {
        self.insert_once(
            "INSERT INTO rectification_reports (tenant_id, project_id, report, recorded_by, recorded_at) \
             VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
            n,
            text,
        )
        .await
    }

    async fn insert_once(
        &mut self,
        sql: &str,
        n: &NewRecord<'_>,
        text: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query(sql)
                .bind(n.tenant).bind(n.project).bind(text).bind(n.by).bind(n.now)
                .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Writes the rectification period; `false` when one was set first.
    pub async fn insert_rectification(
        &mut self,
        n: &NewRecord<'_>,
        r: &Rectification,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO rectifications (tenant_id, project_id, requirements, due_on, set_by, set_at) \
                 VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
            )
            .bind(n.tenant).bind(n.project).bind(&r.requirements).bind(r.due_on.to_string()).bind(n.by).bind(n.now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Writes the one re-review; `false` when it was written first.
    pub async fn insert_re_review(
        &mut self,
        n: &NewRecord<'_>,
        accepted: bool,
        report: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO re_reviews (tenant_id, project_id, accepted, report, signed_by, signed_at) \
                 VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
            )
            .bind(n.tenant).bind(n.project).bind(accepted).bind(report).bind(n.by).bind(n.now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
