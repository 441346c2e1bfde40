//! No route reaches beyond the actor's territory.

use crate::harness::*;

#[tokio::test]
async fn no_route_lets_a_tunxi_officer_or_a_community_officer_reach_beyond_their_territory() {
    let t = spawn_app().await;
    // A county-level system administrator of 屯溪, to prove the territory (not just the role).
    t.app
        .create_user(
            None,
            &UserForm {
                login: "tunxiadmin".into(),
                display_name: "屯溪管理员".into(),
                password: PASSWORD.into(),
                role: "system_administrator".into(),
                area: "341002".into(),
                organization_id: None,
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let shexian = t.actor("shexian").await;
    let token = t
        .app
        .create_token(&shexian, "歙县脚本", &Ctx::default())
        .await
        .unwrap();
    let shexian_row = t.db.assignments_of(&shexian.user_id).await.unwrap();
    let shexian_org = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341021100"),
            &filed_org("歙县徽城邻里互助会", "341021100201"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let sibling_org = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341002002"),
            &filed_org("跃进路社区书画社", "341002002002"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let shexian_vol = volunteer_with_certificate(&t, "341021100201", "歙县汪晓梅").await;
    let shexian_sw =
        platform_with_worker(&t, "341021100", "歙县徽城镇社工站", "11010519491231002X").await;
    let sibling_sw =
        platform_with_worker(&t, "341002001", "昱东街道社工中心", "440524188001010014").await;
    let sibling_vol = volunteer_with_certificate(&t, "341002002002", "跃进路程建国").await;
    let shexian_item = item_with_eligibility(&t, "341021100201", "341021100", &shexian_org).await;
    let sibling_item = item_with_eligibility(&t, "341002002002", "341002002", &sibling_org).await;
    let shexian_project = project_on(
        &t,
        &shexian_item.0,
        &shexian_item.1,
        &shexian_org,
        "341021100201",
    )
    .await;
    let sibling_project = project_on(
        &t,
        &sibling_item.0,
        &sibling_item.1,
        &sibling_org,
        "341002002002",
    )
    .await;
    let shexian_meeting = consultation_on(&t, &shexian_project, "341021100201").await;
    let sibling_meeting = consultation_on(&t, &sibling_project, "341002002002").await;
    let shexian_vote = vote_on(&t, &shexian_project, "341021100201").await;
    let sibling_vote = vote_on(&t, &sibling_project, "341002002002").await;
    let shexian_need = need_in(&t, "341021100201", "341021100", "歙县徽城助餐需求").await;
    let sibling_need = need_in(&t, "341002002002", "341002002", "跃进路社区助餐需求").await;
    let shexian_call = call_in(&t, "341021100", "341021100", &shexian_org).await;
    let sibling_call = call_in(&t, "341002002002", "341002002", &sibling_org).await;
    // A post on each platform and an open incubation period of each organization.
    let post_of = |sw: &(String, String, String)| {
        let platform = sw.0.clone();
        let db = t.db.clone();
        async move {
            let tenant = platform[..4].to_string();
            db.posts(&tenant, "platform_id", &platform).await.unwrap()[0]
                .id
                .clone()
        }
    };
    let shexian_post = post_of(&shexian_sw).await;
    let sibling_post = post_of(&sibling_sw).await;
    let incubation_of = |org: String, township: &'static str| {
        let app = t.app.clone();
        async move {
            app.add_incubation(
                &officer(Role::TownshipOfficer, township),
                &org,
                &domain::registry::IncubationForm {
                    incubator: "孵化园".into(),
                    started_on: "2025-01-01".into(),
                    ..Default::default()
                },
                &Ctx::default(),
            )
            .await
            .unwrap()
        }
    };
    let shexian_incubation = incubation_of(shexian_org.clone(), "341021100").await;
    let sibling_incubation = incubation_of(sibling_org.clone(), "341002002").await;
    let before = shexian_snapshot(&t.db).await;

    struct Probe {
        login: &'static str,
        foreign_code: &'static str,
        foreign_org: String,
        foreign_vol: (String, String, String),
        foreign_sw: (String, String, String),
        foreign_need: String,
        foreign_item: (String, String),
        foreign_project: String,
        foreign_meeting: String,
        foreign_vote: String,
        foreign_call: String,
        foreign_post: String,
        foreign_incubation: String,
        markers: Vec<String>,
    }
    let probes = [
        Probe {
            login: "tunxi",
            foreign_code: "341021",
            foreign_org: shexian_org.clone(),
            foreign_vol: shexian_vol.clone(),
            foreign_sw: shexian_sw.clone(),
            foreign_need: shexian_need.clone(),
            foreign_item: shexian_item.clone(),
            foreign_project: shexian_project.clone(),
            foreign_meeting: shexian_meeting.clone(),
            foreign_vote: shexian_vote.clone(),
            foreign_call: shexian_call.clone(),
            foreign_post: shexian_post.clone(),
            foreign_incubation: shexian_incubation.clone(),
            markers: vec![
                "歙县".into(),
                "341021".into(),
                shexian.user_id.clone(),
                "shexian".into(),
            ],
        },
        Probe {
            login: "tunxiadmin",
            foreign_code: "341021",
            foreign_org: shexian_org.clone(),
            foreign_vol: shexian_vol.clone(),
            foreign_sw: shexian_sw.clone(),
            foreign_need: shexian_need.clone(),
            foreign_item: shexian_item.clone(),
            foreign_project: shexian_project.clone(),
            foreign_meeting: shexian_meeting.clone(),
            foreign_vote: shexian_vote.clone(),
            foreign_call: shexian_call.clone(),
            foreign_post: shexian_post.clone(),
            foreign_incubation: shexian_incubation.clone(),
            markers: vec![
                "歙县".into(),
                "341021".into(),
                shexian.user_id.clone(),
                "shexian".into(),
            ],
        },
        Probe {
            login: "community",
            foreign_code: "341002002002",
            foreign_org: sibling_org.clone(),
            foreign_vol: sibling_vol.clone(),
            foreign_sw: sibling_sw.clone(),
            foreign_need: sibling_need.clone(),
            foreign_item: sibling_item.clone(),
            foreign_project: sibling_project.clone(),
            foreign_meeting: sibling_meeting.clone(),
            foreign_vote: sibling_vote.clone(),
            foreign_call: sibling_call.clone(),
            foreign_post: sibling_post.clone(),
            foreign_incubation: sibling_incubation.clone(),
            markers: vec![
                "341002002002".into(),
                "跃进路".into(),
                "昱东".into(),
                shexian.user_id.clone(),
            ],
        },
    ];
    let table = web::routes::route_table();
    let mut checked = 0;
    for p in &probes {
        for spec in table
            .iter()
            .filter(|s| s.access == web::routes::Access::Signed)
        {
            let mut path = spec.path.to_string();
            for param in spec.params() {
                let v = match param {
                    "code" => p.foreign_code.to_string(),
                    "user_id" => shexian.user_id.clone(),
                    "assignment_id" => shexian_row[0].id.clone(),
                    "token_id" => token.id.clone(),
                    "org_id" => p.foreign_org.clone(),
                    "volunteer_id" => p.foreign_vol.0.clone(),
                    "record_id" => p.foreign_vol.1.clone(),
                    "cert_code" => p.foreign_vol.2.clone(),
                    "platform_id" => p.foreign_sw.0.clone(),
                    "worker_id" => p.foreign_sw.1.clone(),
                    "talent_id" => p.foreign_sw.2.clone(),
                    "need_id" => p.foreign_need.clone(),
                    "item_id" => p.foreign_item.0.clone(),
                    "eligibility_id" => p.foreign_item.1.clone(),
                    "project_id" => p.foreign_project.clone(),
                    "consultation_id" => p.foreign_meeting.clone(),
                    "vote_id" => p.foreign_vote.clone(),
                    "call_id" => p.foreign_call.clone(),
                    "post_id" => p.foreign_post.clone(),
                    "incubation_id" => p.foreign_incubation.clone(),
                    // A tranche number: the project in the path is the other territory's.
                    "seq" => "1".to_string(),
                    other => panic!(
                        "route {} has a parameter {other} with no territory fixture: add one here",
                        spec.path
                    ),
                };
                path = path.replace(&format!("{{{param}}}"), &v);
            }
            // Every query and body points at the other territory.
            // 歙 alone: the page echoes the query, and a leak would show the name 歙县 in the results.
            let query = format!(
                "?q=%E6%AD%99&area={}&code={}",
                p.foreign_code, p.foreign_code
            );
            let fields = [
                ("login", "intruder"),
                ("display_name", "x"),
                ("password", "Intrude2026"),
                ("role", "county_bureau"),
                ("area", p.foreign_code),
                ("name", "x"),
                ("current_password", "not-the-password"),
                ("new_password", "Intrude2026"),
                ("confirm_password", "Intrude2026"),
                ("organization_id", "o"),
                ("registration_status", "filed"),
                ("category", "mutual_aid"),
                ("version", "1"),
                ("backbone", "true"),
                ("community", p.foreign_code),
                ("into", p.foreign_need.as_str()),
                ("decision", "approve"),
                ("reason", "越权操作的理由写得足够长"),
                ("item_id", p.foreign_item.0.as_str()),
                ("choice", "yes"),
                ("present", "x"),
            ];
            // A fresh session per route, so logging out or changing a password cannot hide later routes.
            let s = t.login(p.login).await;
            let (status, body) = if spec.is_api() {
                let mut body: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect();
                body.insert("version".into(), json!(1));
                body.insert("backbone".into(), json!(true));
                let (st, _, b) = s
                    .api(
                        spec.method.clone(),
                        &format!("{path}{query}"),
                        Some(Value::Object(body)),
                    )
                    .await;
                (st, b)
            } else if spec.method == reqwest::Method::GET {
                s.get(&format!("{path}{query}")).await
            } else {
                s.post(&path, &fields).await
            };
            assert!(
                !status.is_server_error(),
                "{} {} as {}: {status}",
                spec.method,
                spec.path,
                p.login
            );
            for m in &p.markers {
                // A refusal may repeat the code that was asked for; nothing else.
                if status.is_client_error() && m.as_str() == p.foreign_code {
                    continue;
                }
                assert!(
                    !body.contains(m.as_str()),
                    "{} {} as {} leaked {m}: {body}",
                    spec.method,
                    spec.path,
                    p.login
                );
            }
            if !spec.params().is_empty() && spec.params() != ["token_id"]
                || spec.params().contains(&"user_id")
            {
                assert!(
                    matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{} {} as {} answered {status}: {body}",
                    spec.method,
                    path,
                    p.login
                );
            }
            assert_eq!(
                shexian_snapshot(&t.db).await,
                before,
                "{} {} as {} changed 歙县's data",
                spec.method,
                spec.path,
                p.login
            );
            checked += 1;
        }
    }
    assert!(checked >= 3 * 25, "walked {checked} routes");
}
