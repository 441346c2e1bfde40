//! Service projects and the immutable versions of their applications (tenant tables), read
//! through a scope.

use crate::kernel::{scope_filter, sqlite_json_page};
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::application::ApplicationContent;
use domain::chain::money::Money;
use domain::chain::stage::Stage;
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectRow {
    pub tenant_id: String,
    pub id: String,
    /// The community the project serves (its catalogue item's, or the one its call application named).
    pub community: AreaCode,
    /// The catalogue item undertaken; `None` for a project awarded by a venture call or tender.
    pub item_id: Option<String>,
    /// The item's name, or for a project from a call the call's theme.
    pub item_name: String,
    /// The call (selection, venture call, tender) that awarded it, if any.
    pub call_id: Option<String>,
    pub organization_id: String,
    pub organization_name: String,
    pub eligibility_id: Option<String>,
    pub title: String,
    pub stage: Stage,
    /// The current version of the application.
    pub version: i64,
    pub budget_fen: Money,
    pub lead_user_id: String,
    pub created_at: String,
    pub updated_at: String,
    /// The period (year) it belongs to: its item's, or the year its call opened.
    pub period: i32,
}

/// One version of an application, as written; never changed afterwards.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VersionRow {
    pub version: i64,
    pub content: ApplicationContent,
    pub budget_fen: Money,
    /// What the author said the revision changed.
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// A project as linked from elsewhere (a need, a work list).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectLink {
    pub id: String,
    pub title: String,
    pub stage: Stage,
    pub organization_name: String,
}

/// What a new project starts with.
pub struct NewProject<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub community: &'a AreaCode,
    pub item_id: Option<&'a str>,
    pub call_id: Option<&'a str>,
    pub organization_id: &'a str,
    pub eligibility_id: Option<&'a str>,
    /// Draft for an application written on an item; purchased for a call's award.
    pub stage: Stage,
    pub content: &'a ApplicationContent,
    pub by: &'a str,
    pub now: &'a str,
}

const COLS: &str = "p.tenant_id, p.id, p.area_code, p.item_id, COALESCE(i.name,k.title) AS item_name, \
    p.call_id, p.organization_id, o.name AS organization_name, p.eligibility_id, p.title, p.stage, p.version, \
    p.budget_fen, p.lead_user_id, p.created_at, p.updated_at, p.period";
/// Every project query reads the item's and the organization's names with it.
const FROM: &str = "projects p \
    LEFT JOIN catalogue_items i ON i.tenant_id = p.tenant_id AND i.id = p.item_id \
    LEFT JOIN calls k ON k.tenant_id = p.tenant_id AND k.id = p.call_id \
    JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id";

/// The year (China time) of a stored UTC time: the period of a record made then.
fn china_year(at: &str) -> i32 {
    use chrono::Datelike;
    crate::time::from_db(at)
        .map(|t| (t + chrono::Duration::hours(8)).year())
        .unwrap_or(0)
}

fn stage_of(s: &str) -> Stage {
    Stage::parse(s).unwrap_or(Stage::Draft)
}

macro_rules! project_from_row {
    ($r:expr) => {{
        let r = $r;
        ProjectRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            community: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            item_id: r.try_get("item_id")?,
            item_name: r.try_get("item_name")?,
            call_id: r.try_get("call_id")?,
            organization_id: r.try_get("organization_id")?,
            organization_name: r.try_get("organization_name")?,
            eligibility_id: r.try_get("eligibility_id")?,
            title: r.try_get("title")?,
            stage: stage_of(&r.try_get::<String, _>("stage")?),
            version: r.try_get("version")?,
            budget_fen: Money::from_stored(r.try_get("budget_fen")?),
            lead_user_id: r.try_get("lead_user_id")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            period: r.try_get("period")?,
        }
    }};
}

/// A project row as the SQLite page query's JSON carries it.
#[derive(serde::Deserialize)]
struct RawProject {
    tenant_id: String,
    id: String,
    area_code: String,
    item_id: Option<String>,
    item_name: String,
    call_id: Option<String>,
    organization_id: String,
    organization_name: String,
    eligibility_id: Option<String>,
    title: String,
    stage: String,
    version: i64,
    budget_fen: i64,
    lead_user_id: String,
    created_at: String,
    updated_at: String,
    period: i32,
}

