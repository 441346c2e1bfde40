//! The area tree, its pages and search.

use crate::harness::*;

#[tokio::test]
async fn the_area_tree_goes_from_province_to_community_with_kinds() {
    let t = spawn_app().await;
    let s = t.login("admin").await;
    let (_, body) = s.get("/areas").await;
    assert!(body.contains("安徽省"));
    let (_, body) = s.get("/areas/3410").await;
    for county in [
        "屯溪区",
        "黄山区",
        "徽州区",
        "歙县",
        "休宁县",
        "黟县",
        "祁门县",
    ] {
        assert!(body.contains(county), "{county}");
    }
    let (_, body) = s.get("/areas/341002").await;
    assert!(body.contains("昱中街道") && body.contains("街道"));
    let (st, body) = s.get("/areas/341002002001").await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("341002002001") && body.contains("居委会"));
    let (_, v, body) = s
        .api(reqwest::Method::GET, "/api/v1/areas/341021", None)
        .await;
    assert!(v.starts_with("application/json"));
    let j: Value = serde_json::from_str(&body).unwrap();
    let kids = j["children"].as_array().unwrap();
    assert!(kids.iter().any(|k| k["township_kind"] == "town"));
    assert!(kids.iter().any(|k| k["township_kind"] == "township"));
    // Above their territory a community officer sees one child per level, counted as such.
    let c = t.login("community").await;
    let (_, _, body) = c
        .api(reqwest::Method::GET, "/api/v1/areas/341002", None)
        .await;
    let j: Value = serde_json::from_str(&body).unwrap();
    let kids = j["children"].as_array().unwrap();
    assert_eq!(kids.len(), 1);
    assert_eq!(
        (kids[0]["code"].as_str(), kids[0]["child_count"].as_i64()),
        (Some("341002002"), Some(1))
    );
    let counts = t.db.count_areas_by_level().await.unwrap();
    let n = |l| {
        counts
            .iter()
            .find(|(x, _)| *x == l)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert_eq!(n(domain::AreaLevel::County), 7);
    assert_eq!(n(domain::AreaLevel::Township), 109);
    assert_eq!(n(domain::AreaLevel::Community), 764);
}

#[tokio::test]
async fn an_unknown_code_is_a_chinese_404_and_a_malformed_one_is_422() {
    let t = spawn_app().await;
    let s = t.login("admin").await;
    let (st, body) = s.get("/areas/341099").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(
        body.contains("未找到") && body.contains("区划 341099000000不存在"),
        "{body}"
    );
    let (st, body) = s.get("/areas/34x").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("区划代码"));
    let (st, ct, body) = s
        .api(reqwest::Method::GET, "/api/v1/areas/341099", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(ct, "application/problem+json");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "not_found"
    );
    let (st, ct, body) = s
        .api(reqwest::Method::GET, "/api/v1/areas/12345", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(p["errors"][0]["code"], "invalid_area_code");
    let (st, ct, _) = s
        .api(reqwest::Method::GET, "/api/v1/nothing-here", None)
        .await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    let (st, body) = s.get("/no/such/page").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(body.contains("页面不存在"));
}

#[tokio::test]
async fn search_finds_by_name_or_code_only_inside_the_territory() {
    let t = spawn_app().await;
    let admin = t.login("admin").await;
    let (_, body) = admin.get("/areas/search?q=%E6%AD%99%E5%8E%BF").await; // 歙县
    assert!(body.contains("/areas/341021\""));
    let (_, body) = admin.get("/areas/search?q=341021000000").await;
    assert!(
        body.contains("/areas/341021\""),
        "a padded 12-digit code finds the county"
    );
    let tunxi = t.login("tunxi").await;
    let (_, body) = tunxi.get("/areas/search?q=%E6%AD%99%E5%8E%BF").await;
    assert!(!body.contains("/areas/341021"));
    assert!(body.contains("没有找到"));
    let (_, body) = tunxi.get("/areas/search?q=3410").await;
    assert!(body.contains("/areas/341002001\""));
    assert!(!body.contains("/areas/341021"));
    let (_, _, body) = tunxi
        .api(
            reqwest::Method::GET,
            "/api/v1/areas?q=%E7%A4%BE%E5%8C%BA",
            None,
        )
        .await;
    let items: Value = serde_json::from_str(&body).unwrap();
    let items = items["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|a| a["code"].as_str().unwrap().starts_with("341002")));
    // A search that matches more than it shows says so (issue 15: nothing cut off silently).
    let (_, body) = admin.get("/areas/search?q=3410").await;
    assert!(
        body.contains("id=\"search-cut\"") && body.contains("仅显示前 50 条"),
        "{body}"
    );
    let (_, body) = admin.get("/areas/search?q=%E6%AD%99%E5%8E%BF").await;
    assert!(!body.contains("search-cut"), "a short answer is not cut");
    let (_, _, body) = admin
        .api(reqwest::Method::GET, "/api/v1/areas?q=3410&limit=5", None)
        .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert_eq!(v["cut_at"], 5);
}
