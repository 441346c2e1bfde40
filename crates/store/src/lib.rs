//! The database: one [`Db`] handle over SQLite and PostgreSQL.
//!
//! We use sqlx's runtime query API over an enum of the two pools rather than `sqlx::Any` (whose
//! type support is thin) or the compile-time macros (which need a live database to build). The
//! [`on_pool!`] and [`on_tx!`] macros expand one body of portable SQL for each backend; where the
//! dialects differ, the body matches on [`Backend`] and says both versions side by side.
//!
//! Every query that reads tenant data takes a [`domain::identity::Scope`].

pub mod area;
pub mod audit;
pub mod bulk;
pub mod chain;
mod checkpoint;
mod db;
pub mod identity;
pub mod kernel;
mod migrate;
pub mod register_edit;
pub mod registry;
pub mod screen;
pub mod social;
pub mod talent;
pub mod testing;
pub mod time;
pub mod versions;
pub mod volunteer;
pub mod worklist;

pub use checkpoint::{set_wal_limit, wal_size};
pub use db::{Backend, Db, StoreError, Tx};
pub use migrate::{migration_names, NATIONAL_TABLES};

/// Runs `$body` with `$c` bound to the backend's pool (`&Pool<DB>`).
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(pool) => {
                let $c = pool;
                $body
            }
            $crate::Db::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut Connection`); use
/// `&mut *$c` for each query.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
