//! Money that always comes home (issue 16, finding 3): a project ended before being paid in
//! full — withdrawn before signing, terminated, not accepted twice — returns its unpaid money to
//! the fund it came from in the same transaction; "not accepted" gets one rectification and one
//! re-review; a cancelled tranche is never paid. After every step of every path, each fund's
//! balance is its budget less what was assigned plus what returned, and the sum of its movements.

use crate::harness::*;
use domain::chain::stage::Stage;
use reqwest::Method;

const TENANT: &str = "3410";

/// A fund of the township of 柏树街 (300,000 yuan): its id.
async fn fund(t: &TestApp) -> String {
    t.app
        .create_fund(
            &t.actor("township").await,
            &domain::chain::purchase::FundForm {
                area: "341002002".into(),
                name: "专项资金（退回测试）".into(),
                source: "special".into(),
                year: "2027".into(),
                budget: "300000".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap()
}

/// A project of the demonstration organization on its own catalogue item `n`, bought from
/// `fund` for 30,000 yuan (`buy`) or declined, and signed when `sign` (tranches 9,000 on
/// signing, 9,000 mid-term, 12,000 on acceptance).
async fn bought(t: &TestApp, n: &str, fund: &str, buy: bool, sign: bool) -> String {
    let community = "341002002001";
    let item = t
        .app
        .propose_item(
            &officer(Role::CommunityOfficer, community),
            &domain::chain::catalogue::ItemForm {
                community: community.into(),
                name: format!("{n} 居家养老上门服务"),
                description: String::new(),
                social_work: String::new(),
                period: String::new(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let approve = app::chain::catalogue::DecisionForm {
        decision: "approve".into(),
        reason: String::new(),
    };
    t.app
        .review_item(
            &officer(Role::TownshipOfficer, "341002002"),
            &item,
            &approve,
            &Ctx::default(),
        )
        .await
        .unwrap();
    let mut manager = officer(Role::OrganizationManager, community);
    manager.assignments[0].organization_id = Some(app::demo::DEMO_ORG_ID.to_string());
    let eligibility = t
        .app
        .apply_eligibility(
            &manager,
            &item,
            &app::chain::catalogue::ApplyForm {
                organization_id: app::demo::DEMO_ORG_ID.to_string(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let p = project_on(t, &item, &eligibility, app::demo::DEMO_ORG_ID, community).await;
    move_to(t, &p, Stage::Draft, Stage::Passed).await;
    let township = t.actor("township").await;
    t.app
        .decide_purchase(
            &township,
            &p,
            &domain::chain::purchase::PurchaseForm {
                decision: if buy { "buy" } else { "decline" }.into(),
                reason: "表决通过，需求迫切".into(),
                fund_id: fund.into(),
                amount: "30000".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    if sign {
        t.app
            .sign_contract(
                &township,
                &p,
                &domain::chain::contract::ContractForm {
                    starts_on: "2027-01-01".into(),
                    ends_on: "2027-12-31".into(),
                    deliverables: "每周上门服务 20 户".into(),
                    acceptance_criteria: "达到申请书目标".into(),
                    signed_on: "2026-12-28".into(),
                    purchaser_signatory: "陈干事".into(),
                    provider_signatory: "赵晴".into(),
                    tranches: "签约|9000\n中期评估|9000\n验收|12000".into(),
                },
                &Ctx::default(),
            )
            .await
            .unwrap();
    }
    p
}

async fn move_to(t: &TestApp, project: &str, from: Stage, to: Stage) {
    let mut tx = t.db.begin().await.unwrap();
    assert!(tx
        .move_stage(TENANT, project, from, to, &store::time::now())
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

/// A project "not accepted" by a review group the evaluator chairs (written straight into the
/// store: the review itself is tested in `acceptance`).
async fn not_accepted(t: &TestApp, project: &str) {
    move_to(t, project, Stage::Contracted, Stage::NotAccepted).await;
    let chair = t.actor("evaluator").await;
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_review_group(&store::chain::evaluation::NewReviewGroup {
        tenant: TENANT,
        project,
        members: &[store::chain::evaluation::NewGroupMember {
            name: "何教授".into(),
            category: domain::chain::review_group::Category::Expert,
            user_id: Some(chair.user_id.clone()),
            organization: None,
            chair: true,
        }],
        by: "test",
        now: &now,
    })
    .await
    .unwrap();
    tx.insert_report(&store::chain::evaluation::NewReport {
        tenant: TENANT,
        project,
        verdict: domain::chain::stage::Verdict::NotAccepted,
        conditions: "",
        report: "服务台账严重缺失，入户走访不足一半，验收不通过。",
        average: 50,
        by: &chair.user_id,
        now: &now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// For every fund: budget − assignments + returns == balance == the sum of its movements; and
/// for every ended project, what was paid plus what returned is what was committed.
async fn money_adds_up(t: &TestApp, step: &str) {
    let funds: Vec<(String, i64, i64)> = store::on_pool!(&t.db, c => {
        sqlx::query_as("SELECT id, budget_fen, balance_fen FROM funds ORDER BY id").fetch_all(c).await.unwrap()
    });
    assert!(!funds.is_empty());
    for (id, budget, balance) in funds {
        let (assigned, returned, sum): (i64, i64, i64) = store::on_pool!(&t.db, c => {
            sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'assignment' THEN -amount_fen ELSE 0 END), 0) AS BIGINT), \
                        CAST(COALESCE(SUM(CASE WHEN kind = 'return' THEN amount_fen ELSE 0 END), 0) AS BIGINT), \
                        CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM fund_movements WHERE fund_id = $1",
            )
            .bind(&id).fetch_one(c).await.unwrap()
        });
        assert_eq!(budget - assigned + returned, balance, "{step}: fund {id}");
        assert_eq!(sum, balance, "{step}: movements of fund {id}");
    }
    let ended: Vec<(String, i64, i64, i64)> = store::on_pool!(&t.db, c => {
        sqlx::query_as(
            "SELECT e.project_id, d.amount_fen, e.returned_fen, \
                    CAST(COALESCE((SELECT SUM(x.amount_fen) FROM tranches x WHERE x.tenant_id = e.tenant_id AND x.project_id = e.project_id AND x.paid_at IS NOT NULL), 0) AS BIGINT) \
             FROM terminations e JOIN purchase_decisions d ON d.tenant_id = e.tenant_id AND d.project_id = e.project_id",
        )
        .fetch_all(c).await.unwrap()
    });
    for (p, committed, returned, paid) in ended {
        assert_eq!(paid + returned, committed, "{step}: project {p}");
    }
}

async fn balance(t: &TestApp, fund: &str) -> i64 {
    store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT balance_fen FROM funds WHERE id = $1").bind(fund).fetch_one(c).await.unwrap()
    })
}

fn api(project: &str, what: &str) -> String {
    format!("/api/v1/projects/{project}/{what}")
}

async fn ok(s: &Session, path: &str, body: Value) -> Value {
    let (st, _, b) = s.api(Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{path}: {b}");
    json_of(&b)
}

async fn pay(s: &Session, project: &str, seq: i64) {
    let path = api(project, &format!("tranches/{seq}/payment"));
    let (st, _, b) = s.api(Method::POST, &path, None).await;
    assert_eq!(st, StatusCode::OK, "{path}: {b}");
}

const REASONS: &str = "承接组织连续两个月未开展服务，经约谈仍未改正";

#[tokio::test]
async fn every_path_returns_what_is_not_paid_and_every_fund_adds_up() {
    let t = spawn_app().await;
    demo_org(&t).await;
    let f = fund(&t).await;
    let township = t.login("township").await;
    let manager = t.login("orgmanager").await;
    let chair = t.login("evaluator").await;
    money_adds_up(&t, "start").await;

    // Declined: nothing was committed, nothing moves.
    let before = balance(&t, &f).await;
    bought(&t, "不予购买", &f, false, false).await;
    assert_eq!(balance(&t, &f).await, before);
    money_adds_up(&t, "declined").await;

    // Paid in full: nothing returns.
    let full = bought(&t, "全额支付", &f, true, true).await;
    money_adds_up(&t, "full: signed").await;
    pay(&township, &full, 1).await;
    move_to(&t, &full, Stage::Contracted, Stage::Accepted).await;
    pay(&township, &full, 2).await;
    pay(&township, &full, 3).await;
    money_adds_up(&t, "full: paid").await;
    post_refused(
        &township,
        &api(&full, "termination"),
        json!({ "reasons": REASONS }),
        StatusCode::CONFLICT,
        "project_finished",
    )
    .await;

    // Withdrawn before signing: the whole 30,000 returns; the organization may answer once.
    let unsigned = bought(&t, "未签约", &f, true, false).await;
    let before = balance(&t, &f).await;
    post_refused(
        &manager,
        &api(&unsigned, "termination"),
        json!({ "reasons": REASONS }),
        StatusCode::FORBIDDEN,
        "",
    )
    .await;
    let b = post_refused(
        &township,
        &api(&unsigned, "termination"),
        json!({ "reasons": "短" }),
        StatusCode::UNPROCESSABLE_ENTITY,
        "\"field\":\"reasons\"",
    )
    .await;
    assert!(b.contains("理由"), "{b}");
    let d = ok(
        &township,
        &api(&unsigned, "termination"),
        json!({ "reasons": "承接组织无法按期开展服务，撤销购买决定" }),
    )
    .await;
    assert_eq!(d["project"]["stage"], "terminated");
    assert_eq!(d["ending"]["termination"]["cause"], "withdrawn");
    assert_eq!(d["ending"]["termination"]["returned_fen"], 3_000_000);
    assert_eq!(balance(&t, &f).await, before + 3_000_000);
    money_adds_up(&t, "withdrawn").await;
    let d = ok(
        &manager,
        &api(&unsigned, "termination-response"),
        json!({ "text": "我们接受撤销决定，已将志愿者另行安排" }),
    )
    .await;
    assert!(d["ending"]["response"]["text"].is_string());
    post_refused(
        &manager,
        &api(&unsigned, "termination-response"),
        json!({ "text": "再次回应：我们希望重新考虑" }),
        StatusCode::CONFLICT,
        "response_recorded",
    )
    .await;

    // Terminated before any payment: every tranche is cancelled, 30,000 returns.
    let early = bought(&t, "签约即终止", &f, true, true).await;
    let before = balance(&t, &f).await;
    let d = ok(
        &township,
        &api(&early, "termination"),
        json!({ "reasons": REASONS }),
    )
    .await;
    assert_eq!(d["ending"]["termination"]["cause"], "terminated");
    for tr in d["contract"]["tranches"].as_array().unwrap() {
        assert!(tr["cancelled_at"].is_string(), "{tr}");
    }
    assert_eq!(balance(&t, &f).await, before + 3_000_000);
    money_adds_up(&t, "terminated before payment").await;
    // A cancelled tranche is never paid: not by the API, not by the database.
    post_refused(
        &township,
        &api(&early, "tranches/1/payment"),
        json!({}),
        StatusCode::CONFLICT,
        "tranche_cancelled",
    )
    .await;
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE tranches SET paid_at = '2027-01-01T00:00:00Z', paid_by = 'x' WHERE project_id = '{early}' AND seq = 1")
        )
        .await
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE tranches SET cancelled_at = NULL WHERE project_id = '{early}'")
        )
        .await
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("DELETE FROM terminations WHERE project_id = '{early}'")
        )
        .await
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE terminations SET returned_fen = 0 WHERE project_id = '{early}'")
        )
        .await
    );

    // Terminated after one tranche: the other 21,000 returns.
    let half = bought(&t, "付一笔后终止", &f, true, true).await;
    pay(&township, &half, 1).await;
    move_to(&t, &half, Stage::Contracted, Stage::Delivering).await;
    money_adds_up(&t, "one tranche paid").await;
    let before = balance(&t, &f).await;
    let d = ok(
        &township,
        &api(&half, "termination"),
        json!({ "reasons": REASONS }),
    )
    .await;
    assert_eq!(d["ending"]["termination"]["returned_fen"], 2_100_000);
    assert_eq!(balance(&t, &f).await, before + 2_100_000);
    assert!(d["contract"]["tranches"][0]["paid_at"].is_string());
    assert!(d["contract"]["tranches"][0]["cancelled_at"].is_null());
    money_adds_up(&t, "terminated after one tranche").await;
    // A tranche is cancelled only by a termination.
    let other = bought(&t, "未终止", &f, true, true).await;
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE tranches SET cancelled_at = '2027-01-01T00:00:00Z' WHERE project_id = '{other}'")
        )
        .await
    );

    // Not accepted → rectified → accepted: the final tranche is paid, the project closes.
    let fixed = bought(&t, "整改后通过", &f, true, true).await;
    pay(&township, &fixed, 1).await;
    not_accepted(&t, &fixed).await;
    post_refused(
        &township,
        &api(&fixed, "termination"),
        json!({ "reasons": REASONS }),
        StatusCode::CONFLICT,
        "cannot_terminate",
    )
    .await;
    rectify(&t, &township, &manager, &chair, &fixed).await;
    let d = ok(
        &chair,
        &api(&fixed, "re-review"),
        json!({ "verdict": "accepted", "report": "整改要求逐项落实：台账补齐，入户走访已补做，复评通过。" }),
    )
    .await;
    assert_eq!(d["project"]["stage"], "re_accepted");
    assert_eq!(d["ending"]["re_review"]["accepted"], true);
    post_refused(
        &chair,
        &api(&fixed, "re-review"),
        json!({ "verdict": "not_accepted", "report": "再次复评：仍有问题，复评不通过，终止项目。" }),
        StatusCode::CONFLICT,
        "no_re_review",
    )
    .await;
    pay(&township, &fixed, 2).await;
    pay(&township, &fixed, 3).await;
    let (_, _, b) = township
        .api(Method::GET, &format!("/api/v1/projects/{fixed}"), None)
        .await;
    assert_eq!(json_of(&b)["project"]["stage"], "closed");
    money_adds_up(&t, "rectified and accepted").await;

    // Not accepted twice: terminated, the unpaid 21,000 returns.
    let failed = bought(&t, "复评不通过", &f, true, true).await;
    pay(&township, &failed, 1).await;
    not_accepted(&t, &failed).await;
    rectify(&t, &township, &manager, &chair, &failed).await;
    let before = balance(&t, &f).await;
    let d = ok(
        &chair,
        &api(&failed, "re-review"),
        json!({ "verdict": "not_accepted", "report": "整改后台账仍不完整，入户走访未补做，复评不通过。" }),
    )
    .await;
    assert_eq!(d["project"]["stage"], "terminated");
    assert_eq!(d["ending"]["termination"]["cause"], "not_accepted_twice");
    assert_eq!(d["ending"]["termination"]["returned_fen"], 2_100_000);
    assert_eq!(balance(&t, &f).await, before + 2_100_000);
    money_adds_up(&t, "not accepted twice").await;
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE re_reviews SET accepted = TRUE WHERE project_id = '{failed}'")
        )
        .await
    );

    // The organization sees what waits for it; the page shows the history and the receipt.
    let (_, page) = manager.get(&format!("/projects/{failed}")).await;
    assert!(
        page.contains("id=\"termination\"")
            && page.contains("整改后复评仍不通过")
            && page.contains("21,000.00"),
        "{page}"
    );
    assert!(
        page.contains("id=\"rectification\"") && page.contains("回应终止决定"),
        "{page}"
    );
    let (_, home) = manager.get("/").await;
    assert!(home.contains("对终止决定作出回应"), "{home}");
}

/// The purchaser sets the period, the organization records its rectification (refused fields
/// named first), through the pages and the API.
async fn rectify(t: &TestApp, township: &Session, manager: &Session, chair: &Session, p: &str) {
    let _ = t;
    let (_, home) = township.get("/").await;
    assert!(home.contains("确定整改期限和要求"), "{home}");
    // A page form keeps what was typed and names the wrong field.
    let (st, page) = township
        .post(
            &format!("/projects/{p}/rectification-period"),
            &[
                ("requirements", "补齐服务台账并补做入户走访"),
                ("due_on", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("整改期限应在今天") && page.contains("补齐服务台账并补做入户走访"),
        "{page}"
    );
    post_refused(
        manager,
        &api(p, "rectification"),
        json!({ "text": "台账已补齐，入户走访已补做完毕，附照片和签字记录" }),
        StatusCode::CONFLICT,
        "not_rectifying",
    )
    .await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let d = ok(
        township,
        &api(p, "rectification-period"),
        json!({ "requirements": "补齐服务台账并补做入户走访", "due_on": due }),
    )
    .await;
    assert_eq!(d["project"]["stage"], "rectifying");
    // The period is the organization's: it is not cut short.
    post_refused(
        township,
        &api(p, "termination"),
        json!({ "reasons": REASONS }),
        StatusCode::CONFLICT,
        "rectification_running",
    )
    .await;
    post_refused(
        chair,
        &api(p, "re-review"),
        json!({ "verdict": "accepted", "report": "整改要求逐项落实：台账补齐，入户走访已补做。" }),
        StatusCode::CONFLICT,
        "not_rectified",
    )
    .await;
    let d = ok(
        manager,
        &api(p, "rectification"),
        json!({ "text": "台账已补齐，入户走访已补做完毕，附照片和签字记录" }),
    )
    .await;
    assert_eq!(d["project"]["stage"], "rectified");
    let (_, home) = chair.get("/").await;
    assert!(home.contains("整改后复评"), "{home}");
}
