//! Purchase contracts and payment tranches (tenant tables; signed rows refuse change by trigger).

use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::contract::{Contract, Milestone};
use domain::chain::money::Money;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ContractRow {
    pub purchaser_area: String,
    pub organization_id: String,
    pub amount_fen: Money,
    pub starts_on: String,
    pub ends_on: String,
    pub deliverables: String,
    pub acceptance_criteria: String,
    pub signed_on: String,
    pub purchaser_signatory: String,
    pub provider_signatory: String,
    pub tranches: Vec<TrancheRow>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrancheRow {
    pub seq: i64,
    pub milestone: Milestone,
    pub amount_fen: Money,
    pub paid_at: Option<String>,
    /// When a termination cancelled it (its money returned to the fund); never paid then.
    pub cancelled_at: Option<String>,
}

impl Db {
    pub async fn contract(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<ContractRow>, StoreError> {
        on_pool!(self, c => {
            let Some(r) = sqlx::query(
                "SELECT purchaser_area, organization_id, amount_fen, starts_on, ends_on, deliverables, acceptance_criteria, \
                 signed_on, purchaser_signatory, provider_signatory FROM contracts WHERE tenant_id = $1 AND project_id = $2",
            )
            .bind(tenant).bind(project).fetch_optional(c).await? else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT seq, milestone, amount_fen, paid_at, cancelled_at FROM tranches WHERE tenant_id = $1 AND project_id = $2 ORDER BY seq",
            )
            .bind(tenant).bind(project).fetch_all(c).await?;
            let mut tranches = Vec::with_capacity(rows.len());
            for t in &rows {
                tranches.push(TrancheRow {
                    seq: t.try_get("seq")?,
                    milestone: Milestone::parse(&t.try_get::<String, _>("milestone")?).unwrap_or(Milestone::FinalAcceptance),
                    amount_fen: Money::from_stored(t.try_get("amount_fen")?),
                    paid_at: t.try_get("paid_at")?,
                    cancelled_at: t.try_get("cancelled_at")?,
                });
            }
            Ok(Some(ContractRow {
                purchaser_area: r.try_get("purchaser_area")?,
                organization_id: r.try_get("organization_id")?,
                amount_fen: Money::from_stored(r.try_get("amount_fen")?),
                starts_on: r.try_get("starts_on")?,
                ends_on: r.try_get("ends_on")?,
                deliverables: r.try_get("deliverables")?,
                acceptance_criteria: r.try_get("acceptance_criteria")?,
                signed_on: r.try_get("signed_on")?,
                purchaser_signatory: r.try_get("purchaser_signatory")?,
                provider_signatory: r.try_get("provider_signatory")?,
                tranches,
            }))
        })
    }
}

/// A signed purchase contract to record with its tranches (`Tx::insert_contract`).
#[derive(Debug, Clone, Copy)]
pub struct NewContract<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    /// The code of the purchasing area.
    pub purchaser_area: &'a str,
    pub organization_id: &'a str,
    /// The decided amount the contract is for.
    pub amount_fen: Money,
    pub contract: &'a Contract,
    pub by: &'a str,
    pub now: &'a str,
}

impl Tx {
    /// Records a signed contract with its tranches; `false` when the project already has one.
    pub async fn insert_contract(&mut self, new: &NewContract<'_>) -> Result<bool, StoreError> {
        let NewContract {
            tenant,
            project,
            purchaser_area,
            organization_id,
            amount_fen,
            contract: k,
            by,
            now,
        } = *new;
        on_tx!(self, c => {
            let added: Option<String> = sqlx::query_scalar(
                "INSERT INTO contracts (tenant_id, project_id, purchaser_area, organization_id, amount_fen, starts_on, ends_on, deliverables, \
                 acceptance_criteria, signed_on, purchaser_signatory, provider_signatory, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT DO NOTHING RETURNING project_id",
            )
            .bind(tenant).bind(project).bind(purchaser_area).bind(organization_id).bind(amount_fen.fen())
            .bind(k.starts_on.to_string()).bind(k.ends_on.to_string()).bind(&k.deliverables).bind(&k.acceptance_criteria)
            .bind(k.signed_on.to_string()).bind(&k.purchaser_signatory).bind(&k.provider_signatory).bind(by).bind(now)
            .fetch_optional(&mut *c).await?;
            if added.is_none() {
                return Ok(false);
            }
            for (i, t) in k.tranches.iter().enumerate() {
                sqlx::query("INSERT INTO tranches (tenant_id, project_id, seq, milestone, amount_fen) VALUES ($1,$2,$3,$4,$5)")
                    .bind(tenant).bind(project).bind(i as i64 + 1).bind(t.milestone.as_str()).bind(t.amount_fen.fen())
                    .execute(&mut *c).await?;
            }
            // The tranches are the signed contract's: none is added afterwards.
            sqlx::query("INSERT INTO closed_sets (tenant_id, kind, parent_id) VALUES ($1, 'tranches', $2)")
                .bind(tenant).bind(project).execute(&mut *c).await?;
            Ok(true)
        })
    }
}
