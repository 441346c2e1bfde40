//! Corrections (更正) of signed records (issue 16, finding 6): the author appends one that
//! points at the record, which never changes; a contract's takes both parties; pages, the API
//! and OCDS show the original with its corrections.

use crate::harness::*;

/// The audit events of `action` that were done (not refused; the queue sealed first).
async fn audited(t: &TestApp, action: &str) -> i64 {
    t.app.verify_audit().await.unwrap();
    store::on_pool!(&t.db, c => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND outcome = 'ok'")
            .bind(action)
            .fetch_one(c)
            .await
            .unwrap()
    })
}

/// The contract's row as stored, every column as text.
async fn contract_text(t: &TestApp, project: &str) -> String {
    store::on_pool!(&t.db, c => {
        let (a, b, c2, d): (String, String, String, String) = sqlx::query_as(
            "SELECT deliverables, acceptance_criteria, purchaser_signatory, provider_signatory \
             FROM contracts WHERE project_id = $1",
        )
        .bind(project)
        .fetch_one(c)
        .await
        .unwrap();
        format!("{a}|{b}|{c2}|{d}")
    })
}

/// Signed minutes as stored (summary, recorder, chair).
async fn minutes_text(t: &TestApp, meeting: &str) -> String {
    store::on_pool!(&t.db, c => {
        sqlx::query_scalar::<_, String>("SELECT summary || '|' || recorder || '|' || chair FROM consultations WHERE id = $1")
            .bind(meeting).fetch_one(c).await.unwrap()
    })
}

fn erratum(kind: &str) -> Value {
    json!({
        "kind": kind,
        "part": "服务内容和交付成果",
        "corrected": "每周上门服务 25 户",
        "reason": "签订时笔误：双方约定为 25 户",
    })
}

#[tokio::test]
async fn a_contract_is_corrected_by_one_party_and_takes_effect_when_the_other_agrees() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let before = contract_text(&t, &project).await;
    let township = t.login("township").await;
    let manager = t.login("orgmanager").await;
    let community = t.login("community").await;
    let path = format!("/api/v1/projects/{project}/errata");

    // Neither party: refused, and the refusal is audited.
    post_refused(
        &community,
        &path,
        erratum("contract"),
        StatusCode::FORBIDDEN,
        "not_party",
    )
    .await;
    // Field errors are named, in Chinese.
    let b = post_refused(
        &township,
        &path,
        json!({"kind": "contract", "part": "", "corrected": "x", "reason": ""}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "part",
    )
    .await;
    assert!(b.contains("请填写更正原因"), "{b}");

    // The purchaser proposes: it is recorded, pending.
    let (st, _, b) = post_json(&township, &path, erratum("contract")).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let receipt = json_of(&b);
    let id = receipt["id"].as_str().unwrap().to_string();
    assert_eq!(receipt["in_effect"], false);
    let (_, _, b) = township
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d = json_of(&b);
    assert_eq!(d["errata"]["items"][0]["id"], id.as_str());
    assert_eq!(d["errata"]["items"][0]["in_effect"], false);
    assert_eq!(d["errata"]["items"][0]["party"], "purchaser");
    // The original contract is as signed, next to its correction.
    assert_eq!(d["contract"]["deliverables"], "每周上门服务 20 户");

    // A pending correction is not part of the published contract.
    let ocds = |t: &TestApp| {
        let url = format!("{}/api/v1/public/ocds/projects/{project}", t.base);
        async move {
            let r = reqwest::get(url).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let pkg = ocds(&t).await;
    assert!(
        pkg["releases"][0]["contracts"][0]
            .get("amendments")
            .is_none(),
        "{pkg}"
    );

    // The proposer cannot confirm its own correction; the other party can, once.
    let agree = format!("/api/v1/projects/{project}/errata/{id}/agree");
    post_refused(
        &township,
        &agree,
        json!({}),
        StatusCode::FORBIDDEN,
        "same_party",
    )
    .await;
    post_refused(
        &community,
        &agree,
        json!({}),
        StatusCode::FORBIDDEN,
        "not_party",
    )
    .await;
    let (st, _, b) = post_json(&manager, &agree, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d = json_of(&b);
    assert_eq!(d["errata"]["items"][0]["in_effect"], true);
    post_refused(
        &manager,
        &agree,
        json!({}),
        StatusCode::CONFLICT,
        "erratum_agreed",
    )
    .await;
    post_refused(
        &township,
        &agree,
        json!({}),
        StatusCode::FORBIDDEN,
        "same_party",
    )
    .await;

    // OCDS: the agreed correction is an amendment of the contract.
    let pkg = ocds(&t).await;
    let amendments = &pkg["releases"][0]["contracts"][0]["amendments"];
    assert_eq!(amendments[0]["id"], id.as_str(), "{pkg}");
    assert_eq!(amendments[0]["rationale"], "签订时笔误：双方约定为 25 户");
    assert!(amendments[0]["description"]
        .as_str()
        .unwrap()
        .contains("每周上门服务 25 户"));

    // The page shows the original and, under it, the correction, who made it and who agreed.
    let (st, page) = township.get(&format!("/projects/{project}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("每周上门服务 20 户"), "the original is shown");
    assert!(page.contains(&format!("id=\"erratum-{id}\"")));
    assert!(page.contains("每周上门服务 25 户") && page.contains("已生效"));
    assert!(page.contains("提交更正") && page.contains("data-confirm"));

    // The original never changed, and the database still refuses to change it.
    assert_eq!(contract_text(&t, &project).await, before);
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE contracts SET deliverables = '每周上门服务 25 户' WHERE project_id = '{project}'")
        )
        .await
    );
    // The correction itself and its agreement are kept as written.
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE errata SET corrected = 'x' WHERE id = '{id}'")
        )
        .await
    );
    assert!(frozen_refuses(&t, &format!("DELETE FROM errata WHERE id = '{id}'")).await);
    assert!(
        frozen_refuses(
            &t,
            &format!("DELETE FROM erratum_agreements WHERE erratum_id = '{id}'")
        )
        .await
    );
    assert_eq!(audited(&t, "erratum.append").await, 1);
    assert_eq!(audited(&t, "erratum.agree").await, 1);
    let refused: i64 = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'erratum.append' AND outcome <> 'ok'")
            .fetch_one(c).await.unwrap()
    });
    assert!(refused >= 1, "the refusal to a third party is audited");
}

