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

/// Issue 16's freeze hole: deleting the newest event and moving the head back by one used to
/// pass `audit verify`, which compared the head's sequence but not its hash.
#[tokio::test]
async fn a_cut_tail_with_the_head_moved_back_is_reported() {
    let t = spawn_app().await;
    t.login("community").await;
    assert!(matches!(
        t.app.verify_audit().await.unwrap(),
        store::audit::ChainReport::Ok { .. }
    ));
    store::on_pool!(&t.db, c => {
        let (tenant, last): (String, i64) =
            sqlx::query_as("SELECT tenant_id, seq FROM audit_heads ORDER BY seq DESC LIMIT 1")
                .fetch_one(c).await.unwrap();
        assert!(last > 1);
        sqlx::query("DELETE FROM audit_events WHERE tenant_id = $1 AND seq = $2")
            .bind(&tenant).bind(last).execute(c).await.unwrap();
        sqlx::query("UPDATE audit_heads SET seq = seq - 1 WHERE tenant_id = $1")
            .bind(&tenant).execute(c).await.unwrap();
    });
    match t.app.verify_audit().await.unwrap() {
        store::audit::ChainReport::Broken(b) => {
            assert!(b.reason.contains("head's hash"), "{b:?}")
        }
        ok => panic!("a cut tail was not detected: {ok:?}"),
    }
}