impl RawProject {
    fn into_row(self) -> ProjectRow {
        ProjectRow {
            community: AreaCode::from_stored(&self.area_code),
            stage: stage_of(&self.stage),
            tenant_id: self.tenant_id,
            id: self.id,
            item_id: self.item_id,
            item_name: self.item_name,
            call_id: self.call_id,
            organization_id: self.organization_id,
            organization_name: self.organization_name,
            eligibility_id: self.eligibility_id,
            title: self.title,
            version: self.version,
            budget_fen: Money::from_stored(self.budget_fen),
            lead_user_id: self.lead_user_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            period: self.period,
        }
    }
}

fn content_of(text: &str) -> Result<ApplicationContent, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Sqlx(sqlx::Error::Decode(Box::new(e))))
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a project list keeps: optionally one stage, one organization, one period.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectFilter<'a> {
    pub stage: Option<Stage>,
    pub organization: Option<&'a str>,
    pub period: Option<i32>,
}

/// Projects inside the scope, optionally of one stage or one organization.
fn projects_where(
    scope: &Scope,
    stage: Option<Stage>,
    organization: Option<&str>,
    binds: &mut Vec<String>,
) -> String {
    projects_filtered(
        scope,
        &ProjectFilter {
            stage,
            organization,
            period: None,
        },
        binds,
    )
}

fn projects_filtered(scope: &Scope, f: &ProjectFilter<'_>, binds: &mut Vec<String>) -> String {
    let (stage, organization) = (f.stage, f.organization);
    let mut wh = vec![scope_filter("p.area_code", scope, binds)];
    if let Some(p) = f.period {
        // Every bind of these lists is text; the cast reads it as the year on both backends.
        binds.push(p.to_string());
        wh.push(format!("p.period = CAST(${} AS INTEGER)", binds.len()));
    }
    if let Some(s) = stage {
        binds.push(s.as_str().into());
        wh.push(format!("p.stage = ${}", binds.len()));
    }
    if let Some(o) = organization {
        binds.push(o.into());
        wh.push(format!("p.organization_id = ${}", binds.len()));
    }
    wh.join(" AND ")
}

