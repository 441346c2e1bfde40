//! Registers that can be corrected (issue 15): social workers, platforms, posts, talents and
//! volunteers edited on the version read with their history; posts, employments and incubation
//! periods ended on a date; the staffing standard and the allowance on a day; import errors that
//! link to edit pages that exist.

use crate::harness::*;

/// 403 or 404: refused either way, and nothing said about the record.
fn refused(st: StatusCode) -> bool {
    matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
}

async fn json_get(s: &Session, path: &str) -> Value {
    let (st, _, body) = s.api(reqwest::Method::GET, path, None).await;
    assert_eq!(st, StatusCode::OK, "{path}: {body}");
    json_of(&body)
}

#[tokio::test]
async fn two_editors_of_a_social_worker_cannot_overwrite_each_other_and_the_history_masks_numbers()
{
    let t = spawn_app().await;
    let (platform, worker, _) =
        platform_with_worker(&t, "341002002", "昱中街道社工中心", "11010519491231002X").await;
    let a = t.login("township").await;
    let b = t.login("tunxi").await;
    let (st, fa) = a.get(&format!("/social-workers/{worker}/edit")).await;
    assert_eq!(st, StatusCode::OK);
    let (_, fb) = b.get(&format!("/social-workers/{worker}/edit")).await;
    for f in [&fa, &fb] {
        assert!(f.contains("name=\"version\" value=\"1\""), "{f}");
        assert!(
            f.contains("value=\"昱中街道社工中心社工\""),
            "pre-filled: {f}"
        );
        assert!(!f.contains("11010519491231002X"), "never echoed");
        assert!(
            f.contains("110105********002X"),
            "the masked number is shown"
        );
    }
    let form = |number: &'static str| {
        vec![
            ("version", "1"),
            ("name", "周婷"),
            ("id_number", ""),
            ("certificate_level", "assistant"),
            ("certificate_number", number),
            ("certificate_date", "2024-06-30"),
            ("employer_org_id", ""),
            ("area", "341002002"),
        ]
    };
    let (st, _) = a
        .post(&format!("/social-workers/{worker}"), &form("ZS2026001"))
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, body) = b
        .post(&format!("/social-workers/{worker}"), &form("ZS2026999"))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("township") && body.contains("证书编号：“”→“ZS2026001”"),
        "who changed what: {body}"
    );
    assert!(body.contains("value=\"ZS2026999\""), "the typing is kept");
    let row =
        t.db.social_worker("3410", &worker, &today_text())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (
            row.version,
            row.name.as_str(),
            row.certificate_number.as_deref()
        ),
        (2, "周婷", Some("ZS2026001"))
    );
    // The API: 409 problem+json on the stale version, then a new identity number on the fresh one.
    let body_of = |version: i64, id_number: &str| {
        json!({"version": version, "name": "周婷", "id_number": id_number, "certificate_level": "assistant",
               "certificate_number": "ZS2026001", "area": "341002002"})
    };
    let path = format!("/api/v1/social-workers/{worker}");
    let (st, ct, body) = b
        .api(reqwest::Method::PUT, &path, Some(body_of(1, "")))
        .await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::CONFLICT, "application/problem+json")
    );
    assert_eq!(json_of(&body)["code"], "stale_version");
    let (st, _, body) = b
        .api(
            reqwest::Method::PUT,
            &path,
            Some(body_of(2, "440524188001010014")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(json_of(&body)["version"], 3);
    let stored =
        t.db.social_worker("3410", &worker, &today_text())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.id_masked, "440524********0014");
    assert!(
        !stored.id_cipher.contains("440524188001010014"),
        "encrypted"
    );
    // The old number no longer finds them; the new one does (the keyed hash moved with it).
    let found = t
        .app
        .social_worker_detail(
            &officer(Role::TownshipOfficer, "341002002"),
            &worker,
            &Ctx::default(),
        )
        .await
        .unwrap();
    assert_eq!(found.row.version, 3);
    // History: the record before the first edit, then each editor, numbers only masked.
    let v = json_get(&a, &format!("/api/v1/social-workers/{worker}/versions")).await;
    let items = v["items"].as_array().unwrap();
    let who: Vec<_> = items
        .iter()
        .map(|i| {
            (
                i["version"].as_i64().unwrap(),
                i["changed_by"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            (3, "tunxi".to_string()),
            (2, "township".into()),
            (1, String::new())
        ]
    );
    let (_, page) = a.get(&format!("/social-workers/{worker}")).await;
    for text in [v.to_string(), page.clone()] {
        assert!(
            !text.contains("11010519491231002X") && !text.contains("440524188001010014"),
            "no identity number in clear: {text}"
        );
    }
    assert!(
        page.contains("id=\"history\"") && page.contains("证书编号：“”→“ZS2026001”"),
        "{page}"
    );
    assert!(page.contains("身份证号码：“110105********002X”→“440524********0014”"));
    // A platform of the same worker reads as before.
    let (st, _) = a.get(&format!("/platforms/{platform}")).await;
    assert_eq!(st, StatusCode::OK);

    // Another county's bureau sees nothing and changes nothing, by page or API.
    let other = t.login("shexian").await;
    let (st, _) = other.get(&format!("/social-workers/{worker}/edit")).await;
    assert!(refused(st), "{st}");
    let (st, _) = other
        .post(&format!("/social-workers/{worker}"), &form("X1"))
        .await;
    assert!(refused(st), "{st}");
    let (st, _, _) = other
        .api(reqwest::Method::PUT, &path, Some(body_of(3, "")))
        .await;
    assert!(refused(st), "{st}");
    let (st, _, _) = other
        .api(reqwest::Method::GET, &format!("{path}/versions"), None)
        .await;
    assert!(refused(st), "{st}");
    let after =
        t.db.social_worker("3410", &worker, &today_text())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(after.version, 3);
}

#[tokio::test]
async fn platforms_and_posts_are_corrected_on_the_version_read() {
    let t = spawn_app().await;
    let (platform, _, _) =
        platform_with_worker(&t, "341002002", "昱中街道社工中心", "11010519491231002X").await;
    let a = t.login("township").await;
    let b = t.login("tunxi").await;
    let (st, page) = a.get(&format!("/platforms/{platform}/edit")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("value=\"昱中街道社工中心\"")
            && page.contains("name=\"version\" value=\"1\"")
    );
    let edit = |version: i64, name: &str| json!({"version": version, "kind": "centre", "name": name, "area": "341002002"});
    let path = format!("/api/v1/platforms/{platform}");
    let (st, _, body) = a
        .api(
            reqwest::Method::PUT,
            &path,
            Some(edit(1, "昱中街道社会工作服务中心")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _, body) = b
        .api(reqwest::Method::PUT, &path, Some(edit(1, "昱中社工中心")))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        body.contains("名称：“昱中街道社工中心”→“昱中街道社会工作服务中心”"),
        "{body}"
    );
    // A station cannot sit at a township: the field says so, nothing is written.
    let (st, _, body) = a
        .api(
            reqwest::Method::PUT,
            &path,
            Some(json!({"version": 2, "kind": "station", "name": "x", "area": "341002002"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("\"area\""), "{body}");
    let v = json_get(&a, &format!("{path}/versions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let d = json_get(&a, &path).await;
    assert_eq!(
        (d["name"].as_str(), d["version"].as_i64()),
        (Some("昱中街道社会工作服务中心"), Some(2))
    );
    let (_, page) = a.get(&format!("/platforms/{platform}")).await;
    assert!(page.contains("id=\"history\"") && page.contains("昱中街道社会工作服务中心"));

    // The post: its page form, then two editors.
    let post = d["posts"][0]["id"].as_str().unwrap().to_string();
    let (st, page) = a.get(&format!("/posts/{post}/edit")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("value=\"专业社工\"") && page.contains("value=\"2025-01-01\""));
    let (st, _) = a
        .post(
            &format!("/posts/{post}"),
            &[
                ("version", "1"),
                ("title", "督导岗"),
                ("started_on", "2025-01-01"),
                ("ended_on", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, body) = b
        .post(
            &format!("/posts/{post}"),
            &[
                ("version", "1"),
                ("title", "专业社工岗"),
                ("started_on", "2025-02-01"),
                ("ended_on", ""),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        body.contains("岗位名称：“专业社工”→“督导岗”") && body.contains("value=\"专业社工岗\""),
        "{body}"
    );
    let (st, _, body) = b
        .api(
            reqwest::Method::PUT,
            &format!("/api/v1/posts/{post}"),
            Some(json!({"version": 2, "title": "督导岗", "started_on": "2025-02-01", "ended_on": "2025-01-31"})),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an end before the start: {body}"
    );
    assert!(body.contains("before_start"));
    let v = json_get(&a, &format!("/api/v1/posts/{post}/versions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let other = t.login("shexian").await;
    let (st, _) = other.get(&format!("/posts/{post}/edit")).await;
    assert!(refused(st));
    let (st, _, _) = other
        .api(reqwest::Method::PUT, &path, Some(edit(2, "歙县改名")))
        .await;
    assert!(refused(st));
    let (st, _, _) = other
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/posts/{post}/end"),
            Some(json!({"version": 2, "ended_on": "2026-01-01"})),
        )
        .await;
    assert!(refused(st));
    assert_eq!(
        json_get(&a, &path).await["posts"][0]["ended_on"],
        Value::Null
    );
}

#[tokio::test]
async fn ending_a_post_or_an_employment_changes_the_staffing_from_the_next_day() {
    let t = spawn_app().await;
    let (platform, _, _) =
        platform_with_worker(&t, "341002002", "昱中街道社工中心", "11010519491231002X").await;
    let unit = officer(Role::TownshipOfficer, "341002002");
    let second = t
        .app
        .create_social_worker(
            &unit,
            &domain::social::SocialWorkerForm {
                name: "程浩".into(),
                id_number: "440524188001010014".into(),
                certificate_level: "assistant".into(),
                certificate_number: "ZS2025002".into(),
                area: "341002002".into(),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    t.app
        .add_post(
            &unit,
            &platform,
            &domain::social::PostForm {
                social_worker_id: second.clone(),
                title: "专业社工".into(),
                started_on: "2025-03-01".into(),
                ended_on: String::new(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let s = t.login("township").await;
    let staffing = |on: &'static str| {
        let s = &s;
        let platform = platform.clone();
        async move {
            let d = json_get(s, &format!("/api/v1/platforms/{platform}?on={on}")).await;
            (
                d["staffing"]["held"].as_i64().unwrap(),
                d["meets_standard"].as_bool(),
            )
        }
    };
    assert_eq!(staffing("2026-03-31").await, (2, Some(true)));
    let d = json_get(&s, &format!("/api/v1/platforms/{platform}")).await;
    let first_post = d["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["social_worker_id"] != json!(second))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The platform page offers the end, confirmed.
    let (_, page) = s.get(&format!("/platforms/{platform}")).await;
    assert!(
        page.contains(&format!("action=\"/posts/{first_post}/end\""))
            && page.contains("data-confirm=")
    );
    // An end before the start is refused on its field, on the page and over the API.
    let (st, body) = s
        .post(
            &format!("/posts/{first_post}/end"),
            &[("version", "1"), ("ended_on", "2024-12-31")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("离岗日期不能早于到岗日期") && body.contains("value=\"2024-12-31\""),
        "{body}"
    );
    let (st, _, body) = s
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/posts/{first_post}/end"),
            Some(json!({"version": 1, "ended_on": "2024-12-31"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("\"ended_on\"") && body.contains("before_start"),
        "{body}"
    );
    let (st, _) = s
        .post(
            &format!("/posts/{first_post}/end"),
            &[("version", "1"), ("ended_on", "2026-03-31")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(
        staffing("2026-03-31").await,
        (2, Some(true)),
        "the last day still counts"
    );
    assert_eq!(
        staffing("2026-04-01").await,
        (1, Some(false)),
        "not the day after"
    );

    // The second worker's employment: before their post began is refused; then it ends.
    let worker_path = format!("/api/v1/social-workers/{second}");
    let (st, _, body) = s
        .api(
            reqwest::Method::POST,
            &format!("{worker_path}/employment-end"),
            Some(json!({"version": 1, "ended_on": "2025-02-28"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (st, _, body) = s
        .api(
            reqwest::Method::POST,
            &format!("{worker_path}/employment-end"),
            Some(json!({"version": 1, "ended_on": "2026-05-31"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(staffing("2026-05-31").await, (1, Some(false)));
    assert_eq!(staffing("2026-06-01").await, (0, Some(false)));
    let allowance = |on: &'static str| {
        let s = &s;
        let path = worker_path.clone();
        async move {
            json_get(s, &format!("{path}?on={on}")).await["allowance_eligible"]
                .as_bool()
                .unwrap()
        }
    };
    assert!(allowance("2026-05-31").await);
    assert!(!allowance("2026-06-01").await);
    let (_, page) = s
        .get(&format!("/social-workers/{second}?on=2026-06-01"))
        .await;
    assert!(
        page.contains("id=\"employment-ended\">2026-05-31") && page.contains("不符合"),
        "{page}"
    );
    // Both ends are in the audit log under their own kinds.
    let city = t.login("city").await;
    for (action, name) in [
        ("post.end", "结束岗位"),
        ("social_worker.employment_end", "终止社工聘用"),
    ] {
        let (st, audit) = city.get(&format!("/audit?action={action}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            audit.contains(name) && audit.contains("township"),
            "{audit}"
        );
    }
}

#[tokio::test]
async fn talents_and_volunteers_are_corrected_by_their_keepers_only() {
    let t = spawn_app().await;
    let (_, _, talent) =
        platform_with_worker(&t, "341002002", "昱中街道社工中心", "11010519491231002X").await;
    let a = t.login("township").await;
    let b = t.login("tunxi").await;
    let (st, page) = a.get(&format!("/talents/{talent}/edit")).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("name=\"version\" value=\"1\""));
    let d = json_get(&a, &format!("/api/v1/talents/{talent}")).await;
    let name = d["name"].as_str().unwrap().to_string();
    let category = d["category"].as_str().unwrap().to_string();
    let (st, body) = a
        .post(
            &format!("/talents/{talent}"),
            &[
                ("version", "1"),
                ("name", &name),
                ("gender", "female"),
                ("category", &category),
                ("area", "341002002"),
                ("position", "楼栋长"),
                ("organization_id", ""),
                (
                    "social_worker_id",
                    d["social_worker_id"].as_str().unwrap_or(""),
                ),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let path = format!("/api/v1/talents/{talent}");
    let body = json!({"version": 1, "name": name, "category": category, "area": "341002002", "position": "网格员"});
    let (st, _, text) = b.api(reqwest::Method::PUT, &path, Some(body)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        text.contains("职务：“”→“楼栋长”") || text.contains("职务"),
        "{text}"
    );
    let v = json_get(&a, &format!("{path}/versions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert_eq!(json_get(&a, &path).await["position"], "楼栋长");
    let other = t.login("shexian").await;
    let (st, _, _) = other
        .api(
            reqwest::Method::PUT,
            &path,
            Some(json!({"version": 2, "name": "x", "category": category, "area": "341021100"})),
        )
        .await;
    assert!(refused(st), "{st}");
    let (st, _) = other.get(&format!("/talents/{talent}/edit")).await;
    assert!(refused(st), "{st}");

    // A volunteer: the community's officer corrects; a second editor on the same version conflicts.
    let (vol, _, _) = volunteer_with_certificate(&t, "341002002001", "黄丽").await;
    let c = t.login("community").await;
    let (st, page) = c.get(&format!("/volunteers/{vol}/edit")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("value=\"黄丽\""));
    let (st, _) = c
        .post(
            &format!("/volunteers/{vol}"),
            &[
                ("version", "1"),
                ("name", "黄丽"),
                ("gender", "female"),
                ("area", "341002002001"),
                ("skills", "读报"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let vpath = format!("/api/v1/volunteers/{vol}");
    let vbody = |version: i64| json!({"version": version, "name": "黄丽", "area": "341002002001", "skills": "义诊"});
    let (st, _, text) = a.api(reqwest::Method::PUT, &vpath, Some(vbody(1))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(text.contains("服务技能：“”→“读报”"), "{text}");
    // Another volunteer of the same community may register themself, not correct someone else.
    let (st, _, _) = t
        .login("volunteer")
        .await
        .api(reqwest::Method::PUT, &vpath, Some(vbody(2)))
        .await;
    assert!(refused(st), "{st}");
    let (st, _, _) = other
        .api(reqwest::Method::PUT, &vpath, Some(vbody(2)))
        .await;
    assert!(refused(st), "{st}");
    let (_, page) = c.get(&format!("/volunteers/{vol}")).await;
    assert!(
        page.contains("服务技能：“”→“读报”"),
        "history on the detail page"
    );
    let v = json_get(&c, &format!("{vpath}/versions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_incubation_period_ends_on_a_date_not_before_it_began() {
    let t = spawn_app().await;
    let unit = officer(Role::TownshipOfficer, "341002002");
    let org = t
        .app
        .create_organization(
            &unit,
            &filed_org("杨梅山志愿队", "341002002003"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let inc = t
        .app
        .add_incubation(
            &unit,
            &org,
            &domain::registry::IncubationForm {
                incubator: "屯溪区孵化园".into(),
                started_on: "2025-03-01".into(),
                ..Default::default()
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let s = t.login("township").await;
    let (_, page) = s.get(&format!("/organizations/{org}")).await;
    assert!(page.contains(&format!("/incubations/{inc}/end")) && page.contains("data-confirm="));
    let path = format!("/api/v1/organizations/{org}/incubations/{inc}/end");
    let other = t.login("shexian").await;
    let (st, _, _) = other
        .api(
            reqwest::Method::POST,
            &path,
            Some(json!({"ended_on": "2026-01-01"})),
        )
        .await;
    assert!(refused(st), "{st}");
    let (st, body) = s
        .post(
            &format!("/organizations/{org}/incubations/{inc}/end"),
            &[("ended_on", "2025-02-01")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("出孵日期不能早于入孵日期"), "{body}");
    let (st, _, body) = s
        .api(
            reqwest::Method::POST,
            &path,
            Some(json!({"ended_on": "2026-01-31"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (st, _, body) = s
        .api(
            reqwest::Method::POST,
            &path,
            Some(json!({"ended_on": "2026-02-28"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("already_ended"), "{body}");
    let d = json_get(&s, &format!("/api/v1/organizations/{org}")).await;
    assert_eq!(d["incubations"][0]["ended_on"], "2026-01-31");
}

#[tokio::test]
async fn import_errors_link_to_edit_pages_that_exist() {
    let t = spawn_app().await;
    let s = t.login("township").await;
    let post = |path: String, body: String| {
        s.c.post(format!("{}{path}", t.base))
            .header("x-csrf-token", &s.csrf)
            .body(body)
            .send()
    };
    let links = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| {
                e["message"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .filter(|w| w.starts_with('/') && w.ends_with("/edit"))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let cases = [
        (
            "/api/v1/social-workers/import?filename=sw.csv",
            app::people_transfer::WORKER_COLUMNS.join(","),
            "周婷,11010519491231002X,社会工作员,,,,341002002001",
            "周婷,11010519491231002X,社会工作员,,,,341002002002",
        ),
        (
            "/api/v1/volunteers/import?filename=v.csv",
            app::people_transfer::VOLUNTEER_COLUMNS.join(","),
            "黄丽,女,341002002001,读报,是",
            "黄丽,女,341002002001,义诊,是",
        ),
        (
            "/api/v1/organizations/import?filename=o.csv",
            app::org_transfer::COLUMNS.join(","),
            "杨梅山志愿队,,备案,邻里互助类,341002002003,,,,,,",
            "杨梅山志愿队,,备案,邻里互助类,341002002003,,,,,,每周六活动",
        ),
    ];
    for (path, header, first, changed) in cases {
        let r = post(path.to_string(), format!("{header}\n{first}\n"))
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{path}: {}",
            r.text().await.unwrap()
        );
        let r = post(path.to_string(), format!("{header}\n{changed}\n"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json().await.unwrap();
        let found = links(&v);
        assert_eq!(found.len(), 1, "{path}: {v}");
        let (st, page) = s.get(&found[0]).await;
        assert_eq!(st, StatusCode::OK, "{}: {page}", found[0]);
        assert!(page.contains("name=\"version\""), "an edit form: {page}");
    }
}

#[tokio::test]
async fn two_saves_of_one_version_at_the_same_moment_leave_one_winner() {
    let t = spawn_app().await;
    let (vol, _, _) = volunteer_with_certificate(&t, "341002002001", "黄丽").await;
    let a = t.login("community").await;
    let b = t.login("township").await;
    let path = format!("/api/v1/volunteers/{vol}");
    let body = |skills: &str| {
        Some(json!({"version": 1, "name": "黄丽", "area": "341002002001", "skills": skills}))
    };
    let (ra, rb) = tokio::join!(
        a.api(reqwest::Method::PUT, &path, body("读报")),
        b.api(reqwest::Method::PUT, &path, body("义诊")),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let winner = if ra.0 == StatusCode::OK {
        "读报"
    } else {
        "义诊"
    };
    let row = t.db.volunteer("3410", &vol).await.unwrap().unwrap();
    assert_eq!((row.version, row.volunteer.skills.as_str()), (2, winner));
    let v = json_get(&a, &format!("{path}/versions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
}
