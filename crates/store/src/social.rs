//! Social work: platforms, social workers (identity numbers encrypted by the app), posts and
//! trainings. Tenant tables.

use crate::kernel::{scope_filter, Key, Keyset};
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::identity::Scope;
use domain::social::{CertificateLevel, Platform, PlatformKind};
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlatformRow {
    pub tenant_id: String,
    pub id: String,
    #[serde(flatten)]
    pub platform: Platform,
    /// Posts held today.
    pub current_posts: i64,
    pub version: i64,
}

/// A social worker as stored: the identity number only masked (the cipher stays in the store
/// layer's caller, which alone holds the key).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SocialWorkerRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub gender: String,
    pub id_masked: String,
    #[serde(skip)]
    pub id_cipher: String,
    pub certificate_level: CertificateLevel,
    pub certificate_number: Option<String>,
    pub certificate_date: Option<String>,
    pub employer_org_id: Option<String>,
    pub area: AreaCode,
    pub version: i64,
    /// Posts held today.
    pub current_posts: i64,
    /// The last day of their employment, once ended (`YYYY-MM-DD`).
    pub employment_ended_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PostRow {
    pub id: String,
    pub platform_id: String,
    pub platform_name: String,
    pub social_worker_id: String,
    pub social_worker_name: String,
    pub title: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub version: i64,
    /// The holder's employment end, which ends the post's count too.
    pub employment_ended_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrainingRow {
    pub id: String,
    pub name: String,
    pub organizer: String,
    pub held_on: String,
    pub minutes: i64,
}

/// Whose trainings: a social worker's (the "1") or another talent's (the "4").
#[derive(Debug, Clone, Copy)]
pub enum TrainingOwner<'a> {
    SocialWorker(&'a str),
    Talent(&'a str),
}

impl<'a> TrainingOwner<'a> {
    fn parts(self) -> (&'static str, &'static str, &'a str) {
        match self {
            TrainingOwner::SocialWorker(id) => ("trainings", "social_worker_id", id),
            TrainingOwner::Talent(id) => ("talent_trainings", "talent_id", id),
        }
    }
}

/// A new social worker as stored.
pub struct NewSocialWorker<'a> {
    pub name: &'a str,
    pub gender: &'a str,
    pub id_cipher: &'a str,
    pub id_lookup: &'a str,
    pub id_masked: &'a str,
    pub certificate_level: CertificateLevel,
    pub certificate_number: Option<&'a str>,
    pub certificate_date: Option<String>,
    pub employer_org_id: Option<&'a str>,
    pub area: &'a AreaCode,
}

/// Posts held on the day `$1`: the post's period and its holder's employment both cover it
/// (the SQL twin of `domain::social::Period::active_on`).
const CURRENT: &str = "(SELECT COUNT(*) FROM posts p JOIN social_workers pw ON pw.tenant_id = p.tenant_id AND pw.id = p.social_worker_id \
    WHERE p.tenant_id = x.tenant_id AND p.{col} = x.id AND p.started_on <= $1 AND (p.ended_on IS NULL OR p.ended_on >= $1) \
    AND (pw.employment_ended_on IS NULL OR pw.employment_ended_on >= $1))";

macro_rules! platform_from_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        PlatformRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            platform: Platform {
                kind: PlatformKind::parse(&kind).unwrap_or(PlatformKind::Station),
                name: r.try_get("name")?,
                area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            },
            current_posts: r.try_get("current_posts")?,
            version: r.try_get("version")?,
        }
    }};
}

macro_rules! worker_from_row {
    ($r:expr) => {{
        let r = $r;
        let level: String = r.try_get("certificate_level")?;
        SocialWorkerRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            gender: r.try_get("gender")?,
            id_masked: r.try_get("id_masked")?,
            id_cipher: r.try_get("id_cipher")?,
            certificate_level: CertificateLevel::parse(&level).unwrap_or(CertificateLevel::Aide),
            certificate_number: r.try_get("certificate_number")?,
            certificate_date: r.try_get("certificate_date")?,
            employer_org_id: r.try_get("employer_org_id")?,
            area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            version: r.try_get("version")?,
            current_posts: r.try_get("current_posts")?,
            employment_ended_on: r.try_get("employment_ended_on")?,
        }
    }};
}

const POST_SQL: &str = "SELECT p.id, p.platform_id, pl.name AS platform_name, p.social_worker_id, w.name AS social_worker_name, \
    p.title, p.started_on, p.ended_on, p.version, w.employment_ended_on \
    FROM posts p JOIN platforms pl ON pl.tenant_id = p.tenant_id AND pl.id = p.platform_id \
    JOIN social_workers w ON w.tenant_id = p.tenant_id AND w.id = p.social_worker_id";

