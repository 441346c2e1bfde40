//! `sanshe bench load`: a running server under mixed load — `conns` kept-alive connections, each a
//! resident who is also a registered volunteer, five to a community of 屯溪区, for `secs` seconds;
//! 70 % reads (the community's needs board, a need of the community, the volunteer's own page,
//! the work list) and 30 % writes (raising a need, supporting a neighbour's need, recording
//! service hours). Prints requests/s and
//! latency percentiles, then checks that every write the server acknowledged is in the database
//! and that the audit chain verifies.
//!
//! The accounts are made through the use cases on the server's own database before the clock
//! starts (`SANSHE_DATABASE_URL`, as the server).

use anyhow::{anyhow, bail, Context};
use domain::{Actor, Role};
use rand::Rng;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const COMMUNITY: &str = "341002002001";

/// Residents per community: enough neighbours to support one another's needs.
const PER_COMMUNITY: usize = 5;

/// What one connection did.
#[derive(Default)]
struct Tally {
    reads: Vec<Duration>,
    writes: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    needs: Vec<String>,
    supports: Vec<(String, String)>,
    records: Vec<(String, String)>,
}

/// A connection's account: its user id, token and volunteer id.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) user_id: String,
    pub(crate) token: String,
    pub(crate) volunteer: String,
    pub(crate) community: String,
}

fn id_of(body: &[u8], key: &str) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get(key)?
        .as_str()
        .map(str::to_string)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1e3
}

fn rss_of(pid: Option<u32>) -> String {
    let Some(pid) = pid else {
        return "n/a".into();
    };
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("VmRSS:") || l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "n/a".into())
}

/// Makes `conns` residents who are also volunteers, each with an API token.
pub(crate) async fn clients(
    app: &app::App,
    db: &store::Db,
    conns: usize,
) -> anyhow::Result<Vec<Client>> {
    let ctx = app::Ctx::default();
    let e = |e: app::AppError| anyhow!("{e:?}");
    let stamp = chrono::Utc::now().format("%H%M%S").to_string();
    // The operator, as the command line is: a national administrator.
    let admin = Actor {
        user_id: "bench".into(),
        login: "bench".into(),
        display_name: "压测".into(),
        assignments: vec![domain::RoleAssignment {
            role: Role::SystemAdministrator,
            area: domain::AreaCode::nation(),
            organization_id: None,
        }],
    };
    let mut communities: Vec<String> = db
        .areas_below_at_level(
            &domain::AreaCode::parse("341002")?,
            domain::AreaLevel::Community,
        )
        .await?
        .into_iter()
        .map(|a| a.code.as_str().to_string())
        .collect();
    if communities.is_empty() {
        communities.push(COMMUNITY.into());
    }
    let mut out = Vec::with_capacity(conns);
    for i in 0..conns {
        let community = communities[(i / PER_COMMUNITY) % communities.len()].clone();
        let login = format!("load{stamp}x{i}");
        let form = app::identity::UserForm {
            login: login.clone(),
            display_name: format!("压测居民{i}"),
            password: "Bench2026x".into(),
            role: Role::Resident.as_str().into(),
            area: community.clone(),
            organization_id: None,
        };
        app.create_user(None, &form, &ctx).await.map_err(e)?;
        let u = db
            .user_by_login(&login)
            .await?
            .context("account just made")?;
        app.assign_role(
            &admin,
            &u.id,
            &app::identity::RoleForm {
                role: Role::Volunteer.as_str().into(),
                area: community.clone(),
                organization_id: None,
            },
            &ctx,
        )
        .await
        .map_err(e)?;
        let a = db.assignments_of(&u.id).await?;
        let me = Actor {
            user_id: u.id.clone(),
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            assignments: a.iter().map(|r| r.to_domain()).collect(),
        };
        let volunteer = app
            .register_volunteer(
                &me,
                &domain::volunteer::VolunteerForm {
                    name: format!("压测志愿者{i}"),
                    gender: String::new(),
                    area: community.clone(),
                    skills: "陪伴".into(),
                    consent: Some("on".into()),
                    ..Default::default()
                },
                &ctx,
            )
            .await
            .map_err(e)?;
        let token = app.create_token(&me, "压测", &ctx).await.map_err(e)?.token;
        out.push(Client {
            user_id: u.id,
            token,
            volunteer,
            community,
        });
    }
    Ok(out)
}

