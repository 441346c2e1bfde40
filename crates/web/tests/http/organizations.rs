//! The register of social organizations: records, editing, disclosures, import and export.

use crate::harness::*;

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
