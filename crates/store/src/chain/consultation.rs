//! Consultation meetings: the agenda (applications at the version discussed), attendance and
//! comments, and the signed minutes (tenant tables; frozen rows refuse change by trigger).

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::consultation::{AttendeeRole, Comment, Consultation};
use domain::chain::stage::Stage;
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConsultationRow {
    pub tenant_id: String,
    pub id: String,
    pub community: AreaCode,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub summary: String,
    pub recorder: String,
    pub chair: String,
    pub created_at: String,
    pub frozen_at: Option<String>,
}

impl ConsultationRow {
    pub fn frozen(&self) -> bool {
        self.frozen_at.is_some()
    }
}

/// An application on the agenda, at the version discussed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AgendaItem {
    pub project_id: String,
    pub title: String,
    pub organization_name: String,
    pub version: i64,
    pub stage: Stage,
}

/// An attendee (`kind` = `attendee`) or a comment (`comment`, on `project_id`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EntryRow {
    pub id: String,
    pub kind: String,
    pub role: AttendeeRole,
    pub name: String,
    pub project_id: Option<String>,
    pub comment: String,
    pub requested_change: String,
    pub recorded_at: String,
}

const COLS: &str = "c.tenant_id, c.id, c.area_code, c.title, c.held_on, c.place, c.summary, \
    c.recorder, c.chair, c.created_at, c.frozen_at";

macro_rules! consultation_from_row {
    ($r:expr) => {{
        let r = $r;
        ConsultationRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            community: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            title: r.try_get("title")?,
            held_on: r.try_get("held_on")?,
            place: r.try_get("place")?,
            summary: r.try_get("summary")?,
            recorder: r.try_get("recorder")?,
            chair: r.try_get("chair")?,
            created_at: r.try_get("created_at")?,
            frozen_at: r.try_get("frozen_at")?,
        }
    }};
}

macro_rules! entry_from_row {
    ($r:expr) => {{
        let r = $r;
        EntryRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            role: AttendeeRole::parse(&r.try_get::<String, _>("role")?)
                .unwrap_or(AttendeeRole::Resident),
            name: r.try_get("name")?,
            project_id: r.try_get("project_id")?,
            comment: r.try_get("comment")?,
            requested_change: r.try_get("requested_change")?,
            recorded_at: r.try_get("recorded_at")?,
        }
    }};
}

/// The order of the meetings list: newest first (ids are time-ordered).
pub const CONSULTATION_ORDER: crate::kernel::Keyset =
    crate::kernel::Keyset(&[crate::kernel::Key::desc("c.id")]);

impl Db {
    pub async fn consultation(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ConsultationRow>, StoreError> {
        let sql =
            format!("SELECT {COLS} FROM consultations c WHERE c.tenant_id = $1 AND c.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(consultation_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Meetings inside the scope, newest first (ids are time-ordered), after a cursor (an id).
    pub async fn consultations(
        &self,
        scope: &Scope,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<ConsultationRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("c.area_code", scope, &mut binds);
        let wh = CONSULTATION_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {COLS} FROM consultations c WHERE {wh} ORDER BY {} LIMIT {limit}",
            CONSULTATION_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(consultation_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many meetings the scope holds.
    pub async fn count_consultations(&self, scope: &Scope) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("c.area_code", scope, &mut binds);
        self.count_where("consultations c", &wh, &binds).await
    }

    pub async fn agenda(
        &self,
        tenant: &str,
        consultation_id: &str,
    ) -> Result<Vec<AgendaItem>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT ci.project_id, ci.version, p.title, p.stage, o.name AS organization_name FROM consultation_items ci \
                 JOIN projects p ON p.tenant_id = ci.tenant_id AND p.id = ci.project_id \
                 JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
                 WHERE ci.tenant_id = $1 AND ci.consultation_id = $2 ORDER BY p.id",
            )
            .bind(tenant).bind(consultation_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(AgendaItem {
                    project_id: r.try_get("project_id")?,
                    title: r.try_get("title")?,
                    organization_name: r.try_get("organization_name")?,
                    version: r.try_get("version")?,
                    stage: Stage::parse(&r.try_get::<String, _>("stage")?).unwrap_or(Stage::Draft),
                });
            }
            Ok(out)
        })
    }

