//! Needs and their supports (tenant tables), read through a scope, ranked as
//! `domain::chain::need::rank` says.

use crate::kernel::tenant_scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::need::{Need, NeedChannel, NeedStatus, PriorityGroup};
use domain::identity::Scope;
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NeedRow {
    pub tenant_id: String,
    pub id: String,
    pub community: AreaCode,
    pub priority_group: PriorityGroup,
    pub channel: NeedChannel,
    pub title: String,
    pub description: String,
    pub status: NeedStatus,
    pub merged_into: Option<String>,
    pub supporters: i64,
    pub created_at: String,
}

/// Filters of the needs board; every one optional.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub community: Option<AreaCode>,
    pub status: Option<NeedStatus>,
    pub priority_group: Option<PriorityGroup>,
    pub q: Option<String>,
    /// Only needs after this place of the ranked board (the next page).
    pub after: Option<domain::chain::need::BoardCursor>,
}

const COLS: &str =
    "n.tenant_id, n.id, n.area_code, n.priority_group, n.channel, n.title, n.description, \
    n.status, n.merged_into, n.supporters, n.created_at";

/// The board's order, the same as `domain::chain::need::rank`: most supporters, then priority
/// groups before all residents, then the older need, then the id.
const RANKED: &str = "n.supporters DESC, CASE WHEN n.priority_group = 'all_residents' THEN 1 ELSE 0 END, n.created_at, n.id";

macro_rules! need_from_row {
    ($r:expr) => {{
        let r = $r;
        let group: String = r.try_get("priority_group")?;
        let channel: String = r.try_get("channel")?;
        let status: String = r.try_get("status")?;
        NeedRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            community: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            priority_group: PriorityGroup::parse(&group).unwrap_or(PriorityGroup::AllResidents),
            channel: NeedChannel::parse(&channel).unwrap_or(NeedChannel::Online),
            title: r.try_get("title")?,
            description: r.try_get("description")?,
            status: NeedStatus::parse(&status).unwrap_or(NeedStatus::Open),
            merged_into: r.try_get("merged_into")?,
            supporters: r.try_get("supporters")?,
            created_at: r.try_get("created_at")?,
        }
    }};
}

impl Db {
    pub async fn need(&self, tenant: &str, id: &str) -> Result<Option<NeedRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM needs n WHERE n.tenant_id = $1 AND n.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(need_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    fn need_where(scope: &Scope, f: &NeedFilter, binds: &mut Vec<String>) -> String {
        let mut wh = vec![tenant_scope_filter(
            "n.tenant_id",
            "n.area_code",
            scope,
            binds,
        )];
        if let Some(c) = &f.community {
            binds.push(c.as_str().to_string());
            wh.push(format!("n.area_code = ${}", binds.len()));
        }
        if let Some(s) = f.status {
            binds.push(s.as_str().into());
            wh.push(format!("n.status = ${}", binds.len()));
        }
        if let Some(g) = f.priority_group {
            binds.push(g.as_str().into());
            wh.push(format!("n.priority_group = ${}", binds.len()));
        }
        if let Some(c) = &f.after {
            // After the cursor in the order of RANKED: fewer supporters; or as many and a later
            // group; or the same group and later; or the same moment and a greater id.
            binds.push(c.supporters.to_string());
            let s = binds.len();
            binds.push(u8::from(c.all_residents).to_string());
            let g = binds.len();
            binds.push(c.created_at.clone());
            let t = binds.len();
            binds.push(c.id.clone());
            let i = binds.len();
            let grp = "(CASE WHEN n.priority_group = 'all_residents' THEN 1 ELSE 0 END)";
            wh.push(format!(
                "(n.supporters < CAST(${s} AS BIGINT) OR (n.supporters = CAST(${s} AS BIGINT) AND ({grp} > CAST(${g} AS BIGINT) \
                 OR ({grp} = CAST(${g} AS BIGINT) AND (n.created_at > ${t} OR (n.created_at = ${t} AND n.id > ${i}))))))"
            ));
        }
        if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            binds.push(format!("%{}%", crate::area::like_escape(q)));
            wh.push(format!(
                "(n.title LIKE ${n} ESCAPE '\\' OR n.description LIKE ${n} ESCAPE '\\')",
                n = binds.len()
            ));
        }
        wh.join(" AND ")
    }

