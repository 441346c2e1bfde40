use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Which database is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The one database handle. Cheap to clone (pools are reference-counted).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either backend; one use case runs in exactly one.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(PgTx),
}

/// A PostgreSQL transaction and the audit events it will append when it commits.
pub struct PgTx {
    tx: Transaction<'static, Postgres>,
    pub(crate) audit: Vec<domain::audit::AuditRecord>,
}

impl std::ops::Deref for PgTx {
    type Target = sqlx::PgConnection;
    fn deref(&self) -> &sqlx::PgConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for PgTx {
    fn deref_mut(&mut self) -> &mut sqlx::PgConnection {
        &mut self.tx
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite: or postgres:): {0}")]
    BadUrl(String),
    /// A unique constraint was violated; the constraint or column name helps name the field.
    #[error("duplicate value ({0})")]
    Duplicate(String),
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    #[error("bulk insert failed: {0}")]
    Bulk(String),
    /// A trigger refused to change a frozen record (signed minutes, a sealed vote, a version).
    #[error("frozen record: {0}")]
    Frozen(String),
    /// Text the database cannot hold (PostgreSQL refuses NUL characters). The web layer refuses
    /// such text at the door; this is the last line.
    #[error("text the database cannot store: {0}")]
    InvalidText(String),
    #[error("migration {name} failed: {source}")]
    Migration { name: String, source: sqlx::Error },
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            if d.message().contains("frozen:") {
                return StoreError::Frozen(d.message().to_string());
            }
            // 22021: character not in repertoire (a NUL byte in text); 22P05: untranslatable.
            if matches!(d.code().as_deref(), Some("22021") | Some("22P05")) {
                return StoreError::InvalidText(d.message().to_string());
            }
            if d.is_unique_violation() {
                let what = d
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| d.message().to_string());
                return StoreError::Duplicate(what);
            }
        }
        StoreError::Sqlx(e)
    }
}

/// A SQLite write transaction and its place in this process's writer queue.
///
/// SQLite admits one writer at a time. Left to itself, a second `BEGIN IMMEDIATE` polls through
/// the busy handler, which sleeps up to 100 ms between tries: under many concurrent writers (a
/// room of representatives voting) most of the time goes to sleeping and the tail latency grows
/// to seconds. Writers of one database in this process therefore queue on an async mutex first
/// (fair, no sleeping) and only then begin; the busy handler still covers other processes.
pub struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    _gate: tokio::sync::OwnedMutexGuard<()>,
    /// Audit events to append when the transaction commits (see `Tx::append_audit`).
    pub(crate) audit: Vec<domain::audit::AuditRecord>,
}

impl std::ops::Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &sqlx::SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }
}

/// The writer of a SQLite database file in this process: its queue, and a connection of its
/// own. With the writer drawing from the readers' pool, the one holding the queue had to wait for
/// a free connection behind every read (under load, more than a millisecond of each write's turn
/// went to that wait); SQLite admits one writer at a time anyway, so one connection serves them.
#[derive(Debug)]
struct SqliteWriter {
    gate: std::sync::Arc<tokio::sync::Mutex<()>>,
    pool: SqlitePool,
}

type Writers =
    std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, std::sync::Arc<SqliteWriter>>>;

fn writers() -> &'static Writers {
    static WRITERS: std::sync::OnceLock<Writers> = std::sync::OnceLock::new();
    WRITERS.get_or_init(Default::default)
}

fn writer_of(pool: &SqlitePool) -> Option<std::sync::Arc<SqliteWriter>> {
    let key = pool.connect_options().get_filename().to_path_buf();
    writers()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned()
}

/// Options of a SQLite pool: the checkpoint hook on every connection (see `checkpoint`) and the
/// guard against a connection handed back inside a transaction.
fn sqlite_pool_options(max_connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .before_acquire(|conn, _| Box::pin(discard_if_in_transaction(conn)))
        .after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                // SAFETY: the handle is locked for us; the hook is set before any use.
                unsafe { crate::checkpoint::install(handle.as_raw_handle().as_ptr()) };
                Ok(())
            })
        })
}

