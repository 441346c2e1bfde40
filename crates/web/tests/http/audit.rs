//! The audit page and the chain.

use crate::harness::*;

#[tokio::test]
async fn the_audit_page_filters_and_the_chain_detects_tampering() {
    let t = spawn_app().await;
    let tunxi = t.login("tunxi").await;
    assert_eq!(tunxi.get("/areas/341021").await.0, StatusCode::FORBIDDEN);
    let city = t.login("city").await;
    let (st, body) = city.get("/audit?outcome=denied").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("<span class=\"code\">area.view</span>") && body.contains("tunxi"),
        "the denied read is audited"
    );
    assert!(
        !body.contains("<span class=\"code\">account.create</span>"),
        "filtered by outcome"
    );
    assert!(body.contains("<td>查看区域 <span class=\"code\">area.view</span></td>"));
    // The kind is picked by its Chinese name, never typed; the page keeps the choice.
    let (st, body) = city.get("/audit?action=session.login").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("<option value=\"session.login\" selected>登录（session.login）</option>")
    );
    assert!(body.contains("<td>登录 <span class=\"code\">session.login</span></td>"));
    assert!(!body.contains("<span class=\"code\">area.view</span>"));
    let (st, body) = tunxi.get("/audit?area=341021").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let community = t.login("community").await;
    assert_eq!(community.get("/audit").await.0, StatusCode::FORBIDDEN);
    let (_, _, body) = city
        .api(
            reqwest::Method::GET,
            "/api/v1/audit?action=session.login",
            None,
        )
        .await;
    let j: Value = serde_json::from_str(&body).unwrap();
    assert!(j["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"] == "session.login"));

    assert!(matches!(
        t.app.verify_audit().await.unwrap(),
        store::audit::ChainReport::Ok { .. }
    ));
    // Tamper with one event's summary directly in the database.
    store::on_pool!(&t.db, c => {
        sqlx::query("UPDATE audit_events SET actor_login = 'someone' WHERE tenant_id = '3410' AND seq = 2")
            .execute(c).await.unwrap();
    });
    match t.app.verify_audit().await.unwrap() {
        store::audit::ChainReport::Broken(b) => {
            assert_eq!((b.tenant_id.as_str(), b.seq), ("3410", 2))
        }
        ok => panic!("tampering not detected: {ok:?}"),
    }
}
