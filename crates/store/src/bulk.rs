//! Bulk inserts: on SQLite through its C API, inside the transaction sqlx already holds; on
//! PostgreSQL as wide multi-row statements.
//
//! Why: sqlx's SQLite driver costs more than linearly in the parameters of one statement, and
//! unpacking a JSON parameter (`json_each`) re-parses every row once per column. One prepared
//! statement stepped once per row, with text bound without copying into Rust values, is what
//! SQLite itself is fastest at — the same loop the benchmarks use as their floor. Only the
//! product's large imports use it; everything else stays on sqlx.

use crate::StoreError;
use libsqlite3_sys as ffi;
use std::ffi::{CStr, CString};
use std::ptr::NonNull;

/// One value bound to a statement parameter.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    /// NULL in a text column.
    Null,
    /// NULL in an integer column (PostgreSQL types its parameters).
    NullInt,
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Param::Text(s)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Param::Null, Param::Text)
    }
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::NullInt, Param::Int)
    }
}

/// Runs `sql` (one statement with `N` parameters) once per row given by `row(i)` for
/// `i in 0..count`, on the connection of the current transaction.
pub(crate) async fn insert_many<'a, R: AsRef<[Param<'a>]>>(
    conn: &mut sqlx::SqliteConnection,
    sql: &str,
    count: usize,
    row: impl Fn(usize) -> R,
) -> Result<(), StoreError> {
    run_many(conn, sql, count, row).await.map(|_| ())
}

/// Like `insert_many`, and tells for each row whether it changed the table (an
/// `INSERT … ON CONFLICT DO NOTHING` that met a conflict did not).
pub(crate) async fn run_many<'a, R: AsRef<[Param<'a>]>>(
    conn: &mut sqlx::SqliteConnection,
    sql: &str,
    count: usize,
    row: impl Fn(usize) -> R,
) -> Result<Vec<bool>, StoreError> {
    with_prepared(conn, sql, |p| p.run(count, row)).await?
}

