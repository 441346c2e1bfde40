//! `sanshe bench import`: times our area import beside the floor, a bare SQLite loop inserting
//! the same rows through the C API with one prepared statement in one transaction.

use crate::progress::Bar;
use std::ffi::CString;
use std::path::Path;
use std::time::Instant;

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub async fn import(dir: &Path, database_url: Option<String>) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("sanshe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite:{}", tmp.join("ours.db").display()));
    let db = store::Db::connect(&url, 4).await?;
    db.migrate().await?;
    let app = app::App::new(db.clone(), app::Settings::default());
    let files = app::area::dir_files(dir);
    let t = Instant::now();
    let report = app
        .import_areas(
            &files,
            &Bar::new(),
            &dir.display().to_string(),
            &app::Ctx::default(),
        )
        .await?;
    let ours = t.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    db.close().await;
    println!(
        "backend:            {}",
        if url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    println!("rows imported:      {}", report.rows);
    println!(
        "our import:         {ours:.2} s  ({:.0} rows/s)",
        report.rows as f64 / ours
    );
    println!("peak memory (RSS):  {rss:.0} MiB");

    // The floor: parse nothing, check nothing, derive nothing; just insert the same rows.
    let rows = app::area::parse_area_files(&files, &app::area::NoProgress)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let floor_path = tmp.join("floor.db");
    let t = Instant::now();
    bare_sqlite_insert(&floor_path, &rows)?;
    let floor = t.elapsed().as_secs_f64();
    println!(
        "bare SQLite loop:   {floor:.2} s  ({:.0} rows/s)",
        rows.len() as f64 / floor
    );
    println!("ratio ours/floor:   {:.2}", ours / floor);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn bare_sqlite_insert(path: &Path, rows: &[store::area::AreaInput]) -> anyhow::Result<()> {
    use libsqlite3_sys as ffi;
    let cpath = CString::new(path.display().to_string())?;
    // SAFETY: straightforward use of the SQLite C API on a private file; every handle is
    // checked and finalized/closed below, and strings outlive the statements that bind them
    // (SQLITE_TRANSIENT makes SQLite copy them).
    unsafe {
        let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
        if ffi::sqlite3_open(cpath.as_ptr(), &mut db) != ffi::SQLITE_OK {
            anyhow::bail!("cannot open {}", path.display());
        }
        let exec = |sql: &str| -> anyhow::Result<()> {
            let c = CString::new(sql)?;
            if ffi::sqlite3_exec(
                db,
                c.as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            ) != ffi::SQLITE_OK
            {
                anyhow::bail!("sqlite exec failed: {sql}");
            }
            Ok(())
        };
        exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
        exec("CREATE TABLE areas (code TEXT PRIMARY KEY, parent_code TEXT NOT NULL, level TEXT NOT NULL, name TEXT NOT NULL)")?;
        exec("BEGIN")?;
        let sql = CString::new(
            "INSERT INTO areas (code, parent_code, level, name) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
            != ffi::SQLITE_OK
        {
            anyhow::bail!("prepare failed");
        }
        for r in rows {
            let parent = r.parent();
            let vals = [
                r.code.as_str(),
                parent.as_str(),
                r.level.as_str(),
                r.name.as_str(),
            ];
            for (i, v) in vals.iter().enumerate() {
                ffi::sqlite3_bind_text(
                    stmt,
                    i as i32 + 1,
                    v.as_ptr().cast(),
                    v.len() as i32,
                    ffi::SQLITE_TRANSIENT(),
                );
            }
            if ffi::sqlite3_step(stmt) != ffi::SQLITE_DONE {
                anyhow::bail!("insert failed");
            }
            ffi::sqlite3_reset(stmt);
        }
        ffi::sqlite3_finalize(stmt);
        exec("COMMIT")?;
        ffi::sqlite3_close(db);
    }
    Ok(())
}
