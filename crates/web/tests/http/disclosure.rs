//! Disclosure that tells the truth (issue 16, finding 9): the public site and the open-contracting
//! export screen free text, say who buys and pays, leave drafts out, name the fund, and give a
//! release a new id and date whenever its content changes.

use crate::harness::*;

/// What a resident might type: a registered volunteer's name, a mobile number and an identity
/// number.
const NAME: &str = "汪晓梅";
const MOBILE: &str = "13812345678";
const IDENTITY: &str = "11010519491231002X";

fn secret() -> String {
    format!("请{NAME}联系{MOBILE}证{IDENTITY}")
}

/// A call of `area` drawing on a new fund of `fund_area`, with `requirements` as its terms, and
/// one application of `org`, straight into the store.
async fn call_with(
    t: &TestApp,
    area: &str,
    fund_area: &str,
    org: &str,
    requirements: &str,
) -> String {
    let now = store::time::now();
    let fund = format!("3410-fund-d-{area}");
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_fund(
        "3410",
        &fund,
        &domain::chain::purchase::Fund {
            area: AreaCode::parse(fund_area).unwrap(),
            name: "微创投资金".into(),
            source: domain::chain::money::FundSource::WelfareLottery,
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
        theme: "邻里互助微创投".into(),
        requirements: requirements.into(),
        pool: "20000".into(),
        ceiling: "5000".into(),
        opens_on: "2026-01-01".into(),
        closes_on: "2099-12-31".into(),
        rubric: "方案 60\n团队 40".into(),
        min_panel: "3".into(),
        ..Default::default()
    };
    let call = form.validate().unwrap();
    let id = format!("3410-call-d-{area}");
    tx.insert_call("3410", &id, &call, "test", &now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    apply(t, &id, org, "a").await;
    id
}

/// An application (a bid) of `org` to the call.
async fn apply(t: &TestApp, call: &str, org: &str, suffix: &str) {
    let a = domain::chain::call::CallApplication {
        title: "楼道互助".into(),
        proposal: "方案".into(),
        staffing: String::new(),
        amount_fen: domain::chain::money::Money::from_fen(100_000).unwrap(),
        community: AreaCode::parse("341002002001").unwrap(),
    };
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_call_application(&store::chain::call::NewCallApplication {
        tenant: "3410",
        call,
        id: &format!("{call}-{suffix}"),
        organization: org,
        eligibility: None,
        application: &a,
        by: "test",
        now: &store::time::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A contracted project of the demonstration organization whose title is `title`.
async fn contracted_titled(t: &TestApp, title: &str) -> String {
    demo_org(t).await;
    let mut form = application_form("x", "x", "");
    form.title = title.into();
    contracted_project_with(t, &form).await
}

async fn get_json(c: &Client, t: &TestApp, path: &str) -> Value {
    let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

/// The one release of a one-process package.
async fn release(c: &Client, t: &TestApp, path: &str) -> Value {
    get_json(c, t, path).await["releases"][0].clone()
}

#[tokio::test]
async fn no_public_route_nor_export_shows_a_typed_number_or_a_registered_name() {
    let t = spawn_app().await;
    let (_, _, cert) = volunteer_with_certificate(&t, "341002002001", NAME).await;
    let project = contracted_titled(&t, &format!("助餐{MOBILE}")).await;
    need_in(&t, "341002002001", "341002002", &secret()).await;
    let call = call_with(
        &t,
        "341002002001",
        "341002002",
        app::demo::DEMO_ORG_ID,
        &secret(),
    )
    .await;
    let c = client();
    let table = web::routes::route_table();
    let mut walked = 0;
    for spec in table
        .iter()
        .filter(|s| s.access == web::routes::Access::Public && s.method == reqwest::Method::GET)
    {
        let codes: Vec<&str> = if spec.params().contains(&"code") {
            vec!["34", "3410", "341002", "341002002", "341002002001"]
        } else {
            vec![""]
        };
        for code in codes {
            let mut path = spec.path.to_string();
            for param in spec.params() {
                let v = match param {
                    "code" => code.to_string(),
                    "project_id" => project.clone(),
                    "call_id" => call.clone(),
                    "cert_code" => cert.clone(),
                    "lang" => "zh".to_string(),
                    "*file" => "app.js".to_string(),
                    other => panic!("public route {} has a parameter {other}", spec.path),
                };
                path = path.replace(&format!("{{{param}}}"), &v);
            }
            let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(!status.is_server_error(), "GET {path}: {status}");
            for s in [NAME, MOBILE, IDENTITY] {
                assert!(!body.contains(s), "GET {path} shows {s}");
            }
            walked += 1;
        }
    }
    assert!(walked >= 20, "{walked} public pages walked");
    // The texts are there, masked: the need on the community's page, the call's terms on its
    // page and in its release, the project's title in its release.
    let area = get_json(&c, &t, "/api/v1/public/areas/341002002001").await;
    let masked = "请汪**联系138****5678证110***********002X";
    assert!(
        area["needs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == masked),
        "{}",
        area["needs"]
    );
    let page = c
        .get(format!("{}/public/calls/{call}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(masked),
        "the call's page shows its terms masked"
    );
    let r = release(&c, &t, &format!("/api/v1/public/ocds/calls/{call}")).await;
    assert_eq!(r["tender"]["description"], masked);
    let r = release(&c, &t, &format!("/api/v1/public/ocds/projects/{project}")).await;
    assert_eq!(r["tender"]["description"], "助餐138****5678");
}

#[tokio::test]
async fn a_release_changes_id_and_date_with_its_content_and_since_exports_only_what_changed() {
    let t = spawn_app().await;
    let project = contracted_titled(&t, "柏树街社区老年助餐项目").await;
    let c = client();
    let path = format!("/api/v1/public/ocds/projects/{project}");
    let first = release(&c, &t, &path).await;
    let again = release(&c, &t, &path).await;
    assert_eq!(first["id"], again["id"], "nothing changed: the same id");
    assert_eq!(first["date"], again["date"]);
    assert!(first["id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{project}-")));
    // The fund travels as the budget: its source and level.
    let budget = &first["planning"]["budget"];
    assert!(budget["id"].as_str().is_some(), "{first}");
    let words = budget["description"].as_str().unwrap();
    assert!(
        words.contains("专项资金") && words.contains("乡镇街道级"),
        "{words}"
    );
    assert_eq!(first["tag"][0], "planning");

    // A payment: a new id and a later date, the payment's.
    let township = t.actor("township").await;
    t.app
        .pay_tranche(&township, &project, 1, &Ctx::default())
        .await
        .unwrap();
    let paid = release(&c, &t, &path).await;
    assert_ne!(paid["id"], first["id"], "a payment changes the release");
    assert!(paid["date"].as_str().unwrap() > first["date"].as_str().unwrap());
    assert_eq!(
        paid["date"],
        paid["contracts"][0]["implementation"]["transactions"][0]["date"]
    );

    // `since`: the area's package after the first date holds the paid release; after the
    // payment, nothing of it.
    let since = |d: &Value| {
        format!(
            "/api/v1/public/ocds/341002002001?since={}",
            d.as_str().unwrap()
        )
    };
    let after_first = get_json(&c, &t, &since(&first["date"])).await;
    let ids: Vec<&Value> = after_first["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert!(ids.contains(&&paid["id"]), "{ids:?}");
    let after_paid = get_json(&c, &t, &since(&paid["date"])).await;
    assert!(after_paid["releases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["ocid"] != paid["ocid"]));
    let all = get_json(&c, &t, "/api/v1/public/ocds/341002002001").await;
    assert!(all["releases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == paid["id"]));
    // A day in China time is read too; nonsense is a field error.
    let r = c
        .get(format!(
            "{}/api/v1/public/ocds/341002002001?since=2000-01-01",
            t.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(format!(
            "{}/api/v1/public/ocds/341002002001?since=yesterday",
            t.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "a problem"
    );
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("since"), "{body}");

    // A call: a new bid, then the sealing, each a new id and a later date.
    let call = call_with(
        &t,
        "341002002001",
        "341002002",
        app::demo::DEMO_ORG_ID,
        "楼道互助",
    )
    .await;
    let path = format!("/api/v1/public/ocds/calls/{call}");
    let open = release(&c, &t, &path).await;
    assert_eq!(open["id"], release(&c, &t, &path).await["id"]);
    org_with_manager(&t, "3410-org-b", "昱东邻里社", "341002002001", "orgb").await;
    apply(&t, &call, "3410-org-b", "b").await;
    let bid = release(&c, &t, &path).await;
    assert_ne!(bid["id"], open["id"], "a bid changes the release");
    assert!(bid["date"].as_str().unwrap() > open["date"].as_str().unwrap());
    let mut tx = t.db.begin().await.unwrap();
    use domain::chain::call::CallStage;
    assert!(tx
        .set_call_stage("3410", &call, CallStage::Open, CallStage::Reviewing)
        .await
        .unwrap());
    assert!(tx
        .set_call_stage("3410", &call, CallStage::Reviewing, CallStage::Sealed)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let sealed = release(&c, &t, &path).await;
    assert_ne!(sealed["id"], bid["id"], "sealing changes the release");
    assert!(sealed["date"].as_str().unwrap() > bid["date"].as_str().unwrap());
    assert_eq!(sealed["bids"]["details"][0]["status"], "valid");
}

#[tokio::test]
async fn the_township_buys_and_pays_for_a_micro_call_and_drafts_are_not_public() {
    let t = spawn_app().await;
    demo_org(&t).await;
    let call = call_with(
        &t,
        "341002002001",
        "341002002",
        app::demo::DEMO_ORG_ID,
        "楼道互助",
    )
    .await;
    let c = client();
    let r = release(&c, &t, &format!("/api/v1/public/ocds/calls/{call}")).await;
    assert_eq!(r["buyer"]["id"], "CN-AREA-341002002000", "{r}");
    let parties = r["parties"].as_array().unwrap();
    let roles = |id: &str| {
        parties
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| p["roles"].clone())
            .unwrap_or_default()
    };
    assert_eq!(roles("CN-AREA-341002002000"), json!(["buyer", "payer"]));
    assert_eq!(roles("CN-AREA-341002002001"), json!(["procuringEntity"]));
    let budget = &r["planning"]["budget"];
    assert!(
        budget["description"]
            .as_str()
            .unwrap()
            .contains("福彩公益金"),
        "{budget}"
    );
    assert_eq!(budget["amount"]["amount"], 20000.0);

    // A draft: not in the export, not on the public pages, not counted.
    let (item, eligibility) =
        item_with_eligibility(&t, "341002002001", "341002002", app::demo::DEMO_ORG_ID).await;
    let draft = project_on(
        &t,
        &item,
        &eligibility,
        app::demo::DEMO_ORG_ID,
        "341002002001",
    )
    .await;
    for path in [
        format!("/api/v1/public/ocds/projects/{draft}"),
        format!("/api/v1/public/projects/{draft}"),
        format!("/public/projects/{draft}"),
    ] {
        let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let pkg = get_json(&c, &t, "/api/v1/public/ocds/341002002001").await;
    assert!(
        pkg["releases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["ocid"] != format!("ocds-sanshe-{draft}")),
        "the draft is not exported"
    );
    for code in ["341002002", "341002002001"] {
        let area = get_json(&c, &t, &format!("/api/v1/public/areas/{code}")).await;
        assert!(
            area["projects"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["id"] != draft.as_str()),
            "{code} lists the draft"
        );
        let page = c
            .get(format!("{}/public/areas/{code}", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains(&draft), "{code}'s page links the draft");
    }
    // Once submitted it is public.
    let mut tx = t.db.begin().await.unwrap();
    tx.move_stage(
        "3410",
        &draft,
        domain::chain::stage::Stage::Draft,
        domain::chain::stage::Stage::Submitted,
        &store::time::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = c
        .get(format!("{}/api/v1/public/ocds/projects/{draft}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
