//! Delivery records: activities with the people they served, and the oversight notes
//! (coordination, supervision, major activities, progress). Tenant tables, kept as written (by
//! trigger).

use crate::kernel::json_err;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::delivery::Activity;
use domain::chain::oversight::{Note, NoteKind, SupervisionPhase};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ActivityRow {
    pub id: String,
    pub activity: Activity,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NoteRow {
    pub id: String,
    pub note: Note,
    pub recorded_role: String,
    pub recorded_at: String,
}

impl Db {
    pub async fn delivery_notes(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<NoteRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, kind, held_on, who, phase, body, recorded_role, recorded_at FROM delivery_notes WHERE tenant_id = $1 AND project_id = $2 ORDER BY held_on, id",
            )
            .bind(tenant).bind(project).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let held_on: String = r.try_get("held_on")?;
                out.push(NoteRow {
                    id: r.try_get("id")?,
                    note: Note {
                        kind: NoteKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(NoteKind::Progress),
                        held_on: chrono::NaiveDate::parse_from_str(&held_on, "%Y-%m-%d").unwrap_or_default(),
                        who: r.try_get("who")?,
                        phase: r.try_get::<Option<String>, _>("phase")?.as_deref().and_then(SupervisionPhase::parse),
                        body: r.try_get("body")?,
                    },
                    recorded_role: r.try_get("recorded_role")?,
                    recorded_at: r.try_get("recorded_at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn activities(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query("SELECT id, detail, recorded_at FROM activities WHERE tenant_id = $1 AND project_id = $2 ORDER BY id")
                .bind(tenant).bind(project).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(ActivityRow {
                    id: r.try_get("id")?,
                    activity: serde_json::from_str(&r.try_get::<String, _>("detail")?).map_err(json_err)?,
                    recorded_at: r.try_get("recorded_at")?,
                });
            }
            Ok(out)
        })
    }

    /// Names recorded as served by a project's activities (people without an account).
    pub async fn recipient_names(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT DISTINCT name FROM activity_recipient_names WHERE tenant_id = $1 AND project_id = $2 ORDER BY name")
                .bind(tenant).bind(project).fetch_all(c).await?)
        })
    }

    /// Accounts recorded as served by a project's activities.
    pub async fn recipients(&self, tenant: &str, project: &str) -> Result<Vec<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT DISTINCT user_id FROM activity_recipients WHERE tenant_id = $1 AND project_id = $2 ORDER BY user_id")
                .bind(tenant).bind(project).fetch_all(c).await?)
        })
    }
}

/// A delivery activity to record (`Tx::insert_activity`), with the users it served.
#[derive(Debug, Clone, Copy)]
pub struct NewActivity<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub project: &'a str,
    pub activity: &'a Activity,
    /// The users served (each gets a row in `activity_recipients`).
    pub recipients: &'a [String],
    /// The people served by name, who have no account (`activity_recipient_names`).
    pub recipient_names: &'a [String],
    pub by: &'a str,
    pub now: &'a str,
}

/// A supervision or delivery note to record (`Tx::insert_note`).
#[derive(Debug, Clone, Copy)]
pub struct NewNote<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub project: &'a str,
    pub note: &'a Note,
    pub by: &'a str,
    /// The recorder's role, as stored (`Role::as_str`).
    pub role: &'a str,
    pub now: &'a str,
}

impl Tx {
    pub async fn insert_activity(&mut self, new: &NewActivity<'_>) -> Result<(), StoreError> {
        let NewActivity {
            tenant,
            id,
            project,
            activity: a,
            recipients,
            recipient_names,
            by,
            now,
        } = *new;
        let detail = serde_json::to_string(a).map_err(json_err)?;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO activities (tenant_id, id, project_id, held_on, place, content, served, detail, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            )
            .bind(tenant).bind(id).bind(project).bind(a.held_on.to_string()).bind(&a.place).bind(&a.content)
            .bind(a.served).bind(&detail).bind(by).bind(now)
            .execute(&mut *c).await?;
            for u in recipients {
                sqlx::query("INSERT INTO activity_recipients (tenant_id, project_id, user_id, activity_id) VALUES ($1,$2,$3,$4)")
                    .bind(tenant).bind(project).bind(u).bind(id).execute(&mut *c).await?;
            }
            for name in recipient_names {
                sqlx::query("INSERT INTO activity_recipient_names (tenant_id, project_id, activity_id, name) VALUES ($1,$2,$3,$4)")
                    .bind(tenant).bind(project).bind(id).bind(name).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    pub async fn insert_note(&mut self, new: &NewNote<'_>) -> Result<(), StoreError> {
        let NewNote {
            tenant,
            id,
            project,
            note: n,
            by,
            role,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO delivery_notes (tenant_id, id, project_id, kind, held_on, who, phase, body, recorded_by, recorded_role, recorded_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            )
            .bind(tenant).bind(id).bind(project).bind(n.kind.as_str()).bind(n.held_on.to_string()).bind(&n.who)
            .bind(n.phase.map(|p| p.as_str())).bind(&n.body).bind(by).bind(role).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }
}
