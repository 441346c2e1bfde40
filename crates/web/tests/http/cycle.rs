//! The yearly cycle and competition through the residents (issue 16, findings 4 and 5): one
//! eligibility and one application per item per period, the next period open again; two eligible
//! organizations go through a selection whose winner is consulted and voted on like any other.

use crate::harness::*;
use domain::chain::stage::Stage;

const COMMUNITY: &str = "341002002001";

/// Moves a project's stage straight in the store: a fixture standing for the step the chain's
/// own tests drive (a sealed vote, for instance).
async fn force_stage(t: &TestApp, project: &str, from: Stage, to: Stage) {
    let mut tx = t.db.begin().await.unwrap();
    assert!(tx
        .move_stage("3410", project, from, to, &store::time::now())
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

/// The application body of the organization manager on `eligibility`, its team taken from
/// the application of `like` (a project whose team passed the registries' checks).
async fn application_body(t: &TestApp, like: &str, eligibility: &str) -> Value {
    let versions = t.db.application_versions("3410", like).await.unwrap();
    let c = &versions[0].content;
    let mut body =
        serde_json::to_value(application_form(&c.lead, &c.social_workers.join(","), "")).unwrap();
    body["eligibility_id"] = json!(eligibility);
    body
}

#[tokio::test]
async fn the_next_period_reopens_an_item_and_a_period_holds_one_application_per_organization() {
    let t = spawn_app().await;
    let first = submitted_project(&t).await;
    let p = t.db.project("3410", &first).await.unwrap().unwrap();
    let this = app::kernel::current_period();
    let next = this + 1;
    assert_eq!(p.period, this, "a project carries its item's period");
    let item = p.item_id.clone().unwrap();
    let eligibility = p.eligibility_id.clone().unwrap();
    // The residents' representatives reject it.
    force_stage(&t, &first, Stage::Submitted, Stage::Voting).await;
    force_stage(&t, &first, Stage::Voting, Stage::Rejected).await;
    // In the same period the organization's one application on the item is spent.
    let org = t.login("orgmanager").await;
    post_refused(
        &org,
        "/api/v1/projects",
        application_body(&t, &first, &eligibility).await,
        StatusCode::CONFLICT,
        "already_written",
    )
    .await;

    // 沿用上一年度目录: the community carries this year's approved items into next year, as
    // items awaiting the township's approval; the page leaves a receipt.
    let community = t.login("community").await;
    let (st, page) = community
        .post(
            "/catalogue/carry-over",
            &[("community", COMMUNITY), ("period", &next.to_string())],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
    let (st, page) = community
        .get(&format!(
            "/catalogue?period={next}&status=proposed&carried=1"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("id=\"carried\"") && page.contains("复制 1 项"),
        "{page}"
    );
    let listed = json_of(
        &community
            .api(
                reqwest::Method::GET,
                &format!("/api/v1/catalogue?period={next}"),
                None,
            )
            .await
            .2,
    );
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["period"], next);
    assert_eq!(items[0]["status"], "proposed", "a copy is approved again");
    let renewed = items[0]["id"].as_str().unwrap().to_string();
    assert_ne!(renewed, item);
    // Carrying over twice creates nothing new; a year outside last..next is named as wrong.
    let (st, _, b) = post_json(
        &community,
        "/api/v1/catalogue/carry-over",
        json!({"community": COMMUNITY, "period": next.to_string()}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(json_of(&b)["created"], json!([]), "{b}");
    assert_eq!(json_of(&b)["skipped"].as_array().unwrap().len(), 1, "{b}");
    post_refused(
        &community,
        "/api/v1/catalogue/carry-over",
        json!({"community": COMMUNITY, "period": (this + 5).to_string()}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_period",
    )
    .await;
    // The catalogue lists by period, the current one by default, every one on request.
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/catalogue", None)
        .await;
    let current = json_of(&b);
    assert_eq!(current["period"], this);
    assert!(b.contains(&item) && !b.contains(&renewed), "{b}");
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/catalogue?period=all", None)
        .await;
    assert!(b.contains(&item) && b.contains(&renewed), "{b}");
    let (st, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/catalogue?period=明年", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("invalid_period"), "{b}");
    let (st, page) = community.get(&format!("/catalogue?period={next}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&renewed) && !page.contains(&item), "{page}");

    // Next year: the township approves the item, the organization is eligible again and writes
    // its application there.
    let township = t.login("township").await;
    let (st, _, b) = post_json(
        &township,
        &format!("/api/v1/catalogue/{renewed}/review"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let again = post_created(
        &org,
        &format!("/api/v1/catalogue/{renewed}/eligibilities"),
        json!({"organization_id": app::demo::DEMO_ORG_ID}),
    )
    .await;
    approve(&t, &again).await;
    let second = post_created(
        &org,
        "/api/v1/projects",
        application_body(&t, &first, &again).await,
    )
    .await;
    let p2 = t.db.project("3410", &second).await.unwrap().unwrap();
    assert_eq!(
        (p2.period, p2.item_id.as_deref()),
        (next, Some(renewed.as_str()))
    );
    // And only one there too.
    post_refused(
        &org,
        "/api/v1/projects",
        application_body(&t, &first, &again).await,
        StatusCode::CONFLICT,
        "already_written",
    )
    .await;
    // The project list filters by period: the current one by default.
    let listed = |q: &'static str| {
        let org = &org;
        async move {
            org.api(reqwest::Method::GET, &format!("/api/v1/projects{q}"), None)
                .await
                .2
        }
    };
    let b = listed("").await;
    assert!(b.contains(&first) && !b.contains(&second), "{b}");
    let b = org
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects?period={next}"),
            None,
        )
        .await
        .2;
    assert!(!b.contains(&first) && b.contains(&second), "{b}");
    let b = listed("?period=all").await;
    assert!(b.contains(&first) && b.contains(&second), "{b}");
    let (st, page) = org.get(&format!("/projects?period={next}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&second) && !page.contains(&first), "{page}");

    // The database keeps a period as written.
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE catalogue_items SET period = period + 1 WHERE id = '{item}'"),
        )
        .await
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE projects SET period = period + 1 WHERE id = '{second}'"),
        )
        .await
    );
}

#[tokio::test]
async fn one_organization_holds_an_item_in_a_period_until_its_project_fails() {
    let t = spawn_app().await;
    let first = submitted_project(&t).await;
    let p = t.db.project("3410", &first).await.unwrap().unwrap();
    let item = p.item_id.clone().unwrap();
    // A second organization becomes eligible on the item after the first one applied.
    org_with_manager(&t, "3410-rival-a", "跃进路社区书画社", COMMUNITY, "rivala").await;
    let rival = t.login("rivala").await;
    let eligibility = post_created(
        &rival,
        &format!("/api/v1/catalogue/{item}/eligibilities"),
        json!({"organization_id": "3410-rival-a"}),
    )
    .await;
    approve(&t, &eligibility).await;
    // The item is held: the second organization's application is refused, naming the holder.
    let b = post_refused(
        &rival,
        "/api/v1/projects",
        application_body(&t, &first, &eligibility).await,
        StatusCode::CONFLICT,
        "item_taken",
    )
    .await;
    assert!(b.contains("柏树街"), "the holder is named: {b}");
    // The database says it too: a second live project on the item cannot be written.
    let content = application_form("x", "x", "").validate().unwrap();
    let insert = |id: &'static str, stage: Stage| {
        let (t, item, eligibility, content) = (&t, &item, &eligibility, &content);
        async move {
            let mut tx = t.db.begin().await.unwrap();
            let r = tx
                .insert_project(&store::chain::application::NewProject {
                    tenant: "3410",
                    id,
                    community: &AreaCode::parse(COMMUNITY).unwrap(),
                    item_id: Some(item),
                    call_id: None,
                    stage,
                    organization_id: "3410-rival-a",
                    eligibility_id: Some(eligibility),
                    content,
                    by: "test",
                    now: &store::time::now(),
                })
                .await;
            if r.is_ok() {
                tx.commit().await.unwrap();
            }
            r
        }
    };
    assert!(matches!(
        insert("3410-second", Stage::Draft).await,
        Err(store::StoreError::Duplicate(_))
    ));
    // A failed project (the township declined it) leaves the item open in the period; with two
    // eligible organizations it now goes to a selection.
    force_stage(&t, &first, Stage::Submitted, Stage::Declined).await;
    post_refused(
        &rival,
        "/api/v1/projects",
        application_body(&t, &first, &eligibility).await,
        StatusCode::CONFLICT,
        "competition_required",
    )
    .await;
    insert("3410-second", Stage::Draft).await.unwrap();
}

#[tokio::test]
async fn competing_organizations_go_through_a_selection_and_the_winner_through_the_residents() {
    let t = spawn_app().await;
    let (item, ours) = approved_eligibility(&t).await;
    approve(&t, &ours).await;
    let (_, worker, _) =
        platform_with_worker(&t, "341002002", "昱东街道社工站", "11010519491231002X").await;
    org_with_manager(&t, "3410-rival-a", "跃进路社区书画社", COMMUNITY, "rivala").await;
    let rival = t.login("rivala").await;
    let theirs = post_created(
        &rival,
        &format!("/api/v1/catalogue/{item}/eligibilities"),
        json!({"organization_id": "3410-rival-a"}),
    )
    .await;
    approve(&t, &theirs).await;
    // Two eligible organizations: no ordinary application, the item goes to a selection.
    let org = t.login("orgmanager").await;
    let manager = t.actor("orgmanager").await;
    let mut written =
        serde_json::to_value(application_form(&manager.user_id, &worker, "")).unwrap();
    written["eligibility_id"] = json!(ours);
    let b = post_refused(
        &org,
        "/api/v1/projects",
        written.clone(),
        StatusCode::CONFLICT,
        "competition_required",
    )
    .await;
    assert!(b.contains("竞争承接"), "{b}");
    let (st, page) = org.get(&format!("/catalogue/{item}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("id=\"competing\""), "{page}");
    let (_, _, b) = org
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/catalogue/{item}"),
            None,
        )
        .await;
    assert_eq!(json_of(&b)["competing"], true, "{b}");
    // The township opens the selection on the item; its pool is drawn from the fund.
    let township = t.login("township").await;
    let fund = post_created(
        &township,
        "/api/v1/funds",
        json!({"area": "341002002", "name": "专项资金", "source": "special", "year": "2027", "budget": "100000"}),
    )
    .await;
    let mut selection = call_body(&fund, "50000", "50000", "2099-12-31");
    selection["kind"] = json!("selection");
    selection["area"] = json!("341002002");
    selection["item_id"] = json!(item);
    let call = post_created(&township, "/api/v1/calls", selection.clone()).await;
    let balance = || async {
        t.db.fund("3410", &fund)
            .await
            .unwrap()
            .unwrap()
            .balance_fen
            .fen()
    };
    assert_eq!(balance().await, 5_000_000);
    // One selection per item.
    post_refused(
        &township,
        "/api/v1/calls",
        selection,
        StatusCode::UNPROCESSABLE_ENTITY,
        "selection_exists",
    )
    .await;
    post_refused(
        &org,
        "/api/v1/projects",
        written.clone(),
        StatusCode::CONFLICT,
        "selection_under_way",
    )
    .await;
    // Both apply; the panel's scores are sealed (fixture: the scoring is the calls' tests').
    let mut apps = Vec::new();
    for s in [&org, &rival] {
        apps.push(
            post_created(
                s,
                &format!("/api/v1/calls/{call}/applications"),
                json!({"title": "居家养老上门服务", "proposal": "每周上门服务独居老人", "amount": "40000", "community": COMMUNITY}),
            )
            .await,
        );
    }
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    let members: Vec<(String, String)> = (0..3)
        .map(|m| (format!("member-{m}"), format!("成员{m}")))
        .collect();
    tx.insert_call_panel("3410", &call, &members).await.unwrap();
    for (m, _) in &members {
        let scores = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), vec![30 - i as u32, 40 - i as u32, 30 - i as u32]))
            .collect();
        tx.insert_call_sheet("3410", &call, m, &scores, "", &now)
            .await
            .unwrap();
    }
    tx.set_call_stage(
        "3410",
        &call,
        domain::chain::call::CallStage::Open,
        domain::chain::call::CallStage::Sealed,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The award names the undertaker; its application waits for the residents, not for signing.
    let (st, _, b) = post_json(
        &township,
        &format!("/api/v1/calls/{call}/awards"),
        json!({"application_id": apps[0], "reasons": "平均分第一"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let project = json_of(&b)["project_id"].as_str().unwrap().to_string();
    let p = t.db.project("3410", &project).await.unwrap().unwrap();
    assert_eq!(p.stage, Stage::Submitted);
    assert_eq!(p.item_id.as_deref(), Some(item.as_str()));
    assert!(
        t.db.purchase_decision("3410", &project)
            .await
            .unwrap()
            .is_none(),
        "nothing is bought yet"
    );
    // The pool went back whole: the money is drawn when the township decides to buy.
    assert_eq!(balance().await, 10_000_000);
    // The loser cannot take the item another way in the period; the winner's eligibility carries
    // the awarded application, its one of the period.
    let mut theirs_written = written.clone();
    theirs_written["eligibility_id"] = json!(theirs);
    post_refused(
        &rival,
        "/api/v1/projects",
        theirs_written,
        StatusCode::CONFLICT,
        "selection_awarded",
    )
    .await;
    post_refused(
        &org,
        "/api/v1/projects",
        written,
        StatusCode::CONFLICT,
        "already_written",
    )
    .await;
    // Before the vote the township cannot buy it.
    let buy = domain::chain::purchase::PurchaseForm {
        decision: "buy".into(),
        reason: "表决通过".into(),
        fund_id: fund.clone(),
        amount: "40000".into(),
    };
    let township_actor = t.actor("township").await;
    let refused = t
        .app
        .decide_purchase(&township_actor, &project, &buy, &Ctx::default())
        .await
        .unwrap_err();
    assert!(format!("{refused:?}").contains("Conflict"), "{refused:?}");
    // The consultation discusses it like any submitted application.
    let officer = t.actor("community").await;
    let ctx = Ctx::default();
    let meeting = t
        .app
        .convene_consultation(
            &officer,
            &domain::chain::consultation::ConsultationForm {
                community: COMMUNITY.into(),
                title: "恳谈会".into(),
                held_on: "2026-12-10".into(),
                place: "议事厅".into(),
                projects: project.clone(),
            },
            &ctx,
        )
        .await
        .unwrap();
    for (role, name) in [
        ("supervisory_council", "王建国"),
        ("representative", "赵秀英"),
    ] {
        t.app
            .record_attendee(
                &officer,
                &meeting,
                &domain::chain::consultation::AttendeeForm {
                    role: role.into(),
                    name: name.into(),
                },
                &ctx,
            )
            .await
            .unwrap();
    }
    t.app
        .freeze_consultation(
            &officer,
            &meeting,
            &domain::chain::consultation::FreezeForm {
                recorder: "李娜".into(),
                chair: "张伟".into(),
                summary: "同意提交表决。".into(),
            },
            &ctx,
        )
        .await
        .unwrap();
    let p = t.db.project("3410", &project).await.unwrap().unwrap();
    assert_eq!(p.stage, Stage::Consulted);
    assert!(t
        .app
        .decide_purchase(&township_actor, &project, &buy, &ctx)
        .await
        .is_err());
    // The representatives pass it (fixture: the vote is the vote tests'), then it is bought
    // from the fund like any other.
    force_stage(&t, &project, Stage::Consulted, Stage::Voting).await;
    force_stage(&t, &project, Stage::Voting, Stage::Passed).await;
    t.app
        .decide_purchase(&township_actor, &project, &buy, &ctx)
        .await
        .unwrap();
    let p = t.db.project("3410", &project).await.unwrap().unwrap();
    assert_eq!(p.stage, Stage::Purchased);
    assert_eq!(balance().await, 6_000_000);
}
