//! HTTP tests: the real server on 127.0.0.1:0 with a fresh database (SQLite, or PostgreSQL when
//! SANSHE_TEST_DATABASE_URL is set), driven by a cookie-keeping client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::identity::UserForm;
use app::{App, Ctx, Settings};
use domain::identity::Scope;
use domain::{AreaCode, Role};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use store::Db;

const PASSWORD: &str = app::demo::DEMO_PASSWORD;

struct TestApp {
    base: String,
    db: Db,
    url: String,
    app: App,
}

fn settings() -> Settings {
    Settings {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        ..Settings::default()
    }
}

async fn serve(app: App) -> String {
    let config = web::WebConfig {
        bind: "127.0.0.1:0".into(),
        body_limit: 64 * 1024,
        ..web::WebConfig::default()
    };
    let server = web::Application::build(app, config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until(std::future::pending()));
    base
}

async fn spawn_app() -> TestApp {
    let (db, url) = store::testing::fresh_db().await.unwrap();
    let app = App::new(db.clone(), settings());
    assert!(app.seed_demo().await.unwrap());
    let base = serve(app.clone()).await;
    TestApp { base, db, url, app }
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

struct Session {
    c: Client,
    base: String,
    csrf: String,
}

fn csrf_in(html: &str) -> String {
    let i = html
        .find("name=\"csrf_token\" value=\"")
        .expect("no csrf field")
        + 25;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

impl TestApp {
    async fn login(&self, login: &str) -> Session {
        self.login_with(login, PASSWORD)
            .await
            .expect("login failed")
    }

    async fn login_with(&self, login: &str, password: &str) -> Option<Session> {
        self.login_from(login, password, [127, 0, 0, 1]).await
    }

    /// Logs in from a loopback address of our choice (a different client to the server).
    async fn login_from(&self, login: &str, password: &str, from: [u8; 4]) -> Option<Session> {
        let c = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .local_address(std::net::IpAddr::from(from))
            .build()
            .unwrap();
        let page = c
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_in(&page);
        let r = c
            .post(format!("{}/login", self.base))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() != StatusCode::SEE_OTHER {
            return None;
        }
        let home = c
            .get(format!("{}/account", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Some(Session {
            csrf: csrf_in(&home),
            c,
            base: self.base.clone(),
        })
    }

    async fn actor(&self, login: &str) -> domain::Actor {
        let u = self.db.user_by_login(login).await.unwrap().unwrap();
        let a = self.db.assignments_of(&u.id).await.unwrap();
        domain::Actor {
            user_id: u.id,
            login: u.login,
            display_name: u.display_name,
            assignments: a.iter().map(|x| x.to_domain()).collect(),
        }
    }
}

impl Session {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut f: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        f.extend_from_slice(form);
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .form(&f)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, String, String) {
        let verb = method.as_str().to_lowercase();
        let mut rb = self
            .c
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        // Every API answer of the suite keeps the OpenAPI document's promise.
        openapi::assert_conforms(&verb, path, status, &ct, &text);
        (status, ct, text)
    }
}

// ---------- accounts ----------

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

// ---------- areas ----------

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
}

// ---------- administration ----------

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

// ---------- audit ----------

#[tokio::test]
async fn the_audit_page_filters_and_the_chain_detects_tampering() {
    let t = spawn_app().await;
    let tunxi = t.login("tunxi").await;
    assert_eq!(tunxi.get("/areas/341021").await.0, StatusCode::FORBIDDEN);
    let city = t.login("city").await;
    let (st, body) = city.get("/audit?outcome=denied").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("area.view") && body.contains("tunxi"),
        "the denied read is audited"
    );
    assert!(
        !body.contains("<td>account.create</td>"),
        "filtered by outcome"
    );
    assert!(body.contains("<td>area.view</td>"));
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

// ---------- territory ----------

/// What 歙县 owns, as the database holds it; any change by a 屯溪 officer would show here.
async fn shexian_snapshot(db: &Db) -> String {
    let users = db
        .users_in_scope(&Scope::new([AreaCode::parse("341021").unwrap()]), 1000)
        .await
        .unwrap();
    let mut out = String::new();
    // Every organization of every territory, with its version: the walker targets only other
    // territories' organizations, so none may change.
    for o in db
        .organizations(&Scope::nation(), &Default::default(), 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!(
            "{} {} {}|",
            o.id,
            o.version,
            serde_json::to_string(&o.org).unwrap()
        ));
    }
    for (u, roles) in users {
        let tokens = db.tokens_of(&u.id).await.unwrap();
        out.push_str(&format!(
            "{} {} {} {} {:?}|",
            u.login, u.display_name, u.password_hash, u.version, u.disabled
        ));
        for r in roles {
            out.push_str(&format!("{} {:?} {}|", r.id, r.role, r.area_code));
        }
        for t in tokens {
            out.push_str(&format!("{} {:?}|", t.id, t.revoked_at));
        }
    }
    for x in db
        .talents(&Scope::nation(), &Default::default(), 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!(
            "{} {} {} {}|",
            x.id, x.backbone, x.training_count, x.training_minutes
        ));
    }
    let all_needs = store::need::NeedFilter {
        status: None,
        ..Default::default()
    };
    for n in db.needs(&Scope::nation(), &all_needs, 1000).await.unwrap() {
        out.push_str(&format!(
            "{} {:?} {} {:?}|",
            n.id, n.status, n.supporters, n.merged_into
        ));
    }
    for i in db.catalogue(&Scope::nation(), None, 1000).await.unwrap() {
        out.push_str(&format!("{} {:?} {}|", i.id, i.status, i.decision_reason));
        for e in db.eligibilities_of(&i.tenant_id, &i.id).await.unwrap() {
            out.push_str(&format!("{} {:?} {}|", e.id, e.status, e.reason));
        }
    }
    for k in db.calls(&Scope::nation(), &[], 1000).await.unwrap() {
        out.push_str(&format!(
            "{} {:?} {} {}|",
            k.id,
            k.stage,
            k.awarded_fen,
            serde_json::to_string(&k.rubric).unwrap()
        ));
        for a in db.call_applications(&k.tenant_id, &k.id).await.unwrap() {
            out.push_str(&format!("{}|", a.id));
        }
        out.push_str(&format!(
            "{:?} {} {}|",
            db.call_panel(&k.tenant_id, &k.id).await.unwrap(),
            db.call_sheets(&k.tenant_id, &k.id).await.unwrap().len(),
            db.call_awards(&k.tenant_id, &k.id).await.unwrap().len()
        ));
    }
    for v in db.vote_meetings(&Scope::nation(), 1000).await.unwrap() {
        let roster = db.roster(&v.tenant_id, &v.id).await.unwrap();
        out.push_str(&format!(
            "{} {:?}|",
            v.id,
            roster.iter().map(|r| r.present).collect::<Vec<_>>()
        ));
        for (_, m) in db.motions(&v.tenant_id, Some(&v.id), None).await.unwrap() {
            let ballots = db
                .ballots(&v.tenant_id, &v.id, &m.project_id)
                .await
                .unwrap();
            out.push_str(&format!(
                "{} {:?} {:?} {}|",
                m.project_id,
                m.sealed_at,
                m.paper,
                ballots.len()
            ));
        }
    }
    for f in db.funds(&Scope::nation(), 1000).await.unwrap() {
        out.push_str(&format!("{} {}|", f.id, f.balance_fen));
    }
    for m in db.consultations(&Scope::nation(), 1000).await.unwrap() {
        let entries = db.consultation_entries(&m.tenant_id, &m.id).await.unwrap();
        out.push_str(&format!("{} {:?} {}|", m.id, m.frozen_at, entries.len()));
    }
    for p in db
        .projects(&Scope::nation(), None, None, None, 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!(
            "{} {:?} {} {}|",
            p.id, p.stage, p.version, p.budget_fen
        ));
    }
    for v in db
        .volunteers(&Scope::nation(), None, None, 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!(
            "{} {} {} {}|",
            v.id, v.total_minutes, v.record_count, v.version
        ));
        for r in db
            .service_records(&v.tenant_id, &v.id, 1000, None)
            .await
            .unwrap()
        {
            out.push_str(&format!("{} {:?} {}|", r.id, r.status, r.record.minutes));
        }
    }
    out
}

