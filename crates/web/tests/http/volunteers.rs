//! Volunteers' service records, corrections and certificates.

use crate::harness::*;

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
        ("organizing_unit", "随便写的单位"),
        ("person_in_charge", "刘敏"),
    ];
    // The volunteer picks the unit from the registry: free text is no unit.
    let (st, body) = me.post(&format!("/volunteers/{vid}/records"), &form).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("请从登记的社会组织或社区居委会中选择组织单位")
            && body.contains("value=\"屯溪区敬老院\"")
    );
    assert!(
        body.contains("value=\"committee:341002002001\""),
        "the form offers the community's committee"
    );
    form.push(("unit", "committee:341002002001"));
    let (st, _) = me.post(&format!("/volunteers/{vid}/records"), &form).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // A late record needs a reason.
    let old = (app::kernel::today() - chrono::Duration::days(40))
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
    // Only verified hours go on a certificate: the accepted correction (3 h) is, the late
    // record the volunteer entered alone is not until its unit confirms it.
    let (_, _, body) = me
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/volunteers/{vid}"),
            None,
        )
        .await;
    let late = json_of(&body)["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["late"] == true)
        .unwrap()
        .clone();
    assert_eq!(late["verified"], false);
    assert_eq!(
        late["organizing_unit"], "柏树街社区居委会",
        "the registered name, not the typed text"
    );
    let late = late["id"].as_str().unwrap().to_string();
    let (_, _, body) = me
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/volunteers/{vid}/certificates"),
            None,
        )
        .await;
    let first_code = json_of(&body)["code"].as_str().unwrap().to_string();
    let j: Value = client()
        .get(format!("{}/api/v1/certificates/{first_code}", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (j["hours"].as_str(), j["record_count"].as_i64()),
        (Some("3"), Some(1))
    );
    let (st, _, _) = me
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/records/{late}/confirm"),
            None,
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the volunteer cannot confirm their own hours"
    );
    let (_, page) = unit.get(&format!("/volunteers/{vid}")).await;
    assert!(page.contains(&format!("/records/{late}/confirm")) && page.contains("未核实"));
    let (st, _) = unit.post(&format!("/records/{late}/confirm"), &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = unit
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/records/{late}/confirm"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "confirmed once");
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
    // Under another volunteer's page the same code is "not found": a certificate shows only
    // under the volunteer it was issued to (the unit reads both volunteers).
    let other = post_created(
        &unit,
        "/api/v1/volunteers",
        json!({"name": "郑敏", "area": "341002002001", "consent": "on"}),
    )
    .await;
    let (st, _) = unit
        .get(&format!("/volunteers/{vid}/certificates/{code}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = unit
        .get(&format!("/volunteers/{other}/certificates/{code}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
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
    // The content is stored with its hash, which anyone can recompute from what is shown.
    let content = j["content"].as_str().unwrap();
    let hash = j["content_hash"].as_str().unwrap();
    assert_eq!(
        domain::volunteer::CertificateContent::hash_of(content),
        hash
    );
    assert!(body.contains(hash), "the verify page shows the hash");
    assert!(content.contains("柏树街社区居委会") && content.contains("\"hours\":\"5.5\""));
    // A certificate is fixed when issued: the first one still states 3 hours.
    let r = anon
        .get(format!("{}/verify?code={first_code}", t.base))
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("3 小时（1 次）"), "{body}");
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
    let old = (app::kernel::today() - chrono::Duration::days(60))
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

#[tokio::test]
async fn two_corrections_of_one_record_cannot_both_be_accepted_at_once() {
    let t = spawn_app().await;
    let me = t.actor("volunteer").await;
    let unit = t.actor("community").await;
    let form = domain::volunteer::VolunteerForm {
        name: "吴昊".into(),
        area: "341002002001".into(),
        consent: Some("on".into()),
        ..Default::default()
    };
    let ctx = Ctx::default();
    let vid = t.app.register_volunteer(&me, &form, &ctx).await.unwrap();
    let rec = t
        .app
        .record_service(&unit, &vid, &service_form(&today_text(), "2"), &ctx)
        .await
        .unwrap();
    let three = t
        .app
        .request_correction(&me, &rec, &service_form(&today_text(), "3"), "3 小时", &ctx)
        .await
        .unwrap();
    let four = t
        .app
        .request_correction(&me, &rec, &service_form(&today_text(), "4"), "4 小时", &ctx)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        t.app.decide_correction(&unit, &three, true, &ctx),
        t.app.decide_correction(&unit, &four, true, &ctx)
    );
    let lost = match (&a, &b) {
        (Ok(()), Err(e)) | (Err(e), Ok(())) => e,
        _ => panic!("exactly one accept wins: {a:?} {b:?}"),
    };
    assert_eq!(lost.code(), "already_superseded", "{lost}");
    let records = t.db.service_records("3410", &vid, 10, None).await.unwrap();
    let valid: Vec<_> = records
        .iter()
        .filter(|r| r.status == domain::volunteer::RecordStatus::Valid)
        .collect();
    assert_eq!(valid.len(), 1, "one valid record: {records:?}");
    let loser = if a.is_ok() { &four } else { &three };
    assert!(records
        .iter()
        .any(|r| &r.id == loser && r.status == domain::volunteer::RecordStatus::Pending));
    let row = t.db.volunteer("3410", &vid).await.unwrap().unwrap();
    assert_eq!(
        (row.total_minutes, row.record_count),
        (valid[0].record.minutes, 1)
    );
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(
        tx.recount("3410", &vid).await.unwrap(),
        (row.total_minutes, 1),
        "the maintained total equals the sum of valid records"
    );
    tx.rollback().await.unwrap();
    // The loser can still be rejected; accepting it again is still refused.
    let again = t.app.decide_correction(&unit, loser, true, &ctx).await;
    assert_eq!(again.unwrap_err().code(), "already_superseded");
    t.app
        .decide_correction(&unit, loser, false, &ctx)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_unit_links_a_registered_volunteer_to_an_account_which_then_sees_and_corrects_its_records(
) {
    let t = spawn_app().await;
    let unit = t.login("community").await;
    let vid = post_created(
        &unit,
        "/api/v1/volunteers",
        json!({"name": "吴昊", "area": "341002002001", "consent": "on"}),
    )
    .await;
    let today = today_text();
    let rec = post_created(
        &unit,
        &format!("/api/v1/volunteers/{vid}/records"),
        json!({"activity_name": "敬老院陪伴", "activity_date": today, "place": "敬老院", "content": "陪聊", "hours": "2", "person_in_charge": "刘敏"}),
    )
    .await;
    let me = t.login("volunteer").await;
    let (st, _, _) = me
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/volunteers/{vid}"),
            None,
        )
        .await;
    assert_ne!(st, StatusCode::OK, "not linked yet");
    // The officer picks the account by name, not by typing its id.
    let (st, _, body) = unit
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/volunteers/{vid}/accounts?q=吴昊"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let found = json_of(&body)["items"].as_array().unwrap().clone();
    let account = found
        .iter()
        .find(|a| a["login"] == "volunteer")
        .unwrap_or_else(|| panic!("{found:?}"));
    let user_id = account["user_id"].as_str().unwrap().to_string();
    let (st, page) = unit
        .get(&format!("/volunteers/{vid}?account_q=volunteer"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&format!("value=\"{user_id}\"")) && page.contains("data-confirm"));
    // Another community's officer may not link.
    let other = officer(Role::CommunityOfficer, "341021100201");
    let e = t
        .app
        .link_volunteer_account(&other, &vid, &user_id, &Ctx::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_recording_unit");
    let (st, _) = unit
        .post(
            &format!("/volunteers/{vid}/account"),
            &[("user_id", &user_id)],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = unit
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/volunteers/{vid}/account"),
            Some(json!({"user_id": user_id})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert_eq!(json_of(&body)["code"], "already_linked");
    // The linked account sees its records and asks for a correction.
    let (st, _, body) = me
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/volunteers/{vid}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(json_of(&body)["is_self"], true);
    let (st, _, body) = me.api(reqwest::Method::POST, &format!("/api/v1/records/{rec}/correction"), Some(json!({"activity_name": "敬老院陪伴", "activity_date": today, "place": "敬老院", "content": "陪聊", "hours": "3", "person_in_charge": "刘敏", "note": "实际 3 小时"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let audit = t.db.volunteer("3410", &vid).await.unwrap().unwrap();
    assert_eq!(audit.user_id.as_deref(), Some(user_id.as_str()));
}

#[tokio::test]
async fn a_volunteer_registered_twice_in_the_city_is_refused_as_a_duplicate() {
    let t = spawn_app().await;
    let unit = t.login("community").await;
    let first = post_created(
        &unit,
        "/api/v1/volunteers",
        json!({"name": "黄丽", "area": "341002002001", "consent": "on", "id_number": "11010519491231002X"}),
    )
    .await;
    // The same number, typed again on the page: the field says which record it duplicates and
    // the form keeps what was typed.
    let (st, body) = unit
        .post(
            "/volunteers",
            &[
                ("name", "黄莉"),
                ("area", "341002002001"),
                ("consent", "on"),
                ("id_number", "11010519491231002x"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("与已登记的志愿者重复")
            && body.contains(&first)
            && body.contains("value=\"黄莉\"")
    );
    // The same name and birth date (read from the number) in another community of the city.
    let county = officer(Role::TownshipOfficer, "341002002");
    let e = t
        .app
        .register_volunteer(
            &county,
            &domain::volunteer::VolunteerForm {
                name: "黄丽".into(),
                area: "341002002002".into(),
                consent: Some("on".into()),
                birth_date: "1949年12月31日".into(),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    let e = format!("{e:?}");
    assert!(
        e.contains("duplicate_volunteer") && e.contains("birth_date") && e.contains(&first),
        "{e}"
    );
    // An import reports the line; nothing is added.
    let header = app::people_transfer::VOLUNTEER_COLUMNS.join(",");
    let csv = format!("{header}\n程建国,男,341002002001,义诊,是,,1970/1/2\n黄莉,女,341002002001,读报,是,11010519491231002X,\n程建国,男,341002002001,陪伴,是,,1970-01-02\n");
    let r = unit
        .c
        .post(format!(
            "{}/api/v1/volunteers/import?filename=v.csv",
            t.base
        ))
        .header("x-csrf-token", &unit.csrf)
        .body(csv)
        .send()
        .await
        .unwrap();
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
    assert!(at.contains(&(3, "身份证号码".into())), "{at:?}");
    assert!(
        at.contains(&(4, "姓名".into())) || at.contains(&(4, "出生日期".into())),
        "{at:?}"
    );
    let (_, _, body) = unit
        .api(reqwest::Method::GET, "/api/v1/volunteers?q=程建国", None)
        .await;
    assert_eq!(
        json_of(&body)["items"].as_array().unwrap().len(),
        0,
        "nothing applied"
    );
}

#[tokio::test]
async fn service_records_import_reads_excel_serial_numbers_and_chinese_dates() {
    let t = spawn_app().await;
    let unit = officer(Role::CommunityOfficer, "341002002001");
    let a = t
        .app
        .register_volunteer(
            &unit,
            &domain::volunteer::VolunteerForm {
                name: "黄丽".into(),
                area: "341002002001".into(),
                consent: Some("on".into()),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let today = app::kernel::today();
    let serial = (today - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
    let chinese = today.format("%Y年%-m月%-d日").to_string();
    let slashed = today.format("%Y/%-m/%-d").to_string();
    let header = app::record_transfer::COLUMNS.join(",");
    let csv = format!(
        "{header}\n{a},黄丽,敬老院陪伴,{serial},敬老院,陪聊,2,柏树街社区居委会,刘敏,\n{a},黄丽,义诊,{chinese},活动室,引导,1,柏树街社区居委会,刘敏,\n{a},黄丽,读报,{slashed},活动室,读报,1,柏树街社区居委会,刘敏,\n"
    );
    let s = t.login("community").await;
    let r =
        s.c.post(format!(
            "{}/api/v1/service-records/import?filename=r.csv",
            t.base
        ))
        .header("x-csrf-token", &s.csrf)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let recs = t.db.service_records("3410", &a, 10, None).await.unwrap();
    assert_eq!(recs.len(), 3);
    assert!(
        recs.iter().all(|r| r.record.activity_date == today),
        "{recs:?}"
    );
}

#[tokio::test]
async fn a_corrected_reimport_of_service_records_is_refused_as_a_change_by_its_line() {
    let t = spawn_app().await;
    let unit = officer(Role::CommunityOfficer, "341002002001");
    let a = t
        .app
        .register_volunteer(
            &unit,
            &domain::volunteer::VolunteerForm {
                name: "黄丽".into(),
                area: "341002002001".into(),
                consent: Some("on".into()),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let today = today_text();
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
    let first =
        format!("{header}\n{a},黄丽,敬老院陪伴,{today},敬老院,陪聊,2,柏树街社区居委会,刘敏,\n");
    assert_eq!(post(first.clone()).await.unwrap().status(), StatusCode::OK);
    // The same sheet corrected (2 → 3 hours) with one new row: the change is refused by its
    // line and nothing is applied, not even the new row.
    let corrected = format!("{header}\n{a},黄丽,义诊,{today},活动室,引导,1,柏树街社区居委会,刘敏,\n{a},黄丽,敬老院陪伴,{today},敬老院,陪聊,3,柏树街社区居委会,刘敏,\n");
    let r = post(corrected).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    let lines: Vec<i64> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3], "{p}");
    assert!(p.to_string().contains("更正申请"));
    let v = t.db.volunteer("3410", &a).await.unwrap().unwrap();
    assert_eq!(
        (v.total_minutes, v.record_count),
        (120, 1),
        "nothing applied"
    );
    // The identical sheet again is already present.
    let r = post(first).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let j: Value = r.json().await.unwrap();
    assert_eq!(
        (j["added"].as_i64(), j["unchanged"].as_i64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn every_import_offers_an_excel_template_with_a_chinese_header_and_an_example() {
    let t = spawn_app().await;
    let s = t.login("tunxi").await;
    for (path, first) in [
        ("/organizations/template.xlsx", None),
        ("/social-workers/template.xlsx", Some("姓名")),
        ("/volunteers/roster/template.xlsx", Some("姓名")),
        ("/volunteers/records-template.xlsx", Some("志愿者编号")),
    ] {
        let r = s.c.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let bytes = r.bytes().await.unwrap();
        let table = app::transfer::read_table(&bytes, "t.xlsx").unwrap();
        assert_eq!(table.rows.len(), 1, "one example row: {path}");
        if let Some(first) = first {
            assert_eq!(table.headers[0], first, "{path}");
        }
        assert!(
            table
                .headers
                .iter()
                .all(|h| h.chars().any(|c| c > '\u{2e80}')),
            "headers in Chinese: {path} {:?}",
            table.headers
        );
    }
    let (_, page) = s.get("/volunteers/import").await;
    assert!(page.contains("/volunteers/records-template.xlsx"));
}

/// Two registrations of one person at the same moment: the application's check may pass for
/// both, the database's unique hash lets one through, and the other is told which record it
/// duplicates (issue 15).
#[tokio::test]
async fn two_registrations_of_one_person_at_once_leave_one_record() {
    let t = spawn_app().await;
    let unit = officer(Role::CommunityOfficer, "341002002001");
    let form = |name: &str| domain::volunteer::VolunteerForm {
        name: name.into(),
        area: "341002002001".into(),
        consent: Some("on".into()),
        id_number: "11010519491231002X".into(),
        ..Default::default()
    };
    for round in 0..5 {
        let (fa, fb) = (
            form(&format!("并发甲{round}")),
            form(&format!("并发乙{round}")),
        );
        let ctx = Ctx::default();
        let (a, b) = tokio::join!(
            t.app.register_volunteer(&unit, &fa, &ctx),
            t.app.register_volunteer(&unit, &fb, &ctx),
        );
        let oks = [&a, &b].iter().filter(|r| r.is_ok()).count();
        if round == 0 {
            assert_eq!(oks, 1, "{a:?} {b:?}");
        } else {
            assert_eq!(oks, 0, "already registered in round 0: {a:?} {b:?}");
        }
        for r in [a, b].into_iter().filter_map(Result::err) {
            assert!(format!("{r:?}").contains("duplicate_volunteer"), "{r:?}");
        }
    }
}