/// The pool's last guard: a connection handed out must not be inside a transaction. A dropped
/// transaction queues its rollback; pinging lets it run first (SQLite's worker answers commands in
/// order). A connection still inside one after that is closed, which rolls it back, rather than
/// lent to a request that would then block every writer.
async fn discard_if_in_transaction<C: sqlx::Connection>(conn: &mut C) -> Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a pooled connection was left inside a transaction; closing it");
        return Ok(false);
    }
    Ok(true)
}

impl Db {
    /// Connects from a URL: `sqlite:PATH` (created if missing, WAL, busy timeout) or
    /// `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::Sqlx)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("cache_size", "-65536")
                // Pages read through a memory map rather than a read() system call each.
                .pragma("mmap_size", "268435456")
                .pragma("temp_store", "memory")
                // When the log is reset, it is cut back to this size (see `checkpoint`).
                .pragma(
                    "journal_size_limit",
                    crate::checkpoint::wal_limit().to_string(),
                );
            if let Some(path) = opts.get_filename().parent() {
                if !path.as_os_str().is_empty() {
                    let _ = std::fs::create_dir_all(path);
                }
            }
            let pool = sqlite_pool_options(max_connections)
                .connect_with(opts.clone())
                .await?;
            let writer = SqliteWriter {
                gate: Default::default(),
                pool: sqlite_pool_options(1).connect_with(opts).await?,
            };
            writers().lock().unwrap_or_else(|e| e.into_inner()).insert(
                pool.connect_options().get_filename().to_path_buf(),
                std::sync::Arc::new(writer),
            );
            // A log left large by an earlier run (or a crash) is folded in and emptied now.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&pool)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url).map_err(StoreError::Sqlx)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .before_acquire(|conn, _| Box::pin(discard_if_in_transaction(conn)))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Begins a read-write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a use case that
    /// reads then writes holds the write lock from the start and cannot fail half-way on a
    /// lock upgrade.
    ///
    /// Cancellation-safe: the begin runs in a task of its own. A caller that goes away while it
    /// is under way (a request whose client hung up, a timeout) drops only its wait; the task
    /// finishes, and the transaction it made, with nobody left to take it, is dropped and so
    /// rolled back. Done inline, a begin abandoned between the server's answer and its receipt
    /// left `BEGIN` open on a pooled connection, and the SQLite database locked for good.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let db = self.clone();
        tokio::spawn(async move { db.begin_inline().await })
            .await
            .map_err(|e| StoreError::Sqlx(sqlx::Error::Protocol(format!("begin task: {e}"))))?
    }

    async fn begin_inline(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => {
                let writer = writer_of(p).ok_or(StoreError::Sqlx(sqlx::Error::PoolClosed))?;
                // As long as SQLite's own busy timeout: a writer that waits longer fails the same way.
                let gate =
                    tokio::time::timeout(Duration::from_secs(10), writer.gate.clone().lock_owned())
                        .await
                        .map_err(|_| StoreError::Sqlx(sqlx::Error::PoolTimedOut))?;
                Tx::Sqlite(SqliteTx {
                    tx: writer.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _gate: gate,
                    audit: Vec::new(),
                })
            }
            Db::Postgres(p) => Tx::Postgres(PgTx {
                tx: p.begin().await?,
                audit: Vec::new(),
            }),
        })
    }

    /// Whether a write can begin within `within` (for `/readyz`): a database that is up but
    /// locked is not ready.
    pub async fn can_write(&self, within: Duration) -> Result<(), StoreError> {
        match tokio::time::timeout(within, self.begin()).await {
            Ok(tx) => tx?.rollback().await,
            Err(_) => Err(StoreError::Sqlx(sqlx::Error::PoolTimedOut)),
        }
    }

    /// Refreshes the planner's statistics. A table filled in one go (the demonstration data, an
    /// import) keeps the statistics of when it was empty until autovacuum comes round, and
    /// PostgreSQL then plans a lookup by primary key as a walk through the whole city's rows.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => {
                sqlx::query("PRAGMA optimize").execute(p).await?;
            }
            Db::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Analyzes the tables that changed much since their statistics were taken (PostgreSQL;
    /// nothing on SQLite): more than 500 rows and a fifth of the table. Returns the tables
    /// analyzed.
    ///
    /// Why: PostgreSQL plans a prepared statement once for all values (a generic plan) and keeps
    /// it for the connection's life, which is what makes repeated statements cheap (a fifth more
    /// requests per second than planning each one). A plan made while a table was small — a new
    /// deployment, a city that just started, the demonstration — went on walking the whole city's
    /// rows by an index on the tenant alone after the table had grown; autovacuum's own analysis
    /// comes round only once a minute and after a tenth of the table changed. Fresh statistics
    /// invalidate the cached plans, so the next ones fit the tables' size.
    pub async fn refresh_statistics(&self) -> Result<Vec<String>, StoreError> {
        let Db::Postgres(p) = self else {
            return Ok(Vec::new());
        };
        let stale: Vec<String> = sqlx::query_scalar(
            "SELECT relname::text FROM pg_stat_user_tables \
             WHERE n_mod_since_analyze > 500 AND n_mod_since_analyze > n_live_tup / 5 ORDER BY relname",
        )
        .fetch_all(p)
        .await?;
        for t in &stale {
            // The names come from the catalogue; quoted all the same.
            sqlx::query(&format!("ANALYZE \"{}\"", t.replace('"', "")))
                .execute(p)
                .await?;
        }
        Ok(stale)
    }

    /// SQLite's own integrity check ("ok" when the file is sound); PostgreSQL recovers from its
    /// own log and has no such check, so `None` there.
    pub async fn integrity_check(&self) -> Result<Option<String>, StoreError> {
        match self {
            Db::Sqlite(p) => Ok(Some(
                sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(p)
                    .await?,
            )),
            Db::Postgres(_) => Ok(None),
        }
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        crate::on_pool!(self, c => {
            sqlx::query("SELECT 1").execute(c).await?;
        });
        Ok(())
    }

    /// Closes the pool; on SQLite the log is first folded into the database and emptied.
    pub async fn close(&self) {
        if let Db::Sqlite(p) = self {
            let key = p.connect_options().get_filename().to_path_buf();
            let writer = writers()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            if let Some(w) = writer {
                w.pool.close().await;
            }
            // The background checkpointer may be in the middle of a checkpoint of its own: then
            // TRUNCATE reports "busy" (its first column) instead of emptying the log, so it is
            // tried again for up to a second.
            for attempt in 0..20 {
                match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(p)
                    .await
                {
                    Ok((0, _, _)) => break,
                    Ok(_) if attempt < 19 => {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await
                    }
                    Ok(_) => tracing::warn!("the write-ahead log stayed busy at close"),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not empty the write-ahead log at close");
                        break;
                    }
                }
            }
        }
        crate::on_pool!(self, c => c.close().await)
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Appends the audit events the use case gave (each chained to its tenant's head), then
    /// commits.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.flush_audit().await?;
        match self {
            Tx::Sqlite(t) => t.tx.commit().await?,
            Tx::Postgres(t) => t.tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.tx.rollback().await?,
            Tx::Postgres(t) => t.tx.rollback().await?,
        }
        Ok(())
    }

    /// The audit events waiting for the commit.
    pub(crate) fn pending_audit(&mut self) -> &mut Vec<domain::audit::AuditRecord> {
        match self {
            Tx::Sqlite(t) => &mut t.audit,
            Tx::Postgres(t) => &mut t.audit,
        }
    }
}
