//! Migrations: one folder per backend with the same file names, embedded in the binary and
//! applied in order inside one transaction each. A test keeps the folders in step.

use crate::{Db, StoreError};

struct Migration {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!("0001_foundation"),
    migration!("0002_organizations"),
    migration!("0003_volunteers"),
    migration!("0004_social_work"),
    migration!("0005_record_import"),
    migration!("0006_talent"),
    migration!("0007_needs"),
    migration!("0008_catalogue"),
    migration!("0009_projects"),
    migration!("0010_meetings"),
    migration!("0011_funds"),
    migration!("0012_contracts"),
    migration!("0013_acceptance"),
    migration!("0014_calls"),
    migration!("0015_hardening"),
    migration!("0016_need_tallies"),
    migration!("0017_audit_queue"),
    migration!("0018_vote_integrity"),
    migration!("0019_review_groups"),
    migration!("0020_account_recovery"),
    migration!("0021_register_versions"),
    migration!("0022_verified_hours"),
    migration!("0023_closed_sets"),
    migration!("0025_milestone_records"),
    migration!("0026_volunteer_identity_unique"),
    migration!("0027_fund_return"),
    migration!("0028_catalogue_periods"),
    migration!("0029_errata"),
    migration!("0030_disclosure_dates"),
];

/// Tables that hold national reference data or accounts that span cities, and so carry no
/// `tenant_id` (in Citus they are reference tables). Every other table is a tenant table.
pub const NATIONAL_TABLES: &[&str] = &[
    "schema_migrations",
    "areas",
    "users",
    "role_assignments",
    "sessions",
    "api_tokens",
    "login_locks",
];

/// Names of the embedded migrations, in order.
pub fn migration_names() -> Vec<&'static str> {
    MIGRATIONS.iter().map(|m| m.name).collect()
}

impl Db {
    /// Applies every migration not yet applied. Safe to run at every start and from several
    /// processes (each migration's transaction records its name under a primary key).
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        crate::on_pool!(self, c => {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .execute(c)
            .await?;
        });
        let mut applied = 0;
        for m in MIGRATIONS {
            let mut tx = self.begin().await?;
            if let crate::Tx::Postgres(t) = &mut tx {
                // Two servers starting together must not both apply the same migration.
                sqlx::query("SELECT pg_advisory_xact_lock(7355608)")
                    .execute(&mut **t)
                    .await?;
            }
            let done: Option<String> = crate::on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                    .bind(m.name)
                    .fetch_optional(&mut *c)
                    .await?
            });
            if done.is_some() {
                tx.rollback().await?;
                continue;
            }
            let err = |source| StoreError::Migration {
                name: m.name.to_string(),
                source,
            };
            match &mut tx {
                crate::Tx::Sqlite(t) => {
                    sqlx::raw_sql(m.sqlite)
                        .execute(&mut **t)
                        .await
                        .map_err(err)?;
                }
                crate::Tx::Postgres(t) => {
                    sqlx::raw_sql(m.postgres)
                        .execute(&mut **t)
                        .await
                        .map_err(err)?;
                }
            }
            crate::on_tx!(&mut tx, c => {
                sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                    .bind(m.name)
                    .bind(crate::time::now())
                    .execute(&mut *c)
                    .await?;
            });
            tx.commit().await?;
            applied += 1;
        }
        Ok(applied)
    }
}