    /// Attendance and comments of a meeting, in the order recorded.
    pub async fn consultation_entries(
        &self,
        tenant: &str,
        consultation_id: &str,
    ) -> Result<Vec<EntryRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, kind, role, name, project_id, comment, requested_change, recorded_at FROM consultation_entries \
                 WHERE tenant_id = $1 AND consultation_id = $2 ORDER BY id",
            )
            .bind(tenant).bind(consultation_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(entry_from_row!(r));
            }
            Ok(out)
        })
    }

    /// The comments made on a project at frozen meetings, with the meeting's title and date.
    pub async fn comments_on(
        &self,
        tenant: &str,
        project_id: &str,
    ) -> Result<Vec<(EntryRow, String, String)>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT e.id, e.kind, e.role, e.name, e.project_id, e.comment, e.requested_change, e.recorded_at, \
                 c.title AS meeting, c.held_on FROM consultation_entries e \
                 JOIN consultations c ON c.tenant_id = e.tenant_id AND c.id = e.consultation_id \
                 WHERE e.tenant_id = $1 AND e.project_id = $2 AND c.frozen_at IS NOT NULL ORDER BY e.id",
            )
            .bind(tenant).bind(project_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((entry_from_row!(r), r.try_get("meeting")?, r.try_get("held_on")?));
            }
            Ok(out)
        })
    }
}

/// An attendee of a consultation meeting (`Tx::insert_attendee`).
#[derive(Debug, Clone, Copy)]
pub struct NewAttendee<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub consultation_id: &'a str,
    pub role: AttendeeRole,
    pub name: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

/// A comment made at a consultation meeting (`Tx::insert_comment`).
#[derive(Debug, Clone, Copy)]
pub struct NewComment<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub consultation_id: &'a str,
    pub comment: &'a Comment,
    pub by: &'a str,
    pub now: &'a str,
}

/// The signatures and summary that freeze a consultation's minutes (`Tx::freeze_consultation`).
#[derive(Debug, Clone, Copy)]
pub struct Freeze<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    /// Who took the minutes.
    pub recorder: &'a str,
    /// Who chaired the meeting.
    pub chair: &'a str,
    pub summary: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

impl Tx {
    /// A new meeting with its agenda, each application at its current `version`.
    pub async fn insert_consultation(
        &mut self,
        tenant: &str,
        id: &str,
        m: &Consultation,
        versions: &[(String, i64)],
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO consultations (tenant_id, id, area_code, title, held_on, place, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(tenant).bind(id).bind(m.community.as_str()).bind(&m.title).bind(m.held_on.to_string())
            .bind(&m.place).bind(by).bind(now)
            .execute(&mut *c).await?;
            for (project, version) in versions {
                sqlx::query("INSERT INTO consultation_items (tenant_id, consultation_id, project_id, version) VALUES ($1,$2,$3,$4)")
                    .bind(tenant).bind(id).bind(project).bind(version).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    pub async fn insert_attendee(&mut self, new: &NewAttendee<'_>) -> Result<(), StoreError> {
        let NewAttendee {
            tenant,
            id,
            consultation_id,
            role,
            name,
            by,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO consultation_entries (tenant_id, id, consultation_id, kind, role, name, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,'attendee',$4,$5,$6,$7)",
            )
            .bind(tenant).bind(id).bind(consultation_id).bind(role.as_str()).bind(name).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_comment(&mut self, new: &NewComment<'_>) -> Result<(), StoreError> {
        let NewComment {
            tenant,
            id,
            consultation_id,
            comment,
            by,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO consultation_entries (tenant_id, id, consultation_id, kind, role, name, project_id, comment, requested_change, recorded_by, recorded_at) \
                 VALUES ($1,$2,$3,'comment',$4,$5,$6,$7,$8,$9,$10)",
            )
            .bind(tenant).bind(id).bind(consultation_id).bind(comment.role.as_str()).bind(&comment.speaker)
            .bind(&comment.project_id).bind(&comment.comment).bind(&comment.requested_change).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Signs and freezes the minutes; `false` when they were already frozen.
    pub async fn freeze_consultation(&mut self, f: &Freeze<'_>) -> Result<bool, StoreError> {
        let Freeze {
            tenant,
            id,
            recorder,
            chair,
            summary,
            by,
            now,
        } = *f;
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE consultations SET recorder = $3, chair = $4, summary = $5, frozen_by = $6, frozen_at = $7 \
                 WHERE tenant_id = $1 AND id = $2 AND frozen_at IS NULL",
            )
            .bind(tenant).bind(id).bind(recorder).bind(chair).bind(summary).bind(by).bind(now)
            .execute(&mut *c).await?
            .rows_affected();
            Ok(n == 1)
        })
    }
}
