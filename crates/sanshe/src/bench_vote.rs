//! `sanshe bench votes`: representatives cast ballots through the HTTP API, `clients` at once
//! (one keep-alive connection each, each a representative with an API token), on a meeting with
//! `motions` applications, on a fresh SQLite database. Prints ballots/s and latency percentiles,
//! then seals every motion and checks each tally equals the ballots the clients sent.

use anyhow::{anyhow, bail, Context};
use domain::chain::catalogue::{CatalogueItem, EligibilityStatus, ItemStatus};
use domain::{Actor, AreaCode, Role, RoleAssignment};
use std::time::{Duration, Instant};

const COMMUNITY: &str = "341002002001";

fn choice(client: usize, motion: usize) -> &'static str {
    ["yes", "no", "abstain"][(client * 7 + motion) % 3]
}

fn actor(role: Role, area: &str, org: Option<&str>) -> anyhow::Result<Actor> {
    Ok(Actor {
        user_id: "bench".into(),
        login: "bench".into(),
        display_name: "bench".into(),
        assignments: vec![RoleAssignment {
            role,
            area: AreaCode::parse(area)?,
            organization_id: org.map(str::to_string),
        }],
    })
}

pub async fn votes(clients: usize, motions: usize) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("sanshe-bench-votes-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = format!("sqlite:{}", tmp.join("votes.db").display());
    let db = store::Db::connect(&url, 16).await?;
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
    let ctx = app::Ctx::default();
    let e = |e: app::AppError| anyhow!("{e}");
    // The representatives, each with an API token.
    let mut tokens = Vec::new();
    for i in 0..clients {
        let form = app::identity::UserForm {
            login: format!("benchrep{i}"),
            display_name: format!("压测代表{i}"),
            password: "Bench2026x".into(),
            role: "representative".into(),
            area: COMMUNITY.into(),
            organization_id: None,
        };
        app.create_user(None, &form, &ctx).await.map_err(e)?;
        let u = db
            .user_by_login(&form.login)
            .await?
            .context("representative just created")?;
        let a = db.assignments_of(&u.id).await?;
        let rep = Actor {
            user_id: u.id.clone(),
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            assignments: a
                .iter()
                .map(|r| RoleAssignment {
                    role: r.role,
                    area: r.area_code.clone(),
                    organization_id: None,
                })
                .collect(),
        };
        tokens.push(app.create_token(&rep, "压测", &ctx).await.map_err(e)?.token);
    }
    // `motions` consulted applications of the demonstration organization, one item each.
    let now = store::time::now();
    let org = app::demo::DEMO_ORG_ID;
    let org_row = domain::registry::Organization {
        name: "压测组织".into(),
        uscc: None,
        legal_form: None,
        registration_status: domain::registry::RegistrationStatus::Filed,
        category: domain::registry::OrgCategory::MutualAid,
        area: AreaCode::parse(COMMUNITY)?,
        is_hub: false,
        is_brand: false,
        grade: None,
        grade_date: None,
        address: String::new(),
        description: String::new(),
    };
    let content = domain::chain::application::ApplicationForm {
        title: "压测项目".into(),
        background: "压测用的项目背景，字数足够二十个字以上的说明。".into(),
        goals: "目标|指标|1".into(),
        phases: "实施|2027-01-01|2027-12-31|内容".into(),
        budget: "科目|1000".into(),
        lead: "bench".into(),
        social_workers: "x".into(),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow!("{e}"))?;
    let community = AreaCode::parse(COMMUNITY)?;
    let mut projects = Vec::with_capacity(motions);
    let mut tx = db.begin().await?;
    tx.insert_organization("3410", org, &org_row, &now).await?;
    for i in 0..motions {
        let item = format!("3410-item{i:08}");
        let elig = format!("3410-elig{i:08}");
        let project = format!("3410-proj{i:08}");
        let ci = CatalogueItem {
            community: community.clone(),
            name: format!("压测事项{i}"),
            description: String::new(),
            social_work: false,
            period: app::kernel::current_period(),
        };
        tx.insert_catalogue_item("3410", &item, &ci, "bench", &now)
            .await?;
        tx.decide_item(&store::chain::catalogue::ItemDecision {
            tenant: "3410",
            id: &item,
            from: ItemStatus::Proposed,
            to: ItemStatus::Approved,
            reason: "",
            by: "bench",
            now: &now,
        })
        .await?;
        tx.insert_eligibility(&store::chain::catalogue::NewEligibility {
            tenant: "3410",
            id: &elig,
            item_id: &item,
            organization_id: org,
            social_workers: 0,
            applied_by: "bench",
            now: &now,
        })
        .await?;
        tx.decide_eligibility(
            "3410",
            &elig,
            EligibilityStatus::Approved,
            "",
            "bench",
            &now,
        )
        .await?;
        tx.insert_project(&store::chain::application::NewProject {
            tenant: "3410",
            id: &project,
            community: &community,
            item_id: Some(&item),
            call_id: None,
            organization_id: org,
            eligibility_id: Some(&elig),
            stage: domain::chain::stage::Stage::Draft,
            content: &content,
            by: "bench",
            now: &now,
        })
        .await?;
        use domain::chain::stage::Stage;
        tx.move_stage("3410", &project, Stage::Draft, Stage::Consulted, &now)
            .await?;
        projects.push(project);
    }
    tx.commit().await?;
    let chair = actor(Role::CommunityOfficer, COMMUNITY, None)?;
    let vote = app
        .open_vote(
            &chair,
            &app::chain::vote::OpenVoteForm {
                community: COMMUNITY.into(),
                title: "压测居民代表会议".into(),
                held_on: "2026-12-20".into(),
                projects: projects.join(","),
            },
            &ctx,
        )
        .await
        .map_err(e)?;
    let roster = db.roster("3410", &vote).await?;
    let present: Vec<String> = roster.iter().map(|r| r.user_id.clone()).collect();
    app.record_presence(
        &chair,
        &vote,
        &app::chain::vote::AttendanceForm {
            present: present.join(","),
        },
        &ctx,
    )
    .await
    .map_err(e)?;

    let config = web::WebConfig {
        bind: "127.0.0.1:0".into(),
        ..web::WebConfig::default()
    };
    let server = web::Application::build(app.clone(), config).await?;
    let port = server.port();
    tokio::spawn(server.run_until(std::future::pending()));
    println!(
        "votes: {clients} clients, {motions} motions, roster {} (all present), backend sqlite",
        roster.len()
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, token) in tokens.iter().cloned().enumerate() {
        let projects = projects.clone();
        let vote = vote.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = crate::http1::Conn::open(&format!("127.0.0.1:{port}")).await?;
            let mut lat = Vec::with_capacity(projects.len());
            for (m, p) in projects.iter().enumerate() {
                let t = Instant::now();
                let path = format!("/api/v1/votes/{vote}/motions/{p}/ballots");
                let body = format!("{{\"choice\":\"{}\"}}", choice(c, m));
                let (status, answer) = conn.request("POST", &path, &token, Some(&body)).await?;
                if status >= 300 {
                    bail!("{path}: {status} {}", String::from_utf8_lossy(&answer));
                }
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    let pct =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "cast {} ballots in {secs:.2} s: {:.0} ballots/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        lat.len() as f64 / secs,
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    // Seal each motion and check the tally against what was sent.
    let mut checked = 0;
    for (m, p) in projects.iter().enumerate() {
        let tally = app.seal_vote(&chair, &vote, p, &ctx).await.map_err(e)?;
        let want = |ch: &str| (0..clients).filter(|c| choice(*c, m) == ch).count() as u64;
        if (tally.yes, tally.no, tally.abstain) != (want("yes"), want("no"), want("abstain")) {
            bail!("motion {p}: tally {tally:?} differs from the ballots sent");
        }
        checked += 1;
    }
    println!(
        "tally exact: {checked} motions sealed, each equal to the ballots sent ({} ballots)",
        checked * clients
    );
    println!("peak RSS {:.0} MiB", crate::bench::peak_rss_mib());
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