macro_rules! post_from_row {
    ($r:expr) => {{
        let r = $r;
        PostRow {
            id: r.try_get("id")?,
            platform_id: r.try_get("platform_id")?,
            platform_name: r.try_get("platform_name")?,
            social_worker_id: r.try_get("social_worker_id")?,
            social_worker_name: r.try_get("social_worker_name")?,
            title: r.try_get("title")?,
            started_on: r.try_get("started_on")?,
            ended_on: r.try_get("ended_on")?,
            version: r.try_get("version")?,
            employment_ended_on: r.try_get("employment_ended_on")?,
        }
    }};
}

fn platform_sql(wh: &str) -> String {
    format!(
        "SELECT x.tenant_id, x.id, x.kind, x.name, x.area_code, x.version, {} AS current_posts FROM platforms x WHERE {wh}",
        CURRENT.replace("{col}", "platform_id")
    )
}

fn worker_sql(wh: &str) -> String {
    format!(
        "SELECT x.tenant_id, x.id, x.name, x.gender, x.id_masked, x.id_cipher, x.certificate_level, x.certificate_number, \
         x.certificate_date, x.employer_org_id, x.area_code, x.version, x.employment_ended_on, {} AS current_posts FROM social_workers x WHERE {wh}",
        CURRENT.replace("{col}", "social_worker_id")
    )
}

/// The order of the platform register: community, kind, id.
pub const PLATFORM_ORDER: Keyset = Keyset(&[
    Key::asc("x.area_code"),
    Key::asc("x.kind"),
    Key::asc("x.id"),
]);

/// The order of the social worker register: name, id.
pub const WORKER_ORDER: Keyset = Keyset(&[Key::asc("x.name"), Key::asc("x.id")]);

/// Social workers in the scope, optionally by name (contains) or certificate number (exact).
fn workers_where(scope: &Scope, q: Option<&str>, binds: &mut Vec<String>) -> String {
    let mut wh = vec![scope_filter("x.area_code", scope, binds)];
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        binds.push(format!("%{}%", crate::area::like_escape(q.trim())));
        let a = binds.len();
        binds.push(q.trim().to_uppercase());
        wh.push(format!(
            "(x.name LIKE ${a} ESCAPE '\\' OR x.certificate_number = ${})",
            a + 1
        ));
    }
    wh.join(" AND ")
}

