//! Calls: selection, venture and micro calls, facility tenders.

use crate::harness::*;

#[tokio::test]
async fn a_call_runs_from_published_terms_to_awards_within_its_pool_with_sealed_scores() {
    let t = spawn_app().await;
    demo_org(&t).await;
    org_with_manager(
        &t,
        "3410-rival-a",
        "跃进路社区书画社",
        "341002002002",
        "rivala",
    )
    .await;
    org_with_manager(
        &t,
        "3410-rival-b",
        "昱东社工服务中心",
        "341002001001",
        "rivalb",
    )
    .await;
    experts(&t, &["expert1", "expert2", "expert3"]).await;
    // An expert of the city who is also a member of one applicant.
    let insider = UserForm {
        login: "insider".into(),
        display_name: "书画社会员 专家".into(),
        password: PASSWORD.into(),
        role: "organization_member".into(),
        area: "3410".into(),
        organization_id: Some("3410-rival-a".into()),
    };
    t.app
        .create_user(None, &insider, &Ctx::default())
        .await
        .unwrap();
    let city = t.login("city").await;
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            "/api/v1/funds",
            Some(json!({"area": "3410", "name": "福彩公益金", "source": "welfare_lottery", "year": "2027", "budget": "100000"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let fund = json_of(&b)["id"].as_str().unwrap().to_string();
    // Bad terms name every field; a pool the fund cannot cover is refused.
    let mut bad = call_body(&fund, "10000", "20000", "2099-12-31");
    bad["rubric"] = json!("需求契合度 30\n方案 60");
    let (st, ct, b) = post_json(&city, "/api/v1/calls", bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert!(
        b.contains("over_pool") && b.contains("invalid_rubric"),
        "{b}"
    );
    post_refused(
        &city,
        "/api/v1/calls",
        call_body(&fund, "200000", "5000", "2099-12-31"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    )
    .await;
    // A call whose deadline has passed refuses an application, naming the deadline.
    let late = post_created(
        &city,
        "/api/v1/calls",
        call_body(&fund, "10000", "5000", "2026-01-31"),
    )
    .await;
    let org = t.login("orgmanager").await;
    let apply = |amount: &str| json!({"title": "长者助餐", "proposal": "为独居高龄老人提供午餐和每月探访", "amount": amount, "community": "341002002001"});
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{late}/applications"),
        apply("4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("deadline_passed") && b.contains("2026-01-31 23:59"),
        "{b}"
    );
    // A selection on an item: while it runs, the item's eligible organizations compete in it and
    // do not write applications on the item outside it.
    let (item, eligibility) =
        item_with_eligibility(&t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    approve(&t, &eligibility).await;
    let mut selection = call_body(&fund, "10000", "10000", "2099-12-31");
    selection["kind"] = json!("selection");
    selection["item_id"] = json!(item);
    let (st, _, b) = post_json(&city, "/api/v1/calls", selection).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let mut written = serde_json::to_value(application_form(
        &t.actor("orgmanager").await.user_id,
        "",
        "",
    ))
    .unwrap();
    written["eligibility_id"] = json!(eligibility);
    post_refused(
        &org,
        "/api/v1/projects",
        written,
        StatusCode::CONFLICT,
        "selection_under_way",
    )
    .await;
    // The call under test: 10,000 yuan, at most 5,000 a project.
    let id = post_created(
        &city,
        "/api/v1/calls",
        call_body(&fund, "10000", "5000", "2099-12-31"),
    )
    .await;
    let (_, _, b) = city.api(reqwest::Method::GET, "/api/v1/funds", None).await;
    assert!(
        b.contains("\"balance_fen\":7000000"),
        "three pools drawn: {b}"
    );
    post_refused(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("6000"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "over_ceiling",
    )
    .await;
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    post_refused(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("3000"),
        StatusCode::CONFLICT,
        "already_applied",
    )
    .await;
    for login in ["rivala", "rivalb"] {
        let s = t.login(login).await;
        let mut a = apply("4000");
        a["community"] = json!("341002002002");
        let (st, _, b) = post_json(&s, &format!("/api/v1/calls/{id}/applications"), a).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
    }
    // The rubric may change until the panel forms; the panel only after the deadline.
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/rubric"), json!({"rubric": "需求契合度 30\n方案可行性 40\n团队能力 20\n预算合理性 10", "min_panel": "3"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/panel"),
        json!({"members": "expert1, expert2, expert3"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("still_accepting") && b.contains("2099-12-31 23:59"),
        "{b}"
    );
    let city_actor = t.actor("city").await;
    let after = chrono::NaiveDate::from_ymd_opt(2100, 1, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let panel = |m: &str| app::chain::evaluation::PanelForm { members: m.into() };
    let refused = t
        .app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, insider, expert2"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("affiliated_member"),
        "{refused:?}"
    );
    // An expert whose name is that of a social worker an applicant employs is affiliated too.
    experts(&t, &["expert6"]).await;
    t.app
        .create_social_worker(
            &officer(Role::CountyBureau, "341002"),
            &domain::social::SocialWorkerForm {
                name: " 评审专家 expert6".into(),
                id_number: "341002198001011237".into(),
                certificate_level: "aide".into(),
                area: "341002001".into(),
                employer_org_id: "3410-rival-b".into(),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let refused = t
        .app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, expert6, expert2"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("3410-rival-b"),
        "{refused:?}"
    );
    let refused = t
        .app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, expert2"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("panel_too_small"),
        "{refused:?}"
    );
    t.app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, expert2, expert3"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap();
    // A formed panel takes nobody afterwards, whatever route writes (issue 16, finding 7).
    assert!(
        frozen_refuses(
            &t,
            &format!("INSERT INTO call_panel (tenant_id, call_id, user_id, name) VALUES ('3410', '{id}', 'late', '迟到者')")
        )
        .await
    );
    let view = json_of(
        &city
            .api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(view["call"]["stage"], "reviewing");
    let apps: Vec<String> = view["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(apps.len(), 3);
    // Each member scores every application once; only members score; marks within the rubric.
    let sheet = |pts: [[u32; 4]; 3]| {
        let mut m = serde_json::Map::new();
        for (a, p) in apps.iter().zip(pts) {
            m.insert(a.clone(), json!(p));
        }
        json!({ "scores": m, "comment": "独立评分" })
    };
    let good = [[27, 35, 18, 9], [25, 36, 17, 8], [20, 30, 15, 7]];
    let (st, _, b) = post_json(&org, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let e1 = t.login("expert1").await;
    let (_, _, work) = e1.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(work.contains("score_call") && work.contains(&id), "{work}");
    post_refused(
        &e1,
        &format!("/api/v1/calls/{id}/scores"),
        sheet([[31, 35, 18, 9], [25, 36, 17, 8], [20, 30, 15, 7]]),
        StatusCode::UNPROCESSABLE_ENTITY,
        "over_max",
    )
    .await;
    let (st, _, b) = post_json(&e1, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    post_refused(
        &e1,
        &format!("/api/v1/calls/{id}/scores"),
        sheet(good),
        StatusCode::CONFLICT,
        "already_scored",
    )
    .await;
    // From the first score the rubric is locked, by the use case and by the database.
    post_refused(
        &city,
        &format!("/api/v1/calls/{id}/rubric"),
        json!({"rubric": "方案 100", "min_panel": "3"}),
        StatusCode::CONFLICT,
        "rubric_locked",
    )
    .await;
    let mut tx = t.db.begin().await.unwrap();
    let r = tx
        .set_call_rubric(
            "3410",
            &id,
            &[domain::chain::call::Criterion {
                name: "方案".into(),
                max: 100,
            }],
            3,
        )
        .await;
    assert!(matches!(r, Err(store::StoreError::Frozen(_))), "{r:?}");
    drop(tx);
    // Nothing of the ranking shows before the panel has submitted.
    let mine = json_of(
        &org.api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert!(
        mine["ranking"].as_array().unwrap().is_empty()
            && mine["own_scores"].as_array().unwrap().is_empty()
    );
    assert_eq!(
        mine["applications"].as_array().unwrap().len(),
        1,
        "only its own"
    );
    for (login, pts) in [(
        "expert2",
        [[28, 34, 17, 9], [26, 37, 18, 8], [21, 29, 14, 6]],
    )] {
        let s = t.login(login).await;
        let (st, _, b) = post_json(&s, &format!("/api/v1/calls/{id}/scores"), sheet(pts)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
    }
    // The last member scores on the page: a mark that is not a number is named on its row and
    // every mark typed stays in the form.
    let e3 = t.login("expert3").await;
    let (st, page) = e3.get(&format!("/calls/{id}")).await;
    assert!(
        st == StatusCode::OK && page.contains("id=\"score-sheet\""),
        "{page}"
    );
    let pts = [[26, 36, 18, 8], [27, 35, 16, 9], [19, 31, 15, 8]];
    let mut fields: Vec<(String, String)> = Vec::new();
    for (a, p) in apps.iter().zip(pts) {
        for (i, x) in p.iter().enumerate() {
            fields.push((format!("s.{a}.{i}"), x.to_string()));
        }
    }
    fields[5].1 = "三十五".into();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (st, page) = e3.post(&format!("/calls/{id}/scores"), &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("每项评分应为 0 至满分的整数") && page.contains("value=\"三十五\""),
        "{page}"
    );
    assert!(page.contains(&format!("name=\"s.{}.3\"", apps[2])) && page.contains("value=\"19\""));
    fields[5].1 = "35".into();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (st, page) = e3.post(&format!("/calls/{id}/scores"), &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
    // Sealed: the applicant sees the ranking, explained, and its own scores member by member.
    let mine = json_of(
        &org.api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(mine["call"]["stage"], "sealed");
    let ranking = mine["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 3);
    assert_eq!(ranking[0]["organization_name"], "柏树街社区邻里守望互助会");
    assert_eq!(ranking[0]["average_centi"], 8833, "(89 + 88 + 88) / 3");
    assert_eq!(ranking[1]["average_centi"], 8733, "(86 + 89 + 87) / 3");
    assert_eq!(mine["own_scores"].as_array().unwrap().len(), 3);
    assert_eq!(mine["own_scores"][0]["total"], 89);
    let (st, _, b) = post_json(&e1, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (_, _, work) = city.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(work.contains("award_call") && work.contains(&id), "{work}");
    // Awards follow the ranking, within the ceiling and the pool.
    let award = |i: usize, amount: &str| json!({"application_id": ranking[i]["application_id"], "amount": amount, "reasons": "平均分排名靠前，方案可行"});
    post_refused(
        &city,
        &format!("/api/v1/calls/{id}/awards"),
        award(1, ""),
        StatusCode::CONFLICT,
        "out_of_order",
    )
    .await;
    let (st, _, b) = post_json(&org, &format!("/api/v1/calls/{id}/awards"), award(0, "")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/awards"), award(0, "")).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let project = json_of(&b)["project_id"].as_str().unwrap().to_string();
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/awards"), award(1, "")).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/awards"),
        award(2, "4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("pool_exhausted") && b.contains("2,000.00"),
        "{b}"
    );
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/awards"),
        award(2, "2000"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let done = json_of(
        &city
            .api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(
        (
            done["call"]["stage"].as_str(),
            done["call"]["awarded_fen"].as_i64()
        ),
        (Some("awarded"), Some(1_000_000))
    );
    // The award continues the chain: a project bought from the call's fund, ready to sign.
    let p = json_of(
        &org.api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await
        .2,
    );
    assert_eq!(p["project"]["stage"], "purchased", "{p}");
    assert_eq!(p["project"]["call_id"], id.as_str());
    assert_eq!(p["purchase"]["amount_fen"], 400_000, "{p}");
    // It continues through the chain: the organizer (the city bureau, not the community's
    // township) signs and pays; the organization delivers.
    let contract = json!({
        "starts_on": "2027-01-01", "ends_on": "2027-12-31", "deliverables": "每周助餐 5 天",
        "acceptance_criteria": "服务人次达到方案目标", "signed_on": "2026-12-28",
        "purchaser_signatory": "黄山市民政局 王科长", "provider_signatory": "赵晴",
        "tranches": "签约|2000\n中期评估|1000\n验收|1000"
    });
    let township = t.login("township").await;
    let (st, _, b) = post_json(
        &township,
        &format!("/api/v1/projects/{project}/contract"),
        contract.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/projects/{project}/contract"),
        contract,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["contract"]["purchaser_area"], "3410", "{b}");
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/tranches/1/payment"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let activity = json!({
        "held_on": today_text(), "place": "柏树街社区", "content": "长者助餐 30 人次", "served": "30",
        "groups": "special_elderly"
    });
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/projects/{project}/activities"),
        activity,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["project"]["stage"], "delivering", "{b}");
    // Evaluated like any project (the community committee convenes the group), and the final
    // payment by the organizer closes it.
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/projects/{project}/self-evaluation"),
        json!({"report": "全年助餐服务 30 人次，独居高龄老人满意度 95%，方案目标基本达成，经费按预算使用，无超支。"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    experts(&t, &["expert4", "expert5"]).await;
    let community = t.login("community").await;
    let (st, _, b) = post_json(
        &community,
        &format!("/api/v1/projects/{project}/panel"),
        crate::acceptance::group(&[
            ("专家一", "expert", "expert1", "", true),
            ("专家二", "expert", "expert2", "", false),
            ("专家三", "expert", "expert3", "", false),
            ("专家四", "expert", "expert4", "", false),
            ("专家五", "expert", "expert5", "", false),
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let chair = t.login("expert1").await;
    let (st, _, b) = post_json(&chair, &format!("/api/v1/projects/{project}/meeting"), json!({"method": "查阅台账、听取汇报", "held_on": today_text(), "place": "社区议事厅", "present": "1,2,3,4,5"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for login in ["expert1", "expert2", "expert3", "expert4", "expert5"] {
        let s = t.login(login).await;
        let (st, _, b) = post_json(&s, &format!("/api/v1/projects/{project}/scores"), json!({"need": "18", "goals": "22", "quality": "18", "money": "13", "satisfaction": "18"})).await;
        assert_eq!(st, StatusCode::OK, "{login}: {b}");
    }
    // The group's chair signs the report, not the committee that convened it.
    let (st, _, b) = post_json(&chair, &format!("/api/v1/projects/{project}/verdict"), json!({"verdict": "accepted", "report": "评议小组一致认为项目达到方案目标，服务记录完整，同意验收通过。"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for seq in [2, 3] {
        let (st, _, b) = city
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/projects/{project}/tranches/{seq}/payment"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "tranche {seq}: {b}");
    }
    let p = json_of(
        &org.api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await
        .2,
    );
    assert_eq!(p["project"]["stage"], "closed", "{p}");
    let (_, _, b) = city.api(reqwest::Method::GET, "/api/v1/funds", None).await;
    assert!(b.contains("\"balance_fen\":7000000"), "{b}");
}

#[tokio::test]
async fn concurrent_awards_never_exceed_the_pool_and_the_rest_returns_to_the_fund() {
    let t = spawn_app().await;
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_fund(
        "3410",
        "3410-fund-race",
        &domain::chain::purchase::Fund {
            area: AreaCode::parse("3410").unwrap(),
            name: "创投资金".into(),
            source: domain::chain::money::FundSource::WelfareLottery,
            year: 2027,
            budget_fen: domain::chain::money::Money::from_fen(5_000_000).unwrap(),
        },
        "test",
        &now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let city = t.login("city").await;
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            "/api/v1/calls",
            Some(call_body("3410-fund-race", "10000", "5000", "2099-12-31")),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = json_of(&b)["id"].as_str().unwrap().to_string();
    // Six applications of 3,000 yuan, scored by three members and sealed.
    let mut tx = t.db.begin().await.unwrap();
    let mut apps = Vec::new();
    for i in 0..6 {
        let org = format!("3410-race-{i}");
        let mut o = filed_org(&format!("竞赛社会组织{i}"), "341002002001")
            .validate(chrono::Utc::now().date_naive())
            .unwrap()
            .0;
        o.area = AreaCode::parse("341002002001").unwrap();
        tx.insert_organization("3410", &org, &o, &now)
            .await
            .unwrap();
        let a = domain::chain::call::CallApplication {
            title: format!("项目{i}"),
            proposal: "方案".into(),
            staffing: String::new(),
            amount_fen: domain::chain::money::Money::from_fen(300_000).unwrap(),
            community: AreaCode::parse("341002002001").unwrap(),
        };
        let aid = format!("3410-race-app-{i}");
        tx.insert_call_application(&store::chain::call::NewCallApplication {
            tenant: "3410",
            call: &id,
            id: &aid,
            organization: &org,
            eligibility: None,
            application: &a,
            by: "test",
            now: &now,
        })
        .await
        .unwrap();
        apps.push(aid);
    }
    let members: Vec<(String, String)> = (0..3)
        .map(|m| (format!("member-{m}"), format!("成员{m}")))
        .collect();
    tx.insert_call_panel("3410", &id, &members).await.unwrap();
    for (m, _) in &members {
        let scores = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), vec![30 - i as u32, 40 - i as u32, 30 - i as u32]))
            .collect();
        tx.insert_call_sheet("3410", &id, m, &scores, "", &now)
            .await
            .unwrap();
    }
    use domain::chain::call::CallStage;
    tx.set_call_stage("3410", &id, CallStage::Open, CallStage::Sealed)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Rounds of eight simultaneous awards of the best applicant not yet awarded: one wins
    // each round until the pool cannot cover another 3,000 yuan.
    let mut wins = 0;
    for round in 0..5 {
        let body = json!({"application_id": apps[wins], "reasons": "按排名评定"});
        let path = format!("/api/v1/calls/{id}/awards");
        let results = futures_util::future::join_all((0..8).map(|_| {
            let (s, p, b) = (&city, path.clone(), body.clone());
            async move { s.api(reqwest::Method::POST, &p, Some(b)).await }
        }))
        .await;
        let ok = results
            .iter()
            .filter(|r| r.0 == StatusCode::CREATED)
            .count();
        assert!(
            results
                .iter()
                .all(|r| r.0 == StatusCode::CREATED || r.0 == StatusCode::CONFLICT),
            "{results:?}"
        );
        assert_eq!(
            ok,
            usize::from(round < 3),
            "round {round}: {:?}",
            results.iter().map(|r| &r.2).collect::<Vec<_>>()
        );
        wins += ok;
    }
    let k = t.db.call("3410", &id).await.unwrap().unwrap();
    let awards = t.db.call_awards("3410", &id).await.unwrap();
    assert_eq!((k.awarded_fen.fen(), awards.len()), (900_000, 3));
    assert_eq!(
        domain::chain::money::Money::sum(awards.iter().map(|a| a.amount_fen)),
        Some(k.awarded_fen)
    );
    assert_eq!(
        awards.iter().map(|a| a.place).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // Every award and only they became projects bought from the fund.
    let projects =
        t.db.projects(&Scope::nation(), None, None, None, 100)
            .await
            .unwrap();
    assert_eq!(
        projects
            .iter()
            .filter(|p| p.call_id.as_deref() == Some(id.as_str()))
            .count(),
        3
    );
    // Closing returns the 1,000 yuan left to the fund: 50,000 - 10,000 + 1,000.
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/calls/{id}/close"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let f = t.db.fund("3410", "3410-fund-race").await.unwrap().unwrap();
    assert_eq!(f.balance_fen.fen(), 4_100_000);
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/calls/{id}/close"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
}
