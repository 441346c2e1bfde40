//! Health, readiness, assets, limits, languages, several servers.

use crate::harness::*;

#[tokio::test]
async fn two_servers_on_one_database_share_sessions() {
    let t = spawn_app().await;
    let db2 = Db::connect(&t.url, 4).await.unwrap();
    let second = serve(App::new(db2, settings())).await;
    let s = t.login("township").await;
    let r = s.c.get(format!("{second}/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("昱中街道"));
}

#[tokio::test]
async fn health_readiness_openapi_and_assets_are_served_offline() {
    let t = spawn_app().await;
    let c = client();
    assert_eq!(
        c.get(format!("{}/healthz", t.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let r = c.get(format!("{}/readyz", t.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
    let doc: Value = c
        .get(format!("{}/api/openapi.json", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for spec in web::routes::route_table().iter().filter(|s| s.is_api()) {
        assert!(
            doc["paths"][spec.path][spec.method.as_str().to_lowercase()].is_object(),
            "{} {} missing from OpenAPI",
            spec.method,
            spec.path
        );
    }
    for f in [
        "vendor/htmx.min.js",
        "vendor/echarts.min.js",
        "vendor/htmx.LICENSE.txt",
        "vendor/echarts.LICENSE.txt",
        "app.css",
        "app.js",
    ] {
        let r = c
            .get(format!("{}/assets/{f}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
    }
    let s = t.login("admin").await;
    for page in [
        "/",
        "/areas/3410",
        "/account",
        "/admin/users",
        "/audit",
        "/areas/search?q=1",
        "/needs",
        "/catalogue",
        "/projects",
        "/consultations",
        "/votes",
        "/funds",
        "/calls",
        "/public",
        "/public/areas/3410",
    ] {
        let (_, body) = s.get(page).await;
        for cdn in ["http://", "https://", "//cdn", "unpkg", "jsdelivr"] {
            assert!(
                !body.contains(&format!("src=\"{cdn}")) && !body.contains(&format!("href=\"{cdn}")),
                "{page} refers to {cdn}"
            );
        }
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let t = spawn_app().await;
    let s = t.login("admin").await;
    let big = "x".repeat(200 * 1024);
    let r =
        s.c.post(format!("{}/api/v1/tokens", t.base))
            .header("x-csrf-token", &s.csrf)
            .header("content-type", "application/json")
            .body(format!("{{\"name\":\"{big}\"}}"))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn english_is_available_from_the_same_pages() {
    let t = spawn_app().await;
    let s = t.login("community").await;
    let r =
        s.c.get(format!("{}/lang/en?next=/", t.base))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body) = s.get("/").await;
    assert!(body.contains("Workbench") && body.contains("lang=\"en\""));
    let _ = Role::ALL;
}

#[tokio::test]
async fn the_home_page_summarises_the_territory() {
    let t = spawn_app().await;
    let s = t.login("tunxi").await;
    let (_, body) = s.get("/").await;
    let summary = &body[body.find("id=\"summary\"").unwrap()..];
    let summary = &summary[..summary.find("</dl>").unwrap()];
    assert!(summary.contains("<dt>乡镇街道</dt><dd>9</dd>"), "{summary}");
    assert!(summary.contains("<dt>社区村</dt><dd>76</dd>"), "{summary}");
    assert!(body.contains("data-chart-src=\"/api/v1/areas/341002/children\""));
}