impl Db {
    pub async fn project(&self, tenant: &str, id: &str) -> Result<Option<ProjectRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE p.tenant_id = $1 AND p.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(project_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// How many projects [`Db::projects`] lists under the same filter.
    pub async fn count_projects(
        &self,
        scope: &Scope,
        stage: Option<Stage>,
        organization: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = projects_where(scope, stage, organization, &mut binds);
        self.count_where("projects p", &wh, &binds).await
    }

    /// How many projects [`Db::projects_filtered`] lists under the same filter.
    pub async fn count_projects_filtered(
        &self,
        scope: &Scope,
        f: &ProjectFilter<'_>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = projects_filtered(scope, f, &mut binds);
        self.count_where("projects p", &wh, &binds).await
    }

    /// Projects inside the scope, newest first, optionally of one stage or one organization.
    pub async fn projects(
        &self,
        scope: &Scope,
        stage: Option<Stage>,
        organization: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ProjectRow>, StoreError> {
        let f = ProjectFilter {
            stage,
            organization,
            period: None,
        };
        self.projects_filtered(scope, &f, before, limit).await
    }

    /// Projects inside the scope, newest first (ids are time-ordered), under the filter;
    /// `before` continues a page from the last id shown.
    pub async fn projects_filtered(
        &self,
        scope: &Scope,
        f: &ProjectFilter<'_>,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ProjectRow>, StoreError> {
        let mut binds = Vec::new();
        let mut wh = vec![projects_filtered(scope, f, &mut binds)];
        if let Some(b) = before {
            binds.push(b.into());
            wh.push(format!("p.id < ${}", binds.len()));
        }
        let sql = format!(
            "SELECT {COLS} FROM {FROM} WHERE {} ORDER BY p.id DESC LIMIT {limit}",
            wh.join(" AND ")
        );
        match self {
            Db::Sqlite(pool) => {
                let raw: Vec<RawProject> =
                    sqlite_json_page(pool, COLS, &sql, &binds, "project page").await?;
                let mut out: Vec<ProjectRow> = raw.into_iter().map(RawProject::into_row).collect();
                // The aggregate keeps the subquery's order in practice; sorting makes it certain.
                out.sort_by(|a, b| b.id.cmp(&a.id));
                Ok(out)
            }
            Db::Postgres(pool) => {
                let mut q = sqlx::query(&sql);
                for b in &binds {
                    q = q.bind(b.as_str());
                }
                let rows = q.fetch_all(pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    out.push(project_from_row!(r));
                }
                Ok(out)
            }
        }
    }

    /// Every version of a project's application, oldest first.
    pub async fn application_versions(
        &self,
        tenant: &str,
        project_id: &str,
    ) -> Result<Vec<VersionRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT version, content, budget_fen, note, created_by, created_at FROM application_versions \
                 WHERE tenant_id = $1 AND project_id = $2 ORDER BY version",
            )
            .bind(tenant).bind(project_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(VersionRow {
                    version: r.try_get("version")?,
                    content: content_of(&r.try_get::<String, _>("content")?)?,
                    budget_fen: Money::from_stored(r.try_get("budget_fen")?),
                    note: r.try_get("note")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                });
            }
            Ok(out)
        })
    }

    /// The projects whose current application answers a need.
    pub async fn projects_for_need(
        &self,
        tenant: &str,
        need_id: &str,
    ) -> Result<Vec<ProjectLink>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT p.id, p.title, p.stage, o.name AS organization_name FROM project_needs pn \
                 JOIN projects p ON p.tenant_id = pn.tenant_id AND p.id = pn.project_id \
                 JOIN organizations o ON o.tenant_id = p.tenant_id AND o.id = p.organization_id \
                 WHERE pn.tenant_id = $1 AND pn.need_id = $2 ORDER BY p.id",
            )
            .bind(tenant).bind(need_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(ProjectLink {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    stage: stage_of(&r.try_get::<String, _>("stage")?),
                    organization_name: r.try_get("organization_name")?,
                });
            }
            Ok(out)
        })
    }

    /// `(id, name)` of the rows of a registry table (`social_workers` or `volunteers`) among
    /// `ids`, in the tenant; ids that are not there are simply absent.
    pub async fn registry_names(
        &self,
        table: RegistryTable,
        tenant: &str,
        ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name FROM {} WHERE tenant_id = $1 AND id IN ({}) ORDER BY id",
            table.table(),
            placeholders(2, ids.len())
        );
        on_pool!(self, c => {
            let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(tenant);
            for id in ids {
                q = q.bind(id.as_str());
            }
            Ok(q.fetch_all(c).await?)
        })
    }

    /// A page of the projects inside the scope in primary-key order, after `after` (tenant, id):
    /// the bulk export's walk, which the primary key serves without sorting the table.
    pub async fn projects_in_key_order(
        &self,
        scope: &Scope,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<ProjectRow>, StoreError> {
        let mut binds = Vec::new();
        let mut wh = vec![scope_filter("p.area_code", scope, &mut binds)];
        if let Some((t, id)) = after {
            binds.push(t.to_string());
            binds.push(id.to_string());
            wh.push(format!(
                "(p.tenant_id > ${a} OR (p.tenant_id = ${a} AND p.id > ${b}))",
                a = binds.len() - 1,
                b = binds.len()
            ));
        }
        let sql = format!(
            "SELECT {COLS} FROM {FROM} WHERE {} ORDER BY p.tenant_id, p.id LIMIT {limit}",
            wh.join(" AND ")
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(project_from_row!(r));
            }
            Ok(out)
        })
    }

    /// The project written on an eligibility, if any.
    pub async fn project_of_eligibility(
        &self,
        tenant: &str,
        eligibility_id: &str,
    ) -> Result<Option<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT id FROM projects WHERE tenant_id = $1 AND eligibility_id = $2")
                .bind(tenant).bind(eligibility_id).fetch_optional(c).await?)
        })
    }

    /// `(id, name)` of the social workers an organization employs.
    pub async fn employed_workers(
        &self,
        tenant: &str,
        organization_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT id, name FROM social_workers WHERE tenant_id = $1 AND employer_org_id = $2 ORDER BY name, id",
            )
            .bind(tenant).bind(organization_id).fetch_all(c).await?)
        })
    }

    /// Accounts assigned to an organization (any role): `(user id, display name)`.
    pub async fn organization_accounts(
        &self,
        organization_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT DISTINCT u.id, u.display_name FROM role_assignments a JOIN users u ON u.id = a.user_id \
                 WHERE a.organization_id = $1 ORDER BY u.id",
            )
            .bind(organization_id).fetch_all(c).await?)
        })
    }
}

/// The registries an application's team is drawn from.
#[derive(Debug, Clone, Copy)]
pub enum RegistryTable {
    SocialWorkers,
    Volunteers,
}

impl RegistryTable {
    fn table(self) -> &'static str {
        match self {
            RegistryTable::SocialWorkers => "social_workers",
            RegistryTable::Volunteers => "volunteers",
        }
    }
}

/// One immutable version of an application with its number (`Tx::insert_version`).
#[derive(Debug, Clone, Copy)]
struct NumberedVersion<'a> {
    tenant: &'a str,
    project_id: &'a str,
    /// The version's number (1 for a new project).
    version: i64,
    content: &'a ApplicationContent,
    /// What changed; empty for the first version.
    note: &'a str,
    by: &'a str,
    now: &'a str,
}