    /// How many needs inside the scope match the filter.
    pub async fn count_needs(&self, scope: &Scope, f: &NeedFilter) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let sql = format!(
            "SELECT COUNT(*) FROM needs n WHERE {}",
            Self::need_where(scope, f, &mut binds)
        );
        on_pool!(self, c => {
            let mut q = sqlx::query_scalar(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            Ok(q.fetch_one(c).await?)
        })
    }

    /// Needs inside the scope matching the filter, ranked.
    pub async fn needs(
        &self,
        scope: &Scope,
        f: &NeedFilter,
        limit: i64,
    ) -> Result<Vec<NeedRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = Self::need_where(scope, f, &mut binds);
        let sql = format!("SELECT {COLS} FROM needs n WHERE {wh} ORDER BY {RANKED} LIMIT {limit}");
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(need_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many open needs inside the scope `user` has not supported (a resident's work list).
    pub async fn count_unsupported(&self, scope: &Scope, user: &str) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let sql = if self.backend() == crate::Backend::Postgres {
            // The open needs (kept per community), less the open needs the person supported
            // (kept per community and person): two keyed reads, whatever the community's size or
            // the person's history. Counting them walked PostgreSQL's needs table, bloated by the
            // supporters' updates, on every visit.
            let open = tenant_scope_filter("n.tenant_id", "n.area_code", scope, &mut binds);
            let mine = tenant_scope_filter("s.tenant_id", "s.area_code", scope, &mut binds);
            binds.push(user.to_string());
            format!(
                "SELECT (SELECT CAST(COALESCE(SUM(n.open_needs), 0) AS BIGINT) FROM need_tallies n WHERE {open}) - \
                 (SELECT CAST(COALESCE(SUM(s.open_supported), 0) AS BIGINT) FROM need_support_tallies s \
                  WHERE {mine} AND s.user_id = ${u})",
                u = binds.len()
            )
        } else {
            // SQLite counts in process, off the needs board's index: cheap, and it spares the one
            // writer the tallies' updates.
            let wh = tenant_scope_filter("n.tenant_id", "n.area_code", scope, &mut binds);
            binds.push(user.to_string());
            format!(
                "SELECT (SELECT COUNT(*) FROM needs n WHERE {wh} AND n.status = 'open') - \
                 (SELECT COUNT(*) FROM need_supports s JOIN needs n ON n.tenant_id = s.tenant_id AND n.id = s.need_id \
                  WHERE s.user_id = ${u} AND {wh} AND n.status = 'open')",
                u = binds.len()
            )
        };
        on_pool!(self, c => {
            let mut q = sqlx::query_scalar(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            Ok(q.fetch_one(c).await?)
        })
    }

    /// Which of these needs `user` has supported.
    pub async fn supported_by(
        &self,
        tenant: &str,
        need_ids: &[String],
        user: &str,
    ) -> Result<Vec<String>, StoreError> {
        if let Db::Postgres(p) = self {
            // Read off the person's supports (index by person), not one lookup per need.
            return Ok(sqlx::query_scalar(
                "SELECT need_id FROM need_supports WHERE tenant_id = $1 AND user_id = $2 AND need_id = ANY($3)",
            )
            .bind(tenant)
            .bind(user)
            .bind(need_ids)
            .fetch_all(p)
            .await?);
        }
        let json = serde_json::to_string(need_ids).unwrap_or_else(|_| "[]".into());
        let sql = "SELECT s.need_id FROM json_each($2) j CROSS JOIN need_supports s \
                   ON s.tenant_id = $1 AND s.need_id = j.value AND s.user_id = $3";
        on_pool!(self, c => {
            Ok(sqlx::query_scalar(sql).bind(tenant).bind(&json).bind(user).fetch_all(c).await?)
        })
    }
}

impl Tx {
    pub async fn insert_need(
        &mut self,
        tenant: &str,
        id: &str,
        n: &Need,
        raised_by: &str,
        raised_role: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO needs (tenant_id, id, area_code, priority_group, channel, title, description, status, raised_by, raised_role, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8,$9,$10,$10)";
        const TALLY: &str = "INSERT INTO need_tallies (tenant_id, area_code, open_needs) VALUES ($1, $2, 1) \
                 ON CONFLICT (tenant_id, area_code) DO UPDATE SET open_needs = need_tallies.open_needs + 1";
        if let Tx::Sqlite(t) = self {
            // SQLite counts open needs directly (see `count_unsupported`): no tally to move.
            return crate::bulk::with_locked(&mut *t, |db| {
                db.exec(
                    INSERT,
                    &[
                        tenant.into(),
                        id.into(),
                        n.community.as_str().into(),
                        n.priority_group.as_str().into(),
                        n.channel.as_str().into(),
                        n.title.as_str().into(),
                        n.description.as_str().into(),
                        raised_by.into(),
                        raised_role.into(),
                        now.into(),
                    ],
                )?;
                Ok(())
            })
            .await;
        }
        on_tx!(self, c => {
            sqlx::query(INSERT)
            .bind(tenant).bind(id).bind(n.community.as_str()).bind(n.priority_group.as_str()).bind(n.channel.as_str())
            .bind(&n.title).bind(&n.description).bind(raised_by).bind(raised_role).bind(now)
            .execute(&mut *c).await?;
            sqlx::query(TALLY)
            .bind(tenant).bind(n.community.as_str())
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The need, read inside the transaction (on PostgreSQL locked until it ends).
    pub async fn need_for_update(
        &mut self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<NeedRow>, StoreError> {
        let mut sql = format!("SELECT {COLS} FROM needs n WHERE n.tenant_id = $1 AND n.id = $2");
        if self.backend() == crate::Backend::Postgres {
            sql.push_str(" FOR UPDATE");
        }
        on_tx!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(need_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Records `user`'s support; returns whether it is new (a second support by the same person,
    /// even sent twice at once, finds the primary key taken and changes nothing).
    pub async fn add_support(
        &mut self,
        tenant: &str,
        need_id: &str,
        user: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        // The support and the count move together, in one step on either backend.
        match self {
            Tx::Sqlite(t) => {
                crate::bulk::with_locked(&mut *t, |db| {
                    let p = [tenant.into(), need_id.into(), user.into(), now.into()];
                    let added = db.exec(
                        "INSERT INTO need_supports (tenant_id, need_id, user_id, supported_at) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT DO NOTHING",
                        &p,
                    )?;
                    if added {
                        db.exec(
                            "UPDATE needs SET supporters = supporters + 1, updated_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
                            &[tenant.into(), need_id.into(), now.into()],
                        )?;
                    }
                    Ok(added)
                })
                .await
            }
            Tx::Postgres(t) => {
                let moved: Option<i32> = sqlx::query_scalar(
                    "WITH added AS (INSERT INTO need_supports (tenant_id, need_id, user_id, supported_at) VALUES ($1,$2,$3,$4) \
                     ON CONFLICT DO NOTHING RETURNING need_id), \
                     moved AS (UPDATE needs SET supporters = supporters + 1, updated_at = $4 \
                     WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM added) RETURNING area_code, status) \
                     INSERT INTO need_support_tallies (tenant_id, area_code, user_id, open_supported) \
                     SELECT $1, area_code, $3, CASE WHEN status = 'open' THEN 1 ELSE 0 END FROM moved \
                     ON CONFLICT (tenant_id, area_code, user_id) DO UPDATE \
                     SET open_supported = need_support_tallies.open_supported + EXCLUDED.open_supported RETURNING 1",
                )
                .bind(tenant)
                .bind(need_id)
                .bind(user)
                .bind(now)
                .fetch_optional(&mut **t)
                .await?;
                Ok(moved.is_some())
            }
        }
    }

    /// Marks the open needs a project answers (its `project_needs`) 已回应, when the project is
    /// bought; the tallies follow (PostgreSQL): each such need's community has one open need
    /// fewer, and each of its supporters one open need supported fewer there. Returns the ids.
    pub async fn answer_needs(
        &mut self,
        tenant: &str,
        project: &str,
        now: &str,
    ) -> Result<Vec<String>, StoreError> {
        const ANSWERED: &str = "SELECT n.id FROM needs n JOIN project_needs pn ON pn.tenant_id = n.tenant_id AND pn.need_id = n.id \
             WHERE n.tenant_id = $1 AND pn.project_id = $2 AND n.status = 'open'";
        if let Tx::Postgres(t) = self {
            sqlx::query(&format!(
                "UPDATE need_support_tallies x SET open_supported = open_supported - c.n FROM \
                 (SELECT s.tenant_id, n.area_code, s.user_id, COUNT(*) AS n FROM need_supports s \
                  JOIN needs n ON n.tenant_id = s.tenant_id AND n.id = s.need_id \
                  WHERE s.tenant_id = $1 AND s.need_id IN ({ANSWERED}) GROUP BY s.tenant_id, n.area_code, s.user_id) c \
                 WHERE x.tenant_id = c.tenant_id AND x.area_code = c.area_code AND x.user_id = c.user_id"
            ))
            .bind(tenant).bind(project)
            .execute(&mut **t).await?;
            sqlx::query(&format!(
                "UPDATE need_tallies x SET open_needs = open_needs - c.n FROM \
                 (SELECT n.area_code, COUNT(*) AS n FROM needs n WHERE n.tenant_id = $1 AND n.id IN ({ANSWERED}) GROUP BY n.area_code) c \
                 WHERE x.tenant_id = $1 AND x.area_code = c.area_code"
            ))
            .bind(tenant).bind(project)
            .execute(&mut **t).await?;
        }
        on_tx!(self, c => {
            let ids: Vec<String> = sqlx::query_scalar(ANSWERED)
                .bind(tenant).bind(project)
                .fetch_all(&mut *c).await?;
            for id in &ids {
                sqlx::query("UPDATE needs SET status = 'answered', updated_at = $3 WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant).bind(id).bind(now)
                    .execute(&mut *c).await?;
            }
            Ok(ids)
        })
    }

    /// Folds `duplicate` into `kept`: every supporter of the duplicate becomes a supporter of the
    /// kept need (once), the kept need's count is recounted, the duplicate points at it. The
    /// tallies follow: the duplicate's community has one open need fewer and each of its
    /// supporters one open need supported fewer there; those who had not supported the kept need
    /// have one more supported where it is.
    pub async fn merge_needs(
        &mut self,
        tenant: &str,
        kept: &str,
        duplicate: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        // The tallies (PostgreSQL), before the supports move and while the duplicate is open.
        if let Tx::Postgres(t) = self {
            sqlx::query(
                "INSERT INTO need_support_tallies (tenant_id, area_code, user_id, open_supported) \
                 SELECT s.tenant_id, k.area_code, s.user_id, 1 FROM need_supports s \
                 JOIN needs k ON k.tenant_id = s.tenant_id AND k.id = $2 AND k.status = 'open' \
                 WHERE s.tenant_id = $1 AND s.need_id = $3 AND NOT EXISTS \
                 (SELECT 1 FROM need_supports o WHERE o.tenant_id = $1 AND o.need_id = $2 AND o.user_id = s.user_id) \
                 ON CONFLICT (tenant_id, area_code, user_id) DO UPDATE SET open_supported = need_support_tallies.open_supported + 1",
            )
            .bind(tenant).bind(kept).bind(duplicate)
            .execute(&mut **t).await?;
            sqlx::query(
                "UPDATE need_support_tallies SET open_supported = open_supported - 1 \
                 WHERE tenant_id = $1 AND area_code = (SELECT area_code FROM needs WHERE tenant_id = $1 AND id = $2 AND status = 'open') \
                 AND user_id IN (SELECT user_id FROM need_supports WHERE tenant_id = $1 AND need_id = $2)",
            )
            .bind(tenant).bind(duplicate)
            .execute(&mut **t).await?;
            sqlx::query(
                "UPDATE need_tallies SET open_needs = open_needs - 1 WHERE tenant_id = $1 AND area_code = \
                 (SELECT area_code FROM needs WHERE tenant_id = $1 AND id = $2 AND status = 'open')",
            )
            .bind(tenant).bind(duplicate)
            .execute(&mut **t).await?;
        }
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO need_supports (tenant_id, need_id, user_id, supported_at) \
                 SELECT tenant_id, $2, user_id, supported_at FROM need_supports WHERE tenant_id = $1 AND need_id = $3 \
                 ON CONFLICT DO NOTHING",
            )
            .bind(tenant).bind(kept).bind(duplicate)
            .execute(&mut *c).await?;
            sqlx::query(
                "UPDATE needs SET supporters = (SELECT COUNT(*) FROM need_supports s WHERE s.tenant_id = $1 AND s.need_id = $2), \
                 updated_at = $3 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant).bind(kept).bind(now)
            .execute(&mut *c).await?;
            sqlx::query("UPDATE needs SET status = 'merged', merged_into = $2, updated_at = $4 WHERE tenant_id = $1 AND id = $3")
                .bind(tenant).bind(kept).bind(duplicate).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }
}
