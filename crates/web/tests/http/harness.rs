//! What every HTTP test uses: the server on a fresh database, a cookie-keeping client
//! (`TestApp`, `Session`), and the helpers that bring the chain to a given step.

pub(crate) use app::identity::UserForm;
pub(crate) use app::{App, Ctx, Settings};
pub(crate) use domain::identity::Scope;
pub(crate) use domain::{AreaCode, Role};
pub(crate) use reqwest::redirect::Policy;
pub(crate) use reqwest::{Client, StatusCode};
pub(crate) use serde_json::{json, Value};
pub(crate) use store::Db;

pub(crate) const PASSWORD: &str = app::demo::DEMO_PASSWORD;

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) db: Db,
    pub(crate) url: String,
    pub(crate) app: App,
}

pub(crate) fn settings() -> Settings {
    Settings {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        ..Settings::default()
    }
}

pub(crate) async fn serve(app: App) -> String {
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

pub(crate) async fn spawn_app() -> TestApp {
    let (db, url) = store::testing::fresh_db().await.unwrap();
    let app = App::new(db.clone(), settings());
    assert!(app.seed_demo().await.unwrap());
    let base = serve(app.clone()).await;
    TestApp { base, db, url, app }
}

pub(crate) fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub(crate) struct Session {
    pub(crate) c: Client,
    pub(crate) base: String,
    pub(crate) csrf: String,
}

pub(crate) fn csrf_in(html: &str) -> String {
    let i = html
        .find("name=\"csrf_token\" value=\"")
        .expect("no csrf field")
        + 25;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

impl TestApp {
    pub(crate) async fn login(&self, login: &str) -> Session {
        self.login_with(login, PASSWORD)
            .await
            .expect("login failed")
    }

    pub(crate) async fn login_with(&self, login: &str, password: &str) -> Option<Session> {
        self.login_from(login, password, [127, 0, 0, 1]).await
    }

    /// Logs in from a loopback address of our choice (a different client to the server).
    pub(crate) async fn login_from(
        &self,
        login: &str,
        password: &str,
        from: [u8; 4],
    ) -> Option<Session> {
        let (c, r) = self.post_login(login, password, from).await;
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

    /// The first sign-in of an account whose password an administrator set: it changes the
    /// password (as it must before anything else) and goes on.
    pub(crate) async fn first_sign_in(&self, login: &str, given: &str, new: &str) -> Session {
        let s = self.login_with(login, given).await.expect("signs in");
        let (st, _, b) = post_json(
            &s,
            "/api/v1/account/password",
            json!({"current_password": given, "new_password": new, "confirm_password": new}),
        )
        .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        s
    }

    /// What the login form answers a try from `from`: its status and page.
    pub(crate) async fn login_answer(
        &self,
        login: &str,
        password: &str,
        from: [u8; 4],
    ) -> (StatusCode, String) {
        let (_, r) = self.post_login(login, password, from).await;
        (r.status(), r.text().await.unwrap())
    }

    async fn post_login(
        &self,
        login: &str,
        password: &str,
        from: [u8; 4],
    ) -> (Client, reqwest::Response) {
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
        (c, r)
    }

    pub(crate) async fn actor(&self, login: &str) -> domain::Actor {
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
    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
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
    pub(crate) async fn api(
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
        crate::openapi::assert_conforms(&verb, path, status, &ct, &text);
        (status, ct, text)
    }
}

/// What 歙县 owns, as the database holds it; any change by a 屯溪 officer would show here.
pub(crate) async fn shexian_snapshot(db: &Db) -> String {
    let users = db
        .users_in_scope(
            &Scope::new([AreaCode::parse("341021").unwrap()]),
            None,
            None,
            1000,
        )
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
        .talents(&Scope::nation(), &Default::default(), None, 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!(
            "{} {} {} {}|",
            x.id, x.backbone, x.training_count, x.training_minutes
        ));
    }
    let all_needs = store::chain::need::NeedFilter {
        status: None,
        ..Default::default()
    };
    for n in db.needs(&Scope::nation(), &all_needs, 1000).await.unwrap() {
        out.push_str(&format!(
            "{} {:?} {} {:?}|",
            n.id, n.status, n.supporters, n.merged_into
        ));
    }
    for i in db
        .catalogue(&Scope::nation(), None, None, 1000)
        .await
        .unwrap()
    {
        out.push_str(&format!("{} {:?} {}|", i.id, i.status, i.decision_reason));
        for e in db.eligibilities_of(&i.tenant_id, &i.id).await.unwrap() {
            out.push_str(&format!("{} {:?} {}|", e.id, e.status, e.reason));
        }
    }
    for k in db.calls(&Scope::nation(), &[], None, 1000).await.unwrap() {
        out.push_str(&format!(
            "{} {:?} {} {}|",
            k.id,
            k.stage,
            k.awarded_fen.fen(),
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
    for v in db
        .vote_meetings(&Scope::nation(), None, 1000)
        .await
        .unwrap()
    {
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
    for f in db.funds(&Scope::nation(), None, 1000).await.unwrap() {
        out.push_str(&format!("{} {}|", f.id, f.balance_fen.fen()));
    }
    for m in db
        .consultations(&Scope::nation(), None, 1000)
        .await
        .unwrap()
    {
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
            p.id,
            p.stage,
            p.version,
            p.budget_fen.fen()
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
pub(crate) async fn platform_with_worker(
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
pub(crate) async fn volunteer_with_certificate(
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
pub(crate) async fn item_with_eligibility(
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
                period: String::new(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let approve = app::chain::catalogue::DecisionForm {
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
            &app::chain::catalogue::ApplyForm {
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
pub(crate) async fn project_on(
    t: &TestApp,
    item: &str,
    eligibility: &str,
    org: &str,
    community: &str,
) -> String {
    let form = application_form("x", "x", "");
    project_with(t, item, eligibility, org, community, &form).await
}

/// As [`project_on`], with the application `form` (its team, for instance).
pub(crate) async fn project_with(
    t: &TestApp,
    item: &str,
    eligibility: &str,
    org: &str,
    community: &str,
    form: &domain::chain::application::ApplicationForm,
) -> String {
    let content = form.validate().unwrap();
    let id = format!("{item}-project");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_project(&store::chain::application::NewProject {
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
pub(crate) async fn consultation_on(t: &TestApp, project: &str, community: &str) -> String {
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
pub(crate) async fn call_in(t: &TestApp, area: &str, fund_area: &str, org: &str) -> String {
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
            budget_fen: domain::chain::money::Money::from_fen(10_000_000).unwrap(),
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
        amount_fen: domain::chain::money::Money::from_fen(100_000).unwrap(),
        community: AreaCode::parse(if area.len() == 12 {
            area
        } else {
            "341021100201"
        })
        .unwrap(),
    };
    tx.insert_call_application(&store::chain::call::NewCallApplication {
        tenant: "3410",
        call: &id,
        id: &format!("{id}-a"),
        organization: org,
        eligibility: None,
        application: &a,
        by: "test",
        now: &now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

pub(crate) async fn vote_on(t: &TestApp, project: &str, community: &str) -> String {
    let id = format!("{project}-vote");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_vote_meeting(&store::chain::vote::NewVoteMeeting {
        tenant: "3410",
        id: &id,
        community: &AreaCode::parse(community).unwrap(),
        title: "居民代表会议",
        held_on: "2026-12-20",
        rules: &app::chain::vote::RULES,
        roster: &[],
        motions: &[(project.to_string(), 1)],
        by: "test",
        now: &store::time::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A complete application form with the given lead, social workers and needs.
pub(crate) fn application_form(
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
pub(crate) async fn need_in(t: &TestApp, community: &str, township: &str, title: &str) -> String {
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

pub(crate) fn today_text() -> String {
    app::kernel::today().format("%Y-%m-%d").to_string()
}

pub(crate) fn service_form(date: &str, hours: &str) -> domain::volunteer::ServiceRecordForm {
    domain::volunteer::ServiceRecordForm {
        activity_name: "敬老院陪伴".into(),
        activity_date: date.into(),
        place: "社区活动室".into(),
        content: "陪老人聊天、读报".into(),
        hours: hours.into(),
        organizing_unit: "社区居委会".into(),
        person_in_charge: "刘敏".into(),
        late_reason: String::new(),
        unit: String::new(),
    }
}

pub(crate) fn officer(role: Role, area: &str) -> domain::Actor {
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

pub(crate) fn filed_org(name: &str, area: &str) -> domain::registry::OrganizationForm {
    domain::registry::OrganizationForm {
        name: name.into(),
        registration_status: "filed".into(),
        category: "mutual_aid".into(),
        area: area.into(),
        ..Default::default()
    }
}

/// The demonstration manager's organization (the http tests seed accounts, not the ledger).
pub(crate) async fn demo_org(t: &TestApp) {
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

pub(crate) fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// The demonstration organization with an approved eligibility on a social-work item of 柏树街
/// (approved by override: it has no social workers yet): (item id, eligibility id).
pub(crate) async fn approved_eligibility(t: &TestApp) -> (String, String) {
    demo_org(t).await;
    let (item, eligibility) =
        item_with_eligibility(t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    (item, eligibility)
}

pub(crate) async fn approve(t: &TestApp, eligibility: &str) {
    t.app
        .decide_eligibility(
            &officer(Role::TownshipOfficer, "341002002"),
            eligibility,
            &app::chain::catalogue::DecisionForm {
                decision: "approve".into(),
                reason: "社工已签约，下月到岗，先行通过".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
}

/// A submitted application of the demonstration organization in 柏树街: the project id.
pub(crate) async fn submitted_project(t: &TestApp) -> String {
    let (_item, eligibility) = approved_eligibility(t).await;
    approve(t, &eligibility).await;
    let (_, worker, _) =
        platform_with_worker(t, "341002002", "昱东街道社工站", "11010519491231002X").await;
    let manager = t.actor("orgmanager").await;
    let new = app::chain::application::NewApplication {
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

/// A consulted application: submitted, then discussed at a meeting whose minutes are frozen.
pub(crate) async fn consulted_project(t: &TestApp) -> String {
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

pub(crate) async fn cast(path: &str, s: &Session, choice: &str) -> (StatusCode, String, String) {
    s.api(
        reqwest::Method::POST,
        path,
        Some(json!({ "choice": choice })),
    )
    .await
}

/// Resident representatives of 柏树街 besides the demonstration one.
pub(crate) async fn more_representatives(t: &TestApp, logins: &[&'static str]) {
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

/// Digit runs of a page that look like an identity number (18 characters, the last may be X) or a
/// mobile number (11 digits starting 13–19).
pub(crate) fn personal_numbers(page: &str) -> Vec<String> {
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

/// A contracted project of the demonstration organization in 柏树街 (bought for 30,000 yuan,
/// tranches 9,000 on signing, 9,000 mid-term and 12,000 on acceptance): the project id.
pub(crate) async fn contracted_project(t: &TestApp) -> String {
    demo_org(t).await;
    contracted_project_with(t, &application_form("x", "x", "")).await
}

/// As [`contracted_project`] (the demonstration organization already recorded), with the
/// application `form`.
pub(crate) async fn contracted_project_with(
    t: &TestApp,
    form: &domain::chain::application::ApplicationForm,
) -> String {
    let (item, eligibility) =
        item_with_eligibility(t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    let p = project_with(
        t,
        &item,
        &eligibility,
        app::demo::DEMO_ORG_ID,
        "341002002001",
        form,
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

/// An organization of `area` with a manager account `login`.
pub(crate) async fn org_with_manager(t: &TestApp, id: &str, name: &str, area: &str, login: &str) {
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

pub(crate) async fn experts(t: &TestApp, logins: &[&str]) {
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

pub(crate) fn call_body(fund: &str, pool: &str, ceiling: &str, closes_on: &str) -> Value {
    json!({
        "kind": "venture", "area": "3410", "fund_id": fund, "theme": "关爱一老一小公益创投",
        "groups": "special_elderly", "requirements": "在黄山市登记的社会组织",
        "pool": pool, "ceiling": ceiling, "opens_on": "2026-01-01", "closes_on": closes_on,
        "rubric": "需求契合度 30\n方案可行性 40\n团队能力 30", "min_panel": "3"
    })
}

pub(crate) async fn post_json(
    s: &Session,
    path: &str,
    body: Value,
) -> (StatusCode, String, String) {
    s.api(reqwest::Method::POST, path, Some(body)).await
}

/// Posts `body`, expects 201 Created, and returns the new record's id.
pub(crate) async fn post_created(s: &Session, path: &str, body: Value) -> String {
    let (st, _, b) = post_json(s, path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    json_of(&b)["id"].as_str().unwrap().to_string()
}

/// Posts `body`, expects the refusal `status` with the stable `code`, and returns the answer.
pub(crate) async fn post_refused(
    s: &Session,
    path: &str,
    body: Value,
    status: StatusCode,
    code: &str,
) -> String {
    let (st, _, b) = post_json(s, path, body).await;
    assert_eq!(st, status, "{b}");
    assert!(b.contains(code), "{code}: {b}");
    b
}

pub(crate) fn json_of(b: &str) -> Value {
    serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}"))
}

/// Whether the database refuses `sql` as a change to a frozen record (the route it would take
/// does not matter: the trigger is the last line).
pub(crate) async fn frozen_refuses(t: &TestApp, sql: &str) -> bool {
    let r: Result<(), sqlx::Error> =
        store::on_pool!(&t.db, c => sqlx::query(sql).execute(c).await.map(|_| ()));
    match r {
        Ok(_) => false,
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("frozen"),
                "refused, but not as frozen: {text}"
            );
            true
        }
    }
}
