//! The records payment milestones wait for: the mid-term review and the conditions met after a
//! conditional pass (tenant tables, written once; triggers refuse change).

use crate::kernel::json_err;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::milestone::{ConditionMet, MidtermRating, MidtermReview, MilestoneRecords};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

/// A recorded mid-term review.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MidtermRow {
    #[serde(flatten)]
    pub review: MidtermReview,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The record that a conditional pass's conditions are met.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConditionsMetRow {
    pub items: Vec<ConditionMet>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A record to write: what it says, who wrote it and when.
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

impl<'a> NewRecord<'a> {
    /// A record on project `p` made by `by` at `now` (every milestone and ending record names
    /// those four things the same way).
    pub fn on(p: &'a crate::chain::application::ProjectRow, by: &'a str, now: &'a str) -> Self {
        NewRecord {
            tenant: &p.tenant_id,
            project: &p.id,
            by,
            now,
        }
    }
}

impl Db {
    pub async fn midterm_review(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<MidtermRow>, StoreError> {
        on_pool!(self, c => {
            let Some(r) = sqlx::query(
                "SELECT findings, rating, conditions, supervisor, recorded_by, recorded_at FROM midterm_reviews \
                 WHERE tenant_id = $1 AND project_id = $2",
            )
            .bind(tenant).bind(project).fetch_optional(c).await? else {
                return Ok(None);
            };
            let rating: String = r.try_get("rating")?;
            Ok(Some(MidtermRow {
                review: MidtermReview {
                    findings: r.try_get("findings")?,
                    rating: MidtermRating::parse(&rating).unwrap_or(MidtermRating::Fair),
                    conditions: r.try_get("conditions")?,
                    supervisor: r.try_get("supervisor")?,
                },
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            }))
        })
    }

    pub async fn conditions_met(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<ConditionsMetRow>, StoreError> {
        on_pool!(self, c => {
            let Some(r) = sqlx::query(
                "SELECT items, recorded_by, recorded_at FROM conditions_met WHERE tenant_id = $1 AND project_id = $2",
            )
            .bind(tenant).bind(project).fetch_optional(c).await? else {
                return Ok(None);
            };
            let items: String = r.try_get("items")?;
            Ok(Some(ConditionsMetRow {
                items: serde_json::from_str(&items).map_err(json_err)?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            }))
        })
    }

    /// Which milestone records a project has, in one statement.
    pub async fn milestone_records(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<MilestoneRecords, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query(
                "SELECT EXISTS (SELECT 1 FROM midterm_reviews WHERE tenant_id = $1 AND project_id = $2) AS m, \
                        EXISTS (SELECT 1 FROM conditions_met WHERE tenant_id = $1 AND project_id = $2) AS k",
            )
            .bind(tenant).bind(project).fetch_one(c).await?;
            Ok(MilestoneRecords {
                midterm_review: r.try_get("m")?,
                conditions_met: r.try_get("k")?,
            })
        })
    }
}

impl Tx {
    /// Writes the mid-term review; `false` when one was written first (nothing changes).
    pub async fn insert_midterm_review(
        &mut self,
        n: &NewRecord<'_>,
        review: &MidtermReview,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO midterm_reviews (tenant_id, project_id, findings, rating, conditions, supervisor, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
            )
            .bind(n.tenant).bind(n.project).bind(&review.findings).bind(review.rating.as_str())
            .bind(&review.conditions).bind(&review.supervisor).bind(n.by).bind(n.now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Writes that the conditions are met; `false` when it was written first.
    pub async fn insert_conditions_met(
        &mut self,
        n: &NewRecord<'_>,
        items: &[ConditionMet],
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(items).map_err(json_err)?;
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO conditions_met (tenant_id, project_id, items, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
            )
            .bind(n.tenant).bind(n.project).bind(&json).bind(n.by).bind(n.now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