/// A statement prepared on a SQLite connection that sqlx has locked for us, stepped
/// synchronously (so a caller can feed it rows while other threads prepare the next ones). Not
/// `Send`: it stays on the thread that holds the lock.
pub struct Prepared {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

impl Prepared {
    /// Runs the statement once per row given by `row(i)` for `i in 0..count`, and tells for
    /// each row whether it changed the table.
    pub fn run<'a, R: AsRef<[Param<'a>]>>(
        &mut self,
        count: usize,
        row: impl Fn(usize) -> R,
    ) -> Result<Vec<bool>, StoreError> {
        // SAFETY: `db` and `stmt` stay valid while `self` lives (see `with_prepared`). Text is
        // bound with SQLITE_STATIC (no copy): a `Param` borrows data of lifetime `'a`, which
        // outlives this call; every parameter is bound afresh before each step, and the bindings
        // are cleared before returning, so SQLite never holds a pointer past this call.
        unsafe {
            let result = step_rows(self.db, self.stmt.as_ptr(), count, &row);
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
            result
        }
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on `db` and is finalized exactly once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// A SQLite connection locked for us by sqlx: statements run on it synchronously, in the
/// calling thread, with no hand-off to sqlx's worker thread per statement. A run of statements
/// that belong together (an audit chain's append) then costs one hand-off instead of four.
pub(crate) struct Locked {
    db: NonNull<ffi::sqlite3>,
}

/// A column value read back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl Locked {
    /// Prepares one statement (numbered parameters `?1`, `?2`, …).
    pub(crate) fn prepare(&self, sql: &str) -> Result<Prepared, StoreError> {
        let sql = CString::new(sql).map_err(|e| StoreError::Bulk(e.to_string()))?;
        // SAFETY: `db` is the connection locked for the lifetime of `self`; the statement is
        // finalized when the `Prepared` drops, before the lock is given back.
        unsafe {
            let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
            let rc = ffi::sqlite3_prepare_v2(
                self.db.as_ptr(),
                sql.as_ptr(),
                -1,
                &mut stmt,
                std::ptr::null_mut(),
            );
            if rc != ffi::SQLITE_OK {
                return Err(error_of(self.db, rc));
            }
            let stmt =
                NonNull::new(stmt).ok_or_else(|| StoreError::Bulk("empty statement".into()))?;
            Ok(Prepared { db: self.db, stmt })
        }
    }

    /// Runs one statement once; whether it changed the table.
    pub(crate) fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<bool, StoreError> {
        let mut p = self.prepare(sql)?;
        Ok(p.run(1, |_| params)?.first().copied().unwrap_or(false))
    }

    /// The first row of a query, its columns as values.
    pub(crate) fn row(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Vec<Value>>, StoreError> {
        let p = self.prepare(sql)?;
        let stmt = p.stmt.as_ptr();
        // SAFETY: as in `Prepared::run`: parameters bound before the step and cleared after;
        // column text is copied out before the statement is reset.
        unsafe {
            bind_row(self.db, stmt, params)?;
            let rc = ffi::sqlite3_step(stmt);
            let out = match rc {
                ffi::SQLITE_ROW => {
                    let n = ffi::sqlite3_column_count(stmt);
                    let mut cols = Vec::with_capacity(n as usize);
                    for i in 0..n {
                        cols.push(match ffi::sqlite3_column_type(stmt, i) {
                            ffi::SQLITE_INTEGER => Value::Int(ffi::sqlite3_column_int64(stmt, i)),
                            ffi::SQLITE_NULL => Value::Null,
                            _ => {
                                let t = ffi::sqlite3_column_text(stmt, i);
                                let len = ffi::sqlite3_column_bytes(stmt, i);
                                if t.is_null() {
                                    Value::Null
                                } else {
                                    let bytes = std::slice::from_raw_parts(t, len as usize);
                                    Value::Text(String::from_utf8_lossy(bytes).into_owned())
                                }
                            }
                        });
                    }
                    Ok(Some(cols))
                }
                ffi::SQLITE_DONE => Ok(None),
                rc => Err(error_of(self.db, rc)),
            };
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
            out
        }
    }
}

/// Locks the transaction's SQLite connection and runs `f` on it synchronously.
pub(crate) async fn with_locked<T>(
    conn: &mut sqlx::SqliteConnection,
    f: impl FnOnce(&Locked) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut locked = conn.lock_handle().await?;
    let db = locked.as_raw_handle();
    f(&Locked { db })
}

/// Prepares `sql` on the transaction's connection and runs `f` with it, the connection locked
/// meanwhile.
pub(crate) async fn with_prepared<T>(
    conn: &mut sqlx::SqliteConnection,
    sql: &str,
    f: impl FnOnce(&mut Prepared) -> T,
) -> Result<T, StoreError> {
    let mut locked = conn.lock_handle().await?;
    let db = locked.as_raw_handle();
    let sql = CString::new(sql).map_err(|e| StoreError::Bulk(e.to_string()))?;
    // SAFETY: `db` is the open connection sqlx has locked for us for the lifetime of `locked`,
    // which outlives the `Prepared` (dropped, so finalized, before this function returns).
    let stmt = unsafe {
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        let rc = ffi::sqlite3_prepare_v2(
            db.as_ptr(),
            sql.as_ptr(),
            -1,
            &mut stmt,
            std::ptr::null_mut(),
        );
        if rc != ffi::SQLITE_OK {
            return Err(error_of(db, rc));
        }
        NonNull::new(stmt).ok_or_else(|| StoreError::Bulk("empty statement".into()))?
    };
    let mut prepared = Prepared { db, stmt };
    Ok(f(&mut prepared))
}

/// # Safety
/// `db` must be an open connection and `stmt` a statement prepared on it.
unsafe fn step_rows<'a, R: AsRef<[Param<'a>]>>(
    db: NonNull<ffi::sqlite3>,
    stmt: *mut ffi::sqlite3_stmt,
    count: usize,
    row: &impl Fn(usize) -> R,
) -> Result<Vec<bool>, StoreError> {
    let mut changed = Vec::with_capacity(count);
    let mut before = ffi::sqlite3_total_changes64(db.as_ptr());
    for i in 0..count {
        bind_row(db, stmt, row(i).as_ref())?;
        let rc = ffi::sqlite3_step(stmt);
        if rc != ffi::SQLITE_DONE {
            ffi::sqlite3_reset(stmt);
            return Err(error_of(db, rc));
        }
        // The running total, not `sqlite3_changes`: a statement that changed nothing must read
        // as unchanged whatever the statement before it did.
        let total = ffi::sqlite3_total_changes64(db.as_ptr());
        changed.push(total > before);
        before = total;
        ffi::sqlite3_reset(stmt);
    }
    Ok(changed)
}

/// Binds one row of parameters (text without copying: the caller keeps it alive until the
/// bindings are cleared).
///
/// # Safety
/// `db` must be an open connection and `stmt` a statement prepared on it.
unsafe fn bind_row(
    db: NonNull<ffi::sqlite3>,
    stmt: *mut ffi::sqlite3_stmt,
    params: &[Param<'_>],
) -> Result<(), StoreError> {
    for (k, p) in params.iter().enumerate() {
        let idx = k as i32 + 1;
        let rc = match p {
            Param::Text(s) => ffi::sqlite3_bind_text(
                stmt,
                idx,
                s.as_ptr().cast(),
                s.len() as i32,
                ffi::SQLITE_STATIC(),
            ),
            Param::Int(v) => ffi::sqlite3_bind_int64(stmt, idx, *v),
            Param::Bool(v) => ffi::sqlite3_bind_int64(stmt, idx, i64::from(*v)),
            Param::Null | Param::NullInt => ffi::sqlite3_bind_null(stmt, idx),
        };
        if rc != ffi::SQLITE_OK {
            return Err(error_of(db, rc));
        }
    }
    Ok(())
}

/// # Safety
/// `db` must be an open connection.
unsafe fn error_of(db: NonNull<ffi::sqlite3>, rc: i32) -> StoreError {
    let msg = CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr()))
        .to_string_lossy()
        .into_owned();
    // Extended codes: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY are duplicates, named like sqlx's.
    if rc & 0xff == ffi::SQLITE_CONSTRAINT
        && (msg.contains("UNIQUE") || msg.contains("PRIMARY KEY"))
    {
        return StoreError::Duplicate(msg);
    }
    StoreError::Bulk(format!("{msg} (code {rc})"))
}

