//! What issue 15 added to volunteers: recording units and verified hours, linking a volunteer to
//! an account, and finding duplicate volunteers.

use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::AreaCode;
use sqlx::Row;

/// What a certificate may state of a volunteer (`Db::verified_hours`).
#[derive(Debug, Clone, Default)]
pub struct VerifiedHours {
    pub minutes: i64,
    pub records: i64,
    pub units: Vec<String>,
    pub activities: Vec<String>,
}

impl Db {
    /// Organizations of the registry in an area (by prefix) of one tenant, by name: the
    /// recording units a service-record form offers (id, name), at most `limit`.
    pub async fn organizations_in(
        &self,
        tenant: &str,
        area: &AreaCode,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut binds = vec![tenant.to_string()];
        let filter = crate::kernel::prefix_filter("area_code", area.as_str(), &mut binds);
        let sql = format!("SELECT id, name FROM organizations WHERE tenant_id = $1 AND {filter} ORDER BY name, id LIMIT {limit}");
        on_pool!(self, c => {
            let mut q = sqlx::query_as(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            Ok(q.fetch_all(c).await?)
        })
    }

    /// Accounts whose home area lies in `area`, matching `q` in their login or name, by login:
    /// the accounts offered when linking a volunteer (id, login, name), at most `limit`.
    pub async fn accounts_matching(
        &self,
        area: &AreaCode,
        q: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut binds = Vec::new();
        let filter = crate::kernel::prefix_filter("home_area", area.as_str(), &mut binds);
        binds.push(format!("%{}%", crate::area::like_escape(q.trim())));
        let like = binds.len();
        let sql = format!(
            "SELECT id, login, display_name FROM users WHERE {filter} AND NOT disabled \
             AND (login LIKE ${like} ESCAPE '\\' OR display_name LIKE ${like} ESCAPE '\\') ORDER BY login LIMIT {limit}"
        );
        on_pool!(self, c => {
            let mut q = sqlx::query_as(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            Ok(q.fetch_all(c).await?)
        })
    }

    /// A volunteer of the city with this identity-number hash, or this name and birth date: the
    /// existing record a new registration would duplicate (id, name, area), and whether the
    /// number matched.
    pub async fn volunteer_duplicate(
        &self,
        tenant: &str,
        id_hash: Option<&str>,
        name: &str,
        birth_date: Option<&str>,
    ) -> Result<Option<(String, String, String, bool)>, StoreError> {
        on_pool!(self, c => {
            if let Some(h) = id_hash {
                let hit: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT id, name, area_code FROM volunteers WHERE tenant_id = $1 AND id_hash = $2 ORDER BY id LIMIT 1",
                )
                .bind(tenant).bind(h).fetch_optional(c).await?;
                if let Some((i, n, a)) = hit {
                    return Ok(Some((i, n, a, true)));
                }
            }
            if let Some(b) = birth_date {
                let hit: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT id, name, area_code FROM volunteers WHERE tenant_id = $1 AND name = $2 AND birth_date = $3 ORDER BY id LIMIT 1",
                )
                .bind(tenant).bind(name).bind(b).fetch_optional(c).await?;
                if let Some((i, n, a)) = hit {
                    return Ok(Some((i, n, a, false)));
                }
            }
            Ok(None)
        })
    }

    /// What a certificate may state of a volunteer: the minutes and count of their valid,
    /// verified records, those records' units by name (at most 20) and what they were about
    /// (at most ten distinct "activity：content" lines).
    pub async fn verified_hours(
        &self,
        tenant: &str,
        volunteer_id: &str,
    ) -> Result<VerifiedHours, StoreError> {
        on_pool!(self, c => {
            let r = sqlx::query("SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS m, COUNT(*) AS n FROM service_records WHERE tenant_id = $1 AND volunteer_id = $2 AND status = 'valid' AND verified")
                .bind(tenant).bind(volunteer_id).fetch_one(c).await?;
            let units: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT organizing_unit FROM service_records WHERE tenant_id = $1 AND volunteer_id = $2 AND status = 'valid' AND verified ORDER BY organizing_unit LIMIT 20",
            )
            .bind(tenant).bind(volunteer_id).fetch_all(c).await?;
            let lines: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT activity_name, content FROM service_records WHERE tenant_id = $1 AND volunteer_id = $2 AND status = 'valid' AND verified ORDER BY activity_name, content LIMIT 10",
            )
            .bind(tenant).bind(volunteer_id).fetch_all(c).await?;
            Ok(VerifiedHours {
                minutes: r.try_get("m")?,
                records: r.try_get("n")?,
                units,
                activities: lines.into_iter().map(|(a, c)| format!("{a}：{c}")).collect(),
            })
        })
    }
}

impl Tx {
    /// Records this import just added (entered at `now` by `entered_by`) that match a record the
    /// volunteer already had — same activity date, activity name and organizing unit — which
    /// is still valid or pending: a corrected re-import, not new service. Gives (volunteer id,
    /// activity date, activity name, organizing unit) of each.
    pub async fn reimport_changes(
        &mut self,
        tenant: &str,
        entered_by: &str,
        now: &str,
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        on_tx!(self, c => {
            Ok(sqlx::query_as(
                "SELECT DISTINCT n.volunteer_id, n.activity_date, n.activity_name, n.organizing_unit FROM service_records n \
                 JOIN service_records o ON o.tenant_id = n.tenant_id AND o.volunteer_id = n.volunteer_id \
                 AND o.activity_date = n.activity_date AND o.activity_name = n.activity_name \
                 AND o.organizing_unit = n.organizing_unit AND o.entered_at <> n.entered_at \
                 AND o.status IN ('valid', 'pending') \
                 WHERE n.tenant_id = $1 AND n.entered_at = $2 AND n.entered_by = $3 AND n.source_key IS NOT NULL",
            )
            .bind(tenant).bind(now).bind(entered_by)
            .fetch_all(&mut *c).await?)
        })
    }

    /// Keeps what tells a new volunteer apart: the identity number's keyed hash and the birth
    /// date.
    pub async fn set_volunteer_identity(
        &mut self,
        tenant: &str,
        id: &str,
        id_hash: Option<&str>,
        birth_date: Option<&str>,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE volunteers SET id_hash = $1, birth_date = $2 WHERE tenant_id = $3 AND id = $4")
                .bind(id_hash).bind(birth_date).bind(tenant).bind(id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Links a volunteer without an account to one; tells whether it was still unlinked.
    pub async fn link_volunteer(
        &mut self,
        tenant: &str,
        id: &str,
        user_id: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => {
            sqlx::query("UPDATE volunteers SET user_id = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND user_id IS NULL")
                .bind(user_id).bind(now).bind(tenant).bind(id)
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// The recording unit confirms a valid record it did not enter itself; tells whether it
    /// was waiting (a second confirmation changes nothing).
    pub async fn confirm_record(
        &mut self,
        tenant: &str,
        id: &str,
        by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => {
            sqlx::query("UPDATE service_records SET verified = TRUE, verified_by = $1, verified_at = $2 WHERE tenant_id = $3 AND id = $4 AND status = 'valid' AND NOT verified")
                .bind(by).bind(now).bind(tenant).bind(id)
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }
}
