//! Sign-in, sessions, passwords and API tokens.

use crate::harness::*;

#[tokio::test]
async fn login_sets_a_hardened_session_cookie_and_logout_ends_it() {
    let t = spawn_app().await;
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
            ("csrf_token", csrf.as_str()),
            ("login", "community"),
            ("password", PASSWORD),
            ("next", "/areas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/areas");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("sanshe_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let s = Session {
        csrf: csrf_in(
            &c.get(format!("{}/account", t.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        ),
        c,
        base: t.base.clone(),
    };
    let (st, home) = s.get("/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(home.contains("柏树街社区居委会"));
    let (st, _) = s.post("/logout", &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _) = s.get("/").await;
    assert_eq!(
        st,
        StatusCode::SEE_OTHER,
        "logged-out session must not open the home page"
    );
    let ev =
        t.db.audit_events(&Scope::nation(), &Default::default(), 50)
            .await
            .unwrap();
    assert!(ev
        .iter()
        .any(|e| e.record.action == "session.logout" && e.record.outcome == "ok"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_generic_error() {
    let t = spawn_app().await;
    let c = client();
    let mut bodies = Vec::new();
    for (login, pw) in [("community", "Wrong12345"), ("nobody-here", "Wrong12345")] {
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
                ("csrf_token", csrf.as_str()),
                ("login", login),
                ("password", pw),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body = r.text().await.unwrap();
        assert!(body.contains("登录名或密码错误"));
        assert!(
            body.contains(&format!("value=\"{login}\"")),
            "the typed login is kept"
        );
        bodies.push(body.replace(login, ""));
    }
    let strip = |s: &str| s.split("csrf_token\" value=\"").next().unwrap().to_string();
    assert_eq!(strip(&bodies[0]), strip(&bodies[1]));
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_their_address_only_and_the_lock_is_audited() {
    let t = spawn_app().await;
    for _ in 0..5 {
        assert!(t.login_with("volunteer", "Wrong12345").await.is_none());
    }
    // Even the right password is refused while locked, from the guesser's address…
    assert!(t.login_with("volunteer", PASSWORD).await.is_none());
    let u = t.db.user_by_login("volunteer").await.unwrap().unwrap();
    let lock = t.db.login_lock(&u.id, "127.0.0.1").await.unwrap().unwrap();
    assert!(lock.locked_until.is_some());
    // …but the owner, from their own address, still gets in: nobody can lock another out.
    assert!(t
        .login_from("volunteer", PASSWORD, [127, 0, 0, 2])
        .await
        .is_some());
    let ev =
        t.db.audit_events(&Scope::nation(), &Default::default(), 100)
            .await
            .unwrap();
    assert_eq!(
        ev.iter()
            .filter(|e| e.record.action == "account.locked")
            .count(),
        1
    );
    assert_eq!(
        ev.iter()
            .filter(|e| e.record.action == "session.login" && e.record.outcome == "failed")
            .count(),
        6
    );
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let t = spawn_app().await;
    let s = t.login("community").await;
    let r =
        s.c.post(format!("{}/account/tokens", t.base))
            .form(&[("name", "x")])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r =
        s.c.post(format!("{}/account/tokens", t.base))
            .form(&[("name", "x"), ("csrf_token", "0000")])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A session-authenticated API write without the header is refused too.
    let r =
        s.c.post(format!("{}/api/v1/tokens", t.base))
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let u = t.db.user_by_login("community").await.unwrap().unwrap();
    assert!(t.db.tokens_of(&u.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_ends_other_sessions() {
    let t = spawn_app().await;
    let a = t.login("resident").await;
    let b = t.login("resident").await;
    let (st, body) = a
        .post(
            "/account/password",
            &[
                ("current_password", "nope"),
                ("new_password", "short"),
                ("confirm_password", "other"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("当前密码不正确"));
    assert!(body.contains("密码至少 8 位"));
    assert!(body.contains("两次输入的新密码不一致"));
    let (st, body) = a
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "NewPass2026"),
                ("confirm_password", "NewPass2026"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("密码已修改"));
    assert_eq!(a.get("/").await.0, StatusCode::OK, "this session stays");
    assert_eq!(
        b.get("/").await.0,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert!(t.login_with("resident", PASSWORD).await.is_none());
    assert!(t.login_with("resident", "NewPass2026").await.is_some());
}

#[tokio::test]
async fn an_api_token_acts_like_its_owner_until_revoked() {
    let t = spawn_app().await;
    let s = t.login("tunxi").await;
    let (st, ct, body) = s
        .api(
            reqwest::Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "脚本"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert!(ct.starts_with("application/json"));
    let created: Value = serde_json::from_str(&body).unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    // Stored hashed: the secret appears nowhere in the database.
    let rows =
        t.db.tokens_of(&t.db.user_by_login("tunxi").await.unwrap().unwrap().id)
            .await
            .unwrap();
    assert!(!format!("{rows:?}").contains(&token[4..]));
    let bare = client();
    let me = bare
        .get(format!("{}/api/v1/me", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["login"], "tunxi");
    // Scoped like its owner.
    let r = bare
        .get(format!("{}/api/v1/areas/341021", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (st, _, _) = s
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let r = bare
        .get(format!("{}/api/v1/me", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

/// A locked account is told until when; a login name no account has gets the same answer after
/// the same failures, so the message reveals nothing about which logins exist (issue 15).
#[tokio::test]
async fn a_locked_account_is_told_until_when_and_a_name_no_account_has_answers_the_same() {
    let t = spawn_app().await;
    let mut answers = Vec::new();
    for (login, from) in [
        ("volunteer", [127, 0, 0, 5]),
        ("no-such-person", [127, 0, 0, 6]),
    ] {
        for i in 0..4 {
            let (st, body) = t.login_answer(login, "Wrong12345", from).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{login} failure {i}");
            assert!(body.contains("登录名或密码错误"), "{body}");
        }
        // The fifth failure locks, and says so with the time.
        let (st, fifth) = t.login_answer(login, "Wrong12345", from).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{login}: {fifth}");
        assert!(
            fifth.contains("暂时锁定") && fifth.contains("北京时间"),
            "{fifth}"
        );
        // While locked even the right password is told the same.
        let (st, again) = t.login_answer(login, PASSWORD, from).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{login}: {again}");
        let until = |page: &str| {
            let i = page.find("请于 ").unwrap() + "请于 ".len();
            page[i..i + 16].to_string()
        };
        assert_eq!(until(&fifth), until(&again));
        // The time shown is China time, about fifteen minutes ahead.
        let shown =
            chrono::NaiveDateTime::parse_from_str(&until(&again), "%Y-%m-%d %H:%M").unwrap();
        let expected =
            (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::minutes(15))
                .naive_utc();
        assert!(
            (expected - shown).num_minutes().abs() <= 2,
            "{shown} vs {expected}"
        );
        answers.push(again.replace(login, "").replace(&until(&again), ""));
    }
    let strip = |s: &str| s.split("csrf_token\" value=\"").next().unwrap().to_string();
    assert_eq!(
        strip(&answers[0]),
        strip(&answers[1]),
        "a known and an unknown login answer alike"
    );
    // Another address is not locked out, for either.
    assert!(t
        .login_from("volunteer", PASSWORD, [127, 0, 0, 7])
        .await
        .is_some());
}