impl crate::Tx {
    /// Inserts rows of `columns` into `table` as fast as the backend allows: on SQLite one
    /// prepared statement stepped per row (C API); on PostgreSQL multi-row VALUES statements of
    /// at most 30,000 parameters. For generators and bulk loads; `table` and `columns` are
    /// trusted names, never user input.
    pub async fn bulk_insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Param<'_>>],
    ) -> Result<(), StoreError> {
        let n = columns.len();
        match self {
            crate::Tx::Sqlite(t) => {
                let ph: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    ph.join(", ")
                );
                insert_many(&mut *t, &sql, rows.len(), |i| rows[i].as_slice()).await
            }
            crate::Tx::Postgres(t) => {
                let per = (30_000 / n.max(1)).max(1);
                for chunk in rows.chunks(per) {
                    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
                    for (r, _) in chunk.iter().enumerate() {
                        if r > 0 {
                            sql.push(',');
                        }
                        let ph: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
                        sql.push('(');
                        sql.push_str(&ph.join(","));
                        sql.push(')');
                    }
                    let mut q = sqlx::query(&sql);
                    for row in chunk {
                        for p in row {
                            q = match *p {
                                Param::Text(s) => q.bind(s),
                                Param::Int(v) => q.bind(v),
                                Param::Bool(v) => q.bind(v),
                                Param::Null => q.bind(None::<&str>),
                                Param::NullInt => q.bind(None::<i64>),
                            };
                        }
                    }
                    q.execute(&mut **t).await?;
                }
                Ok(())
            }
        }
    }
}
