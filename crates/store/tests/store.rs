//! Store tests, on SQLite or (with SANSHE_TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::Row;
use store::testing::fresh_db;
use store::{on_pool, Db, NATIONAL_TABLES};

fn names_in(dir: &str) -> Vec<String> {
    let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<String> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".sql")
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_two_migration_folders_stay_in_step_with_the_embedded_list() {
    let sqlite = names_in("sqlite");
    let postgres = names_in("postgres");
    assert_eq!(sqlite, postgres);
    let embedded: Vec<String> = store::migration_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(sqlite, embedded);
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let (db, _) = fresh_db().await.unwrap();
    assert_eq!(db.migrate().await.unwrap(), 0);
}

/// Every table, and for each: primary-key columns, unique-constraint column lists and
/// foreign-key (local columns, referenced table, referenced columns).
struct TableShape {
    name: String,
    pk: Vec<String>,
    uniques: Vec<Vec<String>>,
    fks: Vec<(Vec<String>, String, Vec<String>)>,
}

async fn shapes(db: &Db) -> Vec<TableShape> {
    let mut out = Vec::new();
    match db {
        Db::Postgres(p) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for t in tables {
                let cons = sqlx::query(
                    "SELECT c.contype::text AS kind, \
                       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols, \
                       COALESCE(c.confrelid::regclass::text, '') AS ref_table, \
                       ARRAY(SELECT a.attname::text FROM unnest(COALESCE(c.confkey, '{}')) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_cols \
                     FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'f')",
                )
                .bind(&t)
                .fetch_all(p)
                .await
                .unwrap();
                let mut s = TableShape {
                    name: t.clone(),
                    pk: vec![],
                    uniques: vec![],
                    fks: vec![],
                };
                for c in cons {
                    let kind: String = c.get("kind");
                    let cols: Vec<String> = c.get("cols");
                    match kind.as_str() {
                        "p" => s.pk = cols,
                        "u" => s.uniques.push(cols),
                        _ => s.fks.push((cols, c.get("ref_table"), c.get("ref_cols"))),
                    }
                }
                out.push(s);
            }
        }
        Db::Sqlite(p) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for t in tables {
                let mut s = TableShape {
                    name: t.clone(),
                    pk: vec![],
                    uniques: vec![],
                    fks: vec![],
                };
                let mut pk: Vec<(i64, String)> = sqlx::query(&format!("PRAGMA table_info('{t}')"))
                    .fetch_all(p)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.get::<i64, _>("pk") > 0)
                    .map(|r| (r.get::<i64, _>("pk"), r.get::<String, _>("name")))
                    .collect();
                pk.sort();
                s.pk = pk.into_iter().map(|(_, n)| n).collect();
                for idx in sqlx::query(&format!("PRAGMA index_list('{t}')"))
                    .fetch_all(p)
                    .await
                    .unwrap()
                {
                    let origin: String = idx.get("origin");
                    if idx.get::<i64, _>("unique") == 1 && origin == "u" {
                        let name: String = idx.get("name");
                        let cols = sqlx::query(&format!("PRAGMA index_info('{name}')"))
                            .fetch_all(p)
                            .await
                            .unwrap()
                            .into_iter()
                            .map(|r| r.get::<String, _>("name"))
                            .collect();
                        s.uniques.push(cols);
                    }
                }
                let mut fks: std::collections::BTreeMap<i64, (Vec<String>, String, Vec<String>)> =
                    Default::default();
                for r in sqlx::query(&format!("PRAGMA foreign_key_list('{t}')"))
                    .fetch_all(p)
                    .await
                    .unwrap()
                {
                    let e = fks
                        .entry(r.get("id"))
                        .or_insert_with(|| (vec![], r.get("table"), vec![]));
                    e.0.push(r.get("from"));
                    e.2.push(r.get("to"));
                }
                s.fks = fks.into_values().collect();
                out.push(s);
            }
        }
    }
    out
}

