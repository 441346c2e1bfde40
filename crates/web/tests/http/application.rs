//! Applications: writing, revising, comparing, submitting.

use crate::harness::*;

#[tokio::test]
async fn an_eligible_organization_writes_revises_compares_and_submits_an_application() {
    let t = spawn_app().await;
    let (_item, eligibility) = approved_eligibility(&t).await;
    let need = need_in(&t, "341002002001", "341002002", "独居老人午餐").await;
    let (_, worker, _) =
        platform_with_worker(&t, "341002002", "昱东街道社工站", "11010519491231002X").await;
    let manager = t.login("orgmanager").await;
    let me = t.actor("orgmanager").await.user_id;
    let form = |workers: &str| serde_json::to_value(application_form(&me, workers, &need)).unwrap();
    // Before the township approves the eligibility: refused, naming why.
    let mut body = form(&worker);
    body["eligibility_id"] = json!(eligibility);
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            "/api/v1/projects",
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("not_eligible") && b.contains("待审核"), "{b}");
    approve(&t, &eligibility).await;
    let (_, _, b) = manager
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(b.contains("write_application"), "{b}");
    // A social worker who is not in the registry is named; nothing is written.
    let mut bad = form(&format!("{worker}, 3410-nobody"));
    bad["eligibility_id"] = json!(eligibility);
    let (st, _, b) = manager
        .api(reqwest::Method::POST, "/api/v1/projects", Some(bad))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b.contains("not_in_registry") && b.contains("3410-nobody"),
        "{b}"
    );
    // The page keeps what was typed and names the bad budget line.
    let (st, page) = manager
        .get(&format!("/projects/new?eligibility={eligibility}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("独居老人午餐"),
        "the community's open needs are offered: {page}"
    );
    let typed = application_form(&me, &worker, &need);
    let fields = |budget: &str| -> Vec<(String, String)> {
        vec![
            ("eligibility_id".into(), eligibility.clone()),
            ("title".into(), typed.title.clone()),
            ("background".into(), typed.background.clone()),
            ("goals".into(), typed.goals.clone()),
            ("phases".into(), typed.phases.clone()),
            ("budget".into(), budget.into()),
            ("lead".into(), me.clone()),
            // A checkbox and the free field: repeated keys are one list.
            ("social_workers".into(), worker.clone()),
            ("social_workers".into(), String::new()),
            ("needs".into(), need.clone()),
        ]
    };
    let (st, page) = manager
        .post("/projects", &refs(&fields("食材补贴|36000\n场地改造|八千")))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("第 2 行") && page.contains("走访 120 户"),
        "{page}"
    );
    let (st, _) = manager
        .post(
            "/projects",
            &refs(&fields("食材补贴|36000\n场地改造|8000.50")),
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, b) = manager
        .api(reqwest::Method::GET, "/api/v1/projects", None)
        .await;
    let list: Value = serde_json::from_str(&b).unwrap();
    let project = list["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["items"][0]["budget_fen"], 4_400_050);
    assert_eq!(list["items"][0]["stage"], "draft");
    assert!(
        list["can_write"].as_array().unwrap().is_empty(),
        "one application per eligibility"
    );
    // A second application on the same eligibility is refused.
    post_refused(
        &manager,
        "/api/v1/projects",
        body,
        StatusCode::CONFLICT,
        "already_written",
    )
    .await;
    // The need links to the project that answers it.
    let (_, _, b) = manager
        .api(reqwest::Method::GET, &format!("/api/v1/needs/{need}"), None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["projects"][0]["id"],
        json!(project)
    );
    // Revise: version 2 on version 1; a second revision on version 1 is stale.
    let mut rev = form(&worker);
    rev["budget"] = json!("食材补贴|30000\n场地改造|8000.50");
    rev["based_on"] = json!("1");
    rev["note"] = json!("按恳谈意见压缩食材补贴");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/versions"),
            Some(rev.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert!(b.contains("\"version\":2"), "{b}");
    post_refused(
        &manager,
        &format!("/api/v1/projects/{project}/versions"),
        rev.clone(),
        StatusCode::CONFLICT,
        "stale_version",
    )
    .await;
    // Versions compare field by field, by the API and side by side on the page.
    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}/compare?a=1&b=2"),
            None,
        )
        .await;
    let c: Value = serde_json::from_str(&b).unwrap();
    let changed: Vec<&str> = c["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["budget", "total"]);
    assert_eq!(c["changes"][1]["before"], "44,000.50 元");
    let (st, page) = manager
        .get(&format!("/projects/{project}/compare?a=1&b=2"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("44,000.50 元")
            && page.contains("38,000.50 元")
            && page.contains("压缩食材补贴"),
        "{page}"
    );
    let (st, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}/compare?a=1&b=7"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // Versions are frozen in the database itself, whatever asks.
    let sql = format!("UPDATE application_versions SET note = 'x' WHERE project_id = '{project}'");
    let changed = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
    assert!(!changed, "an application version was changed in place");
    let sql = format!("DELETE FROM application_versions WHERE project_id = '{project}'");
    let deleted = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
    assert!(!deleted, "an application version was deleted");
    // Only the manager submits, once; the community then sees it waiting for consultation.
    let community = t.login("community").await;
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/submit"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = manager
        .post(&format!("/projects/{project}/submit"), &[])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/submit"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("already_submitted"), "{b}");
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(b.contains("consult_applications"), "{b}");
    let (_, page) = community.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("已提交，待恳谈") && page.contains("38,000.50") && page.contains("第 2 版"),
        "{page}"
    );
    assert!(
        !page.contains("id=\"revise\""),
        "only the organization revises: {page}"
    );
    // Still revisable until the vote opens: a third version.
    rev["based_on"] = json!("2");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/versions"),
            Some(rev),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}
