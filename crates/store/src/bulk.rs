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
    let mut locked = conn.lock_handle().await?;
    let db = locked.as_raw_handle();
    let sql = CString::new(sql).map_err(|e| StoreError::Bulk(e.to_string()))?;
    // SAFETY: `db` is the open connection sqlx has locked for us for the lifetime of `locked`
    // (no other statement runs on it meanwhile); the statement is finalized on every path;
    // text is bound with SQLITE_TRANSIENT so SQLite copies it before `row(i)`'s borrow ends.
    unsafe {
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
        let result = step_rows(db, stmt, count, &row);
        ffi::sqlite3_finalize(stmt);
        result
    }
}

/// # Safety
/// `db` must be an open connection and `stmt` a statement prepared on it.
unsafe fn step_rows<'a, R: AsRef<[Param<'a>]>>(
    db: NonNull<ffi::sqlite3>,
    stmt: *mut ffi::sqlite3_stmt,
    count: usize,
    row: &impl Fn(usize) -> R,
) -> Result<(), StoreError> {
    for i in 0..count {
        for (k, p) in row(i).as_ref().iter().enumerate() {
            let idx = k as i32 + 1;
            let rc = match p {
                Param::Text(s) => ffi::sqlite3_bind_text(
                    stmt,
                    idx,
                    s.as_ptr().cast(),
                    s.len() as i32,
                    ffi::SQLITE_TRANSIENT(),
                ),
                Param::Int(v) => ffi::sqlite3_bind_int64(stmt, idx, *v),
                Param::Bool(v) => ffi::sqlite3_bind_int64(stmt, idx, i64::from(*v)),
                Param::Null | Param::NullInt => ffi::sqlite3_bind_null(stmt, idx),
            };
            if rc != ffi::SQLITE_OK {
                return Err(error_of(db, rc));
            }
        }
        let rc = ffi::sqlite3_step(stmt);
        if rc != ffi::SQLITE_DONE {
            ffi::sqlite3_reset(stmt);
            return Err(error_of(db, rc));
        }
        ffi::sqlite3_reset(stmt);
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