impl Db {
    pub async fn platform(
        &self,
        tenant: &str,
        id: &str,
        today: &str,
    ) -> Result<Option<PlatformRow>, StoreError> {
        let sql = platform_sql("x.tenant_id = $2 AND x.id = $3");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(today).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(platform_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Platforms inside the scope, by community, kind and id, after a cursor of that order.
    pub async fn platforms(
        &self,
        scope: &Scope,
        today: &str,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<PlatformRow>, StoreError> {
        let mut binds = vec![today.to_string()];
        let wh = scope_filter("x.area_code", scope, &mut binds);
        let wh = PLATFORM_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "{} ORDER BY {} LIMIT {limit}",
            platform_sql(&wh),
            PLATFORM_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(platform_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many platforms the scope holds.
    pub async fn count_platforms(&self, scope: &Scope) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = scope_filter("x.area_code", scope, &mut binds);
        self.count_where("platforms x", &wh, &binds).await
    }

    pub async fn social_worker(
        &self,
        tenant: &str,
        id: &str,
        today: &str,
    ) -> Result<Option<SocialWorkerRow>, StoreError> {
        let sql = worker_sql("x.tenant_id = $2 AND x.id = $3");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(today).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(worker_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Social workers inside the scope (optionally by name or certificate number), by name and
    /// id, after a cursor of that order.
    pub async fn social_workers(
        &self,
        scope: &Scope,
        today: &str,
        q: Option<&str>,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<SocialWorkerRow>, StoreError> {
        let mut binds = vec![today.to_string()];
        let wh = workers_where(scope, q, &mut binds);
        let wh = WORKER_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "{} ORDER BY {} LIMIT {limit}",
            worker_sql(&wh),
            WORKER_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut qy = sqlx::query(&sql);
            for b in &binds {
                qy = qy.bind(b.as_str());
            }
            let rows = qy.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(worker_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many social workers the scope holds (optionally matching `q`, as the list does).
    pub async fn count_social_workers(
        &self,
        scope: &Scope,
        q: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = workers_where(scope, q, &mut binds);
        self.count_where("social_workers x", &wh, &binds).await
    }

    /// A social worker found by the keyed hash of their identity number, in one tenant.
    pub async fn social_worker_by_lookup(
        &self,
        tenant: &str,
        lookup: &str,
    ) -> Result<Option<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT id FROM social_workers WHERE tenant_id = $1 AND id_lookup = $2")
                .bind(tenant).bind(lookup).fetch_optional(c).await?)
        })
    }

    /// Posts of a platform or of a social worker (`by` is `platform_id` or `social_worker_id`).
    pub async fn posts(
        &self,
        tenant: &str,
        by: &str,
        id: &str,
    ) -> Result<Vec<PostRow>, StoreError> {
        let col = if by == "platform_id" {
            "platform_id"
        } else {
            "social_worker_id"
        };
        let sql = format!(
            "{POST_SQL} WHERE p.tenant_id = $1 AND p.{col} = $2 ORDER BY p.started_on DESC, p.id"
        );
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(tenant).bind(id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(post_from_row!(r));
            }
            Ok(out)
        })
    }

    /// One post, with its platform's and holder's names.
    pub async fn post(&self, tenant: &str, id: &str) -> Result<Option<PostRow>, StoreError> {
        let sql = format!("{POST_SQL} WHERE p.tenant_id = $1 AND p.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(post_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// The trainings of a social worker or of a talent, newest first.
    pub async fn trainings(
        &self,
        tenant: &str,
        owner: TrainingOwner<'_>,
    ) -> Result<Vec<TrainingRow>, StoreError> {
        let (table, col, id) = owner.parts();
        let sql = format!("SELECT id, name, organizer, held_on, minutes FROM {table} WHERE tenant_id = $1 AND {col} = $2 ORDER BY held_on DESC, id");
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(tenant).bind(id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(TrainingRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    organizer: r.try_get("organizer")?,
                    held_on: r.try_get("held_on")?,
                    minutes: r.try_get("minutes")?,
                });
            }
            Ok(out)
        })
    }
}

/// A social worker's post on a platform (`Tx::insert_post`).
#[derive(Debug, Clone, Copy)]
pub struct NewPost<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    /// The platform's id.
    pub platform: &'a str,
    /// The social worker's id.
    pub worker: &'a str,
    pub title: &'a str,
    /// `YYYY-MM-DD`.
    pub started_on: &'a str,
    /// `YYYY-MM-DD`; `None` while the post is held.
    pub ended_on: Option<&'a str>,
    pub now: &'a str,
}

impl Tx {
    pub async fn insert_platform(
        &mut self,
        tenant: &str,
        id: &str,
        p: &Platform,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO platforms (tenant_id, id, kind, name, area_code, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(tenant).bind(id).bind(p.kind.as_str()).bind(&p.name).bind(p.area.as_str()).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_social_worker(
        &mut self,
        tenant: &str,
        id: &str,
        w: &NewSocialWorker<'_>,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO social_workers (tenant_id, id, name, gender, id_cipher, id_lookup, id_masked, certificate_level, certificate_number, \
                 certificate_date, employer_org_id, area_code, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13)",
            )
            .bind(tenant).bind(id).bind(w.name).bind(w.gender).bind(w.id_cipher).bind(w.id_lookup).bind(w.id_masked)
            .bind(w.certificate_level.as_str()).bind(w.certificate_number).bind(&w.certificate_date).bind(w.employer_org_id)
            .bind(w.area.as_str()).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_post(&mut self, new: &NewPost<'_>) -> Result<(), StoreError> {
        let NewPost {
            tenant,
            id,
            platform,
            worker,
            title,
            started_on,
            ended_on,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query("INSERT INTO posts (tenant_id, id, platform_id, social_worker_id, title, started_on, ended_on, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(tenant).bind(id).bind(platform).bind(worker).bind(title).bind(started_on).bind(ended_on).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_training(
        &mut self,
        tenant: &str,
        id: &str,
        owner: TrainingOwner<'_>,
        t: &domain::talent::Training,
        now: &str,
    ) -> Result<(), StoreError> {
        let (table, col, owner_id) = owner.parts();
        let sql = format!("INSERT INTO {table} (tenant_id, id, {col}, name, organizer, held_on, minutes, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)");
        on_tx!(self, c => {
            sqlx::query(&sql)
                .bind(tenant).bind(id).bind(owner_id).bind(&t.name).bind(&t.organizer).bind(t.held_on.to_string()).bind(t.minutes).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }
}
