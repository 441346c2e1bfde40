//! The purchase decision and fund balances.

use crate::harness::*;

#[tokio::test]
async fn the_township_decides_with_reasons_and_simultaneous_purchases_never_overdraw_a_fund() {
    let t = spawn_app().await;
    demo_org(&t).await;
    // Eight passed applications of 柏树街, each with a budget of 44,000.50 yuan.
    let mut projects = Vec::new();
    for _ in 0..8 {
        let (item, eligibility) =
            item_with_eligibility(&t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
        let p = project_on(
            &t,
            &item,
            &eligibility,
            app::demo::DEMO_ORG_ID,
            "341002002001",
        )
        .await;
        let mut tx = t.db.begin().await.unwrap();
        tx.move_stage(
            "3410",
            &p,
            domain::chain::stage::Stage::Draft,
            domain::chain::stage::Stage::Passed,
            &store::time::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        projects.push(p);
    }
    let township = t.login("township").await;
    // A fund of the township: the form keeps what was typed when refused.
    let (st, page) = township
        .post(
            "/funds",
            &[
                ("area", "341002002"),
                ("name", "2027 年社区服务专项资金"),
                ("source", ""),
                ("year", "2027"),
                ("budget", "100000"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("请选择资金来源") && page.contains("2027 年社区服务专项资金"),
        "{page}"
    );
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            "/api/v1/funds",
            Some(json!({"area": "341002002", "name": "2027 年社区服务专项资金", "source": "special", "year": "2027", "budget": "100000"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let fund = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The community officer cannot decide; a decision without reasons is refused.
    let community = t.login("community").await;
    let decide = |p: &str| format!("/api/v1/projects/{p}/purchase");
    let buy = json!({"decision": "buy", "reason": "居民代表会议通过，需求迫切", "fund_id": fund, "amount": "30000"});
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &decide(&projects[0]),
            Some(buy.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            &decide(&projects[0]),
            Some(json!({"decision": "buy", "reason": "", "fund_id": fund, "amount": "50000"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("over_budget") && b.contains("reason"), "{b}");
    let (_, _, b) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(b.matches("decide_purchase").count(), 8, "{b}");
    // Eight decisions at once, 30,000 yuan each, on a fund of 100,000: exactly three pass.
    let calls = projects.iter().map(|p| {
        let (path, body, s) = (decide(p), buy.clone(), &township);
        async move { s.api(reqwest::Method::POST, &path, Some(body)).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    let short: Vec<&String> = results
        .iter()
        .filter(|r| r.0 == StatusCode::CONFLICT)
        .map(|r| &r.2)
        .collect();
    assert_eq!(
        (ok, short.len()),
        (3, 5),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(
        short
            .iter()
            .all(|b| b.contains("insufficient_funds") && b.contains("余额不足")),
        "{short:?}"
    );
    let f = t.db.fund("3410", &fund).await.unwrap().unwrap();
    assert_eq!(f.balance_fen.fen(), 1_000_000, "100,000 − 3 × 30,000 yuan");
    let moved: i64 =
        t.db.fund_movements("3410", &fund)
            .await
            .unwrap()
            .iter()
            .map(|m| m.amount_fen)
            .sum();
    assert_eq!(
        moved,
        f.balance_fen.fen(),
        "the movements explain the balance"
    );
    // The others stay passed; one is declined, with reasons, through the page.
    let waiting: Vec<&String> = projects
        .iter()
        .filter(|p| results[projects.iter().position(|q| q == *p).unwrap()].0 != StatusCode::OK)
        .collect();
    let (_, page) = township.get(&format!("/projects/{}", waiting[0])).await;
    assert!(
        page.contains("决定购买") && page.contains("余额 10,000.00 元"),
        "{page}"
    );
    let (st, _) = township
        .post(
            &format!("/projects/{}/purchase", waiting[0]),
            &[
                ("decision", "decline"),
                ("reason", "资金不足，列入下一年度计划"),
                ("fund_id", ""),
                ("amount", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = township.get(&format!("/projects/{}", waiting[0])).await;
    assert!(
        page.contains("决定不予购买")
            && page.contains("列入下一年度计划")
            && page.contains("街道决定不予购买"),
        "{page}"
    );
    let bought = &projects[results.iter().position(|r| r.0 == StatusCode::OK).unwrap()];
    let (_, _, b) = township
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{bought}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            d["project"]["stage"].as_str(),
            d["purchase"]["amount_fen"].as_i64()
        ),
        (Some("purchased"), Some(3_000_000))
    );
    // Decided once; the record cannot change.
    let (st, _, _) = township
        .api(reqwest::Method::POST, &decide(bought), Some(buy))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The contract: tranches must add up to the amount bought; the page keeps what was typed.
    let contract = [
        ("starts_on", "2027-01-01"),
        ("ends_on", "2027-12-31"),
        ("deliverables", "每周上门服务 20 户"),
        ("acceptance_criteria", "服务户数和满意度达到申请书目标"),
        ("signed_on", "2026-12-28"),
        ("purchaser_signatory", "陈干事"),
        ("provider_signatory", "赵晴"),
        ("tranches", "签约|9000\n中期评估|9000\n验收|10000"),
    ];
    let (st, page) = township
        .post(&format!("/projects/{bought}/contract"), &contract)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("应等于购买金额 30,000.00 元") && page.contains("每周上门服务 20 户"),
        "{page}"
    );
    let mut body: serde_json::Map<String, Value> = contract
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    body.insert(
        "tranches".into(),
        json!("签约|9000\n中期评估|9000\n验收|12000"),
    );
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body.clone())),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "only the township records the contract: {b}"
    );
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body.clone())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["project"]["stage"], "contracted");
    assert_eq!(
        d["contract"]["tranches"][2]["milestone"],
        "final_acceptance"
    );
    let (st, _, _) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body)),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    for sql in [
        format!("UPDATE contracts SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("UPDATE tranches SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("UPDATE purchase_decisions SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("DELETE FROM fund_movements WHERE fund_id = '{fund}'"),
        format!("UPDATE funds SET balance_fen = -1 WHERE id = '{fund}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database allowed: {sql}");
    }
}
