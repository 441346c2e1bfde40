//! Accounts made by administrators and by the command line.

use crate::harness::*;

#[tokio::test]
async fn an_administrator_creates_an_account_and_a_refused_form_keeps_what_was_typed() {
    let t = spawn_app().await;
    let s = t.login("admin").await;
    let (st, body) = s
        .post(
            "/admin/users",
            &[
                ("login", "li.na"),
                ("display_name", "李娜"),
                ("password", "short"),
                ("role", "township_officer"),
                ("area", "341002"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("value=\"li.na\"")
            && body.contains("value=\"李娜\"")
            && body.contains("value=\"341002\"")
    );
    assert!(body.contains("密码至少 8 位"));
    assert!(body.contains("只能设在乡镇街道级区划"), "{body}");
    let (st, _) = s
        .post(
            "/admin/users",
            &[
                ("login", "li.na"),
                ("display_name", "李娜"),
                ("password", "Township2026"),
                ("role", "township_officer"),
                ("area", "341002001"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, body) = s
        .post(
            "/admin/users",
            &[
                ("login", "li.na"),
                ("display_name", "李娜二"),
                ("password", "Township2026"),
                ("role", "township_officer"),
                ("area", "341002001"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("已被使用") && body.contains("value=\"李娜二\""));
    assert!(t.login_with("li.na", "Township2026").await.is_some());
    // And over the API, with field errors.
    let (st, ct, body) = s
        .api(reqwest::Method::POST, "/api/v1/users", Some(json!({"login": "", "display_name": "", "password": "x", "role": "mayor", "area": "34x"})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    let p: Value = serde_json::from_str(&body).unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["login", "display_name", "password", "role", "area"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let (st, _, body) = s
        .api(reqwest::Method::POST, "/api/v1/users", Some(json!({"login": "wang", "display_name": "王", "password": "Worker2026", "role": "social_worker", "area": "341021"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, _) = s
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/users/{id}/roles"),
            Some(json!({"role": "volunteer", "area": "341021100"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, _, body) = s
        .api(reqwest::Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["roles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn the_command_line_creates_accounts_without_a_signed_in_actor() {
    let t = spawn_app().await;
    let form = UserForm {
        login: "ops".into(),
        display_name: "运维".into(),
        password: "Operator2026".into(),
        role: "system_administrator".into(),
        area: "000000000000".into(),
        organization_id: None,
    };
    t.app
        .create_user(None, &form, &Ctx::default())
        .await
        .unwrap();
    assert!(t.login_with("ops", "Operator2026").await.is_some());
}