#[tokio::test]
async fn the_page_form_keeps_what_was_typed_and_leaves_a_receipt() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let manager = t.login("orgmanager").await;
    let path = format!("/projects/{project}/errata");
    // A missing reason: the page again, what was typed kept, the field named in Chinese.
    let (st, page) = manager
        .post(
            &path,
            &[
                ("kind", "contract"),
                ("part", "验收标准"),
                ("corrected", "达到申请书全部目标"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请填写更正原因"), "{page}");
    assert!(
        page.contains("达到申请书全部目标"),
        "what was typed is kept"
    );
    // Complete: back to the page, at the correction (the receipt), pending the purchaser.
    let (st, _) = manager
        .post(
            &path,
            &[
                ("kind", "contract"),
                ("part", "验收标准"),
                ("corrected", "达到申请书全部目标"),
                ("reason", "漏写“全部”"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let id: String = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT id FROM errata WHERE project_id = $1").bind(&project).fetch_one(c).await.unwrap()
    });
    let (_, page) = manager.get(&format!("/projects/{project}")).await;
    assert!(page.contains("待另一方确认"), "{page}");
    assert!(page.contains(&format!("id=\"erratum-{id}\"")));
    assert!(
        !page.contains(&format!("id=\"agree-{id}\"")),
        "the proposer does not confirm"
    );
    // The purchaser sees the button to agree, and agrees from the page.
    let township = t.login("township").await;
    let (_, page) = township.get(&format!("/projects/{project}")).await;
    assert!(page.contains(&format!("id=\"agree-{id}\"")));
    let (st, _) = township
        .post(&format!("/projects/{project}/errata/{id}/agree"), &[])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = township.get(&format!("/projects/{project}")).await;
    assert!(page.contains("已生效") && !page.contains("待另一方确认"));
}

#[tokio::test]
async fn signed_minutes_are_corrected_by_their_author_only_and_never_change() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    let meeting: String = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT consultation_id FROM consultation_items WHERE project_id = $1")
            .bind(&project).fetch_one(c).await.unwrap()
    });
    let before = minutes_text(&t, &meeting).await;
    let path = format!("/api/v1/consultations/{meeting}/errata");
    let body = json!({"part": "纪要第 1 段", "corrected": "同意提交居民代表会议表决。", "reason": "漏记“居民代表会议”"});
    // The township can read the minutes but did not sign them.
    let township = t.login("township").await;
    post_refused(
        &township,
        &path,
        body.clone(),
        StatusCode::FORBIDDEN,
        "not_author",
    )
    .await;
    // The officer who signed them corrects them.
    let community = t.login("community").await;
    let (st, _, b) = post_json(&community, &path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(json_of(&b)["in_effect"], true);
    let (_, _, b) = community
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/consultations/{meeting}"),
            None,
        )
        .await;
    let d = json_of(&b);
    assert_eq!(d["meeting"]["summary"], "同意提交表决。");
    assert_eq!(d["errata"][0]["corrected"], "同意提交居民代表会议表决。");
    assert_eq!(d["can_correct"], true);
    let (_, page) = community.get(&format!("/consultations/{meeting}")).await;
    assert!(page.contains("同意提交表决。") && page.contains("同意提交居民代表会议表决。"));
    assert!(page.contains("漏记“居民代表会议”"));
    // The page form names a missing field and keeps the rest.
    let (st, page) = community
        .post(
            &format!("/consultations/{meeting}/errata"),
            &[
                ("part", "出席"),
                ("corrected", "另有王芳出席"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请填写更正原因") && page.contains("另有王芳出席"));
    // The minutes are as signed, and still refuse a change.
    assert_eq!(minutes_text(&t, &meeting).await, before);
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE consultations SET summary = 'x' WHERE id = '{meeting}'")
        )
        .await
    );
    assert_eq!(audited(&t, "erratum.append").await, 1);
}

#[tokio::test]
async fn a_draft_is_edited_not_corrected() {
    let t = spawn_app().await;
    // Minutes not yet frozen.
    let project = submitted_project(&t).await;
    let meeting = consultation_on(&t, &project, "341002002001").await;
    let community = t.login("community").await;
    post_refused(
        &community,
        &format!("/api/v1/consultations/{meeting}/errata"),
        erratum("consultation_minutes"),
        StatusCode::CONFLICT,
        "not_signed",
    )
    .await;
    // A project with no contract, report or self-evaluation yet.
    let manager = t.login("orgmanager").await;
    for kind in ["contract", "self_evaluation", "review_report"] {
        post_refused(
            &manager,
            &format!("/api/v1/projects/{project}/errata"),
            erratum(kind),
            StatusCode::CONFLICT,
            "not_signed",
        )
        .await;
    }
    // Consultation minutes are corrected on the meeting, not the project.
    post_refused(
        &manager,
        &format!("/api/v1/projects/{project}/errata"),
        erratum("consultation_minutes"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_kind",
    )
    .await;
    let n: i64 = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM errata").fetch_one(c).await.unwrap()
    });
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_report_a_self_evaluation_and_a_sealed_vote_are_corrected_by_their_authors() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let chair = t.actor("evaluator").await;
    let manager_actor = t.actor("orgmanager").await;
    let community_actor = t.actor("community").await;
    // The signed records, straight into the store (their own steps are tested elsewhere).
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_self_evaluation(
        "3410",
        &project,
        "完成入户服务 240 户次。",
        "",
        &manager_actor.user_id,
        &now,
    )
    .await
    .unwrap();
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
        verdict: domain::chain::stage::Verdict::Accepted,
        conditions: "",
        report: "项目完成目标，平均 85 分。",
        average: 85,
        by: &chair.user_id,
        now: &now,
    })
    .await
    .unwrap();
    assert!(tx
        .sign_review_group("3410", &project, &chair.user_id, &now)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let meeting = vote_on(&t, &project, "341002002001").await;
    store::on_pool!(&t.db, c => {
        sqlx::query("UPDATE vote_motions SET sealed_by = $1, sealed_at = $2 WHERE meeting_id = $3")
            .bind(&community_actor.user_id).bind(&now).bind(&meeting).execute(c).await.unwrap();
    });

    let path = format!("/api/v1/projects/{project}/errata");
    let body = |kind: &str, record: &str| json!({"kind": kind, "record": record, "part": "第 1 段", "corrected": "平均 86 分", "reason": "合计算错"});
    let evaluator = t.login("evaluator").await;
    let manager = t.login("orgmanager").await;
    let community = t.login("community").await;
    let township = t.login("township").await;
    // The report: its signing chair only.
    post_refused(
        &community,
        &path,
        body("review_report", ""),
        StatusCode::FORBIDDEN,
        "not_author",
    )
    .await;
    post_refused(
        &manager,
        &path,
        body("review_report", ""),
        StatusCode::FORBIDDEN,
        "not_author",
    )
    .await;
    post_created(&evaluator, &path, body("review_report", "")).await;
    // The self-evaluation: the organization's manager only.
    let (st, _, b) = post_json(&township, &path, body("self_evaluation", "")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    post_created(&manager, &path, body("self_evaluation", "")).await;
    // The sealed vote: the chair who sealed it, naming the meeting.
    post_refused(
        &community,
        &path,
        body("vote_minutes", ""),
        StatusCode::UNPROCESSABLE_ENTITY,
        "record",
    )
    .await;
    post_refused(
        &township,
        &path,
        body("vote_minutes", &meeting),
        StatusCode::FORBIDDEN,
        "not_author",
    )
    .await;
    post_created(&community, &path, body("vote_minutes", &meeting)).await;

    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d = json_of(&b);
    let kinds: Vec<&str> = d["errata"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["review_report", "self_evaluation", "vote_minutes"]);
    assert!(d["errata"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["in_effect"] == true));
    // The originals as written, and still frozen.
    let (report, self_eval): (String, String) = store::on_pool!(&t.db, c => {
        sqlx::query_as("SELECT r.report, s.report FROM review_reports r JOIN self_evaluations s ON s.project_id = r.project_id WHERE r.project_id = $1")
            .bind(&project).fetch_one(c).await.unwrap()
    });
    assert_eq!(
        (report.as_str(), self_eval.as_str()),
        ("项目完成目标，平均 85 分。", "完成入户服务 240 户次。")
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE review_reports SET report = 'x' WHERE project_id = '{project}'")
        )
        .await
    );
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE self_evaluations SET report = 'x' WHERE project_id = '{project}'")
        )
        .await
    );
    // The page lists them under the originals, each by its record.
    let (_, page) = evaluator.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("<strong>评议报告</strong>") && page.contains("<strong>自评报告</strong>")
    );
    assert!(page.contains("<strong>表决结果</strong>") && page.contains("合计算错"));
    assert_eq!(audited(&t, "erratum.append").await, 3);
}
