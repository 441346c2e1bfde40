//! Residents' needs: raising, support, merging.

use crate::harness::*;

#[tokio::test]
async fn residents_raise_and_support_needs_once_and_the_community_merges_duplicates() {
    let t = spawn_app().await;
    let resident = t.login("resident").await;
    // How many of the community's open needs the resident's work list says wait for their support.
    async fn waiting(c: &Session) -> i64 {
        let (_, _, body) = c.api(reqwest::Method::GET, "/api/v1/work", None).await;
        let work: Value = serde_json::from_str(&body).unwrap();
        work["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["kind"] == "support_needs")
            .map(|w| {
                let title = w["title"].as_str().unwrap();
                title
                    .trim_start_matches("本社区有 ")
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .unwrap_or(0)
    }
    let before = waiting(&resident).await;
    // A refused form keeps what was typed and names the field, in Chinese.
    let (st, page) = resident
        .post(
            "/needs",
            &[
                ("title", "老年助餐"),
                ("community", "341002002001"),
                ("priority_group", "special_elderly"),
                ("channel", ""),
                ("description", "小区独居老人多，午餐无人照料。"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请选择需求的收集渠道"), "{page}");
    assert!(page.contains("小区独居老人多，午餐无人照料。") && page.contains("value=\"老年助餐\""));
    let (st, _) = resident
        .post(
            "/needs",
            &[
                ("title", "老年助餐"),
                ("community", "341002002001"),
                ("priority_group", "special_elderly"),
                ("channel", "online"),
                ("description", "小区独居老人多，午餐无人照料。"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // The resident who raised it is its first supporter; supporting again is refused.
    let (_, _, body) = resident
        .api(reqwest::Method::GET, "/api/v1/needs", None)
        .await;
    let board: Value = serde_json::from_str(&body).unwrap();
    let meal = board["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(board["items"][0]["supporters"], 1);
    assert_eq!(board["items"][0]["supported_by_me"], true);
    let (st, ct, body) = resident
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{meal}/support"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(
        ct.starts_with("application/problem+json") && body.contains("already_supported"),
        "{body}"
    );
    // The API refuses bad input with field errors.
    let (st, ct, body) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/needs",
            Some(json!({"community": "341002002", "priority_group": "x", "channel": "online", "title": "t", "description": "d"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ct.starts_with("application/problem+json"));
    for f in ["community", "priority_group", "description"] {
        assert!(body.contains(&format!("\"{f}\"")), "{f}: {body}");
    }
    // A resident may not raise a need for another community.
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/needs",
            Some(json!({"community": "341002002002", "priority_group": "all_residents", "channel": "online", "title": "别处", "description": "别的社区的需求"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The community officer records a duplicate from a door-to-door visit.
    let officer = t.login("community").await;
    let (st, _, body) = officer
        .api(
            reqwest::Method::POST,
            "/api/v1/needs",
            Some(json!({"community": "341002002001", "priority_group": "special_elderly", "channel": "door_to_door", "title": "独居老人吃饭难", "description": "走访中多位老人反映午餐无人做。"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let dup = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The resident supports their own need already; the officer's waits for them.
    assert_eq!(waiting(&resident).await, before + 1);
    // The representative supports the duplicate by the page, the resident supports it too (so
    // supports both); the officer cannot support.
    let rep = t.login("representative").await;
    let rep_before = waiting(&rep).await;
    let (st, _) = rep.post(&format!("/needs/{dup}/support"), &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(waiting(&rep).await, rep_before - 1);
    let (st, _) = resident.post(&format!("/needs/{dup}/support"), &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(waiting(&resident).await, before);
    let (st, page) = rep.post(&format!("/needs/{dup}/support"), &[]).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(page.contains("每人只能附议一次"), "{page}");
    let (st, _, _) = officer
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{dup}/support"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The resident may not merge; the officer merges the duplicate, keeping every supporter once.
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{dup}/merge"),
            Some(json!({"into": meal})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, page) = officer.get(&format!("/needs/{dup}")).await;
    assert!(
        page.contains("合并重复需求") && page.contains(&meal),
        "{page}"
    );
    let (st, _) = officer
        .post(&format!("/needs/{dup}/merge"), &[("into", meal.as_str())])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = officer
        .api(reqwest::Method::GET, &format!("/api/v1/needs/{meal}"), None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["supporters"],
        2,
        "{body}"
    );
    let (_, _, body) = officer
        .api(reqwest::Method::GET, &format!("/api/v1/needs/{dup}"), None)
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["status"], "merged");
    assert_eq!(d["merged_into"], meal.as_str());
    // Merged, the duplicate no longer counts: the resident, who supported both, has as many
    // waiting as before; the representative's support moved to the kept need, which they had
    // not supported, so one fewer waits for them.
    assert_eq!(waiting(&resident).await, before);
    assert_eq!(waiting(&rep).await, rep_before - 2);
    // A merged need takes no support and cannot be merged again.
    let (st, _, body) = resident
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{dup}/support"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("need_merged"), "{body}");
    let (st, _, _) = officer
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/needs/{dup}/merge"),
            Some(json!({"into": meal})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The board ranks by supporters: a new need with none comes after the merged-into one.
    let third = need_in(&t, "341002002001", "341002002", "楼道照明").await;
    let (_, _, body) = resident
        .api(reqwest::Method::GET, "/api/v1/needs", None)
        .await;
    let ids: Vec<String> = serde_json::from_str::<Value>(&body).unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec![meal.clone(), third], "open needs only, ranked");
    let (_, page) = resident.get("/needs").await;
    assert!(
        page.contains("老年助餐") && page.contains("2 人附议 · 我已附议"),
        "{page}"
    );
}

/// Issue 16, finding 8: a need a bought project answers becomes 已回应, with the project, on the
/// board, its page and the public site.
#[tokio::test]
async fn a_need_a_bought_project_answers_is_answered_with_the_project() {
    let t = spawn_app().await;
    demo_org(&t).await;
    let need = need_in(&t, "341002002001", "341002002", "独居老人午餐无人做").await;
    let project = contracted_project_with(&t, &application_form("x", "x", &need)).await;
    let s = t.login("community").await;
    let (st, _, b) = s
        .api(reqwest::Method::GET, &format!("/api/v1/needs/{need}"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let v = json_of(&b);
    assert_eq!(v["status"], "answered", "{b}");
    assert!(b.contains(&project), "the answering project is named: {b}");
    // The board's default (open needs) no longer lists it; asked for answered needs, it does.
    let (_, _, open) = s
        .api(
            reqwest::Method::GET,
            "/api/v1/needs?community=341002002001",
            None,
        )
        .await;
    assert!(!open.contains(&need), "{open}");
    let (_, _, answered) = s
        .api(
            reqwest::Method::GET,
            "/api/v1/needs?community=341002002001&status=answered",
            None,
        )
        .await;
    assert!(answered.contains(&need), "{answered}");
    // The public page of the community says so, with the project's public page.
    let (_, page) = s.get("/public/areas/341002002001").await;
    assert!(
        page.contains("独居老人午餐无人做")
            && page.contains("已回应")
            && page.contains(&format!("/public/projects/{project}")),
        "{page}"
    );
}
