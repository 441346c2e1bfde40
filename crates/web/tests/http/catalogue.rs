//! The service catalogue and eligibility.

use crate::harness::*;

#[tokio::test]
async fn the_community_lists_items_the_township_approves_and_staffing_gates_eligibility() {
    let t = spawn_app().await;
    demo_org(&t).await;
    let community = t.login("community").await;
    // A refused item keeps what was typed.
    let (st, page) = community
        .post(
            "/catalogue",
            &[
                ("name", ""),
                ("community", "341002002001"),
                ("description", "上门助洁、助浴"),
                ("social_work", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("请填写服务事项名称") && page.contains("上门助洁、助浴"),
        "{page}"
    );
    let (st, _) = community
        .post(
            "/catalogue",
            &[
                ("name", "居家养老上门服务"),
                ("community", "341002002001"),
                ("description", "上门助洁、助浴"),
                ("social_work", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = community
        .api(reqwest::Method::GET, "/api/v1/catalogue", None)
        .await;
    let item = serde_json::from_str::<Value>(&body).unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A resident cannot add items; the organization cannot apply before the township approves.
    let resident = t.login("resident").await;
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/catalogue",
            Some(json!({"community": "341002002001", "name": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let manager = t.login("orgmanager").await;
    let (st, _, body) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/eligibilities"),
            Some(json!({"organization_id": app::demo::DEMO_ORG_ID})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("item_not_approved"), "{body}");
    // The community itself cannot approve; the township returns without a reason: refused.
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/review"),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let township = t.login("township").await;
    let work = |body: String| -> Vec<String> {
        serde_json::from_str::<Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["review_item"], "the township's work list");
    let (_, page) = township.get("/").await;
    assert!(page.contains("审核服务事项：居家养老上门服务"), "{page}");
    let (st, _, body) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/review"),
            Some(json!({"decision": "reject", "reason": ""})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (st, _) = township
        .post(
            &format!("/catalogue/{item}/review"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // The manager applies by the page; once only.
    let (_, page) = manager.get(&format!("/catalogue/{item}")).await;
    assert!(page.contains("申请承接资格"), "{page}");
    let (st, _) = manager
        .post(
            &format!("/catalogue/{item}/eligibilities"),
            &[("organization_id", app::demo::DEMO_ORG_ID)],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/eligibilities"),
            Some(json!({"organization_id": app::demo::DEMO_ORG_ID})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("already_applied"), "{body}");
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["decide_eligibility"]);
    let (_, _, body) = manager
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["awaiting_eligibility"]);
    // Without professional staff the township needs a written reason to approve.
    let (_, _, body) = township
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/catalogue/{item}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["eligibilities"][0]["social_workers"], 0);
    let eligibility = d["eligibilities"][0]["id"].as_str().unwrap().to_string();
    let (st, page) = township
        .post(
            &format!("/eligibilities/{eligibility}/decision"),
            &[
                ("decision", "approve"),
                ("reason", ""),
                ("item_id", item.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("必备条件"), "{page}");
    let (st, _, body) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/eligibilities/{eligibility}/decision"),
            Some(
                json!({"decision": "approve", "reason": "已签约两名持证社工，下月到岗，先行通过"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (_, _, body) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/catalogue/{item}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["eligibilities"][0]["status"], "approved");
    assert!(d["eligibilities"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("先行通过"));
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(work(body).is_empty(), "nothing left for the township");
    // Decided once.
    let (st, _, _) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/eligibilities/{eligibility}/decision"),
            Some(json!({"decision": "reject", "reason": "改变主意了"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
}
