//! Evaluation records: the self-evaluation, the review panel and its scores, the verdict, and
//! the tranches paid. Tenant tables, kept as written (by trigger).

use crate::kernel::json_err;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::stage::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SelfEvaluationRow {
    pub report: String,
    pub case_study: String,
    pub submitted_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScoreRow {
    pub user_id: String,
    pub points: Vec<u32>,
    pub total: i64,
    pub comment: String,
    pub scored_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportRow {
    pub verdict: Verdict,
    pub conditions: String,
    pub report: String,
    pub average: i64,
    pub decided_at: String,
}

impl Db {
    pub async fn self_evaluation(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<SelfEvaluationRow>, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query("SELECT report, case_study, submitted_at FROM self_evaluations WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await?;
            match r {
                Some(r) => Ok(Some(SelfEvaluationRow {
                    report: r.try_get("report")?,
                    case_study: r.try_get("case_study")?,
                    submitted_at: r.try_get("submitted_at")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// `(user id, name)` of a project's review panel.
    pub async fn review_members(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_as("SELECT user_id, display_name FROM review_members WHERE tenant_id = $1 AND project_id = $2 ORDER BY display_name, user_id")
                .bind(tenant).bind(project).fetch_all(c).await?)
        })
    }

    pub async fn review_scores(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query("SELECT user_id, points, total, comment, scored_at FROM review_scores WHERE tenant_id = $1 AND project_id = $2 ORDER BY user_id")
                .bind(tenant).bind(project).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(ScoreRow {
                    user_id: r.try_get("user_id")?,
                    points: serde_json::from_str(&r.try_get::<String, _>("points")?).map_err(json_err)?,
                    total: r.try_get("total")?,
                    comment: r.try_get("comment")?,
                    scored_at: r.try_get("scored_at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn review_report(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<ReportRow>, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query("SELECT verdict, conditions, report, average, decided_at FROM review_reports WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).fetch_optional(c).await?;
            match r {
                Some(r) => Ok(Some(ReportRow {
                    verdict: Verdict::parse(&r.try_get::<String, _>("verdict")?).unwrap_or(Verdict::NotAccepted),
                    conditions: r.try_get("conditions")?,
                    report: r.try_get("report")?,
                    average: r.try_get("average")?,
                    decided_at: r.try_get("decided_at")?,
                })),
                None => Ok(None),
            }
        })
    }
}

/// A review member's scores for a project (`Tx::insert_score`).
#[derive(Debug, Clone, Copy)]
pub struct NewScore<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    /// The scoring member.
    pub user: &'a str,
    /// The points per criterion.
    pub points: &'a [u32],
    /// The sum of `points`.
    pub total: u32,
    pub comment: &'a str,
    pub now: &'a str,
}

/// The review panel's report on a project (`Tx::insert_report`).
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    pub verdict: Verdict,
    /// The conditions of a conditional pass.
    pub conditions: &'a str,
    pub report: &'a str,
    /// The average of the members' totals.
    pub average: i64,
    pub by: &'a str,
    pub now: &'a str,
}

impl Tx {
    pub async fn insert_self_evaluation(
        &mut self,
        tenant: &str,
        project: &str,
        report: &str,
        case_study: &str,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO self_evaluations (tenant_id, project_id, report, case_study, submitted_by, submitted_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(tenant).bind(project).bind(report).bind(case_study).bind(by).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_review_members(
        &mut self,
        tenant: &str,
        project: &str,
        members: &[(String, String)],
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            for (u, name) in members {
                sqlx::query("INSERT INTO review_members (tenant_id, project_id, user_id, display_name) VALUES ($1,$2,$3,$4)")
                    .bind(tenant).bind(project).bind(u).bind(name).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// A member's scores; `false` when they already scored.
    pub async fn insert_score(&mut self, new: &NewScore<'_>) -> Result<bool, StoreError> {
        let NewScore {
            tenant,
            project,
            user,
            points,
            total,
            comment,
            now,
        } = *new;
        let p = serde_json::to_string(points).map_err(json_err)?;
        on_tx!(self, c => {
            let n = sqlx::query(
                "INSERT INTO review_scores (tenant_id, project_id, user_id, points, total, comment, scored_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
            )
            .bind(tenant).bind(project).bind(user).bind(&p).bind(i64::from(total)).bind(comment).bind(now)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }

    pub async fn insert_report(&mut self, new: &NewReport<'_>) -> Result<(), StoreError> {
        let NewReport {
            tenant,
            project,
            verdict,
            conditions,
            report,
            average,
            by,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO review_reports (tenant_id, project_id, verdict, conditions, report, average, decided_by, decided_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(tenant).bind(project).bind(verdict.as_str()).bind(conditions).bind(report).bind(average).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records a tranche as paid; `false` when it already was.
    pub async fn pay_tranche(
        &mut self,
        tenant: &str,
        project: &str,
        seq: i64,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query("UPDATE tranches SET paid_at = $4, paid_by = $5 WHERE tenant_id = $1 AND project_id = $2 AND seq = $3 AND paid_at IS NULL")
                .bind(tenant).bind(project).bind(seq).bind(now).bind(by)
                .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }
}