pub async fn load(
    app: app::App,
    db: store::Db,
    base: &str,
    conns: usize,
    secs: u64,
    server_pid: Option<u32>,
) -> anyhow::Result<()> {
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let clients = clients(&app, &db, conns).await?;
    println!(
        "load: {conns} connections for {secs} s against {base} (70 % reads, 30 % writes; {PER_COMMUNITY} residents to a community); server memory before: {}",
        rss_of(server_pid)
    );
    // Needs raised during the run, by community, for neighbours to support and read.
    let raised: Arc<Mutex<BTreeMap<String, Vec<String>>>> = Arc::default();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let today = app::kernel::today().format("%Y-%m-%d").to_string();
    let mut tasks = Vec::new();
    for (c, client) in clients.into_iter().enumerate() {
        let (addr, raised, today) = (addr.clone(), raised.clone(), today.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = crate::http1::Conn::open(&addr).await?;
            let mut t = Tally::default();
            // Needs this resident raised or supported (a raiser is its need's first supporter).
            let mut supported: HashSet<String> = HashSet::new();
            let community = client.community.clone();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let roll = rand::thread_rng().gen_range(0..100);
                let token = client.token.as_str();
                let latest = || {
                    raised
                        .lock()
                        .ok()
                        .and_then(|r| r.get(&community).and_then(|v| v.last().cloned()))
                };
                let began = Instant::now();
                let (write, status, body, what) = if roll < 70 {
                    let path = match (roll % 4, latest()) {
                        (1, Some(need)) => format!("/api/v1/needs/{need}"),
                        (2, _) => format!("/api/v1/volunteers/{}", client.volunteer),
                        (3, _) => "/api/v1/work".to_string(),
                        _ => format!("/api/v1/needs?community={community}"),
                    };
                    let (s, b) = conn.request("GET", &path, token, None).await?;
                    (false, s, b, "")
                } else if roll < 80 {
                    let body = serde_json::json!({
                        "community": community,
                        "priority_group": "special_elderly",
                        "channel": "online",
                        "title": format!("压测需求 {c}-{n}"),
                        "description": "压测：独居老人需要上门探访和陪伴服务。",
                    })
                    .to_string();
                    let (s, b) = conn
                        .request("POST", "/api/v1/needs", token, Some(&body))
                        .await?;
                    (true, s, b, "need")
                } else if roll < 90 {
                    // A neighbour's need this resident has not supported yet.
                    let target = raised.lock().ok().and_then(|r| {
                        r.get(&community).and_then(|v| {
                            v.iter()
                                .rev()
                                .take(64)
                                .find(|id| !supported.contains(*id))
                                .cloned()
                        })
                    });
                    let Some(id) = target else {
                        continue;
                    };
                    supported.insert(id.clone());
                    let path = format!("/api/v1/needs/{id}/support");
                    let (s, b) = conn.request("POST", &path, token, Some("{}")).await?;
                    if (200..300).contains(&s) {
                        t.supports.push((id, client.user_id.clone()));
                    }
                    (true, s, b, "")
                } else {
                    let body = serde_json::json!({
                        "activity_name": format!("压测服务 {c}-{n}"),
                        "activity_date": today,
                        "place": "社区服务站",
                        "content": "陪伴老人",
                        "hours": "1.5",
                        "organizing_unit": "社区居委会",
                        "unit": format!("committee:{}", client.community),
                        "person_in_charge": "刘敏",
                    })
                    .to_string();
                    let path = format!("/api/v1/volunteers/{}/records", client.volunteer);
                    let (s, b) = conn.request("POST", &path, token, Some(&body)).await?;
                    (true, s, b, "record")
                };
                let took = began.elapsed();
                *t.statuses.entry(status).or_insert(0) += 1;
                if write {
                    t.writes.push(took);
                } else {
                    t.reads.push(took);
                }
                if (200..300).contains(&status) {
                    if let Some(id) = id_of(&body, "id") {
                        match what {
                            "need" => {
                                supported.insert(id.clone());
                                if let Ok(mut r) = raised.lock() {
                                    r.entry(community.clone()).or_default().push(id.clone());
                                }
                                t.needs.push(id);
                            }
                            "record" => t.records.push((client.volunteer.clone(), id)),
                            _ => {}
                        }
                    }
                }
            }
            anyhow::Ok(t)
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await??;
        all.reads.extend(t.reads);
        all.writes.extend(t.writes);
        for (k, v) in t.statuses {
            *all.statuses.entry(k).or_insert(0) += v;
        }
        all.needs.extend(t.needs);
        all.supports.extend(t.supports);
        all.records.extend(t.records);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut every: Vec<Duration> = all.reads.iter().chain(&all.writes).copied().collect();
    every.sort();
    all.reads.sort();
    all.writes.sort();
    let total = every.len();
    println!(
        "{total} requests in {elapsed:.1} s: {:.0} requests/s ({:.0} reads/s, {:.0} writes/s); statuses {:?}",
        total as f64 / elapsed,
        all.reads.len() as f64 / elapsed,
        all.writes.len() as f64 / elapsed,
        all.statuses
    );
    for (name, v) in [
        ("all", &every),
        ("reads", &all.reads),
        ("writes", &all.writes),
    ] {
        println!(
            "  {name:<6} p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(v, 0.50),
            pct(v, 0.90),
            pct(v, 0.99),
            pct(v, 1.0)
        );
    }
    println!("server memory after: {}", rss_of(server_pid));
    // Every acknowledged write is there.
    let tenant = "3410";
    let mut missing = 0usize;
    for id in &all.needs {
        if db.need(tenant, id).await?.is_none() {
            missing += 1;
        }
    }
    let mut by_user: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (need, user) in &all.supports {
        by_user.entry(user).or_default().push(need.clone());
    }
    for (user, needs) in &by_user {
        let found = db.supported_by(tenant, needs, user).await?;
        missing += needs.len() - found.len();
    }
    let volunteers: Vec<String> = all
        .records
        .iter()
        .map(|(v, _)| v.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let stored: HashSet<String> = db
        .records_of_volunteers(tenant, &volunteers)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    missing += all
        .records
        .iter()
        .filter(|(_, id)| !stored.contains(id))
        .count();
    println!(
        "acknowledged writes: {} needs, {} supports, {} service records; missing afterwards: {missing}",
        all.needs.len(),
        all.supports.len(),
        all.records.len()
    );
    let report = app.verify_audit().await.map_err(|e| anyhow!("{e:?}"))?;
    println!("audit chain: {report:?}");
    let errors: u64 = all
        .statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    if missing > 0 || errors > 0 {
        bail!("{missing} acknowledged writes missing, {errors} server errors");
    }
    Ok(())
}
