//! Versions of the registers that can be corrected (issue 15): social workers, volunteers,
//! talents, platforms and posts carry a `version`; an edit claims the version its editor read
//! (nothing is written when someone saved in between) and each saved version is kept as a JSON
//! snapshot in `register_versions`, one table for every kind. Organizations keep their own
//! `organization_versions` table of the same shape.

use crate::{on_pool, on_tx, Db, StoreError, Tx};
use sqlx::Row;

/// The stored versions read back: the same row as an organization's.
pub use crate::registry::OrgVersionRow as VersionRow;

/// A register whose records are edited on the version read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    SocialWorker,
    Volunteer,
    Talent,
    Platform,
    Post,
}

impl Register {
    /// The table that holds the records (a fixed name, never user input).
    fn table(self) -> &'static str {
        match self {
            Register::SocialWorker => "social_workers",
            Register::Volunteer => "volunteers",
            Register::Talent => "talents",
            Register::Platform => "platforms",
            Register::Post => "posts",
        }
    }

    /// The kind as stored in `register_versions` and named in the audit log's subject.
    pub fn kind(self) -> &'static str {
        match self {
            Register::SocialWorker => "social_worker",
            Register::Volunteer => "volunteer",
            Register::Talent => "talent",
            Register::Platform => "platform",
            Register::Post => "post",
        }
    }
}

/// The outcome of claiming a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The record was at the expected version and is now at the next one (and locked until the
    /// transaction ends).
    Claimed,
    /// Someone saved in between: the record is at this version.
    Stale(i64),
    /// No such record.
    Missing,
}

/// One saved version of a record (`Tx::insert_register_version`).
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    pub tenant: &'a str,
    pub register: Register,
    pub id: &'a str,
    pub version: i64,
    /// The record as saved; identity numbers only masked.
    pub snapshot: &'a serde_json::Value,
    /// The login of who saved it, if known (`None` for the state before the first edit).
    pub changed_by: Option<&'a str>,
    /// Their role, as stored (`Role::as_str`).
    pub changed_role: Option<&'a str>,
    pub now: &'a str,
}

impl Db {
    /// The saved versions of a record, newest first.
    pub async fn register_versions(
        &self,
        tenant: &str,
        register: Register,
        id: &str,
    ) -> Result<Vec<VersionRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT version, snapshot, changed_by, changed_role, changed_at FROM register_versions \
                 WHERE tenant_id = $1 AND kind = $2 AND record_id = $3 ORDER BY version DESC",
            )
            .bind(tenant)
            .bind(register.kind())
            .bind(id)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let snap: String = r.try_get("snapshot")?;
                out.push(VersionRow {
                    version: r.try_get("version")?,
                    snapshot: serde_json::from_str(&snap).unwrap_or(serde_json::Value::Null),
                    changed_by: r.try_get("changed_by")?,
                    changed_role: r.try_get("changed_role")?,
                    changed_at: r.try_get("changed_at")?,
                });
            }
            Ok(out)
        })
    }
}

impl Tx {
    /// Moves a record from `expected` to the next version, or says why not. The update is the
    /// check: two editors of one version cannot both claim it.
    pub async fn claim_version(
        &mut self,
        register: Register,
        tenant: &str,
        id: &str,
        expected: i64,
    ) -> Result<Claim, StoreError> {
        let table = register.table();
        let bump = format!(
            "UPDATE {table} SET version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3"
        );
        let read = format!("SELECT version FROM {table} WHERE tenant_id = $1 AND id = $2");
        on_tx!(self, c => {
            let n = sqlx::query(&bump).bind(tenant).bind(id).bind(expected).execute(&mut *c).await?.rows_affected();
            if n == 1 {
                return Ok(Claim::Claimed);
            }
            let v: Option<i64> = sqlx::query_scalar(&read).bind(tenant).bind(id).fetch_optional(&mut *c).await?;
            Ok(match v {
                Some(v) => Claim::Stale(v),
                None => Claim::Missing,
            })
        })
    }

    /// Whether a version of a record is already kept.
    pub async fn has_register_version(
        &mut self,
        register: Register,
        tenant: &str,
        id: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM register_versions WHERE tenant_id = $1 AND kind = $2 AND record_id = $3 AND version = $4",
            )
            .bind(tenant).bind(register.kind()).bind(id).bind(version)
            .fetch_one(&mut *c).await?;
            Ok(n > 0)
        })
    }

    pub async fn insert_register_version(&mut self, v: &NewVersion<'_>) -> Result<(), StoreError> {
        let snapshot = serde_json::to_string(v.snapshot).unwrap_or_default();
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO register_versions (tenant_id, kind, record_id, version, snapshot, changed_by, changed_role, changed_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(v.tenant).bind(v.register.kind()).bind(v.id).bind(v.version).bind(snapshot)
            .bind(v.changed_by).bind(v.changed_role).bind(v.now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }
}
