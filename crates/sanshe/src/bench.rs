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
    let parents: Vec<domain::AreaCode> = rows.iter().map(|r| r.parent()).collect();
    bare_loop(
        &floor_path,
        "CREATE TABLE areas (code TEXT PRIMARY KEY, parent_code TEXT NOT NULL, level TEXT NOT NULL, name TEXT NOT NULL)",
        "INSERT INTO areas (code, parent_code, level, name) VALUES (?1, ?2, ?3, ?4)",
        rows.len(),
        |i| {
            let r = &rows[i];
            [r.code.as_str().into(), parents[i].as_str().into(), r.level.as_str().into(), r.name.as_str().into()]
        },
    )?;
    let floor = t.elapsed().as_secs_f64();
    println!(
        "bare SQLite loop:   {floor:.2} s  ({:.0} rows/s)",
        rows.len() as f64 / floor
    );
    println!("ratio ours/floor:   {:.2}", ours / floor);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// `sanshe bench records`: imports `rows` service records for `volunteers` volunteers from a CSV
/// through the product's own path (parse, check every row, fingerprints, bulk insert, totals,
/// audit), then inserts the same rows with a bare SQLite loop, and prints both.
pub async fn records(
    rows: usize,
    volunteers: usize,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    use domain::volunteer::{ServiceRecord, Volunteer};
    let tmp = std::env::temp_dir().join(format!("sanshe-bench-rec-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite:{}", tmp.join("ours.db").display()));
    let db = store::Db::connect(&url, 4).await?;
    db.migrate().await?;
    let app = app::App::new(
        db.clone(),
        app::Settings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..app::Settings::default()
        },
    );
    app.seed_demo().await?;
    // Volunteers spread over the communities of Huangshan, registered directly.
    let communities = db
        .areas_below_at_level(
            &domain::AreaCode::parse("3410")?,
            domain::AreaLevel::Community,
        )
        .await?;
    let now = store::time::now();
    let mut ids = Vec::with_capacity(volunteers);
    let mut tx = db.begin().await?;
    for i in 0..volunteers {
        let id = format!("3410-{}", uuid_like(i));
        let area = communities[i % communities.len()].code.clone();
        tx.insert_volunteer(
            "3410",
            &id,
            None,
            &Volunteer {
                name: format!("志愿者{i}"),
                gender: String::new(),
                area,
                skills: String::new(),
            },
            "bench",
            &now,
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let mut csv = String::from("志愿者编号,志愿者姓名,活动名称,活动日期,服务地点,服务内容,服务时长（小时）,组织单位,负责人,补录原因\n");
    let mut plain: Vec<(String, ServiceRecord)> = Vec::with_capacity(rows);
    for i in 0..rows {
        let v = i % volunteers;
        let date = today - chrono::Duration::days((i % 10) as i64);
        let minutes = 30 + (i % 8) as i64 * 30;
        csv.push_str(&format!(
            "{},志愿者{v},社区服务{i},{date},社区活动室,陪伴与宣传,{},社区居委会,刘敏,\n",
            ids[v],
            domain::volunteer::hours_text(minutes)
        ));
        plain.push((
            ids[v].clone(),
            ServiceRecord {
                activity_name: format!("社区服务{i}"),
                activity_date: date,
                place: "社区活动室".into(),
                content: "陪伴与宣传".into(),
                minutes,
                organizing_unit: "社区居委会".into(),
                person_in_charge: "刘敏".into(),
                late: false,
                late_reason: String::new(),
            },
        ));
    }
    // An officer of the city's communities: every volunteer is in the unit's reach.
    let actor = domain::Actor {
        user_id: "bench".into(),
        login: "bench".into(),
        display_name: "bench".into(),
        assignments: vec![domain::RoleAssignment {
            role: domain::Role::TownshipOfficer,
            area: domain::AreaCode::parse("341002002")?,
            organization_id: None,
        }]
        .into_iter()
        .chain(communities.iter().map(|c| domain::RoleAssignment {
            role: domain::Role::CommunityOfficer,
            area: c.code.clone(),
            organization_id: None,
        }))
        .collect(),
    };
    // Reading alone, then the whole use case (which reads the file again, off the async threads).
    let t = Instant::now();
    app::transfer::read_table(csv.as_bytes(), "bench.csv").map_err(|e| anyhow::anyhow!("{e}"))?;
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let summary = app
        .import_service_records(
            &actor,
            csv.clone().into_bytes(),
            "bench.csv",
            &app::Ctx::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
    println!(
        "records imported:   {} for {} volunteers ({} bytes of CSV)",
        summary.added,
        summary.volunteers,
        csv.len()
    );
    println!(
        "our import:         {ours:.2} s  ({:.0} rows/s)",
        rows as f64 / ours
    );
    println!("  of which reading: {read:.2} s  (decode, CSV parse, line numbers)");
    println!("peak memory (RSS):  {rss:.0} MiB");
    let t = Instant::now();
    let ids: Vec<String> = (0..plain.len()).map(|i| format!("3410-{i:032x}")).collect();
    let dates: Vec<String> = plain
        .iter()
        .map(|(_, r)| r.activity_date.to_string())
        .collect();
    bare_loop(
        &tmp.join("floor.db"),
        "CREATE TABLE r (id TEXT PRIMARY KEY, volunteer_id TEXT, activity_name TEXT, activity_date TEXT, place TEXT, content TEXT, minutes INTEGER, organizing_unit TEXT, person_in_charge TEXT)",
        "INSERT INTO r VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        plain.len(),
        |i| {
            let (v, r) = &plain[i];
            [
                ids[i].as_str().into(), v.as_str().into(), r.activity_name.as_str().into(), dates[i].as_str().into(),
                r.place.as_str().into(), r.content.as_str().into(), r.minutes.into(), r.organizing_unit.as_str().into(),
                r.person_in_charge.as_str().into(),
            ]
        },
    )?;
    let floor = t.elapsed().as_secs_f64();
    println!(
        "bare SQLite loop:   {floor:.2} s  ({:.0} rows/s)",
        rows as f64 / floor
    );
    println!("ratio ours/floor:   {:.2}", ours / floor);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn uuid_like(i: usize) -> String {
    format!(
        "{:032x}",
        i as u128 * 0x9E37_79B9_7F4A_7C15 % (1u128 << 127)
    )
}

/// `sanshe bench volunteer`: a volunteer's total (their page) and the public certificate check
/// for a volunteer with `small` records beside one with `large` records. Both read stored totals
/// and the page lists at most the newest 200 records (an index range), so the times should not
/// grow with the number of records; the command prints both and the ratio.
pub async fn volunteer(small: usize, large: usize, iterations: usize) -> anyhow::Result<()> {
    use store::bulk::Param;
    let tmp = std::env::temp_dir().join(format!("sanshe-bench-vol-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = format!("sqlite:{}", tmp.join("vol.db").display());
    let db = store::Db::connect(&url, 4).await?;
    db.migrate().await?;
    let app = app::App::new(
        db.clone(),
        app::Settings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..app::Settings::default()
        },
    );
    app.seed_demo().await?;
    let area = "341002002001";
    let unit = domain::Actor {
        user_id: "bench".into(),
        login: "bench".into(),
        display_name: "bench".into(),
        assignments: vec![domain::RoleAssignment {
            role: domain::Role::CommunityOfficer,
            area: domain::AreaCode::parse(area)?,
            organization_id: None,
        }],
    };
    let ctx = app::Ctx::default();
    let mut cases = Vec::new();
    for (case, (name, n)) in [("少量记录", small), ("大量记录", large)]
        .into_iter()
        .enumerate()
    {
        let form = domain::volunteer::VolunteerForm {
            name: name.into(),
            area: area.into(),
            consent: Some("on".into()),
            ..Default::default()
        };
        let id = app
            .register_volunteer(&unit, &form, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let now = store::time::now();
        let ids: Vec<String> = (0..n).map(|i| format!("3410-b{case}{i:030x}")).collect();
        let dates: Vec<String> = (0..n)
            .map(|i| {
                (chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
                    + chrono::Duration::days((i % 2000) as i64))
                .to_string()
            })
            .collect();
        let rows: Vec<Vec<Param>> = (0..n)
            .map(|i| {
                vec![
                    "3410".into(),
                    ids[i].as_str().into(),
                    id.as_str().into(),
                    "社区服务".into(),
                    dates[i].as_str().into(),
                    "活动室".into(),
                    "陪伴".into(),
                    60i64.into(),
                    "社区居委会".into(),
                    "刘敏".into(),
                    false.into(),
                    "".into(),
                    "valid".into(),
                    "".into(),
                    "bench".into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        let mut tx = db.begin().await?;
        tx.bulk_insert("service_records", &crate::generate::RECORD_COLUMNS, &rows)
            .await?;
        tx.add_to_totals_bulk("3410", &[(id.clone(), 60 * n as i64, n as i64)], &now)
            .await?;
        tx.commit().await?;
        let t = Instant::now();
        let code = app
            .issue_certificate(&unit, &id, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let issue = t.elapsed().as_secs_f64() * 1e3;
        cases.push((name, n, id, code, issue));
    }
    for (name, _, id, _, _) in &cases {
        let t = Instant::now();
        for _ in 0..iterations {
            db.service_records("3410", id, 50, None).await?;
        }
        let recs = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        let t = Instant::now();
        for _ in 0..iterations {
            db.volunteer("3410", id).await?;
        }
        let row = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        println!("{name}: newest 50 records {recs:.1} µs · volunteer row {row:.1} µs");
    }
    println!("iterations: {iterations} each (SQLite, release build)");
    let mut means = Vec::new();
    for (name, n, id, code, issue) in &cases {
        let t = Instant::now();
        for _ in 0..iterations {
            let d = app
                .volunteer_detail(&unit, id, None, &ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            assert_eq!(d.row.record_count, *n as i64);
        }
        let page = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        let t = Instant::now();
        for _ in 0..iterations {
            let c = app
                .verify_certificate(code)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let _ = c;
        }
        let verify = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        println!("{name} ({n:>7} records): total and page {page:>8.1} µs · certificate check {verify:>8.1} µs · issuing the certificate {issue:.1} ms");
        means.push((page, verify));
    }
    if let [a, b] = means.as_slice() {
        println!(
            "ratio large/small: page {:.2} · certificate check {:.2}",
            b.0 / a.0,
            b.1 / a.1
        );
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// `sanshe bench organizations`: imports `rows` filed organizations from a generated .xlsx file
/// through the product's own path (read the workbook, check every row, match against the ledger,
/// one transaction with a version and an audit event per organization), then inserts the same
/// rows with a bare SQLite loop, and prints both.
pub async fn organizations(rows: usize) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("sanshe-bench-org-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = format!("sqlite:{}", tmp.join("ours.db").display());
    let db = store::Db::connect(&url, 4).await?;
    db.migrate().await?;
    let app = app::App::new(
        db.clone(),
        app::Settings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..app::Settings::default()
        },
    );
    app.seed_demo().await?;
    let communities = db
        .areas_below_at_level(
            &domain::AreaCode::parse("3410")?,
            domain::AreaLevel::Community,
        )
        .await?;
    let cats = domain::registry::OrgCategory::ALL;
    let table: Vec<Vec<String>> = (0..rows)
        .map(|i| {
            let c = &communities[i % communities.len()];
            vec![
                format!(
                    "{}{}队{i}",
                    c.name.trim_end_matches("居委会").trim_end_matches("村委会"),
                    cats[i % cats.len()].zh().trim_end_matches('类')
                ),
                String::new(),
                "备案".into(),
                cats[i % cats.len()].zh().into(),
                c.code.as_str().to_string(),
                "否".into(),
                "否".into(),
                String::new(),
                String::new(),
                format!("{}号", i % 500),
                "社区社会组织".into(),
            ]
        })
        .collect();
    let xlsx = app::transfer::write_xlsx("社会组织", &app::org_transfer::COLUMNS, &table)?;
    // The township officers of the whole city: filed organizations are the township's to record.
    let townships = db
        .areas_below_at_level(
            &domain::AreaCode::parse("3410")?,
            domain::AreaLevel::Township,
        )
        .await?;
    let actor = domain::Actor {
        user_id: "bench".into(),
        login: "bench".into(),
        display_name: "bench".into(),
        assignments: townships
            .iter()
            .map(|t| domain::RoleAssignment {
                role: domain::Role::TownshipOfficer,
                area: t.code.clone(),
                organization_id: None,
            })
            .collect(),
    };
    // Reading alone, then the whole use case (which reads the file again, off the async threads).
    let t = Instant::now();
    app::transfer::read_table(&xlsx, "bench.xlsx").map_err(|e| anyhow::anyhow!("{e}"))?;
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let summary = app
        .import_organizations(&actor, xlsx.clone(), "bench.xlsx", &app::Ctx::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let ours = t.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    db.close().await;
    println!(
        "organizations imported: {} ({} bytes of .xlsx)",
        summary.added,
        xlsx.len()
    );
    println!(
        "our import:         {ours:.2} s  ({:.0} rows/s)",
        rows as f64 / ours
    );
    println!("  of which reading: {read:.2} s  (unzip and parse the workbook)");
    println!("peak memory (RSS):  {rss:.0} MiB");
    let t = Instant::now();
    let ids: Vec<String> = (0..table.len()).map(|i| format!("3410-{i:032x}")).collect();
    bare_loop(
        &tmp.join("floor.db"),
        "CREATE TABLE o (id TEXT PRIMARY KEY, name TEXT, uscc TEXT, status TEXT, category TEXT, area TEXT, hub TEXT, brand TEXT, grade TEXT, grade_date TEXT, address TEXT, description TEXT)",
        "INSERT INTO o VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        table.len(),
        |i| {
            std::iter::once(store::bulk::Param::Text(&ids[i]))
                .chain(table[i].iter().map(|c| store::bulk::Param::Text(c)))
                .collect::<Vec<_>>()
        },
    )?;
    let floor = t.elapsed().as_secs_f64();
    println!(
        "bare SQLite loop:   {floor:.2} s  ({:.0} rows/s)",
        rows as f64 / floor
    );
    println!("ratio ours/floor:   {:.2}", ours / floor);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// The floor every import is compared with: a new SQLite file (WAL, synchronous=NORMAL), one
/// table made by `create`, one transaction, one prepared `insert` stepped once per row through the
/// C API, no checks.
fn bare_loop<'a, R: AsRef<[store::bulk::Param<'a>]>>(
    path: &Path,
    create: &str,
    insert: &str,
    count: usize,
    row: impl Fn(usize) -> R,
) -> anyhow::Result<()> {
    use libsqlite3_sys as ffi;
    use store::bulk::Param;
    let cpath = CString::new(path.display().to_string())?;
    let insert = CString::new(insert)?;
    // SAFETY: the SQLite C API on a private file; every handle is checked and finalized/closed
    // below, and text is bound with SQLITE_TRANSIENT (SQLite copies it).
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
        exec(create)?;
        exec("BEGIN")?;
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        if ffi::sqlite3_prepare_v2(db, insert.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
            != ffi::SQLITE_OK
        {
            anyhow::bail!("prepare failed");
        }
        for i in 0..count {
            for (k, p) in row(i).as_ref().iter().enumerate() {
                let idx = k as i32 + 1;
                match p {
                    Param::Text(v) => {
                        ffi::sqlite3_bind_text(
                            stmt,
                            idx,
                            v.as_ptr().cast(),
                            v.len() as i32,
                            ffi::SQLITE_TRANSIENT(),
                        );
                    }
                    Param::Int(v) => {
                        ffi::sqlite3_bind_int64(stmt, idx, *v);
                    }
                    Param::Bool(v) => {
                        ffi::sqlite3_bind_int64(stmt, idx, i64::from(*v));
                    }
                    Param::Null | Param::NullInt => {
                        ffi::sqlite3_bind_null(stmt, idx);
                    }
                }
            }
            if ffi::sqlite3_step(stmt) != ffi::SQLITE_DONE {
                ffi::sqlite3_finalize(stmt);
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
