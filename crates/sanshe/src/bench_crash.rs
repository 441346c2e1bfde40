//! `sanshe bench crash`: the server is killed (`SIGKILL`) while writers write, `rounds` times, and
//! restarted each time; afterwards every write it acknowledged must be in the database, the
//! database must pass its integrity check (SQLite) and the audit chain must verify. It runs this
//! binary's own `serve` against `SANSHE_DATABASE_URL`.

use crate::bench_load::{clients, Client};
use crate::http1::Conn;
use anyhow::{anyhow, bail, Context};
use rand::Rng;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the writers were told was written: needs, and (volunteer, record) pairs.
#[derive(Default)]
struct Acked {
    needs: Vec<String>,
    records: Vec<(String, String)>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_ready(addr: &str) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if let Ok(mut c) = Conn::open(addr).await {
            if let Ok((200, _)) = c.request("GET", "/readyz", "", None).await {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server at {addr} did not become ready")
}

/// Writes until the connection fails (the server was killed), recording what was acknowledged.
async fn write_until_killed(addr: String, me: Client, n: usize, acked: Arc<Mutex<Acked>>) {
    let Ok(mut conn) = Conn::open(&addr).await else {
        return;
    };
    let today = app::kernel::today().format("%Y-%m-%d").to_string();
    for k in 0.. {
        let (path, body, need) = if k % 2 == 0 {
            let body = serde_json::json!({
                "community": me.community,
                "priority_group": "special_elderly",
                "channel": "online",
                "title": format!("断电测试需求 {n}-{k}"),
                "description": "写入途中服务器被强行终止，已确认的写入不得丢失。",
            });
            ("/api/v1/needs".to_string(), body.to_string(), true)
        } else {
            let body = serde_json::json!({
                "activity_name": format!("断电测试服务 {n}-{k}"),
                "activity_date": today,
                "place": "社区服务站",
                "content": "陪伴老人",
                "hours": "1",
                "organizing_unit": "社区居委会",
                "unit": format!("committee:{}", me.community),
                "person_in_charge": "刘敏",
            });
            let path = format!("/api/v1/volunteers/{}/records", me.volunteer);
            (path, body.to_string(), false)
        };
        let Ok((status, answer)) = conn.request("POST", &path, &me.token, Some(&body)).await else {
            return;
        };
        if status != 201 {
            continue;
        }
        let Some(id) = serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_string))
        else {
            continue;
        };
        if let Ok(mut a) = acked.lock() {
            if need {
                a.needs.push(id);
            } else {
                a.records.push((me.volunteer.clone(), id));
            }
        }
    }
}

pub async fn crash(
    app: app::App,
    db: store::Db,
    rounds: usize,
    writers: usize,
) -> anyhow::Result<()> {
    app.seed_demo().await.map_err(|e| anyhow!("{e:?}"))?;
    let exe = std::env::current_exe()?;
    let writers_accounts = clients(&app, &db, writers).await?;
    let acked = Arc::new(Mutex::new(Acked::default()));
    let log = std::env::temp_dir().join(format!("sanshe-crash-{}.log", std::process::id()));
    for round in 1..=rounds {
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let mut child = std::process::Command::new(&exe)
            .arg("serve")
            .env("SANSHE_BIND", &addr)
            .env("SANSHE_DEMO", "false")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("starting the server")?;
        wait_ready(&addr).await?;
        let before = acked
            .lock()
            .map(|a| a.needs.len() + a.records.len())
            .unwrap_or(0);
        let mut tasks = Vec::new();
        for (n, me) in writers_accounts.iter().enumerate() {
            tasks.push(tokio::spawn(write_until_killed(
                addr.clone(),
                me.clone(),
                n,
                acked.clone(),
            )));
        }
        let after = Duration::from_millis(rand::thread_rng().gen_range(800..2_500));
        tokio::time::sleep(after).await;
        // SIGKILL: no shutdown, no flush, nothing run on the way out.
        child.kill()?;
        child.wait()?;
        for t in tasks {
            let _ = t.await;
        }
        let now = acked
            .lock()
            .map(|a| a.needs.len() + a.records.len())
            .unwrap_or(0);
        println!(
            "round {round}: killed after {:.1} s with writes under way; {} writes acknowledged in the round",
            after.as_secs_f64(),
            now - before
        );
    }
    let acked = std::mem::take(&mut *acked.lock().map_err(|_| anyhow!("poisoned"))?);
    let tenant = "3410";
    let mut lost = 0usize;
    for id in &acked.needs {
        if db.need(tenant, id).await?.is_none() {
            lost += 1;
        }
    }
    let volunteers: Vec<String> = writers_accounts
        .iter()
        .map(|c| c.volunteer.clone())
        .collect();
    let stored: std::collections::HashSet<String> = db
        .records_of_volunteers(tenant, &volunteers)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    lost += acked
        .records
        .iter()
        .filter(|(_, id)| !stored.contains(id))
        .count();
    println!(
        "{rounds} kills: {} needs and {} service records acknowledged; lost: {lost}",
        acked.needs.len(),
        acked.records.len()
    );
    let integrity = db
        .integrity_check()
        .await?
        .unwrap_or_else(|| "n/a (PostgreSQL recovers from its own log)".into());
    println!("integrity check: {integrity}");
    let report = app.verify_audit().await.map_err(|e| anyhow!("{e:?}"))?;
    println!("audit chain: {report:?}");
    let chain_ok = matches!(report, store::audit::ChainReport::Ok { .. });
    if lost > 0 || !(integrity == "ok" || integrity.starts_with("n/a")) || !chain_ok {
        bail!("the crash test failed");
    }
    if acked.needs.is_empty() || acked.records.is_empty() {
        bail!("no write was acknowledged: the test tested nothing");
    }
    Ok(())
}
