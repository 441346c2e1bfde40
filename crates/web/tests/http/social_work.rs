//! Social workers, the talent ledger, and their imports and exports.

use crate::harness::*;

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
    // Typed with a Chinese input method's full-width digits (this panicked the request before):
    // the same number, so the same person, found by the keyed hash.
    let (st, _, body) = s.api(reqwest::Method::POST, "/api/v1/social-workers", Some(json!({"name": "全角", "id_number": "１１０１０５１９４９１２３１００２Ｘ", "certificate_level": "aide", "certificate_date": "２０２４年６月３０日", "area": "341002002001"}))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert_eq!(json_of(&body)["errors"][0]["code"], "duplicate", "{body}");
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