/// Citus readiness: a tenant table (any table not declared national) must carry `tenant_id` in
/// its primary key, in every unique constraint and in every foreign key, and a foreign key must
/// match tenant_id to tenant_id, so that every row and every join stays on one shard.
#[tokio::test]
async fn every_tenant_table_carries_tenant_id_in_its_keys() {
    let (db, _) = fresh_db().await.unwrap();
    let shapes = shapes(&db).await;
    let mut tenant_tables = 0;
    let mut problems = Vec::new();
    for s in &shapes {
        if NATIONAL_TABLES.contains(&s.name.as_str()) {
            continue;
        }
        tenant_tables += 1;
        if !s.pk.iter().any(|c| c == "tenant_id") {
            problems.push(format!(
                "{}: primary key {:?} lacks tenant_id",
                s.name, s.pk
            ));
        }
        for u in &s.uniques {
            if !u.iter().any(|c| c == "tenant_id") {
                problems.push(format!("{}: unique {:?} lacks tenant_id", s.name, u));
            }
        }
        for (cols, table, refs) in &s.fks {
            let pos = cols.iter().position(|c| c == "tenant_id");
            if pos.is_none() || refs.get(pos.unwrap_or(0)).map(String::as_str) != Some("tenant_id")
            {
                problems.push(format!(
                    "{}: foreign key {:?} -> {table}{:?} does not match tenant_id",
                    s.name, cols, refs
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        tenant_tables >= 2,
        "expected tenant tables, found {tenant_tables}"
    );
    // The national list names only tables that exist.
    for n in NATIONAL_TABLES {
        assert!(
            shapes.iter().any(|s| &s.name == n),
            "{n} is declared national but does not exist"
        );
    }
}

#[tokio::test]
async fn the_check_itself_catches_a_table_without_tenant_id() {
    let (db, _) = fresh_db().await.unwrap();
    on_pool!(&db, c => {
        sqlx::query("CREATE TABLE bad_things (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL)").execute(c).await.unwrap();
    });
    let shapes = shapes(&db).await;
    let bad = shapes.iter().find(|s| s.name == "bad_things").unwrap();
    assert_eq!(bad.pk, vec!["id".to_string()]);
    assert!(!bad.pk.iter().any(|c| c == "tenant_id"));
}

#[tokio::test]
async fn a_bulk_insert_writes_every_row_with_its_types_and_refuses_a_duplicate_whole() {
    use store::bulk::Param;
    let (db, _) = fresh_db().await.unwrap();
    let ids: Vec<String> = (0..5).map(|i| format!("3410-bulk{i}")).collect();
    let rows: Vec<Vec<Param>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                "3410".into(),
                id.as_str().into(),
                Param::Null,
                "志愿者".into(),
                "".into(),
                "341002002001".into(),
                "".into(),
                "v1".into(),
                "t".into(),
                (60 * i as i64).into(),
                (i as i64).into(),
                1i64.into(),
                "t".into(),
                "t".into(),
            ]
        })
        .collect();
    let cols = [
        "tenant_id",
        "id",
        "user_id",
        "name",
        "gender",
        "area_code",
        "skills",
        "consent_version",
        "consent_at",
        "total_minutes",
        "record_count",
        "version",
        "created_at",
        "updated_at",
    ];
    let mut tx = db.begin().await.unwrap();
    tx.bulk_insert("volunteers", &cols, &rows).await.unwrap();
    tx.commit().await.unwrap();
    let v = db.volunteer("3410", "3410-bulk4").await.unwrap().unwrap();
    assert_eq!((v.total_minutes, v.record_count, v.user_id), (240, 4, None));
    // The same rows again: the first is a duplicate, and the transaction rolls back whole.
    let mut tx = db.begin().await.unwrap();
    let e = tx
        .bulk_insert("volunteers", &cols, &rows)
        .await
        .unwrap_err();
    assert!(matches!(e, store::StoreError::Duplicate(_)), "{e:?}");
    tx.rollback().await.unwrap();
    let all = db
        .volunteers(&domain::identity::Scope::nation(), None, None, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

/// SQLite's automatic checkpoint is replaced by a background one (`store::checkpoint`): a large
/// commit must still reach the database file, without anyone asking for a checkpoint.
#[tokio::test]
async fn the_write_ahead_log_is_still_checkpointed_in_the_background() {
    use store::bulk::Param;
    let (db, url) = fresh_db().await.unwrap();
    let Some(path) = url.strip_prefix("sqlite:") else {
        return; // PostgreSQL has no WAL file of ours to watch.
    };
    let size = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    // About 12 MB of rows: well past the 1,000-page threshold.
    let filler = "填".repeat(1000);
    let ids: Vec<String> = (0..4000).map(|i| format!("3410-ck{i:05}")).collect();
    let rows: Vec<Vec<Param>> = ids
        .iter()
        .map(|id| {
            vec![
                "3410".into(),
                id.as_str().into(),
                filler.as_str().into(),
                "341002002001".into(),
                "v1".into(),
                "t".into(),
                "t".into(),
                "t".into(),
            ]
        })
        .collect();
    let cols = [
        "tenant_id",
        "id",
        "name",
        "area_code",
        "consent_version",
        "consent_at",
        "created_at",
        "updated_at",
    ];
    let mut tx = db.begin().await.unwrap();
    tx.bulk_insert("volunteers", &cols, &rows).await.unwrap();
    tx.commit().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while size() < before + 10_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the database file stayed at {} bytes: no checkpoint ran",
            size()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volunteers")
        .fetch_one(match &db {
            Db::Sqlite(p) => p,
            Db::Postgres(_) => unreachable!(),
        })
        .await
        .unwrap();
    assert_eq!(n, 4000);
}

/// A `begin` abandoned at any point (the request that wanted it went away) never leaves a
/// transaction open on a pooled connection: afterwards every connection of the pool can begin a
/// write at once.
#[tokio::test]
async fn a_begin_abandoned_at_any_moment_leaves_no_transaction_open() {
    let (db, _) = fresh_db().await.unwrap();
    for i in 0..4_000u64 {
        // Abandon the begin after 0 to ~300 µs: before, during and after BEGIN itself.
        let wait = std::time::Duration::from_micros((i * 7919) % 300);
        if let Ok(Ok(tx)) = tokio::time::timeout(wait, db.begin()).await {
            // Half of those that made it are dropped without commit or rollback.
            if i % 2 == 0 {
                tx.rollback().await.unwrap();
            }
        }
    }
    let mut held = Vec::new();
    for _ in 0..8 {
        // One at a time on SQLite (a single writer), so each is ended before the next.
        let tx = tokio::time::timeout(std::time::Duration::from_secs(2), db.begin())
            .await
            .expect("a begin waited on a transaction nobody will end")
            .unwrap();
        if db.backend() == store::Backend::Postgres {
            held.push(tx);
        } else {
            tx.rollback().await.unwrap();
        }
    }
    for tx in held {
        tx.rollback().await.unwrap();
    }
}

/// Readers that never all stop and a steady writer: the write-ahead log stays near its limit
/// instead of growing with every write (it reached 266 MiB in a minute of mixed load), and it is
/// emptied when the database is closed and opened again.
#[tokio::test]
async fn the_write_ahead_log_stays_bounded_under_steady_reads_and_writes() {
    let (db, url) = fresh_db().await.unwrap();
    let Db::Sqlite(pool) = &db else {
        return; // PostgreSQL keeps its own log.
    };
    store::set_wal_limit(2 * 1024 * 1024);
    let path = std::path::PathBuf::from(url.trim_start_matches("sqlite:"));
    sqlx::query("CREATE TABLE scratch (id INTEGER PRIMARY KEY, pad TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (pool, stop) = (pool.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            }
        }));
    }
    let pad = "x".repeat(8_000);
    let mut peak = 0;
    for i in 0..12_000i64 {
        let mut tx = db.begin().await.unwrap();
        if let store::Tx::Sqlite(t) = &mut tx {
            sqlx::query("INSERT INTO scratch (id, pad) VALUES ($1, $2)")
                .bind(i)
                .bind(&pad)
                .execute(&mut **t)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        peak = peak.max(store::wal_size(&path));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
    // About 96 MB went through the log (unbounded, the log held nearly all of it); bounded, it
    // stays within the limit plus what is written while a reset waits for the readers (more on
    // a busy machine, hence the margin).
    assert!(peak < 40 * 1024 * 1024, "the log reached {} bytes", peak);
    db.close().await;
    assert_eq!(store::wal_size(&path), 0, "emptied at close");
    store::set_wal_limit(64 * 1024 * 1024);
}

fn record(tenant: &str, i: usize) -> domain::audit::AuditRecord {
    domain::audit::AuditRecord {
        tenant_id: tenant.into(),
        seq: 0,
        id: format!("ev-{i:05}"),
        at: format!("2026-11-30T12:00:{:02}Z", i % 60),
        actor_id: None,
        actor_login: Some("writer".into()),
        actor_role: None,
        action: "need.create".into(),
        outcome: "ok".into(),
        target_kind: "need".into(),
        target_id: format!("n{i}"),
        area_code: format!("{tenant}02002001"),
        before: None,
        after: Some(format!("{{\"i\":{i}}}")),
        request_id: None,
        client_addr: None,
    }
}

/// Writers of one city append to its audit chain at once: every event committed ends up in the
/// chain once, numbered without gaps, and a reader sees all of them as soon as they are
/// committed (on PostgreSQL they wait in the queue until sealed; the reader seals first).
#[tokio::test]
async fn concurrent_writers_each_land_once_in_an_unbroken_chain() {
    let (db, _) = fresh_db().await.unwrap();
    let mut writers = Vec::new();
    for w in 0..8usize {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            for k in 0..25usize {
                let i = w * 100 + k;
                let mut tx = db.begin().await.unwrap();
                tx.append_audit(record(if i % 3 == 0 { "3410" } else { "3411" }, i))
                    .await
                    .unwrap();
                if k % 5 == 4 {
                    // A rolled-back use case leaves nothing behind, not even in the queue.
                    tx.append_audit(record("3410", 90_000 + i)).await.unwrap();
                    tx.rollback().await.unwrap();
                } else {
                    tx.commit().await.unwrap();
                }
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let queued: i64 = on_pool!(&db, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_queue").fetch_one(c).await.unwrap()
    });
    if db.backend() == store::Backend::Postgres {
        assert_eq!(
            queued, 160,
            "committed events wait in the queue until sealed"
        );
    } else {
        assert_eq!(queued, 0, "SQLite chains at commit");
    }
    let events = db
        .audit_events(&domain::identity::Scope::nation(), &Default::default(), 500)
        .await
        .unwrap();
    assert_eq!(events.len(), 160);
    let mut ids: Vec<&str> = events.iter().map(|e| e.record.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 160, "each event once");
    assert!(ids.iter().all(|i| !i.starts_with("ev-9")));
    for tenant in ["3410", "3411"] {
        let mut seqs: Vec<i64> = events
            .iter()
            .filter(|e| e.record.tenant_id == tenant)
            .map(|e| e.record.seq)
            .collect();
        seqs.sort();
        assert_eq!(
            seqs,
            (1..=seqs.len() as i64).collect::<Vec<_>>(),
            "{tenant}"
        );
    }
    // More writers while several sealers run at once (the background task, readers, another
    // server): still each event once, without gaps.
    let mut tasks = Vec::new();
    for w in 0..4usize {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for k in 0..40usize {
                let mut tx = db.begin().await.unwrap();
                tx.append_audit(record("3410", 10_000 + w * 100 + k))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for _ in 0..3 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..30 {
                db.seal_audit().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        db.verify_audit().await.unwrap(),
        store::audit::ChainReport::Ok {
            tenants: 2,
            events: 320
        }
    );
    let queued: i64 = on_pool!(&db, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_queue").fetch_one(c).await.unwrap()
    });
    assert_eq!(queued, 0);
}
