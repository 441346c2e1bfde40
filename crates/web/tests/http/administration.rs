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
    // The administrator chose that password, so its owner must change it first (issue 15).
    let li = t.login_with("li.na", "Township2026").await.unwrap();
    let (st, _, b) = li.api(reqwest::Method::GET, "/api/v1/needs", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert!(b.contains("password_change_required"), "{b}");
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

/// Issue 15: an assignment's organization must be in the registry, inside the assignment's area
/// (and so inside the granting administrator's territory): a county's administrator cannot make
/// anyone, themself included, a manager of another county's organization.
#[tokio::test]
async fn an_administrator_cannot_hand_out_an_organization_of_another_territory() {
    let t = spawn_app().await;
    demo_org(&t).await; // in 屯溪区 341002
    let admin = t.login("admin").await;
    let (st, _, b) = post_json(
        &admin,
        "/api/v1/users",
        json!({"login": "shexian.admin", "display_name": "歙县管理员", "password": "Shexian2026", "role": "system_administrator", "area": "341021"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let me = json_of(&b)["id"].as_str().unwrap().to_string();
    let county = t
        .first_sign_in("shexian.admin", "Shexian2026", "Shexian2027")
        .await;
    let roles = format!("/api/v1/users/{me}/roles");
    let manager = |org: &str| json!({"role": "organization_manager", "area": "341021100", "organization_id": org});
    post_refused(
        &county,
        &roles,
        manager(app::demo::DEMO_ORG_ID),
        StatusCode::UNPROCESSABLE_ENTITY,
        "organization_elsewhere",
    )
    .await;
    post_refused(
        &county,
        &roles,
        manager("3410-nowhere"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_organization",
    )
    .await;
    let mut account = manager(app::demo::DEMO_ORG_ID);
    account["login"] = json!("planted");
    account["display_name"] = json!("代理人");
    account["password"] = json!("Planted2026");
    post_refused(
        &county,
        "/api/v1/users",
        account,
        StatusCode::UNPROCESSABLE_ENTITY,
        "organization_elsewhere",
    )
    .await;
    assert!(t.login_with("planted", "Planted2026").await.is_none());
    // Nothing was granted: the county's administrator still cannot read the organization.
    let (st, _, _) = county
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/organizations/{}", app::demo::DEMO_ORG_ID),
            None,
        )
        .await;
    assert_ne!(st, StatusCode::OK);
    // Where the organization is, the national administrator may.
    let (st, _, b) = post_json(
        &admin,
        &roles,
        json!({"role": "organization_manager", "area": "341002002001", "organization_id": app::demo::DEMO_ORG_ID}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}

/// Issue 15: an account whose last role was removed cannot sign in, and the login page says why.
#[tokio::test]
async fn an_account_without_roles_cannot_sign_in_and_is_told_why() {
    let t = spawn_app().await;
    let admin = t.login("admin").await;
    let (st, _, b) = post_json(
        &admin,
        "/api/v1/users",
        json!({"login": "leaver", "display_name": "离职人员", "password": "Leaver20266", "role": "volunteer", "area": "341021100"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = json_of(&b)["id"].as_str().unwrap().to_string();
    assert!(t.login_with("leaver", "Leaver20266").await.is_some());
    let (_, _, b) = admin
        .api(reqwest::Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    let role = json_of(&b)["roles"][0]["id"].as_str().unwrap().to_string();
    let (st, _, b) = admin
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/users/{id}/roles/{role}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    assert!(t.login_with("leaver", "Leaver20266").await.is_none());
    let c = client();
    let page = c
        .get(format!("{}/login", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&page);
    let r = c
        .post(format!("{}/login", t.base))
        .form(&[
            ("login", "leaver"),
            ("password", "Leaver20266"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("尚未分配任何角色") && page.contains("leaver"),
        "{page}"
    );
}