/// A revised application to add as the project's next version (`Tx::add_version`).
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    pub tenant: &'a str,
    pub project_id: &'a str,
    /// The version the project must still be at; the new one is `expected + 1`.
    pub expected: i64,
    pub content: &'a ApplicationContent,
    /// What changed.
    pub note: &'a str,
    pub by: &'a str,
    pub now: &'a str,
}

impl Tx {
    /// A new project with its first version.
    pub async fn insert_project(&mut self, p: &NewProject<'_>) -> Result<(), StoreError> {
        let c = p.content;
        on_tx!(self, conn => {
            sqlx::query(
                // The period is the item's, so a project's period always agrees with the item it
                // rests on; a call's project without an item takes the year it was awarded in.
                "INSERT INTO projects (tenant_id, id, area_code, item_id, call_id, organization_id, eligibility_id, title, stage, version, budget_fen, lead_user_id, created_by, created_at, updated_at, period) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,$10,$11,$12,$13,$13, COALESCE(\
                   (SELECT i.period FROM catalogue_items i WHERE i.tenant_id = $1 AND i.id = $4), $14))",
            )
            .bind(p.tenant).bind(p.id).bind(p.community.as_str()).bind(p.item_id).bind(p.call_id).bind(p.organization_id)
            .bind(p.eligibility_id).bind(&c.title).bind(p.stage.as_str()).bind(c.total().fen()).bind(&c.lead).bind(p.by).bind(p.now)
            .bind(china_year(p.now))
            .execute(&mut *conn).await?;
        });
        self.insert_version(&NumberedVersion {
            tenant: p.tenant,
            project_id: p.id,
            version: 1,
            content: c,
            note: "",
            by: p.by,
            now: p.now,
        })
        .await?;
        self.link_needs(p.tenant, p.id, &c.needs).await
    }

    async fn insert_version(&mut self, v: &NumberedVersion<'_>) -> Result<(), StoreError> {
        let NumberedVersion {
            tenant,
            project_id,
            version,
            content,
            note,
            by,
            now,
        } = *v;
        let text = serde_json::to_string(content)
            .map_err(|e| StoreError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO application_versions (tenant_id, project_id, version, content, budget_fen, note, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(tenant).bind(project_id).bind(version).bind(&text).bind(content.total().fen()).bind(note).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The project's needs become those of its current version.
    async fn link_needs(
        &mut self,
        tenant: &str,
        project_id: &str,
        needs: &[String],
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM project_needs WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant).bind(project_id).execute(&mut *c).await?;
            for n in needs {
                sqlx::query("INSERT INTO project_needs (tenant_id, project_id, need_id) VALUES ($1,$2,$3)")
                    .bind(tenant).bind(project_id).bind(n).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Adds version `expected + 1` if the project is still at version `expected` and in one of
    /// the revisable stages; `false` when someone else moved it first (nothing is written).
    pub async fn add_version(&mut self, r: &NewVersion<'_>) -> Result<bool, StoreError> {
        let NewVersion {
            tenant,
            project_id,
            expected,
            content,
            note,
            by,
            now,
        } = *r;
        // The stages in which the domain allows revision, spelled out for the guard.
        let revisable = Stage::ALL
            .iter()
            .filter(|s| s.revisable())
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE projects SET version = version + 1, title = $4, budget_fen = $5, lead_user_id = $6, updated_at = $7 \
             WHERE tenant_id = $1 AND id = $2 AND version = $3 AND stage IN ({revisable})"
        );
        let n = on_tx!(self, c => {
            sqlx::query(&sql)
            .bind(tenant).bind(project_id).bind(expected).bind(&content.title).bind(content.total().fen())
            .bind(&content.lead).bind(now)
            .execute(&mut *c).await?
            .rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        self.insert_version(&NumberedVersion {
            tenant,
            project_id,
            version: expected + 1,
            content,
            note,
            by,
            now,
        })
        .await?;
        self.link_needs(tenant, project_id, &content.needs).await?;
        Ok(true)
    }

    /// Moves a project from stage `from` to `to`; `false` when it was no longer at `from`.
    pub async fn move_stage(
        &mut self,
        tenant: &str,
        project_id: &str,
        from: Stage,
        to: Stage,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE projects SET stage = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2 AND stage = $3",
            )
            .bind(tenant).bind(project_id).bind(from.as_str()).bind(to.as_str()).bind(now)
            .execute(&mut *c).await?
            .rows_affected();
            Ok(n == 1)
        })
    }
}
