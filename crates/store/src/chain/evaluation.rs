//! Evaluation records: the self-evaluation, the review group (its members, method and review
//! meeting) and its scores, the signed report with the verdict, and the tranches paid. Tenant
//! tables, kept as written (by trigger); the group is frozen once its report is signed.

use crate::kernel::json_err;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::review_group::{Category, Meeting};
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

    /// A project's review group with its members in order, if one was convened.
    pub async fn review_group(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Option<ReviewGroupRow>, StoreError> {
        on_pool!(self, c => {
            let Some(g) = sqlx::query(
                "SELECT convened_by, convened_at, method, meeting_on, meeting_place, signed_by, signed_at \
                 FROM review_groups WHERE tenant_id = $1 AND project_id = $2",
            )
            .bind(tenant).bind(project).fetch_optional(c).await? else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT seq, name, category, user_id, organization, is_chair, present FROM review_group_members \
                 WHERE tenant_id = $1 AND project_id = $2 ORDER BY seq",
            )
            .bind(tenant).bind(project).fetch_all(c).await?;
            let mut members = Vec::with_capacity(rows.len());
            for r in &rows {
                members.push(GroupMemberRow {
                    seq: r.try_get("seq")?,
                    name: r.try_get("name")?,
                    category: Category::parse(&r.try_get::<String, _>("category")?).unwrap_or(Category::Unrecorded),
                    user_id: r.try_get("user_id")?,
                    organization: r.try_get("organization")?,
                    chair: r.try_get("is_chair")?,
                    present: r.try_get("present")?,
                });
            }
            Ok(Some(ReviewGroupRow {
                convened_by: g.try_get("convened_by")?,
                convened_at: g.try_get("convened_at")?,
                method: g.try_get("method")?,
                meeting_on: g.try_get("meeting_on")?,
                meeting_place: g.try_get("meeting_place")?,
                signed_by: g.try_get("signed_by")?,
                signed_at: g.try_get("signed_at")?,
                members,
            }))
        })
    }

    /// The names of the social workers `organization` employs (the registry's employer).
    pub async fn employed_social_worker_names(
        &self,
        tenant: &str,
        organization: &str,
    ) -> Result<Vec<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT name FROM social_workers WHERE tenant_id = $1 AND employer_org_id = $2 ORDER BY name")
                .bind(tenant).bind(organization).fetch_all(c).await?)
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

/// A project's review group as recorded.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewGroupRow {
    /// The committee officer who convened it (none for a panel formed before groups were kept).
    pub convened_by: Option<String>,
    pub convened_at: Option<String>,
    /// 评议方式, as the group set it.
    pub method: Option<String>,
    /// The review meeting's date (YYYY-MM-DD), once recorded.
    pub meeting_on: Option<String>,
    pub meeting_place: Option<String>,
    /// Who signed the report (the chair), and when; the group is frozen from then on.
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub members: Vec<GroupMemberRow>,
}

impl ReviewGroupRow {
    /// The chair's account, if the group has a chair.
    pub fn chair(&self) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.chair)
            .and_then(|m| m.user_id.as_deref())
    }

    /// Whether the member with account `user` sits on the group.
    pub fn has(&self, user: &str) -> bool {
        self.members
            .iter()
            .any(|m| m.user_id.as_deref() == Some(user))
    }
}

/// A member of a review group.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GroupMemberRow {
    /// The member's number on the group, from 1.
    pub seq: i64,
    pub name: String,
    pub category: Category,
    /// The member's account (members without one take part in the meeting but do not score).
    pub user_id: Option<String>,
    /// The third-party organization the member comes from.
    pub organization: Option<String>,
    pub chair: bool,
    /// Present at the review meeting (none until it is recorded).
    pub present: Option<bool>,
}

/// A member to record (`Tx::insert_review_group`).
#[derive(Debug, Clone)]
pub struct NewGroupMember {
    pub name: String,
    pub category: Category,
    pub user_id: Option<String>,
    pub organization: Option<String>,
    pub chair: bool,
}

/// A review group to convene (`Tx::insert_review_group`).
#[derive(Debug, Clone, Copy)]
pub struct NewReviewGroup<'a> {
    pub tenant: &'a str,
    pub project: &'a str,
    pub members: &'a [NewGroupMember],
    /// The committee officer convening it.
    pub by: &'a str,
    pub now: &'a str,
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

/// The review group's report on a project, signed by its chair (`Tx::insert_report`).
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

    /// Convenes a project's review group with its members (numbered from 1 in order).
    pub async fn insert_review_group(
        &mut self,
        new: &NewReviewGroup<'_>,
    ) -> Result<(), StoreError> {
        let NewReviewGroup {
            tenant,
            project,
            members,
            by,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query("INSERT INTO review_groups (tenant_id, project_id, convened_by, convened_at) VALUES ($1,$2,$3,$4)")
                .bind(tenant).bind(project).bind(by).bind(now).execute(&mut *c).await?;
            for (i, m) in members.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO review_group_members (tenant_id, project_id, seq, name, category, user_id, organization, is_chair) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                )
                .bind(tenant).bind(project).bind(i as i64 + 1).bind(&m.name).bind(m.category.as_str())
                .bind(m.user_id.as_deref()).bind(m.organization.as_deref()).bind(m.chair)
                .execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Records (or records again) the group's method and review meeting; `false` once the report
    /// is signed.
    pub async fn record_review_meeting(
        &mut self,
        tenant: &str,
        project: &str,
        meeting: &Meeting,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE review_groups SET method = $3, meeting_on = $4, meeting_place = $5, meeting_recorded_by = $6, meeting_recorded_at = $7 \
                 WHERE tenant_id = $1 AND project_id = $2 AND signed_at IS NULL",
            )
            .bind(tenant).bind(project).bind(&meeting.method).bind(meeting.held_on.to_string()).bind(&meeting.place).bind(by).bind(now)
            .execute(&mut *c).await?.rows_affected();
            if n != 1 {
                return Ok(false);
            }
            let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM review_group_members WHERE tenant_id = $1 AND project_id = $2 ORDER BY seq")
                .bind(tenant).bind(project).fetch_all(&mut *c).await?;
            for seq in seqs {
                sqlx::query("UPDATE review_group_members SET present = $4 WHERE tenant_id = $1 AND project_id = $2 AND seq = $3")
                    .bind(tenant).bind(project).bind(seq).bind(meeting.present.contains(&seq))
                    .execute(&mut *c).await?;
            }
            Ok(true)
        })
    }

    /// Marks the group's report signed by `by` and freezes the group; `false` if it already was.
    pub async fn sign_review_group(
        &mut self,
        tenant: &str,
        project: &str,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query("UPDATE review_groups SET signed_by = $3, signed_at = $4 WHERE tenant_id = $1 AND project_id = $2 AND signed_at IS NULL")
                .bind(tenant).bind(project).bind(by).bind(now).execute(&mut *c).await?.rows_affected();
            if n != 1 {
                return Ok(false);
            }
            sqlx::query("UPDATE review_group_members SET frozen = TRUE WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project).execute(&mut *c).await?;
            Ok(true)
        })
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
            let n = sqlx::query("UPDATE tranches SET paid_at = $4, paid_by = $5 WHERE tenant_id = $1 AND project_id = $2 AND seq = $3 AND paid_at IS NULL AND cancelled_at IS NULL")
                .bind(tenant).bind(project).bind(seq).bind(now).bind(by)
                .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }
}