/// A platform with one social worker in a post, and a backbone talent of the same township:
/// (platform id, social worker id, talent id).
async fn platform_with_worker(
    t: &TestApp,
    township: &str,
    name: &str,
    id_number: &str,
) -> (String, String, String) {
    let unit = officer(Role::TownshipOfficer, township);
    let platform = t
        .app
        .create_platform(
            &unit,
            &domain::social::PlatformForm {
                kind: "centre".into(),
                name: name.into(),
                area: township.into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let form = domain::social::SocialWorkerForm {
        name: format!("{name}社工"),
        id_number: id_number.into(),
        certificate_level: "aide".into(),
        area: township.into(),
        ..Default::default()
    };
    let worker = t
        .app
        .create_social_worker(&unit, &form, &Ctx::default())
        .await
        .unwrap();
    let post = domain::social::PostForm {
        social_worker_id: worker.clone(),
        title: "专业社工".into(),
        started_on: "2025-01-01".into(),
        ended_on: String::new(),
    };
    t.app
        .add_post(&unit, &platform, &post, &Ctx::default())
        .await
        .unwrap();
    let talent = t
        .app
        .create_talent(
            &unit,
            &domain::talent::TalentForm {
                name: format!("{name}骨干"),
                category: "organization_backbone".into(),
                area: township.into(),
                backbone: "on".into(),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    (platform, worker, talent)
}

/// A volunteer registered by their community, with one record and a certificate:
/// (volunteer id, record id, certificate code).
async fn volunteer_with_certificate(
    t: &TestApp,
    area: &str,
    name: &str,
) -> (String, String, String) {
    let unit = officer(Role::CommunityOfficer, area);
    let form = domain::volunteer::VolunteerForm {
        name: name.into(),
        area: area.into(),
        consent: Some("on".into()),
        ..Default::default()
    };
    let id = t
        .app
        .register_volunteer(&unit, &form, &Ctx::default())
        .await
        .unwrap();
    let rec = t
        .app
        .record_service(
            &unit,
            &id,
            &service_form(&today_text(), "2"),
            &Ctx::default(),
        )
        .await
        .unwrap();
    let code = t
        .app
        .issue_certificate(&unit, &id, &Ctx::default())
        .await
        .unwrap();
    (id, rec, code)
}

/// An approved social-work item of `community` and an organization's pending eligibility on it:
/// (item id, eligibility id).
async fn item_with_eligibility(
    t: &TestApp,
    community: &str,
    township: &str,
    org: &str,
) -> (String, String) {
    let item = t
        .app
        .propose_item(
            &officer(Role::CommunityOfficer, community),
            &domain::chain::catalogue::ItemForm {
                community: community.into(),
                name: format!("{community} 居家养老上门服务"),
                description: String::new(),
                social_work: "on".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let approve = app::catalogue::DecisionForm {
        decision: "approve".into(),
        reason: String::new(),
    };
    t.app
        .review_item(
            &officer(Role::TownshipOfficer, township),
            &item,
            &approve,
            &Ctx::default(),
        )
        .await
        .unwrap();
    let mut manager = officer(Role::OrganizationManager, community);
    manager.assignments[0].organization_id = Some(org.to_string());
    let eligibility = t
        .app
        .apply_eligibility(
            &manager,
            &item,
            &app::catalogue::ApplyForm {
                organization_id: org.to_string(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    (item, eligibility)
}

/// A draft project on an eligibility, written straight into the store (fixtures for routes
/// that take a project id; the registries' checks are tested through the API elsewhere).
async fn project_on(
    t: &TestApp,
    item: &str,
    eligibility: &str,
    org: &str,
    community: &str,
) -> String {
    let content = application_form("x", "x", "").validate().unwrap();
    let id = format!("{item}-project");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_project(&store::project::NewProject {
        tenant: "3410",
        id: &id,
        community: &AreaCode::parse(community).unwrap(),
        item_id: Some(item),
        call_id: None,
        stage: domain::chain::stage::Stage::Draft,
        organization_id: org,
        eligibility_id: Some(eligibility),
        content: &content,
        by: "test",
        now: &store::time::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A consultation meeting with one project on its agenda, straight into the store (fixture).
async fn consultation_on(t: &TestApp, project: &str, community: &str) -> String {
    let id = format!("{project}-meeting");
    let m = domain::chain::consultation::Consultation {
        community: AreaCode::parse(community).unwrap(),
        title: "恳谈会".into(),
        held_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        place: "议事厅".into(),
        projects: vec![project.to_string()],
    };
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_consultation(
        "3410",
        &id,
        &m,
        &[(project.to_string(), 1)],
        "test",
        &store::time::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A representatives' meeting with one motion and no roster, straight into the store (fixture).
/// A call organized in `area` (a micro call when it is a community), drawing on a new fund of
/// `fund_area`, with one application from `org`.
async fn call_in(t: &TestApp, area: &str, fund_area: &str, org: &str) -> String {
    let now = store::time::now();
    let fund = format!("3410-fund-of-{fund_area}");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_fund(
        "3410",
        &fund,
        &domain::chain::purchase::Fund {
            area: AreaCode::parse(fund_area).unwrap(),
            name: "测试资金".into(),
            source: domain::chain::money::FundSource::Special,
            year: 2027,
            budget_fen: 10_000_000,
        },
        "test",
        &now,
    )
    .await
    .unwrap();
    let form = domain::chain::call::CallForm {
        kind: if area.len() == 12 { "micro" } else { "venture" }.into(),
        area: area.into(),
        fund_id: fund.clone(),
        theme: "测试征集".into(),
        requirements: "测试".into(),
        pool: "20000".into(),
        ceiling: "5000".into(),
        opens_on: "2026-01-01".into(),
        closes_on: "2099-12-31".into(),
        rubric: "方案 60\n团队 40".into(),
        min_panel: "3".into(),
        ..Default::default()
    };
    let call = form.validate().unwrap();
    let id = format!("3410-call-{area}");
    tx.insert_call("3410", &id, &call, "test", &now)
        .await
        .unwrap();
    let a = domain::chain::call::CallApplication {
        title: "测试申请".into(),
        proposal: "测试方案".into(),
        staffing: String::new(),
        amount_fen: 100_000,
        community: AreaCode::parse(if area.len() == 12 {
            area
        } else {
            "341021100201"
        })
        .unwrap(),
    };
    tx.insert_call_application("3410", &id, &format!("{id}-a"), org, None, &a, "test", &now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn vote_on(t: &TestApp, project: &str, community: &str) -> String {
    let id = format!("{project}-vote");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_vote_meeting(&store::vote::NewVoteMeeting {
        tenant: "3410",
        id: &id,
        community: &AreaCode::parse(community).unwrap(),
        title: "居民代表会议",
        held_on: "2026-12-20",
        rules: &app::vote::RULES,
        roster: &[],
        motions: &[(project.to_string(), 1)],
        recusals: &[],
        by: "test",
        now: &store::time::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A complete application form with the given lead, social workers and needs.
fn application_form(
    lead: &str,
    workers: &str,
    needs: &str,
) -> domain::chain::application::ApplicationForm {
    domain::chain::application::ApplicationForm {
        title: "柏树街社区老年助餐项目".into(),
        background:
            "走访 120 户，独居高龄老人 46 人，其中 31 人午餐无人照料，居民代表会议提出建设助餐点。"
                .into(),
        goals: "为独居老人提供午餐|每周送餐天数|5 天".into(),
        phases: "筹备|2026-12-01|2026-12-31|招募志愿者\n实施|2027-01-01|2027-10-31|每日助餐".into(),
        budget: "食材补贴|36000\n场地改造|8000.50".into(),
        lead: lead.into(),
        social_workers: workers.into(),
        volunteers: String::new(),
        needs: needs.into(),
    }
}

/// A need of `community`, recorded by an officer of `township` from a door-to-door visit.
async fn need_in(t: &TestApp, community: &str, township: &str, title: &str) -> String {
    t.app
        .raise_need(
            &officer(Role::TownshipOfficer, township),
            &domain::chain::need::NeedForm {
                community: community.into(),
                priority_group: "special_elderly".into(),
                channel: "door_to_door".into(),
                title: title.into(),
                description: "独居老人午餐无人照料。".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap()
}

fn today_text() -> String {
    app::registry::today().format("%Y-%m-%d").to_string()
}

fn service_form(date: &str, hours: &str) -> domain::volunteer::ServiceRecordForm {
    domain::volunteer::ServiceRecordForm {
        activity_name: "敬老院陪伴".into(),
        activity_date: date.into(),
        place: "社区活动室".into(),
        content: "陪老人聊天、读报".into(),
        hours: hours.into(),
        organizing_unit: "社区居委会".into(),
        person_in_charge: "刘敏".into(),
        late_reason: String::new(),
    }
}

#[tokio::test]
async fn no_route_lets_a_tunxi_officer_or_a_community_officer_reach_beyond_their_territory() {
    let t = spawn_app().await;
    // A county-level system administrator of 屯溪, to prove the territory (not just the role).
    t.app
        .create_user(
            None,
            &UserForm {
                login: "tunxiadmin".into(),
                display_name: "屯溪管理员".into(),
                password: PASSWORD.into(),
                role: "system_administrator".into(),
                area: "341002".into(),
                organization_id: None,
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let shexian = t.actor("shexian").await;
    let token = t
        .app
        .create_token(&shexian, "歙县脚本", &Ctx::default())
        .await
        .unwrap();
    let shexian_row = t.db.assignments_of(&shexian.user_id).await.unwrap();
    let shexian_org = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341021100"),
            &filed_org("歙县徽城邻里互助会", "341021100201"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let sibling_org = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341002002"),
            &filed_org("跃进路社区书画社", "341002002002"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let shexian_vol = volunteer_with_certificate(&t, "341021100201", "歙县汪晓梅").await;
    let shexian_sw =
        platform_with_worker(&t, "341021100", "歙县徽城镇社工站", "11010519491231002X").await;
    let sibling_sw =
        platform_with_worker(&t, "341002001", "昱东街道社工中心", "440524188001010014").await;
    let sibling_vol = volunteer_with_certificate(&t, "341002002002", "跃进路程建国").await;
    let shexian_item = item_with_eligibility(&t, "341021100201", "341021100", &shexian_org).await;
    let sibling_item = item_with_eligibility(&t, "341002002002", "341002002", &sibling_org).await;
    let shexian_project = project_on(
        &t,
        &shexian_item.0,
        &shexian_item.1,
        &shexian_org,
        "341021100201",
    )
    .await;
    let sibling_project = project_on(
        &t,
        &sibling_item.0,
        &sibling_item.1,
        &sibling_org,
        "341002002002",
    )
    .await;
    let shexian_meeting = consultation_on(&t, &shexian_project, "341021100201").await;
    let sibling_meeting = consultation_on(&t, &sibling_project, "341002002002").await;
    let shexian_vote = vote_on(&t, &shexian_project, "341021100201").await;
    let sibling_vote = vote_on(&t, &sibling_project, "341002002002").await;
    let shexian_need = need_in(&t, "341021100201", "341021100", "歙县徽城助餐需求").await;
    let sibling_need = need_in(&t, "341002002002", "341002002", "跃进路社区助餐需求").await;
    let shexian_call = call_in(&t, "341021100", "341021100", &shexian_org).await;
    let sibling_call = call_in(&t, "341002002002", "341002002", &sibling_org).await;
    let before = shexian_snapshot(&t.db).await;

    struct Probe {
        login: &'static str,
        foreign_code: &'static str,
        foreign_org: String,
        foreign_vol: (String, String, String),
        foreign_sw: (String, String, String),
        foreign_need: String,
        foreign_item: (String, String),
        foreign_project: String,
        foreign_meeting: String,
        foreign_vote: String,
        foreign_call: String,
        markers: Vec<String>,
    }
    let probes = [
        Probe {
            login: "tunxi",
            foreign_code: "341021",
            foreign_org: shexian_org.clone(),
            foreign_vol: shexian_vol.clone(),
            foreign_sw: shexian_sw.clone(),
            foreign_need: shexian_need.clone(),
            foreign_item: shexian_item.clone(),
            foreign_project: shexian_project.clone(),
            foreign_meeting: shexian_meeting.clone(),
            foreign_vote: shexian_vote.clone(),
            foreign_call: shexian_call.clone(),
            markers: vec![
                "歙县".into(),
                "341021".into(),
                shexian.user_id.clone(),
                "shexian".into(),
            ],
        },
        Probe {
            login: "tunxiadmin",
            foreign_code: "341021",
            foreign_org: shexian_org.clone(),
            foreign_vol: shexian_vol.clone(),
            foreign_sw: shexian_sw.clone(),
            foreign_need: shexian_need.clone(),
            foreign_item: shexian_item.clone(),
            foreign_project: shexian_project.clone(),
            foreign_meeting: shexian_meeting.clone(),
            foreign_vote: shexian_vote.clone(),
            foreign_call: shexian_call.clone(),
            markers: vec![
                "歙县".into(),
                "341021".into(),
                shexian.user_id.clone(),
                "shexian".into(),
            ],
        },
        Probe {
            login: "community",
            foreign_code: "341002002002",
            foreign_org: sibling_org.clone(),
            foreign_vol: sibling_vol.clone(),
            foreign_sw: sibling_sw.clone(),
            foreign_need: sibling_need.clone(),
            foreign_item: sibling_item.clone(),
            foreign_project: sibling_project.clone(),
            foreign_meeting: sibling_meeting.clone(),
            foreign_vote: sibling_vote.clone(),
            foreign_call: sibling_call.clone(),
            markers: vec![
                "341002002002".into(),
                "跃进路".into(),
                "昱东".into(),
                shexian.user_id.clone(),
            ],
        },
    ];
    let table = web::routes::route_table();
    let mut checked = 0;
    for p in &probes {
        for spec in table
            .iter()
            .filter(|s| s.access == web::routes::Access::Signed)
        {
            let mut path = spec.path.to_string();
            for param in spec.params() {
                let v = match param {
                    "code" => p.foreign_code.to_string(),
                    "user_id" => shexian.user_id.clone(),
                    "assignment_id" => shexian_row[0].id.clone(),
                    "token_id" => token.id.clone(),
                    "org_id" => p.foreign_org.clone(),
                    "volunteer_id" => p.foreign_vol.0.clone(),
                    "record_id" => p.foreign_vol.1.clone(),
                    "cert_code" => p.foreign_vol.2.clone(),
                    "platform_id" => p.foreign_sw.0.clone(),
                    "worker_id" => p.foreign_sw.1.clone(),
                    "talent_id" => p.foreign_sw.2.clone(),
                    "need_id" => p.foreign_need.clone(),
                    "item_id" => p.foreign_item.0.clone(),
                    "eligibility_id" => p.foreign_item.1.clone(),
                    "project_id" => p.foreign_project.clone(),
                    "consultation_id" => p.foreign_meeting.clone(),
                    "vote_id" => p.foreign_vote.clone(),
                    "call_id" => p.foreign_call.clone(),
                    // A tranche number: the project in the path is the other territory's.
                    "seq" => "1".to_string(),
                    other => panic!(
                        "route {} has a parameter {other} with no territory fixture: add one here",
                        spec.path
                    ),
                };
                path = path.replace(&format!("{{{param}}}"), &v);
            }
            // Every query and body points at the other territory.
            // 歙 alone: the page echoes the query, and a leak would show the name 歙县 in the results.
            let query = format!(
                "?q=%E6%AD%99&area={}&code={}",
                p.foreign_code, p.foreign_code
            );
            let fields = [
                ("login", "intruder"),
                ("display_name", "x"),
                ("password", "Intrude2026"),
                ("role", "county_bureau"),
                ("area", p.foreign_code),
                ("name", "x"),
                ("current_password", "not-the-password"),
                ("new_password", "Intrude2026"),
                ("confirm_password", "Intrude2026"),
                ("organization_id", "o"),
                ("registration_status", "filed"),
                ("category", "mutual_aid"),
                ("version", "1"),
                ("backbone", "true"),
                ("community", p.foreign_code),
                ("into", p.foreign_need.as_str()),
                ("decision", "approve"),
                ("reason", "越权操作的理由写得足够长"),
                ("item_id", p.foreign_item.0.as_str()),
                ("choice", "yes"),
                ("present", "x"),
            ];
            // A fresh session per route, so logging out or changing a password cannot hide later routes.
            let s = t.login(p.login).await;
            let (status, body) = if spec.is_api() {
                let mut body: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect();
                body.insert("version".into(), json!(1));
                body.insert("backbone".into(), json!(true));
                let (st, _, b) = s
                    .api(
                        spec.method.clone(),
                        &format!("{path}{query}"),
                        Some(Value::Object(body)),
                    )
                    .await;
                (st, b)
            } else if spec.method == reqwest::Method::GET {
                s.get(&format!("{path}{query}")).await
            } else {
                s.post(&path, &fields).await
            };
            assert!(
                !status.is_server_error(),
                "{} {} as {}: {status}",
                spec.method,
                spec.path,
                p.login
            );
            for m in &p.markers {
                // A refusal may repeat the code that was asked for; nothing else.
                if status.is_client_error() && m.as_str() == p.foreign_code {
                    continue;
                }
                assert!(
                    !body.contains(m.as_str()),
                    "{} {} as {} leaked {m}: {body}",
                    spec.method,
                    spec.path,
                    p.login
                );
            }
            if !spec.params().is_empty() && spec.params() != ["token_id"]
                || spec.params().contains(&"user_id")
            {
                assert!(
                    matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{} {} as {} answered {status}: {body}",
                    spec.method,
                    path,
                    p.login
                );
            }
            assert_eq!(
                shexian_snapshot(&t.db).await,
                before,
                "{} {} as {} changed 歙县's data",
                spec.method,
                spec.path,
                p.login
            );
            checked += 1;
        }
    }
    assert!(checked >= 3 * 25, "walked {checked} routes");
}

fn officer(role: Role, area: &str) -> domain::Actor {
    domain::Actor {
        user_id: format!("test-{area}"),
        login: format!("test-{area}"),
        display_name: "测试".into(),
        assignments: vec![domain::RoleAssignment {
            role,
            area: AreaCode::parse(area).unwrap(),
            organization_id: None,
        }],
    }
}

fn filed_org(name: &str, area: &str) -> domain::registry::OrganizationForm {
    domain::registry::OrganizationForm {
        name: name.into(),
        registration_status: "filed".into(),
        category: "mutual_aid".into(),
        area: area.into(),
        ..Default::default()
    }
}

// ---------- organizations ----------

#[tokio::test]
async fn a_township_officer_records_a_filed_organization_and_a_bad_code_is_explained() {
    let t = spawn_app().await;
    let s = t.login("township").await;
    let (st, body) = s.get("/organizations/new").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("value=\"341002002\""),
        "the form starts at the officer's township"
    );
    let form = [
        ("name", "柏树街邻里互助会"),
        ("registration_status", "filed"),
        ("uscc", "53100000500020462H"),
        ("category", "mutual_aid"),
        ("area", "341002002001"),
        ("grade", ""),
        ("grade_date", ""),
        ("address", "柏树街 1 号"),
        ("description", ""),
    ];
    let (st, body) = s.post("/organizations", &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("校验码错误：第 18 位应为“K”"), "{body}");
    assert!(
        body.contains("value=\"柏树街邻里互助会\"")
            && body.contains("value=\"柏树街 1 号\"")
            && body.contains("value=\"53100000500020462H\""),
        "what was typed is kept"
    );
    let mut ok = form;
    ok[2] = ("uscc", "");
    let (st, _) = s.post("/organizations", &ok).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, list) = s.get("/organizations?q=%E6%9F%8F%E6%A0%91").await;
    let id_at = list.find("/organizations/3410-").unwrap() + "/organizations/".len();
    let id = &list[id_at..id_at + list[id_at..].find('"').unwrap()];
    let (st, page) = s.get(&format!("/organizations/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("备案") && page.contains("乡镇（街道）") && page.contains("建档"));
    // The township may not register it: registration belongs to the county bureau.
    let mut reg = ok;
    reg[1] = ("registration_status", "registered");
    reg[2] = ("uscc", "51100000500009247D");
    let (st, body) = s.post("/organizations", &reg).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(body.contains("区县民政局"), "{body}");
}

#[tokio::test]
async fn two_editors_of_one_organization_cannot_overwrite_each_other() {
    let t = spawn_app().await;
    let id = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341002002"),
            &filed_org("杨梅山志愿队", "341002002003"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let a = t.login("township").await;
    let b = t.login("tunxi").await;
    let (_, fa) = a.get(&format!("/organizations/{id}/edit")).await;
    let (_, fb) = b.get(&format!("/organizations/{id}/edit")).await;
    assert!(
        fa.contains("name=\"version\" value=\"1\"") && fb.contains("name=\"version\" value=\"1\"")
    );
    let base = |name: &'static str, desc: &'static str| {
        vec![
            ("version", "1"),
            ("name", name),
            ("registration_status", "filed"),
            ("category", "volunteer_service"),
            ("area", "341002002003"),
            ("description", desc),
        ]
    };
    let (st, _) = a
        .post(
            &format!("/organizations/{id}"),
            &base("杨梅山志愿服务队", ""),
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, body) = b
        .post(
            &format!("/organizations/{id}"),
            &base("杨梅山志愿队", "每周六活动"),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        body.contains("township") && body.contains("名称：“杨梅山志愿队”→“杨梅山志愿服务队”"),
        "{body}"
    );
    assert!(
        body.contains("value=\"每周六活动\""),
        "the second editor's typing is kept"
    );
    let row = t.db.organization("3410", &id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.version,
            row.org.name.as_str(),
            row.org.description.as_str()
        ),
        (2, "杨梅山志愿服务队", "")
    );
    // Over the API: 409 with the current state.
    let (st, ct, body) = b.api(reqwest::Method::PUT, &format!("/api/v1/organizations/{id}"), Some(json!({"version": 1, "name": "x", "registration_status": "filed", "category": "charity", "area": "341002002003"}))).await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::CONFLICT, "application/problem+json")
    );
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["code"], "stale_version");
    let (st, _, _) = b.api(reqwest::Method::PUT, &format!("/api/v1/organizations/{id}"), Some(json!({"version": 2, "name": "杨梅山志愿服务队", "registration_status": "filed", "category": "charity", "area": "341002002003"}))).await;
    assert_eq!(st, StatusCode::OK, "the county bureau above may edit");
    let (_, page) = a.get(&format!("/organizations/{id}")).await;
    assert!(
        page.contains("类别：“volunteer_service”→“charity”"),
        "history shows each change"
    );
}

#[tokio::test]
async fn only_the_county_bureau_registers_and_the_ledger_filters_and_pages() {
    let t = spawn_app().await;
    let township = officer(Role::TownshipOfficer, "341002002");
    for (i, cat) in [
        "charity",
        "charity",
        "mutual_aid",
        "charity",
        "elderly_care",
    ]
    .iter()
    .enumerate()
    {
        let mut f = filed_org(&format!("昱中组织{i}"), "341002002001");
        f.category = cat.to_string();
        t.app
            .create_organization(&township, &f, &Ctx::default())
            .await
            .unwrap();
    }
    let county = t.login("tunxi").await;
    let (_, _, body) = county
        .api(
            reqwest::Method::GET,
            "/api/v1/organizations?category=charity&limit=2",
            None,
        )
        .await;
    let j: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["items"].as_array().unwrap().len(), 2);
    let after = j["next_after"].as_str().unwrap().to_string();
    let (_, _, body) = county
        .api(
            reqwest::Method::GET,
            &format!(
                "/api/v1/organizations?category=charity&limit=2&after={}",
                web::error::urlencode(&after)
            ),
            None,
        )
        .await;
    let j: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["items"].as_array().unwrap().len(), 1);
    assert!(j["next_after"].is_null());
    // Registration with a code: the county bureau may, and the legal form follows the code.
    let (st, _, body) = county.api(reqwest::Method::POST, "/api/v1/organizations", Some(json!({"name": "屯溪区社工协会", "registration_status": "registered", "uscc": "51100000500009247D", "category": "social_work_agency", "area": "341002002"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, body) = county
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/organizations/{id}"),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["legal_form"],
        "social_group"
    );
    let (st, _, body) = county.api(reqwest::Method::POST, "/api/v1/organizations", Some(json!({"name": "重复", "registration_status": "registered", "uscc": "51100000500009247D", "category": "charity", "area": "341002002"}))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["errors"][0]["field"],
        "uscc"
    );
    // Status changes belong to the higher authority.
    let ts = t.login("township").await;
    let (st, _, _) = ts.api(reqwest::Method::PUT, &format!("/api/v1/organizations/{id}"), Some(json!({"version": 1, "name": "屯溪区社工协会", "registration_status": "filed", "category": "social_work_agency", "area": "341002002"}))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, _, body) = county
        .api(
            reqwest::Method::GET,
            "/api/v1/organizations?status=registered",
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The community officer sees only their community's organizations; a resident none.
    let c = t.login("community").await;
    let (_, _, body) = c
        .api(reqwest::Method::GET, "/api/v1/organizations", None)
        .await;
    let items = serde_json::from_str::<Value>(&body).unwrap()["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 5);
    let r = t.login("resident").await;
    let (st, _, _) = r
        .api(reqwest::Method::GET, "/api/v1/organizations", None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_organizations_manager_files_disclosures_and_its_authority_records_incubation() {
    let t = spawn_app().await;
    let id = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341002002"),
            &filed_org("柏树街睦邻中心", "341002002001"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    t.app
        .create_user(
            None,
            &UserForm {
                login: "manager2".into(),
                display_name: "负责人".into(),
                password: PASSWORD.into(),
                role: "organization_manager".into(),
                area: "341002002001".into(),
                organization_id: Some(id.clone()),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let m = t.login("manager2").await;
    let (st, page) = m.get(&format!("/organizations/{id}")).await;
    assert_eq!(st, StatusCode::OK, "a manager sees their own organization");
    assert!(page.contains(
        "action=\"/organizations/{id}/disclosures\""
            .replace("{id}", &id)
            .as_str()
    ));
    let (st, body) = m
        .post(
            &format!("/organizations/{id}/disclosures"),
            &[
                ("kind", "fee"),
                ("title", "2026 年度会费"),
                ("body", ""),
                ("occurred_on", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("请填写内容") && body.contains("value=\"2026 年度会费\""));
    let (st, _) = m
        .post(
            &format!("/organizations/{id}/disclosures"),
            &[
                ("kind", "fee"),
                ("title", "2026 年度会费"),
                ("body", "每人每年 20 元"),
                ("occurred_on", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _) = m
        .post(
            &format!("/organizations/{id}/incubations"),
            &[("incubator", "屯溪区孵化园"), ("started_on", "2025-01-01")],
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "incubation is recorded by the managing authority"
    );
    let ts = t.login("township").await;
    let (st, body) = ts
        .post(
            &format!("/organizations/{id}/incubations"),
            &[
                ("incubator", "屯溪区孵化园"),
                ("started_on", "2025-06-01"),
                ("ended_on", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("出孵日期不能早于入孵日期"));
    let (st, _, _) = ts.api(reqwest::Method::POST, &format!("/api/v1/organizations/{id}/incubations"), Some(json!({"incubator": "屯溪区孵化园", "started_on": "2025-06-01", "ended_on": "2026-06-01", "outcome": "出孵并备案"}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, _, body) = ts
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/organizations/{id}"),
            None,
        )
        .await;
    let j: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["incubations"].as_array().unwrap().len(), 1);
    assert_eq!(j["disclosures"][0]["kind"], "fee");
    // The public directory of the community shows it (kind, title and date; no login).
    let public = client()
        .get(format!("{}/public/areas/341002002001", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains("柏树街睦邻中心") && public.contains("2026 年度会费"),
        "{public}"
    );
    let (_, _, body) = ts
        .api(
            reqwest::Method::GET,
            "/api/v1/organizations?incubated=true",
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn organizations_import_all_or_nothing_and_export_within_the_territory() {
    let t = spawn_app().await;
    let s = t.login("township").await;
    let r =
        s.c.get(format!("{}/organizations/template.xlsx", t.base))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let template = app::transfer::read_table(&r.bytes().await.unwrap(), "t.xlsx").unwrap();
    assert_eq!(template.headers, app::org_transfer::COLUMNS.to_vec());
    let header = app::org_transfer::COLUMNS.join(",");
    let bad = format!(
        "{header}\n柏树街互助会,,备案,邻里互助类,341002002001,否,否,,,,\n坏代码协会,53100000500020462H,备案,公益慈善类,341002002001,,,,,,\n不存在社区队,,备案,文体活动类,341002002099,,,,,,\n登记协会,51100000500009247D,登记,公益慈善类,341002002001,,,,,,\n柏树街互助会,,备案,邻里互助类,341002002001,,,,,,\n"
    );
    let upload = |bytes: Vec<u8>, name: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", s.csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        s.c.post(format!("{}/organizations/import", t.base))
            .multipart(form)
            .send()
    };
    let r = upload(bad.clone().into_bytes(), "bad.csv").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    for want in [
        "<td>3</td><td>统一社会信用代码</td>",
        "<td>4</td><td>服务区域代码</td>",
        "<td>5</td><td>登记状态</td>",
        "<td>6</td><td>组织名称</td>",
        "未导入任何数据",
    ] {
        assert!(body.contains(want), "{want} in {body}");
    }
    assert!(
        t.db.organizations(&Scope::nation(), &Default::default(), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing applied"
    );
    // A good file in GB18030, twice: the second time changes nothing.
    let good = format!("{header}\n柏树街互助会,,备案,邻里互助类,341002002001,是,否,,,柏树街 1 号,\n跃进路舞蹈队,,备案,文体活动类,341002002002,,,,,,\n");
    let (gb, _, _) = encoding_rs::GB18030.encode(&good);
    for (added, unchanged) in [(2, 0), (0, 2)] {
        let r = upload(gb.to_vec(), "good.csv").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        assert!(
            body.contains(&format!("新增 {added} 个，已存在未变 {unchanged} 个")),
            "{body}"
        );
    }
    // Over the API, an .xlsx body.
    let xlsx = app::transfer::write_xlsx(
        "组织",
        &app::org_transfer::COLUMNS,
        &[vec![
            "杨梅山书画社".into(),
            String::new(),
            "备案".into(),
            "文体活动类".into(),
            "341002002003".into(),
        ]],
    )
    .unwrap();
    let r =
        s.c.post(format!(
            "{}/api/v1/organizations/import?filename=a.xlsx",
            t.base
        ))
        .header("x-csrf-token", &s.csrf)
        .body(xlsx)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["added"], 1);
    // Each imported organization has its own audit event, linked into the chain.
    assert!(matches!(
        t.app.verify_audit().await.unwrap(),
        store::audit::ChainReport::Ok { .. }
    ));
    let imported: i64 = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'organization.create' AND after_summary LIKE '%\"import\"%'")
            .fetch_one(c)
            .await
            .unwrap()
    });
    assert_eq!(imported, 3);
    // A 歙县 organization, then exports: each territory sees its own.
    t.app
        .create_organization(
            &officer(Role::TownshipOfficer, "341021100"),
            &filed_org("歙县徽城协会", "341021100201"),
            &Ctx::default(),
        )
        .await
        .unwrap();
    let r =
        s.c.get(format!("{}/organizations/export?format=csv", t.base))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("柏树街互助会") && csv.contains("杨梅山书画社")
    );
    assert!(!csv.contains("歙县"), "only the township's own ledger");
    let r =
        s.c.get(format!("{}/organizations/export?format=xlsx", t.base))
            .send()
            .await
            .unwrap();
    let table = app::transfer::read_table(&r.bytes().await.unwrap(), "e.xlsx").unwrap();
    assert_eq!(table.rows.len(), 3);
    let r =
        s.c.get(format!(
            "{}/organizations/export?format=gb18030&q=%E8%B7%83",
            t.base
        ))
        .send()
        .await
        .unwrap();
    let table = app::transfer::read_table(&r.bytes().await.unwrap(), "e.csv").unwrap();
    assert_eq!(table.rows.len(), 1, "filters apply to exports");
    let resident = t.login("resident").await;
    let (st, _) = resident.get("/organizations/export?format=csv").await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "a refusal is an error, not an empty file"
    );
}

// ---------- social work ----------

#[tokio::test]
async fn social_workers_identity_numbers_are_encrypted_masked_and_never_repeated() {
    let t = spawn_app().await;
    let s = t.login("township").await;
    let (st, _) = s
        .post(
            "/platforms",
            &[
                ("kind", "station"),
                ("name", "柏树街社区社工站"),
                ("area", "341002002001"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, body) = s
        .post(
            "/platforms",
            &[
                ("kind", "station"),
                ("name", "重复的站"),
                ("area", "341002002001"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "one station per community");
    assert!(body.contains("每个社区一个站"));
    let (_, _, body) = s.api(reqwest::Method::GET, "/api/v1/platforms", None).await;
    let station = serde_json::from_str::<Value>(&body).unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A bad identity number: the reason, but the number is not sent back.
    let form = [
        ("name", "周婷"),
        ("id_number", "110101202311012171"),
        ("certificate_level", "assistant"),
        ("certificate_number", "ZS2024001"),
        ("certificate_date", "2024-06-30"),
        ("area", "341002002001"),
    ];
    let (st, body) = s.post("/social-workers", &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("校验位错误")
            && !body.contains("110101202311012171")
            && body.contains("value=\"ZS2024001\"")
    );
    let mut ok = form;
    ok[1] = ("id_number", "11010519491231002x");
    let (st, _) = s.post("/social-workers", &ok).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = s.api(reqwest::Method::POST, "/api/v1/social-workers", Some(json!({"name": "另一人", "id_number": "11010519491231002X", "certificate_level": "aide", "area": "341002002001"}))).await;
    assert_eq!(st, StatusCode::CONFLICT, "found by the keyed hash: {body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["errors"][0]["field"],
        "id_number"
    );
    let (_, list) = s.get("/social-workers").await;
    assert!(list.contains("110105********002X") && !list.contains("11010519491231002X"));
    let (_, _, body) = s
        .api(reqwest::Method::GET, "/api/v1/social-workers", None)
        .await;
    assert!(!body.contains("19491231"));
    let worker = serde_json::from_str::<Value>(&body).unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // At rest: only ciphertext and a keyed hash.
    let stored: String = store::on_pool!(&t.db, c => {
        sqlx::query_scalar("SELECT id_cipher || '|' || id_lookup || '|' || id_masked FROM social_workers").fetch_one(c).await.unwrap()
    });
    assert!(!stored.contains("19491231"), "{stored}");
    let audit =
        t.db.audit_events(&Scope::nation(), &Default::default(), 500)
            .await
            .unwrap();
    assert!(
        audit
            .iter()
            .all(|e| !format!("{:?}", e.record).contains("19491231")),
        "never in the audit log"
    );
    // Not eligible for the allowance until in a post; the station meets the standard once it has one.
    let (_, _, body) = s
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/social-workers/{worker}"),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["allowance_eligible"],
        false
    );
    let (_, page) = s.get(&format!("/platforms/{station}")).await;
    assert!(page.contains("未达标"), "no post yet");
    let (st, _) = s
        .post(
            &format!("/platforms/{station}/posts"),
            &[
                ("social_worker_id", &worker),
                ("title", "驻站社工"),
                ("started_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = s.get(&format!("/platforms/{station}")).await;
    assert!(page.contains("达标（黄山市 2020"), "{page}");
    let (_, _, body) = s
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/social-workers/{worker}"),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["allowance_eligible"],
        true
    );
    let (st, _) = s
        .post(
            &format!("/social-workers/{worker}/trainings"),
            &[
                ("name", "社区社会工作实务"),
                ("organizer", "黄山市民政局"),
                ("held_on", "2025-09-10"),
                ("hours", "16"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = s.get(&format!("/social-workers/{worker}")).await;
    assert!(page.contains("社区社会工作实务") && page.contains("16 学时"));
    // A community officer may read but not change the ledger.
    let c = t.login("community").await;
    let (st, _) = c
        .post(
            &format!("/social-workers/{worker}/trainings"),
            &[
                ("name", "x"),
                ("organizer", "y"),
                ("held_on", "2025-09-10"),
                ("hours", "1"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_community_officer_keeps_the_talent_ledger_and_its_pool_by_page_and_api() {
    let t = spawn_app().await;
    let c = t.login("community").await;
    // A bad form keeps what was typed and names the fields in Chinese.
    let (st, body) = c
        .post(
            "/talents",
            &[
                ("name", "汪丽"),
                ("category", "chef"),
                ("area", "341002002001"),
                ("position", "社区党委委员"),
                ("backbone", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("请选择人才类别")
            && body.contains("value=\"社区党委委员\"")
            && body.contains("id=\"backbone\" name=\"backbone\" value=\"on\" checked"),
        "{body}"
    );
    let (st, _) = c
        .post(
            "/talents",
            &[
                ("name", "汪丽"),
                ("category", "party_work"),
                ("area", "341002002001"),
                ("position", "社区党委委员"),
                ("backbone", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // The API: problem+json with field errors, then a created talent.
    let (st, ct, body) = c
        .api(
            reqwest::Method::POST,
            "/api/v1/talents",
            Some(json!({"name": "程浩", "category": "organization_backbone", "area": "3410"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert!(body.contains("\"area\""), "{body}");
    let (st, _, body) = c
        .api(
            reqwest::Method::POST,
            "/api/v1/talents",
            Some(json!({"name": "程浩", "category": "organization_backbone", "area": "341002002001", "backbone": "true"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let cheng = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page) = c.get("/talents").await;
    assert!(page.contains("汪丽") && page.contains("程浩"));
    assert!(page.contains("0 / 2（0%）"), "{page}");
    // A training by the page moves the coverage.
    let (st, _) = c
        .post(
            &format!("/talents/{cheng}/trainings"),
            &[
                ("name", "社区社会组织骨干培训"),
                ("organizer", "屯溪区民政局"),
                ("held_on", "2026-10-12"),
                ("hours", "4.5"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = c.get(&format!("/talents/{cheng}")).await;
    assert!(
        page.contains("社区社会组织骨干培训") && page.contains("4.5 学时"),
        "{page}"
    );
    let (_, _, body) = c.api(reqwest::Method::GET, "/api/v1/talents", None).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["summary"]["pool"], json!({"members": 2, "trained": 1}));
    // Leaving the pool by the API.
    let (st, _, body) = c
        .api(
            reqwest::Method::PUT,
            &format!("/api/v1/talents/{cheng}/backbone"),
            Some(json!({"backbone": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["backbone"],
        false
    );
    let (_, page) = c.get("/talents?backbone=true").await;
    assert!(page.contains("汪丽") && !page.contains("程浩"));
    // An organization manager reads the register of their area only through the registry role:
    // a resident cannot change it.
    let r = t.login("resident").await;
    let (st, _) = r
        .post(
            &format!("/talents/{cheng}/backbone"),
            &[("backbone", "true")],
        )
        .await;
    assert!(
        st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND,
        "{st}"
    );
}

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

/// The demonstration manager's organization (the http tests seed accounts, not the ledger).
async fn demo_org(t: &TestApp) {
    let org = domain::registry::Organization {
        name: "柏树街社区邻里守望互助会".into(),
        uscc: None,
        legal_form: None,
        registration_status: domain::registry::RegistrationStatus::Filed,
        category: domain::registry::OrgCategory::MutualAid,
        area: AreaCode::parse("341002002001").unwrap(),
        is_hub: false,
        is_brand: false,
        grade: None,
        grade_date: None,
        address: String::new(),
        description: String::new(),
    };
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_organization("3410", app::demo::DEMO_ORG_ID, &org, &store::time::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_community_lists_items_the_township_approves_and_staffing_gates_eligibility() {
    let t = spawn_app().await;
    demo_org(&t).await;
    let community = t.login("community").await;
    // A refused item keeps what was typed.
    let (st, page) = community
        .post(
            "/catalogue",
            &[
                ("name", ""),
                ("community", "341002002001"),
                ("description", "上门助洁、助浴"),
                ("social_work", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("请填写服务事项名称") && page.contains("上门助洁、助浴"),
        "{page}"
    );
    let (st, _) = community
        .post(
            "/catalogue",
            &[
                ("name", "居家养老上门服务"),
                ("community", "341002002001"),
                ("description", "上门助洁、助浴"),
                ("social_work", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = community
        .api(reqwest::Method::GET, "/api/v1/catalogue", None)
        .await;
    let item = serde_json::from_str::<Value>(&body).unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A resident cannot add items; the organization cannot apply before the township approves.
    let resident = t.login("resident").await;
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/catalogue",
            Some(json!({"community": "341002002001", "name": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let manager = t.login("orgmanager").await;
    let (st, _, body) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/eligibilities"),
            Some(json!({"organization_id": app::demo::DEMO_ORG_ID})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("item_not_approved"), "{body}");
    // The community itself cannot approve; the township returns without a reason: refused.
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/review"),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let township = t.login("township").await;
    let work = |body: String| -> Vec<String> {
        serde_json::from_str::<Value>(&body).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["review_item"], "the township's work list");
    let (_, page) = township.get("/").await;
    assert!(page.contains("审核服务事项：居家养老上门服务"), "{page}");
    let (st, _, body) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/review"),
            Some(json!({"decision": "reject", "reason": ""})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (st, _) = township
        .post(
            &format!("/catalogue/{item}/review"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // The manager applies by the page; once only.
    let (_, page) = manager.get(&format!("/catalogue/{item}")).await;
    assert!(page.contains("申请承接资格"), "{page}");
    let (st, _) = manager
        .post(
            &format!("/catalogue/{item}/eligibilities"),
            &[("organization_id", app::demo::DEMO_ORG_ID)],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/catalogue/{item}/eligibilities"),
            Some(json!({"organization_id": app::demo::DEMO_ORG_ID})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("already_applied"), "{body}");
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["decide_eligibility"]);
    let (_, _, body) = manager
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(work(body), ["awaiting_eligibility"]);
    // Without professional staff the township needs a written reason to approve.
    let (_, _, body) = township
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/catalogue/{item}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["eligibilities"][0]["social_workers"], 0);
    let eligibility = d["eligibilities"][0]["id"].as_str().unwrap().to_string();
    let (st, page) = township
        .post(
            &format!("/eligibilities/{eligibility}/decision"),
            &[
                ("decision", "approve"),
                ("reason", ""),
                ("item_id", item.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("必备条件"), "{page}");
    let (st, _, body) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/eligibilities/{eligibility}/decision"),
            Some(
                json!({"decision": "approve", "reason": "已签约两名持证社工，下月到岗，先行通过"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (_, _, body) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/catalogue/{item}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["eligibilities"][0]["status"], "approved");
    assert!(d["eligibilities"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("先行通过"));
    let (_, _, body) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(work(body).is_empty(), "nothing left for the township");
    // Decided once.
    let (st, _, _) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/eligibilities/{eligibility}/decision"),
            Some(json!({"decision": "reject", "reason": "改变主意了"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// The demonstration organization with an approved eligibility on a social-work item of 柏树街
/// (approved by override: it has no social workers yet): (item id, eligibility id).
async fn approved_eligibility(t: &TestApp) -> (String, String) {
    demo_org(t).await;
    let (item, eligibility) =
        item_with_eligibility(t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    (item, eligibility)
}

async fn approve(t: &TestApp, eligibility: &str) {
    t.app
        .decide_eligibility(
            &officer(Role::TownshipOfficer, "341002002"),
            eligibility,
            &app::catalogue::DecisionForm {
                decision: "approve".into(),
                reason: "社工已签约，下月到岗，先行通过".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
}

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
    let project = list["projects"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["projects"][0]["budget_fen"], 4_400_050);
    assert_eq!(list["projects"][0]["stage"], "draft");
    assert!(
        list["can_write"].as_array().unwrap().is_empty(),
        "one application per eligibility"
    );
    // A second application on the same eligibility is refused.
    let (st, _, b) = manager
        .api(reqwest::Method::POST, "/api/v1/projects", Some(body))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("already_written"), "{b}");
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
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/versions"),
            Some(rev.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("stale_version"), "{b}");
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

/// A submitted application of the demonstration organization in 柏树街: the project id.
async fn submitted_project(t: &TestApp) -> String {
    let (_item, eligibility) = approved_eligibility(t).await;
    approve(t, &eligibility).await;
    let (_, worker, _) =
        platform_with_worker(t, "341002002", "昱东街道社工站", "11010519491231002X").await;
    let manager = t.actor("orgmanager").await;
    let new = app::project::NewApplication {
        eligibility_id: eligibility,
        form: application_form(&manager.user_id, &worker, ""),
    };
    let id = t
        .app
        .create_project(&manager, &new, &Ctx::default())
        .await
        .unwrap();
    t.app
        .submit_application(&manager, &id, &Ctx::default())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_consultation_records_attendance_and_comments_and_its_signed_minutes_cannot_change() {
    let t = spawn_app().await;
    let project = submitted_project(&t).await;
    let community = t.login("community").await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/consultations", None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["submitted"][0]["id"],
        json!(project)
    );
    // A refused form keeps what was typed and names the field.
    let (st, page) = community
        .post(
            "/consultations",
            &[
                ("community", "341002002001"),
                ("title", "2027 年度项目恳谈会"),
                ("held_on", "十二月十日"),
                ("place", "柏树街社区议事厅"),
                ("projects", project.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("YYYY-MM-DD") && page.contains("2027 年度项目恳谈会"),
        "{page}"
    );
    // Residents do not convene.
    let resident = t.login("resident").await;
    let body = json!({"community": "341002002001", "title": "恳谈会", "held_on": "2026-12-10", "place": "议事厅", "projects": project});
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/consultations",
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, b) = community
        .api(reqwest::Method::POST, "/api/v1/consultations", Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let meeting = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let api = |path: &str| format!("/api/v1/consultations/{meeting}/{path}");
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("attendees"),
            Some(json!({"role": "representative", "name": "赵秀英"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let signed = json!({"recorder": "李娜", "chair": "张伟", "summary": "与会人员同意助餐项目，建议压缩食材补贴。"});
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("freeze"), Some(signed.clone()))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("no_supervisory_council"), "{b}");
    let (st, _) = community
        .post(
            &format!("/consultations/{meeting}/attendees"),
            &[("role", "supervisory_council"), ("name", "王建国")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // A comment on something not on the agenda is refused; on the application it is recorded.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("comments"),
            Some(json!({"project_id": "3410-other", "speaker": "王建国", "role": "supervisory_council", "comment": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, _) = community
        .post(
            &format!("/consultations/{meeting}/comments"),
            &[
                ("project_id", project.as_str()),
                ("speaker", "王建国"),
                ("role", "supervisory_council"),
                ("comment", "食材补贴偏高"),
                ("requested_change", "压缩到 3 万元"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // Unsigned minutes do not freeze; signed ones do, and the application becomes consulted.
    let (st, page) = community
        .post(
            &format!("/consultations/{meeting}/freeze"),
            &[("recorder", "李娜"), ("chair", ""), ("summary", "同意")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("主持人签名") && page.contains("李娜"),
        "{page}"
    );
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("freeze"), Some(signed.clone()))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let manager = t.login("orgmanager").await;
    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["project"]["stage"], "consulted");
    assert_eq!(d["comments"][0][0]["requested_change"], "压缩到 3 万元");
    let (_, page) = manager.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("压缩到 3 万元") && page.contains("已恳谈"),
        "{page}"
    );
    // Frozen: nothing changes by any route, and the database itself refuses.
    for (path, body) in [
        ("attendees", json!({"role": "resident", "name": "迟到的人"})),
        (
            "comments",
            json!({"project_id": project, "speaker": "x", "role": "resident", "comment": "补充"}),
        ),
        ("freeze", signed),
    ] {
        let (st, _, b) = community
            .api(reqwest::Method::POST, &api(path), Some(body))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{path}: {b}");
        assert!(b.contains("minutes_frozen"), "{path}: {b}");
    }
    let (_, page) = community.get(&format!("/consultations/{meeting}")).await;
    assert!(
        page.contains("会议纪要已签字封存") && !page.contains("id=\"add-comment\""),
        "{page}"
    );
    for sql in [
        format!("UPDATE consultations SET summary = 'x' WHERE id = '{meeting}'"),
        format!("DELETE FROM consultation_entries WHERE consultation_id = '{meeting}'"),
        format!("INSERT INTO consultation_entries (tenant_id, id, consultation_id, kind, role, name, recorded_by, recorded_at) VALUES ('3410', '3410-late', '{meeting}', 'attendee', 'resident', 'x', 'x', 'x')"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database let frozen minutes change: {sql}");
    }
    // The organization revises after the consultation (a new version).
    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    let mut rev = serde_json::to_value(application_form(
        d["project"]["lead_user_id"].as_str().unwrap(),
        d["current"]["content"]["social_workers"][0]
            .as_str()
            .unwrap(),
        "",
    ))
    .unwrap();
    rev["budget"] = json!("食材补贴|30000\n场地改造|8000.50");
    rev["based_on"] = json!("1");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/versions"),
            Some(rev),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}

/// A consulted application: submitted, then discussed at a meeting whose minutes are frozen.
async fn consulted_project(t: &TestApp) -> String {
    let project = submitted_project(t).await;
    let officer = t.actor("community").await;
    let ctx = Ctx::default();
    let meeting = t
        .app
        .convene_consultation(
            &officer,
            &domain::chain::consultation::ConsultationForm {
                community: "341002002001".into(),
                title: "恳谈会".into(),
                held_on: "2026-12-10".into(),
                place: "议事厅".into(),
                projects: project.clone(),
            },
            &ctx,
        )
        .await
        .unwrap();
    for (role, name) in [
        ("supervisory_council", "王建国"),
        ("representative", "赵秀英"),
    ] {
        t.app
            .record_attendee(
                &officer,
                &meeting,
                &domain::chain::consultation::AttendeeForm {
                    role: role.into(),
                    name: name.into(),
                },
                &ctx,
            )
            .await
            .unwrap();
    }
    t.app
        .freeze_consultation(
            &officer,
            &meeting,
            &domain::chain::consultation::FreezeForm {
                recorder: "李娜".into(),
                chair: "张伟".into(),
                summary: "同意提交表决。".into(),
            },
            &ctx,
        )
        .await
        .unwrap();
    project
}

async fn cast(path: &str, s: &Session, choice: &str) -> (StatusCode, String, String) {
    s.api(
        reqwest::Method::POST,
        path,
        Some(json!({ "choice": choice })),
    )
    .await
}

/// Resident representatives of 柏树街 besides the demonstration one.
async fn more_representatives(t: &TestApp, logins: &[&'static str]) {
    for login in logins {
        t.app
            .create_user(
                None,
                &UserForm {
                    login: (*login).into(),
                    display_name: format!("居民代表 {login}"),
                    password: PASSWORD.into(),
                    role: "representative".into(),
                    area: "341002002001".into(),
                    organization_id: None,
                },
                &Ctx::default(),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn representatives_vote_once_with_recusal_and_quorum_and_the_sealed_result_moves_the_application(
) {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3", "rep4"]).await;
    // A member of the applying organization who is also a representative.
    let member = t.actor("orgmember").await.user_id;
    t.app
        .assign_role(
            &officer(Role::SystemAdministrator, "3410"),
            &member,
            &app::identity::RoleForm {
                role: "representative".into(),
                area: "341002002001".into(),
                organization_id: None,
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let community = t.login("community").await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/votes", None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["consulted"][0]["id"],
        json!(project)
    );
    let (st, _) = community
        .post(
            "/votes",
            &[
                ("community", "341002002001"),
                ("title", "2027 年度居民代表会议"),
                ("held_on", "2026-12-20"),
                ("projects", project.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/votes", None)
        .await;
    let list: Value = serde_json::from_str(&b).unwrap();
    let vote = list["meetings"][0]["id"].as_str().unwrap().to_string();
    assert!(
        list["consulted"].as_array().unwrap().is_empty(),
        "the application is now being voted on"
    );
    // The roster is the snapshot at opening: a representative added later is not on it.
    more_representatives(&t, &["late"]).await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["meeting"]["roster_size"], 5, "{b}");
    assert_eq!(
        d["motions"][0]["recused"][0][1], "applicant_organization",
        "{b}"
    );
    let uid = |login: &'static str| {
        let t = &t;
        async move { t.actor(login).await.user_id }
    };
    let (rep, rep2, rep3) = (
        uid("representative").await,
        uid("rep2").await,
        uid("rep3").await,
    );
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    let representative = t.login("representative").await;
    let (st, _, b) = cast(&ballot, &representative, "yes").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("not_present"), "{b}");
    // Two present of five: no quorum, sealing is refused and changes nothing.
    let attendance = |present: Vec<&str>| json!({ "present": present.join(",") });
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(attendance(vec![&rep, &rep2])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let seal = format!("/api/v1/votes/{vote}/motions/{project}/seal");
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("no_quorum") && b.contains("法定人数"), "{b}");
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(attendance(vec![&rep, &rep2, &member])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // The recused member cannot vote; an absent representative cannot either.
    let orgmember = t.login("orgmember").await;
    let (st, _, b) = cast(&ballot, &orgmember, "yes").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("recused") && b.contains("属申请方组织"), "{b}");
    let r3 = t.login("rep3").await;
    let (st, _, b) = cast(&ballot, &r3, "no").await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("not_present"),
        "{b}"
    );
    let _ = rep3;
    // The page's buttons work; a second ballot is refused.
    let (_, page) = representative.get(&format!("/votes/{vote}")).await;
    assert!(page.contains("class=\"vote-yes\""), "{page}");
    let (st, _) = representative
        .post(
            &format!("/votes/{vote}/motions/{project}/ballots"),
            &[("choice", "yes")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, b) = cast(&ballot, &representative, "no").await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("already_voted"),
        "{b}"
    );
    // Eight simultaneous ballots by one representative count once.
    let r2 = t.login("rep2").await;
    let (_, _, b) = r2.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(
        b.contains("cast_vote"),
        "the vote waits on rep2's work list: {b}"
    );
    let results = futures_util::future::join_all((0..8).map(|_| cast(&ballot, &r2, "yes"))).await;
    let accepted = results
        .iter()
        .filter(|(st, _, _)| *st == StatusCode::NO_CONTENT)
        .count();
    assert_eq!(
        accepted,
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(results
        .iter()
        .all(|(st, _, _)| *st == StatusCode::NO_CONTENT || *st == StatusCode::CONFLICT));
    // A paper count cannot replace electronic ballots; a representative cannot seal.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/paper"),
            Some(json!({"yes": "2", "no": "0", "abstain": "0", "counter": "李娜"})),
        )
        .await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("electronic_ballots"),
        "{b}"
    );
    let (st, _, _) = representative.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            tally["present"].as_u64(),
            tally["recused"].as_u64(),
            tally["entitled"].as_u64(),
            tally["yes"].as_u64(),
            tally["passed"].as_bool()
        ),
        (Some(3), Some(1), Some(2), Some(2), Some(true)),
        "{b}"
    );
    let (_, _, b) = community
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["project"]["stage"],
        "passed"
    );
    let (_, page) = community.get(&format!("/votes/{vote}")).await;
    assert!(
        page.contains("表决通过") && page.contains("同意 2"),
        "{page}"
    );
    // Sealed: no ballot, no second seal, no change in the database.
    let (st, _, b) = cast(&ballot, &r3, "no").await;
    assert!(st == StatusCode::CONFLICT, "{b}");
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert!(st == StatusCode::CONFLICT && b.contains("sealed"), "{b}");
    for sql in [
        format!("INSERT INTO vote_ballots (tenant_id, meeting_id, project_id, user_id, choice, cast_at) VALUES ('3410', '{vote}', '{project}', '{rep3}', 'no', 'x')"),
        format!("UPDATE vote_motions SET tally = NULL WHERE meeting_id = '{vote}'"),
        format!("UPDATE vote_meetings SET rules = '{{}}' WHERE id = '{vote}'"),
        format!("DELETE FROM vote_ballots WHERE meeting_id = '{vote}'"),
        format!("DELETE FROM vote_recusals WHERE meeting_id = '{vote}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database let a sealed vote change: {sql}");
    }
}

#[tokio::test]
async fn the_township_decides_with_reasons_and_simultaneous_purchases_never_overdraw_a_fund() {
    let t = spawn_app().await;
    demo_org(&t).await;
    // Eight passed applications of 柏树街, each with a budget of 44,000.50 yuan.
    let mut projects = Vec::new();
    for _ in 0..8 {
        let (item, eligibility) =
            item_with_eligibility(&t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
        let p = project_on(
            &t,
            &item,
            &eligibility,
            app::demo::DEMO_ORG_ID,
            "341002002001",
        )
        .await;
        let mut tx = t.db.begin().await.unwrap();
        tx.move_stage(
            "3410",
            &p,
            domain::chain::stage::Stage::Draft,
            domain::chain::stage::Stage::Passed,
            &store::time::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        projects.push(p);
    }
    let township = t.login("township").await;
    // A fund of the township: the form keeps what was typed when refused.
    let (st, page) = township
        .post(
            "/funds",
            &[
                ("area", "341002002"),
                ("name", "2027 年社区服务专项资金"),
                ("source", ""),
                ("year", "2027"),
                ("budget", "100000"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("请选择资金来源") && page.contains("2027 年社区服务专项资金"),
        "{page}"
    );
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            "/api/v1/funds",
            Some(json!({"area": "341002002", "name": "2027 年社区服务专项资金", "source": "special", "year": "2027", "budget": "100000"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let fund = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The community officer cannot decide; a decision without reasons is refused.
    let community = t.login("community").await;
    let decide = |p: &str| format!("/api/v1/projects/{p}/purchase");
    let buy = json!({"decision": "buy", "reason": "居民代表会议通过，需求迫切", "fund_id": fund, "amount": "30000"});
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &decide(&projects[0]),
            Some(buy.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            &decide(&projects[0]),
            Some(json!({"decision": "buy", "reason": "", "fund_id": fund, "amount": "50000"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("over_budget") && b.contains("reason"), "{b}");
    let (_, _, b) = township
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert_eq!(b.matches("decide_purchase").count(), 8, "{b}");
    // Eight decisions at once, 30,000 yuan each, on a fund of 100,000: exactly three pass.
    let calls = projects.iter().map(|p| {
        let (path, body, s) = (decide(p), buy.clone(), &township);
        async move { s.api(reqwest::Method::POST, &path, Some(body)).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    let short: Vec<&String> = results
        .iter()
        .filter(|r| r.0 == StatusCode::CONFLICT)
        .map(|r| &r.2)
        .collect();
    assert_eq!(
        (ok, short.len()),
        (3, 5),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(
        short
            .iter()
            .all(|b| b.contains("insufficient_funds") && b.contains("余额不足")),
        "{short:?}"
    );
    let f = t.db.fund("3410", &fund).await.unwrap().unwrap();
    assert_eq!(f.balance_fen, 1_000_000, "100,000 − 3 × 30,000 yuan");
    let moved: i64 =
        t.db.fund_movements("3410", &fund)
            .await
            .unwrap()
            .iter()
            .map(|m| m.amount_fen)
            .sum();
    assert_eq!(moved, f.balance_fen, "the movements explain the balance");
    // The others stay passed; one is declined, with reasons, through the page.
    let waiting: Vec<&String> = projects
        .iter()
        .filter(|p| results[projects.iter().position(|q| q == *p).unwrap()].0 != StatusCode::OK)
        .collect();
    let (_, page) = township.get(&format!("/projects/{}", waiting[0])).await;
    assert!(
        page.contains("决定购买") && page.contains("余额 10,000.00 元"),
        "{page}"
    );
    let (st, _) = township
        .post(
            &format!("/projects/{}/purchase", waiting[0]),
            &[
                ("decision", "decline"),
                ("reason", "资金不足，列入下一年度计划"),
                ("fund_id", ""),
                ("amount", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = township.get(&format!("/projects/{}", waiting[0])).await;
    assert!(
        page.contains("决定不予购买")
            && page.contains("列入下一年度计划")
            && page.contains("街道决定不予购买"),
        "{page}"
    );
    let bought = &projects[results.iter().position(|r| r.0 == StatusCode::OK).unwrap()];
    let (_, _, b) = township
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{bought}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            d["project"]["stage"].as_str(),
            d["purchase"]["amount_fen"].as_i64()
        ),
        (Some("purchased"), Some(3_000_000))
    );
    // Decided once; the record cannot change.
    let (st, _, _) = township
        .api(reqwest::Method::POST, &decide(bought), Some(buy))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The contract: tranches must add up to the amount bought; the page keeps what was typed.
    let contract = [
        ("starts_on", "2027-01-01"),
        ("ends_on", "2027-12-31"),
        ("deliverables", "每周上门服务 20 户"),
        ("acceptance_criteria", "服务户数和满意度达到申请书目标"),
        ("signed_on", "2026-12-28"),
        ("purchaser_signatory", "陈干事"),
        ("provider_signatory", "赵晴"),
        ("tranches", "签约|9000\n中期评估|9000\n验收|10000"),
    ];
    let (st, page) = township
        .post(&format!("/projects/{bought}/contract"), &contract)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("应等于购买金额 30,000.00 元") && page.contains("每周上门服务 20 户"),
        "{page}"
    );
    let mut body: serde_json::Map<String, Value> = contract
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    body.insert(
        "tranches".into(),
        json!("签约|9000\n中期评估|9000\n验收|12000"),
    );
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body.clone())),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "only the township records the contract: {b}"
    );
    let (st, _, b) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body.clone())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["project"]["stage"], "contracted");
    assert_eq!(
        d["contract"]["tranches"][2]["milestone"],
        "final_acceptance"
    );
    let (st, _, _) = township
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{bought}/contract"),
            Some(Value::Object(body)),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    for sql in [
        format!("UPDATE contracts SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("UPDATE tranches SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("UPDATE purchase_decisions SET amount_fen = 1 WHERE project_id = '{bought}'"),
        format!("DELETE FROM fund_movements WHERE fund_id = '{fund}'"),
        format!("UPDATE funds SET balance_fen = -1 WHERE id = '{fund}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database allowed: {sql}");
    }
}

#[tokio::test]
async fn a_paper_count_signed_by_its_counter_decides_a_motion() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3"]).await;
    let community = t.login("community").await;
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            "/api/v1/votes",
            Some(json!({"community": "341002002001", "title": "居民代表会议", "held_on": "2026-12-20", "projects": project})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let vote = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    let roster: Vec<String> = serde_json::from_str::<Value>(&b).unwrap()["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roster.len(), 3);
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(json!({"present": roster.join(",")})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let paper = format!("/votes/{vote}/motions/{project}/paper");
    // More ballots than representatives entitled, or no counter's signature: refused, typed kept.
    let (st, page) = community
        .post(
            &paper,
            &[
                ("yes", "3"),
                ("no", "1"),
                ("abstain", "0"),
                ("counter", "李娜"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("超过出席且有表决权的代表人数 3") && page.contains("value=\"李娜\""),
        "{page}"
    );
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1{paper}"),
            Some(json!({"yes": "2", "no": "1", "abstain": "0", "counter": " "})),
        )
        .await;
    assert!(
        st == StatusCode::UNPROCESSABLE_ENTITY && b.contains("counter"),
        "{b}"
    );
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1{paper}"),
            Some(json!({"yes": "2", "no": "1", "abstain": "0", "counter": "李娜"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // Once counted on paper, nobody votes electronically and the count is not entered twice.
    let representative = t.login("representative").await;
    let (st, _, b) = cast(
        &format!("/api/v1/votes/{vote}/motions/{project}/ballots"),
        &representative,
        "no",
    )
    .await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("paper_counted"),
        "{b}"
    );
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1{paper}"),
            Some(json!({"yes": "1", "no": "2", "abstain": "0", "counter": "李娜"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            tally["yes"].as_u64(),
            tally["no"].as_u64(),
            tally["passed"].as_bool()
        ),
        (Some(2), Some(1), Some(true))
    );
    let (_, page) = community.get(&format!("/votes/{vote}")).await;
    assert!(page.contains("纸质计票，计票人 李娜"), "{page}");
}

/// Digit runs of a page that look like an identity number (18 characters, the last may be X) or a
/// mobile number (11 digits starting 13–19).
fn personal_numbers(page: &str) -> Vec<String> {
    let chars: Vec<char> = page.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let mut run: String = chars[start..i].iter().collect();
            if run.len() == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
                run.push('X');
            }
            let phone = run.len() == 11 && run.starts_with('1') && run.as_bytes()[1] >= b'3';
            // A number a person wrote stands alone; digits inside an identifier (the hex of a
            // record id, `3410-01a2…`) are not one.
            let end = start + run.len();
            let alone = (start == 0 || !chars[start - 1].is_ascii_alphanumeric())
                && chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
            if alone && (run.len() == 18 || phone) {
                out.push(run);
            }
        } else {
            i += 1;
        }
    }
    out
}

#[tokio::test]
async fn the_public_site_shows_the_demonstration_without_any_personal_data() {
    let t = spawn_app().await;
    t.app.seed_demo_ledger().await.unwrap();
    // Everyone personal the demonstration knows: accounts, volunteers, social workers.
    let mut names: Vec<String> = Vec::new();
    for (u, _) in t.db.users_in_scope(&Scope::nation(), 1000).await.unwrap() {
        names.push(u.display_name.clone());
        if let Some((_, given)) = u.display_name.split_once(' ') {
            names.push(given.to_string());
        }
    }
    for v in
        t.db.volunteers(&Scope::nation(), None, None, 10_000)
            .await
            .unwrap()
    {
        names.push(v.volunteer.name.clone());
    }
    let today = today_text();
    for w in
        t.db.social_workers(&Scope::nation(), &today, None, None, 10_000)
            .await
            .unwrap()
    {
        names.push(w.name.clone());
    }
    names.retain(|n| n.chars().count() >= 2);
    names.sort();
    names.dedup();
    assert!(names.len() > 10, "{names:?}");
    assert!(
        names.iter().any(|n| n == "郑阿姨"),
        "the demonstration resident is among them"
    );
    assert_eq!(
        personal_numbers("身份证 11010519491231002X 电话 13912345678 区划 341002002001 金额 36000"),
        ["11010519491231002X", "13912345678"],
        "the scan finds what it looks for"
    );
    assert!(
        personal_numbers("/public/calls/3410-01a2c16913582552f7e8").is_empty(),
        "digits inside an id are not a phone number"
    );
    // Crawl every public page of Huangshan without logging in.
    let c = client();
    let mut queue = vec!["/public".to_string(), "/public/areas/3410".to_string()];
    let mut seen = std::collections::HashSet::new();
    let (mut pages, mut projects, mut calls) = (0, 0, Vec::new());
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let page = r.text().await.unwrap();
        pages += 1;
        projects += usize::from(path.starts_with("/public/projects/"));
        if let Some(id) = path.strip_prefix("/public/calls/") {
            calls.push(id.to_string());
        }
        let numbers = personal_numbers(&page);
        assert!(numbers.is_empty(), "{path} shows {numbers:?}");
        for n in &names {
            assert!(!page.contains(n.as_str()), "{path} shows the name {n}");
        }
        for link in page
            .split("href=\"")
            .skip(1)
            .filter_map(|x| x.split('"').next())
        {
            // Huangshan's pages and the projects; the rest of the country has no demonstration.
            if link.starts_with("/public/areas/3410")
                || link.starts_with("/public/projects/")
                || link.starts_with("/public/calls/")
            {
                queue.push(link.to_string());
            }
        }
    }
    assert!(pages > 800, "crawled {pages} pages");
    assert!(
        projects >= 16,
        "every demonstration project has a public page ({projects})"
    );
    // The city's whole package, streamed: every call once and every project not awarded by a
    // call once, with the bids extension listed.
    let r = c
        .get(format!("{}/api/v1/public/ocds/3410", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pkg: Value = r.json().await.unwrap();
    let releases = pkg["releases"].as_array().unwrap();
    let call_releases = releases.iter().filter(|r| r.get("bids").is_some()).count();
    assert_eq!(call_releases, 4);
    let projects_in_db =
        t.db.projects(&Scope::nation(), None, None, None, 1000)
            .await
            .unwrap();
    let own = projects_in_db
        .iter()
        .filter(|p| p.call_id.is_none())
        .count();
    assert_eq!(releases.len(), own + 4, "{} releases", releases.len());
    let mut ocids: Vec<&str> = releases
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    ocids.sort();
    ocids.dedup();
    assert_eq!(ocids.len(), releases.len(), "one release per process");
    assert_eq!(pkg["extensions"][0], app::ocds::BIDS_EXTENSION);
    let r = c
        .get(format!("{}/api/v1/public/ocds/abc", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The four demonstration calls, each in its own stage, and their public results.
    calls.sort();
    assert_eq!(calls.len(), 4, "{calls:?}");
    let mut stages = Vec::new();
    for id in &calls {
        let v: Value = c
            .get(format!("{}/api/v1/public/calls/{id}", t.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stages.push(v["call"]["stage"].as_str().unwrap().to_string());
        assert!(
            v["applications"].as_array().unwrap().is_empty(),
            "applications stay private"
        );
        assert!(
            v["panel"].as_array().unwrap().is_empty(),
            "members' names stay private"
        );
        if v["call"]["stage"] == "awarded" {
            assert_eq!(v["ranking"].as_array().unwrap().len(), 3, "{v}");
            assert_eq!(v["awards"].as_array().unwrap().len(), 2, "{v}");
            let pkg: Value = c
                .get(format!("{}/api/v1/public/ocds/calls/{id}", t.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let r = &pkg["releases"][0];
            assert_eq!(r["bids"]["details"].as_array().unwrap().len(), 3, "{r}");
            assert_eq!(
                r["bids"]["details"][0]["documents"][0]["documentType"],
                "evaluationReports"
            );
            assert_eq!(
                r["awards"][0]["relatedBid"],
                v["ranking"][0]["application_id"]
            );
            assert_eq!(
                r["contracts"].as_array().unwrap().len(),
                1,
                "the first award is contracted"
            );
            assert_eq!(r["tender"]["status"], "complete");
        }
    }
    stages.sort();
    assert_eq!(stages, ["awarded", "open", "reviewing", "sealed"]);
    // The community page shows what the public should see.
    let (_, page) = (
        (),
        c.get(format!("{}/public/areas/341002002001", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("表决通过")
            && page.contains("验收通过")
            && page.contains("柏树街社区邻里守望互助会"),
        "{page}"
    );
    let api: Value = c
        .get(format!("{}/api/v1/public/areas/341002002001", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(api["projects"].as_array().unwrap().len() >= 16);
    // Open contracting data of the same projects (validated by libcoveocds in CI).
    let closed = api["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["stage"] == "closed")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one: Value = c
        .get(format!("{}/api/v1/public/ocds/projects/{closed}", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = &one["releases"][0];
    assert_eq!(r["ocid"], format!("ocds-sanshe-{closed}"));
    assert_eq!(
        r["tag"],
        json!(["tender", "award", "contract", "implementation"])
    );
    assert_eq!(
        r["awards"][0]["value"],
        json!({"amount": 25000.0, "currency": "CNY"})
    );
    let k = &r["contracts"][0];
    let milestones = k["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), 4, "three tranches and the review");
    assert!(milestones[..3]
        .iter()
        .all(|m| m["type"] == "payment" && m["status"] == "met"));
    assert_eq!(
        (&milestones[3]["type"], &milestones[3]["status"]),
        (&json!("assessment"), &json!("met")),
        "the closed project's review accepted it"
    );
    assert!(milestones[3]["description"]
        .as_str()
        .unwrap()
        .starts_with("评议结论：验收通过"));
    assert_eq!(
        k["implementation"]["transactions"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let roles: Vec<&Value> = r["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["roles"])
        .collect();
    assert_eq!(
        roles,
        [
            &json!(["buyer", "procuringEntity", "payer"]),
            &json!(["tenderer", "supplier", "payee"])
        ]
    );
    let package = c
        .get(format!("{}/api/v1/public/ocds/341002002001", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let parsed: Value = serde_json::from_str(&package).unwrap();
    assert_eq!(parsed["version"], "1.1");
    assert!(parsed["releases"].as_array().unwrap().len() >= 16);
    assert!(personal_numbers(&package).is_empty());
    for n in &names {
        assert!(
            !package.contains(n.as_str()),
            "the OCDS package shows the name {n}"
        );
    }
}

/// A contracted project of the demonstration organization in 柏树街 (bought for 30,000 yuan,
/// tranches 9,000 on signing, 9,000 mid-term and 12,000 on acceptance): the project id.
async fn contracted_project(t: &TestApp) -> String {
    demo_org(t).await;
    let (item, eligibility) =
        item_with_eligibility(t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    let p = project_on(
        t,
        &item,
        &eligibility,
        app::demo::DEMO_ORG_ID,
        "341002002001",
    )
    .await;
    let mut tx = t.db.begin().await.unwrap();
    tx.move_stage(
        "3410",
        &p,
        domain::chain::stage::Stage::Draft,
        domain::chain::stage::Stage::Passed,
        &store::time::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let township = t.actor("township").await;
    let ctx = Ctx::default();
    let fund = t
        .app
        .create_fund(
            &township,
            &domain::chain::purchase::FundForm {
                area: "341002002".into(),
                name: "专项资金".into(),
                source: "special".into(),
                year: "2027".into(),
                budget: "100000".into(),
            },
            &ctx,
        )
        .await
        .unwrap();
    t.app
        .decide_purchase(
            &township,
            &p,
            &domain::chain::purchase::PurchaseForm {
                decision: "buy".into(),
                reason: "表决通过，需求迫切".into(),
                fund_id: fund,
                amount: "30000".into(),
            },
            &ctx,
        )
        .await
        .unwrap();
    t.app
        .sign_contract(
            &township,
            &p,
            &domain::chain::contract::ContractForm {
                starts_on: "2027-01-01".into(),
                ends_on: "2027-12-31".into(),
                deliverables: "每周上门服务 20 户".into(),
                acceptance_criteria: "达到申请书目标".into(),
                signed_on: "2026-12-28".into(),
                purchaser_signatory: "陈干事".into(),
                provider_signatory: "赵晴".into(),
                tranches: "签约|9000\n中期评估|9000\n验收|12000".into(),
            },
            &ctx,
        )
        .await
        .unwrap();
    p
}

#[tokio::test]
async fn delivery_evaluation_by_a_clean_panel_and_the_final_tranche_only_after_acceptance() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let (volunteer, _, _) = volunteer_with_certificate(&t, "341002002001", "志愿者吴昊").await;
    let before =
        t.db.volunteer("3410", &volunteer)
            .await
            .unwrap()
            .unwrap()
            .total_minutes;
    let manager = t.login("orgmanager").await;
    let township = t.login("township").await;
    let community = t.login("community").await;
    let api = |path: &str| format!("/api/v1/projects/{project}/{path}");
    // An activity: a bad volunteer line is named; then its hours become a service record.
    let mut activity = json!({
        "held_on": today_text(), "place": "柏树街社区", "content": "上门助洁 6 户", "served": "6",
        "groups": "special_elderly", "volunteers": format!("{volunteer}|1.33\n{volunteer}"), "recipients": "resident"
    });
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("activities"),
            Some(activity.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("第 2 行"), "{b}");
    activity["volunteers"] = json!(format!("{volunteer}|1.33"));
    let (st, _, b) = manager
        .api(reqwest::Method::POST, &api("activities"), Some(activity))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["project"]["stage"],
        "delivering"
    );
    let after =
        t.db.volunteer("3410", &volunteer)
            .await
            .unwrap()
            .unwrap()
            .total_minutes;
    // 1.33 h is 79 minutes: the record carries the activity's minutes exactly.
    assert_eq!(
        after - before,
        domain::volunteer::parse_hours("1.33").unwrap(),
        "the activity's time is in the volunteer registry, to the minute"
    );
    // Payments: in order, each when its milestone is reached; the final one waits.
    let pay = |seq: i64| api(&format!("tranches/{seq}/payment"));
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("earlier_tranche_unpaid"),
        "{b}"
    );
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(1), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = manager.api(reqwest::Method::POST, &pay(2), None).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the organization does not pay itself: {b}"
    );
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("milestone_not_reached"),
        "{b}"
    );
    // Delivery notes: each kind by its keeper; progress names the application's goals.
    let note = |kind: &str, who: &str, phase: &str, body: &str| json!({"kind": kind, "held_on": today_text(), "who": who, "phase": phase, "body": body});
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "coordination",
                "社区书记、调解员",
                "",
                "协调活动场地和上门时间安排。",
            )),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the committee convenes coordination meetings: {b}"
    );
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "coordination",
                "社区书记、调解员、社区民警",
                "",
                "协调活动场地和上门时间安排，明确安全责任。",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let supervisor = t.login("supervisor").await;
    let (st, _, b) = supervisor
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "supervision",
                "督导 许老师",
                "",
                "建议建立个案记录，按月回访服务对象。",
            )),
        )
        .await;
    assert!(
        st == StatusCode::UNPROCESSABLE_ENTITY && b.contains("phase"),
        "{b}"
    );
    let (st, _, b) = supervisor
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "supervision",
                "督导 许老师",
                "during",
                "建议建立个案记录，按月回访服务对象。",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note("progress", "", "", "不存在的目标|一半")),
        )
        .await;
    assert!(
        st == StatusCode::UNPROCESSABLE_ENTITY && b.contains("unknown_goal"),
        "{b}"
    );
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "progress",
                "",
                "",
                "为独居老人提供午餐|已每周送餐 5 天",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["acceptance"]["notes"].as_array().unwrap().len(), 3);
    // Self-evaluation.
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("self-evaluation"),
            Some(json!({"report": "完成了"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b.contains("case_study"),
        "a social-work item needs a case study: {b}"
    );
    let report = "全年上门服务 23 户，超过目标；满意度回访 94%；经费按预算使用，无超支。";
    let case = "独居的王奶奶行动不便，社工评估后链接志愿者每周上门助洁，并联系社区医生随访。";
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("self-evaluation"),
            Some(json!({"report": report, "case_study": case})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // The panel: a member of the organization and a resident it served are refused, and so is a
    // panel below five; the page keeps what was typed.
    let (st, page) = community
        .post(
            &format!("/projects/{project}/panel"),
            &[("members", "orgmember, resident, evaluator")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("须回避") && page.contains("服务对象") && page.contains("至少 5 人"),
        "{page}"
    );
    assert!(
        page.contains("orgmember, resident, evaluator"),
        "the typed members are kept: {page}"
    );
    // Someone who cannot read the project (歙县's bureau) cannot sit on its panel.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("panel"),
            Some(json!({"members": "evaluator,supervisor,representative,city,shexian"})),
        )
        .await;
    assert!(
        st == StatusCode::UNPROCESSABLE_ENTITY && b.contains("outside_territory"),
        "{b}"
    );
    let members = ["evaluator", "supervisor", "representative", "city", "tunxi"];
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("panel"),
            Some(json!({"members": members.join(",")})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // Scores: members only, once each; the verdict waits for all of them.
    let score =
        json!({"need": "18", "goals": "22", "quality": "17", "money": "13", "satisfaction": "19"});
    let (st, _, _) = community
        .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let verdict = json!({"verdict": "accepted", "report": "项目完成申请书目标，居民满意度较高，经费使用规范。"});
    let (_, _, b) = t
        .login("evaluator")
        .await
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(
        b.contains("score_project"),
        "the panel member's work list: {b}"
    );
    for (i, m) in members.iter().enumerate() {
        if i == 4 {
            let (st, _, b) = community
                .api(
                    reqwest::Method::POST,
                    &api("verdict"),
                    Some(verdict.clone()),
                )
                .await;
            assert!(
                st == StatusCode::CONFLICT && b.contains("scores_missing"),
                "{b}"
            );
        }
        let s = t.login(m).await;
        let (st, _, b) = s
            .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
            .await;
        assert_eq!(st, StatusCode::OK, "{m}: {b}");
        let (st, _, _) = s
            .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{m} scores once");
    }
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("verdict"), Some(verdict))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            d["project"]["stage"].as_str(),
            d["acceptance"]["report"]["average"].as_i64()
        ),
        (Some("accepted"), Some(89))
    );
    // The final tranche now pays and closes the project.
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["stage"],
        "closed"
    );
    let (st, _, _) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, page) = township.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("已结项") && page.contains("评议结论：验收通过"),
        "{page}"
    );
    for sql in [
        format!("UPDATE review_scores SET total = 100 WHERE project_id = '{project}'"),
        format!("DELETE FROM review_members WHERE project_id = '{project}'"),
        format!(
            "UPDATE review_reports SET verdict = 'not_accepted' WHERE project_id = '{project}'"
        ),
        format!("UPDATE tranches SET paid_at = NULL WHERE project_id = '{project}'"),
        format!("DELETE FROM activities WHERE project_id = '{project}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database allowed: {sql}");
    }
}

#[tokio::test]
async fn social_workers_and_volunteers_import_all_or_nothing_and_export_masked_within_the_territory(
) {
    let t = spawn_app().await;
    let township = t.login("township");
    let s = township.await;
    let post = |path: &'static str, body: String| {
        s.c.post(format!("{}{path}", t.base))
            .header("x-csrf-token", &s.csrf)
            .body(body)
            .send()
    };
    let rows = |v: &Value| -> Vec<(i64, String)> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_i64().unwrap(),
                    e["column"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let header = app::people_transfer::WORKER_COLUMNS.join(",");
    // Line 3: bad check character; 4: another county; 5: same number as line 2.
    let bad = format!(
        "{header}\n周婷,11010519491231002X,助理社会工作师,ZS2024001,2024-06-30,,341002002001\n程浩,110101202311012171,社会工作员,,,,341002002001\n汪洋,440524188001010014,社会工作员,,,,341021100\n周婷二,11010519491231002X,社会工作员,,,,341002002001\n"
    );
    let r = post("/api/v1/social-workers/import?filename=sw.csv", bad)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    let text = p.to_string();
    assert!(
        !text.contains("110101202311012171") && !text.contains("11010519491231002X"),
        "no identity number in errors: {text}"
    );
    let at = rows(&p);
    assert!(at.contains(&(3, "身份证号码".into())), "{at:?}");
    assert!(at.contains(&(4, "工作地区划代码".into())), "{at:?}");
    assert!(at.contains(&(5, "身份证号码".into())), "{at:?}");
    let (_, list) = s.get("/social-workers?q=周婷").await;
    assert!(!list.contains("ZS2024001"), "nothing applied");
    let good = format!(
        "{header}\n周婷,11010519491231002X,助理社会工作师,ZS2024001,2024-06-30,,341002002001\n程浩,440524188001010014,社会工作员,,,,341002002001\n"
    );
    for (added, unchanged) in [(2, 0), (0, 2)] {
        let r = post(
            "/api/v1/social-workers/import?filename=sw.csv",
            good.clone(),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let j: Value = r.json().await.unwrap();
        assert_eq!(
            (j["added"].as_i64(), j["unchanged"].as_i64()),
            (Some(added), Some(unchanged))
        );
    }
    // The export masks the number; another county's officer exports none of these.
    let (st, csv) = s.get("/social-workers/export?format=csv").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        csv.contains("周婷")
            && csv.contains("110105********002X")
            && !csv.contains("11010519491231002X"),
        "{csv}"
    );
    let (_, other) = t
        .login("shexian")
        .await
        .get("/social-workers/export?format=csv")
        .await;
    assert!(
        other.starts_with('\u{feff}') && !other.contains("周婷"),
        "{other}"
    );
    let (st, _, body) = s
        .api(
            reqwest::Method::GET,
            "/api/v1/social-workers/export?format=xlsx",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!body.is_empty());

    // The volunteer roster: consent is required; a re-import adds nothing.
    let header = app::people_transfer::VOLUNTEER_COLUMNS.join(",");
    let bad = format!("{header}\n黄丽,女,341002002001,读报,是\n程建国,男,341002002001,义诊,否\n汪晓梅,女,341021100201,,是\n");
    let r = post("/api/v1/volunteers/import?filename=v.csv", bad)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let at = rows(&r.json().await.unwrap());
    assert!(at.contains(&(3, "本人已同意".into())), "{at:?}");
    assert!(at.contains(&(4, "社区代码".into())), "{at:?}");
    let good = format!("{header}\n黄丽,女,341002002001,读报,是\n程建国,男,341002002001,义诊,是\n");
    for (added, unchanged) in [(2, 0), (0, 2)] {
        let r = post("/api/v1/volunteers/import?filename=v.csv", good.clone())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let j: Value = r.json().await.unwrap();
        assert_eq!(
            (j["added"].as_i64(), j["unchanged"].as_i64()),
            (Some(added), Some(unchanged))
        );
    }
    let (st, csv) = s.get("/volunteers/export?format=csv").await;
    assert_eq!(st, StatusCode::OK);
    assert!(csv.contains("黄丽") && csv.contains("程建国"), "{csv}");
    // Service records export with the volunteer's name, in the reader's territory only.
    let huang =
        t.db.volunteer_matching("3410", "黄丽", &AreaCode::parse("341002002001").unwrap())
            .await
            .unwrap()
            .unwrap();
    t.app
        .record_service(
            &officer(Role::CommunityOfficer, "341002002001"),
            &huang.id,
            &service_form(&today_text(), "2.5"),
            &Ctx::default(),
        )
        .await
        .unwrap();
    let (st, csv) = s.get("/volunteers/records-export?format=csv").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        csv.contains("记录编号")
            && csv.contains("黄丽")
            && csv.contains("敬老院陪伴")
            && csv.contains("2.5"),
        "{csv}"
    );
    let (_, other) = t
        .login("shexian")
        .await
        .get("/volunteers/records-export?format=csv")
        .await;
    assert!(!other.contains("黄丽"), "{other}");
    // A GB18030 export decodes to the same names.
    let r =
        s.c.get(format!("{}/volunteers/export?format=gb18030", t.base))
            .send()
            .await
            .unwrap();
    let bytes = r.bytes().await.unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad && text.contains("程建国"));
    // The templates download.
    for path in [
        "/social-workers/template.xlsx",
        "/social-workers/template.csv",
        "/volunteers/roster/template.xlsx",
        "/volunteers/roster/template.csv",
    ] {
        let (st, _) = s.get(path).await;
        assert_eq!(st, StatusCode::OK, "{path}");
    }
    let (st, page) = s.get("/volunteers/roster/import").await;
    assert!(st == StatusCode::OK && page.contains("批量导入志愿者名册"));
}

// ---------- volunteers ----------

#[tokio::test]
async fn a_volunteer_records_hours_asks_a_correction_and_anyone_verifies_the_certificate() {
    let t = spawn_app().await;
    let me = t.login("volunteer").await;
    // Consent is required.
    let (st, body) = me
        .post(
            "/volunteers",
            &[
                ("name", "吴昊"),
                ("area", "341002002001"),
                ("skills", "读报"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("须经志愿者本人同意") && body.contains("value=\"吴昊\""));
    let (st, _) = me
        .post(
            "/volunteers",
            &[
                ("name", "吴昊"),
                ("area", "341002002001"),
                ("skills", "读报"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let mine =
        t.db.volunteers_of_user(&t.db.user_by_login("volunteer").await.unwrap().unwrap().id)
            .await
            .unwrap();
    let vid = mine[0].id.clone();
    // The volunteer records their own hours.
    let today = today_text();
    let mut form: Vec<(&str, &str)> = vec![
        ("activity_name", "敬老院陪伴"),
        ("activity_date", &today),
        ("place", "屯溪区敬老院"),
        ("content", "陪老人聊天"),
        ("hours", "2.5"),
        ("organizing_unit", "柏树街社区居委会"),
        ("person_in_charge", "刘敏"),
    ];
    let (st, _) = me.post(&format!("/volunteers/{vid}/records"), &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // A late record needs a reason.
    let old = (app::registry::today() - chrono::Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    form[1] = ("activity_date", &old);
    let (st, body) = me.post(&format!("/volunteers/{vid}/records"), &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("补录须说明原因") && body.contains("value=\"屯溪区敬老院\""));
    form.push(("late_reason", "当时未开通账号"));
    let (st, _) = me.post(&format!("/volunteers/{vid}/records"), &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = me
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/volunteers/{vid}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["total_minutes"], 300);
    assert_eq!(d["record_count"], 2);
    assert_eq!(
        d["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["late"] == true)
            .count(),
        1
    );
    // A correction is a new record; the unit accepts it and the total follows.
    let first = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["late"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, body) = me.api(reqwest::Method::POST, &format!("/api/v1/records/{first}/correction"), Some(json!({"activity_name": "敬老院陪伴", "activity_date": today, "place": "屯溪区敬老院", "content": "陪老人聊天", "hours": "3", "organizing_unit": "柏树街社区居委会", "person_in_charge": "刘敏", "note": "实际服务 3 小时"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let pending = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, _) = me
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/records/{pending}/decision"),
            Some(json!({"accept": true})),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "a volunteer cannot accept their own correction"
    );
    let unit = t.login("community").await;
    let (st, _) = unit
        .post(&format!("/records/{pending}/decision"), &[("accept", "1")])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let row = t.db.volunteer("3410", &vid).await.unwrap().unwrap();
    assert_eq!((row.total_minutes, row.record_count), (330, 2));
    let records = t.db.service_records("3410", &vid, 10, None).await.unwrap();
    assert_eq!(records.len(), 3, "the old record is kept");
    assert!(records
        .iter()
        .any(|r| r.id == first && r.status == domain::volunteer::RecordStatus::Superseded));
    // Maintained totals equal the sum of valid records.
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(tx.recount("3410", &vid).await.unwrap(), (330, 2));
    tx.rollback().await.unwrap();
    // Certificate, then public verification with the name masked.
    let (st, _) = me
        .post(&format!("/volunteers/{vid}/certificates"), &[])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = me
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/volunteers/{vid}/certificates"),
            None,
        )
        .await;
    let code = serde_json::from_str::<Value>(&body).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, page) = me
        .get(&format!("/volunteers/{vid}/certificates/{code}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("吴昊")
            && page.contains("5.5")
            && page.contains("柏树街社区居委会")
            && page.contains(&code)
    );
    let anon = client();
    let r = anon
        .get(format!("{}/verify?code={code}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("证明有效") && body.contains("吴*") && body.contains("5.5"));
    assert!(!body.contains("吴昊"), "the public page masks the name");
    let r = anon
        .get(format!("{}/verify?code=3410-XXXX-YYYY", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let j: Value = anon
        .get(format!("{}/api/v1/certificates/{code}", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(j["hours"], "5.5");
}

#[tokio::test]
async fn service_records_import_all_or_nothing_moves_totals_and_a_reimport_adds_nothing() {
    let t = spawn_app().await;
    let unit = officer(Role::CommunityOfficer, "341002002001");
    let form = |name: &str| domain::volunteer::VolunteerForm {
        name: name.into(),
        area: "341002002001".into(),
        consent: Some("on".into()),
        ..Default::default()
    };
    let a = t
        .app
        .register_volunteer(&unit, &form("黄丽"), &Ctx::default())
        .await
        .unwrap();
    let b = t
        .app
        .register_volunteer(&unit, &form("程建国"), &Ctx::default())
        .await
        .unwrap();
    let other = t
        .app
        .register_volunteer(
            &officer(Role::CommunityOfficer, "341021100201"),
            &domain::volunteer::VolunteerForm {
                area: "341021100201".into(),
                ..form("汪晓梅")
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let today = today_text();
    let old = (app::registry::today() - chrono::Duration::days(60))
        .format("%Y-%m-%d")
        .to_string();
    let header = app::record_transfer::COLUMNS.join(",");
    let s = t.login("community").await;
    let post = |body: String| {
        s.c.post(format!(
            "{}/api/v1/service-records/import?filename=r.csv",
            t.base
        ))
        .header("x-csrf-token", &s.csrf)
        .body(body)
        .send()
    };
    let bad = format!(
        "{header}\n{a},黄丽,敬老院陪伴,{today},敬老院,陪聊,2,柏树街社区居委会,刘敏,\n{b},错名字,义诊,{today},活动室,引导,1,柏树街社区居委会,刘敏,\n{other},汪晓梅,义诊,{today},活动室,引导,1,居委会,刘敏,\n{a},黄丽,垃圾分类,{old},小区,宣传,1.5,柏树街社区居委会,刘敏,\n{a},黄丽,敬老院陪伴,{today},敬老院,陪聊,2,柏树街社区居委会,刘敏,\n"
    );
    let r = post(bad).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    let at: Vec<(i64, String)> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(at.contains(&(3, "志愿者姓名".into())), "{at:?}");
    assert!(
        at.contains(&(4, "志愿者编号".into())),
        "another community's volunteer: {at:?}"
    );
    assert!(at.contains(&(5, "补录原因".into())), "{at:?}");
    assert!(at.iter().any(|(l, _)| *l == 6), "a duplicate row: {at:?}");
    assert_eq!(
        t.db.volunteer("3410", &a)
            .await
            .unwrap()
            .unwrap()
            .record_count,
        0,
        "nothing applied"
    );
    let good = format!(
        "{header}\n{a},黄丽,敬老院陪伴,{today},敬老院,陪聊,2,柏树街社区居委会,刘敏,\n{b},程建国,义诊,{today},活动室,引导,1,柏树街社区居委会,刘敏,\n{a},黄丽,垃圾分类,{old},小区,宣传,1.5,柏树街社区居委会,刘敏,系统上线前的活动\n"
    );
    for (added, unchanged) in [(3, 0), (0, 3)] {
        let r = post(good.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let j: Value = r.json().await.unwrap();
        assert_eq!(
            (j["added"].as_i64(), j["unchanged"].as_i64()),
            (Some(added), Some(unchanged))
        );
    }
    let va = t.db.volunteer("3410", &a).await.unwrap().unwrap();
    assert_eq!((va.total_minutes, va.record_count), (210, 2));
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(
        tx.recount("3410", &a).await.unwrap(),
        (210, 2),
        "maintained totals equal the records"
    );
    tx.rollback().await.unwrap();
    let recs = t.db.service_records("3410", &a, 10, None).await.unwrap();
    assert!(recs
        .iter()
        .any(|r| r.record.late && r.record.late_reason == "系统上线前的活动"));
}

// ---------- operations ----------

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

// ---------- calls: selection, venture and micro calls, facility tenders ----------

/// An organization of `area` with a manager account `login`.
async fn org_with_manager(t: &TestApp, id: &str, name: &str, area: &str, login: &str) {
    let mut org = filed_org(name, area)
        .validate(chrono::Utc::now().date_naive())
        .unwrap()
        .0;
    org.area = AreaCode::parse(area).unwrap();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_organization("3410", id, &org, &store::time::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let form = UserForm {
        login: login.into(),
        display_name: format!("{name}负责人"),
        password: PASSWORD.into(),
        role: "organization_manager".into(),
        area: area.into(),
        organization_id: Some(id.into()),
    };
    t.app
        .create_user(None, &form, &Ctx::default())
        .await
        .unwrap();
}

async fn experts(t: &TestApp, logins: &[&str]) {
    for login in logins {
        let form = UserForm {
            login: (*login).into(),
            display_name: format!("评审专家 {login}"),
            password: PASSWORD.into(),
            role: "evaluator".into(),
            area: "3410".into(),
            organization_id: None,
        };
        t.app
            .create_user(None, &form, &Ctx::default())
            .await
            .unwrap();
    }
}

fn call_body(fund: &str, pool: &str, ceiling: &str, closes_on: &str) -> Value {
    json!({
        "kind": "venture", "area": "3410", "fund_id": fund, "theme": "关爱一老一小公益创投",
        "groups": "special_elderly", "requirements": "在黄山市登记的社会组织",
        "pool": pool, "ceiling": ceiling, "opens_on": "2026-01-01", "closes_on": closes_on,
        "rubric": "需求契合度 30\n方案可行性 40\n团队能力 30", "min_panel": "3"
    })
}

async fn post_json(s: &Session, path: &str, body: Value) -> (StatusCode, String, String) {
    s.api(reqwest::Method::POST, path, Some(body)).await
}

fn json_of(b: &str) -> Value {
    serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}"))
}

#[tokio::test]
async fn a_call_runs_from_published_terms_to_awards_within_its_pool_with_sealed_scores() {
    let t = spawn_app().await;
    demo_org(&t).await;
    org_with_manager(
        &t,
        "3410-rival-a",
        "跃进路社区书画社",
        "341002002002",
        "rivala",
    )
    .await;
    org_with_manager(
        &t,
        "3410-rival-b",
        "昱东社工服务中心",
        "341002001001",
        "rivalb",
    )
    .await;
    experts(&t, &["expert1", "expert2", "expert3"]).await;
    // An expert of the city who is also a member of one applicant.
    let insider = UserForm {
        login: "insider".into(),
        display_name: "书画社会员 专家".into(),
        password: PASSWORD.into(),
        role: "organization_member".into(),
        area: "3410".into(),
        organization_id: Some("3410-rival-a".into()),
    };
    t.app
        .create_user(None, &insider, &Ctx::default())
        .await
        .unwrap();
    let city = t.login("city").await;
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            "/api/v1/funds",
            Some(json!({"area": "3410", "name": "福彩公益金", "source": "welfare_lottery", "year": "2027", "budget": "100000"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let fund = json_of(&b)["id"].as_str().unwrap().to_string();
    // Bad terms name every field; a pool the fund cannot cover is refused.
    let mut bad = call_body(&fund, "10000", "20000", "2099-12-31");
    bad["rubric"] = json!("需求契合度 30\n方案 60");
    let (st, ct, b) = post_json(&city, "/api/v1/calls", bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert!(
        b.contains("over_pool") && b.contains("invalid_rubric"),
        "{b}"
    );
    let (st, _, b) = post_json(
        &city,
        "/api/v1/calls",
        call_body(&fund, "200000", "5000", "2099-12-31"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("insufficient_funds"), "{b}");
    // A call whose deadline has passed refuses an application, naming the deadline.
    let (st, _, b) = post_json(
        &city,
        "/api/v1/calls",
        call_body(&fund, "10000", "5000", "2026-01-31"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let late = json_of(&b)["id"].as_str().unwrap().to_string();
    let org = t.login("orgmanager").await;
    let apply = |amount: &str| json!({"title": "长者助餐", "proposal": "为独居高龄老人提供午餐和每月探访", "amount": amount, "community": "341002002001"});
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{late}/applications"),
        apply("4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("deadline_passed") && b.contains("2026-01-31 23:59"),
        "{b}"
    );
    // A selection on an item: while it runs, the item's eligible organizations compete in it and
    // do not write applications on the item outside it.
    let (item, eligibility) =
        item_with_eligibility(&t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    approve(&t, &eligibility).await;
    let mut selection = call_body(&fund, "10000", "10000", "2099-12-31");
    selection["kind"] = json!("selection");
    selection["item_id"] = json!(item);
    let (st, _, b) = post_json(&city, "/api/v1/calls", selection).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let mut written = serde_json::to_value(application_form(
        &t.actor("orgmanager").await.user_id,
        "",
        "",
    ))
    .unwrap();
    written["eligibility_id"] = json!(eligibility);
    let (st, _, b) = post_json(&org, "/api/v1/projects", written).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("selection_under_way"), "{b}");
    // The call under test: 10,000 yuan, at most 5,000 a project.
    let (st, _, b) = post_json(
        &city,
        "/api/v1/calls",
        call_body(&fund, "10000", "5000", "2099-12-31"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = json_of(&b)["id"].as_str().unwrap().to_string();
    let (_, _, b) = city.api(reqwest::Method::GET, "/api/v1/funds", None).await;
    assert!(
        b.contains("\"balance_fen\":7000000"),
        "three pools drawn: {b}"
    );
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("6000"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("over_ceiling"), "{b}");
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/calls/{id}/applications"),
        apply("3000"),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("already_applied"), "{b}");
    for login in ["rivala", "rivalb"] {
        let s = t.login(login).await;
        let mut a = apply("4000");
        a["community"] = json!("341002002002");
        let (st, _, b) = post_json(&s, &format!("/api/v1/calls/{id}/applications"), a).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
    }
    // The rubric may change until the panel forms; the panel only after the deadline.
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/rubric"), json!({"rubric": "需求契合度 30\n方案可行性 40\n团队能力 20\n预算合理性 10", "min_panel": "3"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/panel"),
        json!({"members": "expert1, expert2, expert3"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("still_accepting") && b.contains("2099-12-31 23:59"),
        "{b}"
    );
    let city_actor = t.actor("city").await;
    let after = chrono::NaiveDate::from_ymd_opt(2100, 1, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let panel = |m: &str| app::acceptance::PanelForm { members: m.into() };
    let refused = t
        .app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, insider, expert2"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("affiliated_member"),
        "{refused:?}"
    );
    let refused = t
        .app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, expert2"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("panel_too_small"),
        "{refused:?}"
    );
    t.app
        .form_call_panel_at(
            &city_actor,
            &id,
            &panel("expert1, expert2, expert3"),
            after,
            &Ctx::default(),
        )
        .await
        .unwrap();
    let view = json_of(
        &city
            .api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(view["call"]["stage"], "reviewing");
    let apps: Vec<String> = view["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(apps.len(), 3);
    // Each member scores every application once; only members score; marks within the rubric.
    let sheet = |pts: [[u32; 4]; 3]| {
        let mut m = serde_json::Map::new();
        for (a, p) in apps.iter().zip(pts) {
            m.insert(a.clone(), json!(p));
        }
        json!({ "scores": m, "comment": "独立评分" })
    };
    let good = [[27, 35, 18, 9], [25, 36, 17, 8], [20, 30, 15, 7]];
    let (st, _, b) = post_json(&org, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let e1 = t.login("expert1").await;
    let (_, _, work) = e1.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(work.contains("score_call") && work.contains(&id), "{work}");
    let (st, _, b) = post_json(
        &e1,
        &format!("/api/v1/calls/{id}/scores"),
        sheet([[31, 35, 18, 9], [25, 36, 17, 8], [20, 30, 15, 7]]),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("over_max"), "{b}");
    let (st, _, b) = post_json(&e1, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = post_json(&e1, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("already_scored"), "{b}");
    // From the first score the rubric is locked, by the use case and by the database.
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/rubric"),
        json!({"rubric": "方案 100", "min_panel": "3"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("rubric_locked"), "{b}");
    let mut tx = t.db.begin().await.unwrap();
    let r = tx
        .set_call_rubric(
            "3410",
            &id,
            &[domain::chain::call::Criterion {
                name: "方案".into(),
                max: 100,
            }],
            3,
        )
        .await;
    assert!(matches!(r, Err(store::StoreError::Frozen(_))), "{r:?}");
    drop(tx);
    // Nothing of the ranking shows before the panel has submitted.
    let mine = json_of(
        &org.api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert!(
        mine["ranking"].as_array().unwrap().is_empty()
            && mine["own_scores"].as_array().unwrap().is_empty()
    );
    assert_eq!(
        mine["applications"].as_array().unwrap().len(),
        1,
        "only its own"
    );
    for (login, pts) in [(
        "expert2",
        [[28, 34, 17, 9], [26, 37, 18, 8], [21, 29, 14, 6]],
    )] {
        let s = t.login(login).await;
        let (st, _, b) = post_json(&s, &format!("/api/v1/calls/{id}/scores"), sheet(pts)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
    }
    // The last member scores on the page: a mark that is not a number is named on its row and
    // every mark typed stays in the form.
    let e3 = t.login("expert3").await;
    let (st, page) = e3.get(&format!("/calls/{id}")).await;
    assert!(
        st == StatusCode::OK && page.contains("id=\"score-sheet\""),
        "{page}"
    );
    let pts = [[26, 36, 18, 8], [27, 35, 16, 9], [19, 31, 15, 8]];
    let mut fields: Vec<(String, String)> = Vec::new();
    for (a, p) in apps.iter().zip(pts) {
        for (i, x) in p.iter().enumerate() {
            fields.push((format!("s.{a}.{i}"), x.to_string()));
        }
    }
    fields[5].1 = "三十五".into();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (st, page) = e3.post(&format!("/calls/{id}/scores"), &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("每项评分应为 0 至满分的整数") && page.contains("value=\"三十五\""),
        "{page}"
    );
    assert!(page.contains(&format!("name=\"s.{}.3\"", apps[2])) && page.contains("value=\"19\""));
    fields[5].1 = "35".into();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (st, page) = e3.post(&format!("/calls/{id}/scores"), &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
    // Sealed: the applicant sees the ranking, explained, and its own scores member by member.
    let mine = json_of(
        &org.api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(mine["call"]["stage"], "sealed");
    let ranking = mine["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 3);
    assert_eq!(ranking[0]["organization_name"], "柏树街社区邻里守望互助会");
    assert_eq!(ranking[0]["average_centi"], 8833, "(89 + 88 + 88) / 3");
    assert_eq!(ranking[1]["average_centi"], 8733, "(86 + 89 + 87) / 3");
    assert_eq!(mine["own_scores"].as_array().unwrap().len(), 3);
    assert_eq!(mine["own_scores"][0]["total"], 89);
    let (st, _, b) = post_json(&e1, &format!("/api/v1/calls/{id}/scores"), sheet(good)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (_, _, work) = city.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(work.contains("award_call") && work.contains(&id), "{work}");
    // Awards follow the ranking, within the ceiling and the pool.
    let award = |i: usize, amount: &str| json!({"application_id": ranking[i]["application_id"], "amount": amount, "reasons": "平均分排名靠前，方案可行"});
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/awards"), award(1, "")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("out_of_order"), "{b}");
    let (st, _, b) = post_json(&org, &format!("/api/v1/calls/{id}/awards"), award(0, "")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/awards"), award(0, "")).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let project = json_of(&b)["project_id"].as_str().unwrap().to_string();
    let (st, _, b) = post_json(&city, &format!("/api/v1/calls/{id}/awards"), award(1, "")).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/awards"),
        award(2, "4000"),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(
        b.contains("pool_exhausted") && b.contains("2,000.00"),
        "{b}"
    );
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/calls/{id}/awards"),
        award(2, "2000"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let done = json_of(
        &city
            .api(reqwest::Method::GET, &format!("/api/v1/calls/{id}"), None)
            .await
            .2,
    );
    assert_eq!(
        (
            done["call"]["stage"].as_str(),
            done["call"]["awarded_fen"].as_i64()
        ),
        (Some("awarded"), Some(1_000_000))
    );
    // The award continues the chain: a project bought from the call's fund, ready to sign.
    let p = json_of(
        &org.api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await
        .2,
    );
    assert_eq!(p["project"]["stage"], "purchased", "{p}");
    assert_eq!(p["project"]["call_id"], id.as_str());
    assert_eq!(p["purchase"]["amount_fen"], 400_000, "{p}");
    // It continues through the chain: the organizer (the city bureau, not the community's
    // township) signs and pays; the organization delivers.
    let contract = json!({
        "starts_on": "2027-01-01", "ends_on": "2027-12-31", "deliverables": "每周助餐 5 天",
        "acceptance_criteria": "服务人次达到方案目标", "signed_on": "2026-12-28",
        "purchaser_signatory": "黄山市民政局 王科长", "provider_signatory": "赵晴",
        "tranches": "签约|2000\n中期评估|1000\n验收|1000"
    });
    let township = t.login("township").await;
    let (st, _, b) = post_json(
        &township,
        &format!("/api/v1/projects/{project}/contract"),
        contract.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    let (st, _, b) = post_json(
        &city,
        &format!("/api/v1/projects/{project}/contract"),
        contract,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["contract"]["purchaser_area"], "3410", "{b}");
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/tranches/1/payment"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let activity = json!({
        "held_on": today_text(), "place": "柏树街社区", "content": "长者助餐 30 人次", "served": "30",
        "groups": "special_elderly"
    });
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/projects/{project}/activities"),
        activity,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["project"]["stage"], "delivering", "{b}");
    // Evaluated like any project (the community committee forms the panel), and the final
    // payment by the organizer closes it.
    let (st, _, b) = post_json(
        &org,
        &format!("/api/v1/projects/{project}/self-evaluation"),
        json!({"report": "全年助餐服务 30 人次，独居高龄老人满意度 95%，方案目标基本达成，经费按预算使用，无超支。"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    experts(&t, &["expert4", "expert5"]).await;
    let community = t.login("community").await;
    let (st, _, b) = post_json(
        &community,
        &format!("/api/v1/projects/{project}/panel"),
        json!({"members": "expert1, expert2, expert3, expert4, expert5"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for login in ["expert1", "expert2", "expert3", "expert4", "expert5"] {
        let s = t.login(login).await;
        let (st, _, b) = post_json(&s, &format!("/api/v1/projects/{project}/scores"), json!({"need": "18", "goals": "22", "quality": "18", "money": "13", "satisfaction": "18"})).await;
        assert_eq!(st, StatusCode::OK, "{login}: {b}");
    }
    let (st, _, b) = post_json(&community, &format!("/api/v1/projects/{project}/verdict"), json!({"verdict": "accepted", "report": "评议小组一致认为项目达到方案目标，服务记录完整，同意验收通过。"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for seq in [2, 3] {
        let (st, _, b) = city
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/projects/{project}/tranches/{seq}/payment"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "tranche {seq}: {b}");
    }
    let p = json_of(
        &org.api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await
        .2,
    );
    assert_eq!(p["project"]["stage"], "closed", "{p}");
    let (_, _, b) = city.api(reqwest::Method::GET, "/api/v1/funds", None).await;
    assert!(b.contains("\"balance_fen\":7000000"), "{b}");
}

#[tokio::test]
async fn concurrent_awards_never_exceed_the_pool_and_the_rest_returns_to_the_fund() {
    let t = spawn_app().await;
    let now = store::time::now();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_fund(
        "3410",
        "3410-fund-race",
        &domain::chain::purchase::Fund {
            area: AreaCode::parse("3410").unwrap(),
            name: "创投资金".into(),
            source: domain::chain::money::FundSource::WelfareLottery,
            year: 2027,
            budget_fen: 5_000_000,
        },
        "test",
        &now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let city = t.login("city").await;
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            "/api/v1/calls",
            Some(call_body("3410-fund-race", "10000", "5000", "2099-12-31")),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = json_of(&b)["id"].as_str().unwrap().to_string();
    // Six applications of 3,000 yuan, scored by three members and sealed.
    let mut tx = t.db.begin().await.unwrap();
    let mut apps = Vec::new();
    for i in 0..6 {
        let org = format!("3410-race-{i}");
        let mut o = filed_org(&format!("竞赛社会组织{i}"), "341002002001")
            .validate(chrono::Utc::now().date_naive())
            .unwrap()
            .0;
        o.area = AreaCode::parse("341002002001").unwrap();
        tx.insert_organization("3410", &org, &o, &now)
            .await
            .unwrap();
        let a = domain::chain::call::CallApplication {
            title: format!("项目{i}"),
            proposal: "方案".into(),
            staffing: String::new(),
            amount_fen: 300_000,
            community: AreaCode::parse("341002002001").unwrap(),
        };
        let aid = format!("3410-race-app-{i}");
        tx.insert_call_application("3410", &id, &aid, &org, None, &a, "test", &now)
            .await
            .unwrap();
        apps.push(aid);
    }
    let members: Vec<(String, String)> = (0..3)
        .map(|m| (format!("member-{m}"), format!("成员{m}")))
        .collect();
    tx.insert_call_panel("3410", &id, &members).await.unwrap();
    for (m, _) in &members {
        let scores = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), vec![30 - i as u32, 40 - i as u32, 30 - i as u32]))
            .collect();
        tx.insert_call_sheet("3410", &id, m, &scores, "", &now)
            .await
            .unwrap();
    }
    use domain::chain::call::CallStage;
    tx.set_call_stage("3410", &id, CallStage::Open, CallStage::Sealed)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Rounds of eight simultaneous awards of the best applicant not yet awarded: one wins
    // each round until the pool cannot cover another 3,000 yuan.
    let mut wins = 0;
    for round in 0..5 {
        let body = json!({"application_id": apps[wins], "reasons": "按排名评定"});
        let path = format!("/api/v1/calls/{id}/awards");
        let results = futures_util::future::join_all((0..8).map(|_| {
            let (s, p, b) = (&city, path.clone(), body.clone());
            async move { s.api(reqwest::Method::POST, &p, Some(b)).await }
        }))
        .await;
        let ok = results
            .iter()
            .filter(|r| r.0 == StatusCode::CREATED)
            .count();
        assert!(
            results
                .iter()
                .all(|r| r.0 == StatusCode::CREATED || r.0 == StatusCode::CONFLICT),
            "{results:?}"
        );
        assert_eq!(
            ok,
            usize::from(round < 3),
            "round {round}: {:?}",
            results.iter().map(|r| &r.2).collect::<Vec<_>>()
        );
        wins += ok;
    }
    let k = t.db.call("3410", &id).await.unwrap().unwrap();
    let awards = t.db.call_awards("3410", &id).await.unwrap();
    assert_eq!((k.awarded_fen, awards.len()), (900_000, 3));
    assert_eq!(
        awards.iter().map(|a| a.amount_fen).sum::<i64>(),
        k.awarded_fen
    );
    assert_eq!(
        awards.iter().map(|a| a.place).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // Every award and only they became projects bought from the fund.
    let projects =
        t.db.projects(&Scope::nation(), None, None, None, 100)
            .await
            .unwrap();
    assert_eq!(
        projects
            .iter()
            .filter(|p| p.call_id.as_deref() == Some(id.as_str()))
            .count(),
        3
    );
    // Closing returns the 1,000 yuan left to the fund: 50,000 - 10,000 + 1,000.
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/calls/{id}/close"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let f = t.db.fund("3410", "3410-fund-race").await.unwrap().unwrap();
    assert_eq!(f.balance_fen, 4_100_000);
    let (st, _, b) = city
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/calls/{id}/close"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
}
#[path = "http/openapi.rs"]
mod openapi;
#[path = "http/paging.rs"]
mod paging;
#[path = "http/robustness.rs"]
mod robustness;
