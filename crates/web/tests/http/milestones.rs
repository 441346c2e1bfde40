//! Payment milestones that mean something (issue 16, findings 1 and 2): the mid-term tranche
//! waits for the committee's mid-term review (not for the first activity), and after a
//! conditional pass the final tranche waits until the review group's chair records each
//! condition as met.

use crate::harness::*;
use domain::chain::stage::Stage;

async fn move_to(t: &TestApp, project: &str, from: Stage, to: Stage) {
    let mut tx = t.db.begin().await.unwrap();
    assert!(tx
        .move_stage("3410", project, from, to, &store::time::now())
        .await
        .unwrap());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_mid_term_and_final_tranches_wait_for_their_records() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let api = |what: &str| format!("/api/v1/projects/{project}/{what}");
    let pay = |seq: i64| api(&format!("tranches/{seq}/payment"));
    let township = t.login("township").await;
    let community = t.login("community").await;
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(1), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // Delivery has started; that alone does not reach the mid-term milestone.
    move_to(&t, &project, Stage::Contracted, Stage::Delivering).await;
    let b = post_refused(
        &township,
        &pay(2),
        json!({}),
        StatusCode::CONFLICT,
        "milestone_not_reached",
    )
    .await;
    assert!(b.contains("中期评估尚未记录"), "{b}");
    // The committee records it with the supervisor; the purchaser does not; fields are named.
    let review = json!({"findings": "入户走访 12 户，服务记录完整，老人满意；个别送餐时间不稳定。", "rating": "good", "conditions": "固定送餐时间", "supervisor": "许老师"});
    post_refused(
        &township,
        &api("midterm-review"),
        review.clone(),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("midterm-review"),
            Some(json!({"findings": "好", "rating": "", "supervisor": ""})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for f in ["findings", "rating", "supervisor"] {
        assert!(b.contains(&format!("\"field\":\"{f}\"")), "{f}: {b}");
    }
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("midterm-review"),
            Some(review.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["acceptance"]["midterm"]["rating"], "good");
    post_refused(
        &community,
        &api("midterm-review"),
        review,
        StatusCode::CONFLICT,
        "midterm_recorded",
    )
    .await;
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (_, page) = community.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("id=\"midterm\"") && page.contains("许老师"),
        "{page}"
    );

    // A conditional pass, signed by the group's chair (written straight into the store: the
    // review itself is tested in `acceptance`).
    move_to(
        &t,
        &project,
        Stage::Delivering,
        Stage::AcceptedWithConditions,
    )
    .await;
    let chair = t.actor("evaluator").await;
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_review_group(&store::chain::evaluation::NewReviewGroup {
        tenant: "3410",
        project: &project,
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
        tenant: "3410",
        project: &project,
        verdict: domain::chain::stage::Verdict::AcceptedWithConditions,
        conditions: "补齐服务台账；增加入户频次",
        report: "项目基本完成目标，台账不全，入户频次不足，有条件通过。",
        average: 80,
        by: &chair.user_id,
        now: &now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let b = post_refused(
        &township,
        &pay(3),
        json!({}),
        StatusCode::CONFLICT,
        "milestone_not_reached",
    )
    .await;
    assert!(
        b.contains("整改条件"),
        "the final tranche waits for the conditions: {b}"
    );
    // Only the chair records them, each with what shows it met.
    post_refused(
        &community,
        &api("conditions-met"),
        json!({"evidence": ["台账已补齐", "每周入户两次"]}),
        StatusCode::FORBIDDEN,
        "not_chair",
    )
    .await;
    let evaluator = t.login("evaluator").await;
    let b = post_refused(
        &evaluator,
        &api("conditions-met"),
        json!({"evidence": ["台账已补齐并归档"]}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "evidence.1",
    )
    .await;
    assert!(
        b.contains("增加入户频次"),
        "the missing condition is named: {b}"
    );
    // The page form keeps what was typed.
    let (st, page) = evaluator
        .post(
            &format!("/projects/{project}/conditions-met"),
            &[("evidence", "台账已补齐并归档"), ("evidence", "")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"台账已补齐并归档\""), "{page}");
    let (st, _, b) = evaluator
        .api(
            reqwest::Method::POST,
            &api("conditions-met"),
            Some(json!({"evidence": ["台账已补齐并归档", "每周入户两次，有签到表"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        json_of(&b)["acceptance"]["conditions_met"]["items"][1]["condition"],
        "增加入户频次"
    );
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["stage"], "closed");
}
