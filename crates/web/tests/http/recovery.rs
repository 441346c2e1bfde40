//! Issue 15: accounts an administrator can recover and retire — a reset password the owner must
//! change first, login locks lifted, an account disabled at once and enabled again; each only
//! by an administrator whose territory holds the whole account, never on one's own.

use crate::harness::*;

/// An account made through the API by the national administrator; its id.
/// An account an administrator made, whose owner has signed in once and set `password`.
async fn account(t: &TestApp, login: &str, password: &str, role: &str, area: &str) -> String {
    let admin = t.login("admin").await;
    let given = format!("Given{password}");
    let (st, _, b) = post_json(
        &admin,
        "/api/v1/users",
        json!({"login": login, "display_name": login, "password": given, "role": role, "area": area}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    t.first_sign_in(login, &given, password).await;
    json_of(&b)["id"].as_str().unwrap().to_string()
}

async fn status(s: &Session, path: &str) -> StatusCode {
    s.api(reqwest::Method::GET, path, None).await.0
}

#[tokio::test]
async fn a_reset_password_ends_every_session_and_must_be_changed_before_anything_else() {
    let t = spawn_app().await;
    let id = account(&t, "forgetful", "Forgetful2026", "volunteer", "341021100").await;
    let before = t.login_with("forgetful", "Forgetful2026").await.unwrap();
    assert_eq!(status(&before, "/api/v1/needs").await, StatusCode::OK);
    let admin = t.login("admin").await;
    let r = admin
        .c
        .post(format!("{}/api/v1/users/{id}/password-reset", t.base))
        .header("x-csrf-token", &admin.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let temporary = json_of(&r.text().await.unwrap())["temporary_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        temporary.len() == 12
            && domain::password::check_new_password("forgetful", &temporary).is_ok()
    );
    // The old session ended at once; the old password is gone.
    assert_eq!(
        status(&before, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED
    );
    assert!(t.login_with("forgetful", "Forgetful2026").await.is_none());
    // The temporary one signs in, but reaches only the password page.
    let s = t.login_with("forgetful", &temporary).await.unwrap();
    let (st, _, b) = s.api(reqwest::Method::GET, "/api/v1/needs", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert!(b.contains("password_change_required"), "{b}");
    let r = s.c.get(format!("{}/needs", t.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account?must_change=1");
    let (st, page) = s.get("/account").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("must-change") && page.contains("由管理员设定或重置"),
        "{page}"
    );
    let (st, _, b) = post_json(
        &s,
        "/api/v1/account/password",
        json!({"current_password": temporary, "new_password": "Remembered2027", "confirm_password": "Remembered2027"}),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(status(&s, "/api/v1/needs").await, StatusCode::OK);
    // The audit log has the reset, never the password.
    let events =
        t.db.audit_events(&domain::identity::Scope::nation(), &Default::default(), 500)
            .await
            .unwrap();
    let reset: Vec<_> = events
        .iter()
        .filter(|e| e.record.action == "account.password_reset")
        .collect();
    assert_eq!(reset.len(), 1);
    assert!(!format!("{events:?}").contains(&temporary));
    // The page's button gives the same receipt, shown once.
    let (st, page) = admin
        .post(&format!("/admin/users/{id}/password-reset"), &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("receipt") && page.contains("临时密码"),
        "{page}"
    );
}

#[tokio::test]
async fn a_disabled_account_is_out_at_once_and_only_a_whole_territorys_administrator_may() {
    let t = spawn_app().await;
    let id = account(&t, "leaving", "Leaving20266", "volunteer", "341002002").await;
    let admin = t.login("admin").await;
    // Besides the township role, a role of the whole city.
    let (st, _, b) = post_json(
        &admin,
        &format!("/api/v1/users/{id}/roles"),
        json!({"role": "city_bureau", "area": "3410"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let s = t.login_with("leaving", "Leaving20266").await.unwrap();
    let (st, _, b) = post_json(&s, "/api/v1/tokens", json!({"name": "脚本"})).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let token = json_of(&b)["token"].as_str().unwrap().to_string();
    let with_token = || async {
        client()
            .get(format!("{}/api/v1/me", t.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(with_token().await, StatusCode::OK);
    // The county's administrator holds the account's home but not its city role: refused, or
    // they could take over a city bureau's account.
    account(
        &t,
        "tunxi.admin",
        "Tunxi20266",
        "system_administrator",
        "341002",
    )
    .await;
    let county = t.login_with("tunxi.admin", "Tunxi20266").await.unwrap();
    post_refused(
        &county,
        &format!("/api/v1/users/{id}/disable"),
        json!({}),
        StatusCode::FORBIDDEN,
        "out_of_territory",
    )
    .await;
    let me = t.actor("admin").await.user_id;
    post_refused(
        &admin,
        &format!("/api/v1/users/{me}/disable"),
        json!({}),
        StatusCode::CONFLICT,
        "own_account",
    )
    .await;
    let (st, _, b) = post_json(&admin, &format!("/api/v1/users/{id}/disable"), json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // Out at once: the session, the token, and signing in.
    assert_eq!(status(&s, "/api/v1/me").await, StatusCode::UNAUTHORIZED);
    assert_eq!(with_token().await, StatusCode::UNAUTHORIZED);
    assert!(t.login_with("leaving", "Leaving20266").await.is_none());
    let (_, page) = admin.get(&format!("/admin/users/{id}")).await;
    assert!(
        page.contains("id=\"disabled\"") && page.contains("id=\"enable\""),
        "{page}"
    );
    post_refused(
        &admin,
        &format!("/api/v1/users/{id}/disable"),
        json!({}),
        StatusCode::CONFLICT,
        "already_disabled",
    )
    .await;
    // Enabled again: signing in works; the revoked token stays revoked.
    let (st, _, b) = post_json(&admin, &format!("/api/v1/users/{id}/enable"), json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    assert!(t.login_with("leaving", "Leaving20266").await.is_some());
    assert_eq!(with_token().await, StatusCode::UNAUTHORIZED);
    let events =
        t.db.audit_events(&domain::identity::Scope::nation(), &Default::default(), 500)
            .await
            .unwrap();
    for kind in ["account.disable", "account.enable"] {
        assert!(
            events
                .iter()
                .any(|e| e.record.action == kind && e.record.outcome == "ok"),
            "{kind}"
        );
    }
    assert!(events
        .iter()
        .any(|e| e.record.action == "account.disable" && e.record.outcome == "denied"));
}

#[tokio::test]
async fn an_administrator_lifts_the_lock_failed_logins_caused() {
    let t = spawn_app().await;
    let id = account(&t, "fumbler", "Fumbler20266", "volunteer", "341021100").await;
    let from = [127, 0, 0, 9];
    for _ in 0..5 {
        assert!(t
            .login_from("fumbler", "wrong-guess-1", from)
            .await
            .is_none());
    }
    assert!(
        t.login_from("fumbler", "Fumbler20266", from)
            .await
            .is_none(),
        "locked for this address"
    );
    let admin = t.login("admin").await;
    let (_, _, b) = admin
        .api(reqwest::Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    assert_eq!(
        json_of(&b)["login_locks"].as_array().map(Vec::len),
        Some(1),
        "{b}"
    );
    let (st, _, b) = post_json(&admin, &format!("/api/v1/users/{id}/unlock"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["locks_lifted"], 1);
    assert!(t
        .login_from("fumbler", "Fumbler20266", from)
        .await
        .is_some());
}
